"""`motcua ratings --from --to [--json]` (the figures of a period) and `motcua ratings paper`
(a supervisor enters a paper survey form against a dossier code)."""
from __future__ import annotations

import getpass
import json
import os

from tui.cli.common import fail, parse_day, settings_from


def register(sub, common) -> None:
    r = sub.add_parser("ratings", parents=[common], help="đánh giá của công dân: số liệu, phiếu giấy")
    r.add_argument("--from", dest="date_from", default=None, help="từ ngày YYYY-MM-DD")
    r.add_argument("--to", dest="date_to", default=None, help="đến ngày YYYY-MM-DD")
    r.add_argument("--desk", type=int, default=None, help="chỉ một quầy")
    r.add_argument("--json", action="store_true", help="in JSON")
    r.set_defaults(handler=cmd_ratings, action=None)
    actions = r.add_subparsers(dest="action")
    paper = actions.add_parser("paper", parents=[common], help="nhập phiếu khảo sát giấy (lãnh đạo)")
    paper.add_argument("code", help="mã hồ sơ")
    paper.add_argument("--level", type=int, required=True, help="mức đánh giá, 1 là tốt nhất")
    paper.add_argument("--reason", action="append", default=[], help="lý do chưa hài lòng (lặp lại được)")
    paper.add_argument("--text", default="", help="ý kiến ghi trên phiếu")
    paper.add_argument("--step", choices=("receipt", "return"), default=None,
                       help="bước được đánh giá (mặc định: trả kết quả nếu đã trả, không thì tiếp nhận)")
    paper.add_argument("--by", required=True, help="tên đăng nhập của lãnh đạo nhập phiếu")
    paper.set_defaults(handler=cmd_paper)


def cmd_ratings(args) -> int:
    if not args.date_from or not args.date_to:
        return fail("Cần --from NGÀY và --to NGÀY (dạng YYYY-MM-DD), ví dụ: "
                    "motcua ratings --from 2026-10-01 --to 2026-12-31", 2)
    start, end = parse_day(args.date_from), parse_day(args.date_to)
    if end < start:
        return fail("Ngày --to phải sau hoặc bằng ngày --from.", 2)
    from tui.services import build_services
    services = build_services(settings_from(args), seed_demo=0)
    filters = {} if args.desk is None else {"desk_number": args.desk}
    s = services.ratings.summary(start, end, **filters)
    if args.json:
        print(json.dumps(s.as_dict(), ensure_ascii=False))
        return 0
    cfg = services.ratings.config
    print(f"Đánh giá của công dân từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}")
    print(f"Số lượt đánh giá: {s.ratings} (thiết bị {s.by_source.get('kiosk', 0)}, "
          f"phiếu giấy {s.by_source.get('paper', 0)})")
    for level, count in sorted(s.by_level.items()):
        print(f"  {level}. {cfg.label(level)}: {count}")
    print(f"Không đánh giá (hết giờ chờ): {s.not_rated}")
    print(f"Bấm sai, bấm thừa (không tính): {s.misuse}")
    rate = s.satisfaction_rate
    print("Tỷ lệ hài lòng: " + ("chưa có đánh giá" if rate is None else
                                f"{rate * 100:.1f} % ({s.satisfied}/{s.ratings})".replace(".", ",")))
    return 0


def cmd_paper(args) -> int:
    from db.ratings import RatingError
    from tui.services import build_services
    services = build_services(settings_from(args), seed_demo=0)
    password = os.environ.get("MOTCUA_PASSWORD") or getpass.getpass(f"Mật khẩu của {args.by}: ")
    who = services.accounts.authenticate(args.by, password)
    if who is None:
        return fail("Sai tên đăng nhập hoặc mật khẩu.", 2)
    try:
        ev = services.ratings.enter_paper(args.code, args.level, by=who, reasons=args.reason,
                                          text=args.text, step=args.step)
    except RatingError as exc:
        return fail(exc.message_vi, 2)
    p = ev.payload
    print(f"Đã ghi phiếu khảo sát giấy cho hồ sơ {args.code.strip()}: {p['label']}"
          + (f" — lý do: {'; '.join(p['reasons'])}" if p["reasons"] else ""))
    return 0
