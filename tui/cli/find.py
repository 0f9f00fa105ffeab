"""`motcua dossier find TEXT [--json]`: the desk's dossier search from the command line.

The same search as the TUI's (db/search.py): any word of the name with or without
diacritics, the last 4+ digits of a code, phone or ID number, a code or its start. Prints
one dossier a line, newest first, or with --json a list of {"code", "name", "status",
"received_at"} (status: the national status code). Exit status 1 when nothing matches.
"""
from __future__ import annotations

import json

from tui.cli.common import settings_from


def register_find(actions, common) -> None:
    """Add `find` to the `dossier` command group's subparsers."""
    find = actions.add_parser("find", parents=[common], help="tìm hồ sơ theo tên, mã, số điện thoại, số định danh")
    find.add_argument("text", help='ví dụ "nguyet", "anh nguyet", "01015" (4 số cuối trở lên)')
    find.add_argument("--limit", type=int, default=50, help="tối đa bao nhiêu hồ sơ (mặc định 50)")
    find.add_argument("--json", action="store_true", help="in danh sách JSON")
    find.set_defaults(handler=cmd_find)


def cmd_find(args) -> int:
    from core.lifecycle import STATUS_VI
    from tui.services import build_services
    services = build_services(settings_from(args), seed_demo=0)
    found = services.dossiers.search(args.text, limit=max(1, args.limit))
    if args.json:
        print(json.dumps([{"code": d.code, "name": d.applicant_name, "status": int(d.status),
                           "received_at": d.received_at.isoformat()} for d in found],
                         ensure_ascii=False, indent=1))
        return 0 if found else 1
    if not found:
        print(f"Không tìm thấy hồ sơ nào khớp «{args.text}». Thử một từ trong họ tên, "
              "hoặc 4 số cuối của mã hồ sơ, số điện thoại, số định danh.")
        return 1
    for d in found:
        print(f"{d.code}  {d.received_at:%H:%M %d/%m/%Y}  {d.applicant_name}  ({STATUS_VI[d.status]})")
    return 0
