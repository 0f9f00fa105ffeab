"""python-escpos, imported lazily and without its import-time side effects.

Importing `escpos` (3.1) costs 0.1-0.5 s, because `escpos.capabilities` parses its YAML
printer database and pickles it into a fresh temporary directory on every start, and it
calls `logging.basicConfig()`, which would print log records on the terminal the TUI draws
on. So: import only when the first slip is rendered or sent, point the pickle at a stable
cache directory (unless the environment already chose one), and take back any root-logger
handler the import added.
"""
from __future__ import annotations

import copy
import logging
import os
from functools import lru_cache
from types import SimpleNamespace


def _cache_dir() -> str | None:
    try:
        from platformdirs import user_cache_dir
        path = os.path.join(user_cache_dir("motcua", appauthor=False), "escpos")
        os.makedirs(path, exist_ok=True)
        return path
    except OSError:
        return None


@lru_cache(maxsize=1)
def escpos() -> SimpleNamespace:
    """The python-escpos modules this package uses."""
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
        cache = _cache_dir()
        if cache:
            os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = cache
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        import escpos.capabilities as capabilities
        import escpos.constants as constants
        import escpos.exceptions as exceptions
        import escpos.printer as printer
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
    return SimpleNamespace(capabilities=capabilities, constants=constants,
                           exceptions=exceptions, printer=printer)


@lru_cache(maxsize=8)
def profile_class(width_dots: int, paper_mm: int) -> type:
    """An escpos `Profile` subclass that knows the paper width.

    The stock "default" profile has media width "Unknown": `image()` then print()s a warning
    to stdout on every call. Its profile_data is a class attribute shared by every printer
    object, so it must be copied, never patched in place.
    """
    caps = escpos().capabilities
    data = copy.deepcopy(caps.get_profile_class("default").profile_data)
    data["name"] = f"motcua-{paper_mm}mm"
    data["media"] = {"dpi": 203, "width": {"mm": paper_mm, "pixels": width_dots}}
    return type(f"Motcua{paper_mm}mmProfile", (caps.Profile,), {"profile_data": data})


def make_profile(width_dots: int, paper_mm: int):
    cls = profile_class(width_dots, paper_mm)
    # Profile.__init__ replaces `features` with {} unless given: then cut() emits nothing.
    return cls(features=cls.profile_data["features"])


def encoding_info(codepage: str) -> dict:
    """python-escpos' description of a code page: "python_encode" codec or a "data" table."""
    return escpos().capabilities.CAPABILITIES["encodings"].get(codepage, {})
