"""The screens' header: Textual's Header, safe on a screen that is being replaced.

At start-up the login screen is shown at once and replaced by the first-run setup as soon as
a worker has asked the database. On a busy machine the replacement removes the login
screen's Header children while the Header's title watchers are still queued; Textual's
Header then looks for its title widget, raises NoMatches, and the whole app exits (every
key after that went nowhere). A Header whose title widget is gone has nothing to update.
"""
from __future__ import annotations

from textual import events
from textual.css.query import NoMatches
from textual.dom import NoScreen
from textual.widgets import Header as TextualHeader
from textual.widgets._header import HeaderTitle


class Header(TextualHeader):
    def _on_mount(self, event: events.Mount) -> None:
        # Textual's own _on_mount, with NoMatches caught as well as NoScreen; Textual calls
        # every class's handler along the MRO unless the default is prevented.
        event.prevent_default()
        async def set_title() -> None:
            try:
                self.query_one(HeaderTitle).update(self.format_title())
            except (NoScreen, NoMatches):
                pass

        self.watch(self.app, "title", set_title)
        self.watch(self.app, "sub_title", set_title)
        self.watch(self.screen, "title", set_title)
        self.watch(self.screen, "sub_title", set_title)
