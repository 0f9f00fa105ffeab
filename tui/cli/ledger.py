"""`motcua ledger --from DATE --to DATE --out FILE.xlsx|FILE.pdf`: the ledger (Sổ theo dõi
hồ sơ, form 07) of the dossiers received in the period."""
from __future__ import annotations

import json

from tui.cli.common import fail, parse_day, settings_from


def register(sub, common) -> None:
    p = sub.add_parser("ledger", parents=[common], help="xuất sổ theo dõi hồ sơ (mẫu 07) ra XLSX hoặc PDF")
    p.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD", help="từ ngày nhận")
    p.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD", help="đến ngày nhận (tính cả ngày này)")
    p.add_argument("--out", required=True, metavar="FILE", help="tệp .xlsx hoặc .pdf (khổ A4 ngang)")
    p.add_argument("--desk", type=int, default=None, help="chỉ hồ sơ của một quầy")
    p.add_argument("--json", action="store_true", help="kết quả dạng JSON")
    p.set_defaults(handler=cmd_ledger)


def cmd_ledger(args) -> int:
    from tui.actions import export_ledger
    from tui.services import build_services
    date_from, date_to = parse_day(args.date_from), parse_day(args.date_to)
    services = build_services(settings_from(args), seed_demo=0)
    try:
        rows = export_ledger(services, date_from, date_to, args.out, args.desk)
    except ValueError as exc:
        return fail(str(exc), 2)
    except OSError as exc:
        return fail(f"Không ghi được tệp «{args.out}» ({exc.strerror or type(exc).__name__}). "
                    "Chọn thư mục khác hoặc kiểm tra quyền ghi.", 1)
    if args.json:
        print(json.dumps({"rows": rows, "from": date_from.isoformat(), "to": date_to.isoformat(),
                          "out": args.out}, ensure_ascii=False))
    else:
        print(f"Đã ghi sổ theo dõi hồ sơ: {rows} hồ sơ nhận từ {date_from:%d/%m/%Y} "
              f"đến {date_to:%d/%m/%Y} vào {args.out}.")
    return 0
