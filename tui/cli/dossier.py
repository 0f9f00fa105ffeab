"""`motcua dossier ...`: commands on dossiers."""
from __future__ import annotations

from tui.cli.find import register_find


def register(sub, common) -> None:
    group = sub.add_parser("dossier", help="hồ sơ").add_subparsers(dest="action", required=True)
    register_find(group, common)
