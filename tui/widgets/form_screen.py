"""A screen holding a form: the app asks it before quitting, and it asks before discarding."""
from __future__ import annotations

from textual.screen import Screen


class FormScreen(Screen):
    def has_unsaved_data(self) -> bool:
        """True while something typed here is not saved (see MotcuaApp.action_quit)."""
        return False
