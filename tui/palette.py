"""The command palette in Vietnamese: every binding with an id is a command, matched with or
without diacritics ("giao dien" finds "Giao diện"), and nothing on it is English."""
from __future__ import annotations

from functools import partial

from rich.align import Align
from rich.text import Text
from textual.binding import Binding
from textual.content import Content
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.fuzzy import Matcher
from textual.widgets.option_list import Option

from core.text import fold

PLACEHOLDER_VI = "Gõ tên lệnh (có dấu hay không dấu đều được)…"
NO_MATCHES_VI = "Không có lệnh nào khớp"


def commands(app, screen):
    """(name, help, callback) for each binding with an id on the screen and the app."""
    seen: set[str] = set()
    for owner in (screen, app):
        for binding in getattr(owner, "BINDINGS", []):
            if not isinstance(binding, Binding) or not binding.id or binding.id in seen:
                continue
            if binding.id == "app.palette":
                continue
            if getattr(app, "clerk", None) is None and binding.id not in ("app.help", "app.quit"):
                continue
            if not offered(owner, binding.action):
                continue
            seen.add(binding.id)
            key = app.get_key_display(binding)
            yield binding.description, f"Phím {key} · {binding.id}", partial(owner.run_action, binding.action)
    # Instead of Textual's theme picker (English names): light or dark, in Vietnamese.
    yield "Đổi giao diện sáng / tối", "Chỉ trong bảng lệnh · app.theme", app.action_toggle_theme


def offered(owner, action: str) -> bool:
    """Whether the screen offers `action` now (its check_action): the palette lists only
    what the keys would do, e.g. a dossier's actions that fit its state."""
    from textual.actions import parse
    _, name, params = parse(action)
    return owner.check_action(name, params) is not False


class MotcuaCommands(Provider):
    async def discover(self) -> Hits:
        for name, help_text, callback in commands(self.app, self.screen):
            yield DiscoveryHit(Content(name), callback, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = Matcher(fold(query))
        for name, help_text, callback in commands(self.app, self.screen):
            folded = fold(name)
            score = matcher.match(folded)
            if score > 0:
                yield Hit(score, _highlight(matcher, name, folded), callback, text=name, help=help_text)


def _highlight(matcher: Matcher, name: str, folded: str) -> Content:
    """The matched letters highlighted on the name as written (with its diacritics)."""
    if len(folded) != len(name):
        return Content(name)
    return Content(name, spans=list(matcher.highlight(folded).spans))


class VietnamesePalette(CommandPalette):
    def __init__(self) -> None:
        super().__init__(providers=[MotcuaCommands], placeholder=PLACEHOLDER_VI, id="--command-palette")

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual's own countdown adds "No matches found": add the same option in Vietnamese.
        self._stop_no_matches_countdown()

        def show() -> None:
            if search_value:
                self.query_one(CommandList).add_option(Option(
                    Align.center(Text(NO_MATCHES_VI, style="not bold")), disabled=True,
                    id=self._NO_MATCHES))
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show)
