"""`motcua calendar show|due|set|unset`: the working-day calendar and local overrides."""
from __future__ import annotations

import json
from datetime import datetime
from tui.cli.common import fail, parse_day, settings_from


# The years the working-day calendar can answer for (the holiday rules are modern ones).
YEAR_MIN, YEAR_MAX = 1990, 2100


def register(sub, common) -> None:
    cal = sub.add_parser("calendar", help="lịch ngày làm việc").add_subparsers(dest="action", required=True)
    show = cal.add_parser("show", parents=[common], help="liệt kê ngày nghỉ, ngày làm bù của một năm")
    show.add_argument("year", type=int)
    due = cal.add_parser("due", parents=[common], help="tính ngày hẹn trả")
    due.add_argument("--received", required=True, help='"YYYY-MM-DD HH:MM"')
    g = due.add_mutually_exclusive_group(required=True)
    g.add_argument("--procedure", help="mã thủ tục, ví dụ 1.001193")
    g.add_argument("--days", type=int, help="số ngày làm việc")
    g.add_argument("--same-day", action="store_true", help="trả trong ngày")
    due.add_argument("--cutoff", choices=("yes", "no"), default=None,
                     help="áp dụng giờ chốt 15:00 (mặc định: có, hoặc theo thủ tục)")
    due.add_argument("--json", action="store_true")
    put = cal.add_parser("set", parents=[common], help="thêm/sửa một ngày điều chỉnh địa phương")
    put.add_argument("day", help="YYYY-MM-DD")
    put.add_argument("--kind", required=True, choices=("day_off", "cancel_day_off", "worked_day"))
    put.add_argument("--name", required=True)
    unset = cal.add_parser("unset", parents=[common], help="bỏ một ngày điều chỉnh địa phương")
    unset.add_argument("day", help="YYYY-MM-DD")
    for p in (show, due, put, unset):
        p.set_defaults(handler=cmd_calendar)


def _services(settings):
    from tui.services import build_services
    return build_services(settings, seed_demo=0)


def _calendar(settings):
    """The working-day calendar and a procedure lookup. Read straight from an existing
    SQLite file when it can be (db/quick.py: no SQLAlchemy to import, so `calendar due`
    answers at once); otherwise through the services, which create and migrate."""
    from core.calendar import WorkingCalendar
    from db import quick
    url = settings.resolved_db_url()
    overrides = quick.overrides(url)
    if overrides is None:
        services = _services(settings)
        return services.calendar(), services.catalogue.get
    return WorkingCalendar(overrides, settings.office_hours()), \
        lambda code: quick.procedure(url, code) or _services(settings).catalogue.get(code)


def cmd_calendar(args) -> int:
    from core.calendar import Override, OverrideKind
    from core.catalogue import TERM_MAX, Term, TermUnit
    settings = settings_from(args)
    if args.action == "show" and not YEAR_MIN <= args.year <= YEAR_MAX:
        return fail(f"Năm phải từ {YEAR_MIN} đến {YEAR_MAX} (đang là {args.year}).", 2)
    if args.action in ("show", "due"):
        calendar, procedure = _calendar(settings)
    else:
        services = _services(settings)
    if args.action == "set":
        services.calendar_repo.put(Override(parse_day(args.day), OverrideKind(args.kind), args.name), by="cli")
        print(f"Đã lưu điều chỉnh ngày {parse_day(args.day):%d/%m/%Y}.")
        return 0
    if args.action == "unset":
        services.calendar_repo.remove(parse_day(args.day))
        print(f"Đã bỏ điều chỉnh ngày {parse_day(args.day):%d/%m/%Y}.")
        return 0
    if args.action == "show":
        weekday = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]
        kind_vi = {"day_off": "Nghỉ", "worked_day": "Làm bù"}
        source_vi = {"holidays": "gói holidays", "local": "điều chỉnh địa phương"}
        for info in calendar.special_days(args.year):
            print(f"{info.day:%d/%m/%Y}  {weekday[info.day.weekday()]:<8}  "
                  f"{kind_vi.get(info.kind, info.kind):<6}  {info.name}  [{source_vi.get(info.source, info.source)}]")
        return 0
    try:
        received = datetime.strptime(args.received.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        return fail('Thời điểm nhận phải có dạng "YYYY-MM-DD HH:MM", ví dụ "2026-11-23 14:30".', 2)
    cutoff = None if args.cutoff is None else args.cutoff == "yes"
    if args.procedure:
        proc = procedure(args.procedure)
        if proc is None:
            return fail(f"Không có thủ tục mã {args.procedure} trong danh mục. "
                         "Nhập danh mục bằng «motcua catalogue import».", 2)
        term, applies = proc.term, proc.cutoff_applies if cutoff is None else cutoff
    elif args.same_day:
        term, applies = Term(0, TermUnit.SAME_DAY), True if cutoff is None else cutoff
    else:
        top = TERM_MAX[TermUnit.WORKING_DAYS]
        if not 0 <= args.days <= top:
            return fail(f"Số ngày làm việc (--days) phải từ 0 đến {top} (đang là {args.days}).", 2)
        term, applies = Term(args.days, TermUnit.WORKING_DAYS), True if cutoff is None else cutoff
    due = calendar.due(received, term, applies)
    print(json.dumps({"due": due.isoformat()}) if args.json else f"{due:%H:%M %d/%m/%Y}")
    return 0
