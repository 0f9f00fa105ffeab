"""`motcua stats`: the period's figures on the desk's data or the centre's, as text, JSON
(exactly the keys of issue 10) or the Biểu số 06 spreadsheet."""
from __future__ import annotations

import json
import sys
from datetime import date

from tui.cli.common import fail, parse_day, settings_from
from tui.config import ConfigError

BY_CHOICES = ("field", "procedure", "clerk", "desk", "agency", "day", "month")


def register(sub, common) -> None:
    p = sub.add_parser("stats", parents=[common], help="thống kê kết quả giải quyết hồ sơ theo kỳ")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--month", nargs="?", const="", default=None, metavar="YYYY-MM",
                      help="một tháng (mặc định: tháng này)")
    when.add_argument("--quarter", nargs="?", const="", default=None, metavar="YYYY-Qn",
                      help="một quý (mặc định: quý này)")
    when.add_argument("--year", nargs="?", const="", default=None, metavar="YYYY",
                      help="một năm (mặc định: năm nay)")
    p.add_argument("--from", dest="date_from", default=None, metavar="YYYY-MM-DD", help="từ ngày")
    p.add_argument("--to", dest="date_to", default=None, metavar="YYYY-MM-DD", help="đến ngày (mặc định: hôm nay)")
    p.add_argument("--by", choices=BY_CHOICES, default=None,
                   help="nhóm theo: field (lĩnh vực), procedure, clerk, desk, agency, day, month")
    p.add_argument("--central", default=None, metavar="URL",
                   help="đọc số liệu trên máy chủ trung tâm (vai trò giám sát, chỉ đọc)")
    p.add_argument("--agency", default=None, metavar="MÃ", help="(trung tâm) chỉ một cơ quan")
    p.add_argument("--json", action="store_true", help="in JSON")
    p.add_argument("--xlsx", default=None, metavar="TỆP", help="ghi báo cáo Biểu số 06 ra tệp .xlsx")
    p.set_defaults(handler=cmd_stats)


def period_from(args, today: date):
    from core.stats import Period
    from core.stats_report import month_period, named_period, quarter_period, year_period
    chosen = [n for n in ("month", "quarter", "year") if getattr(args, n) is not None]
    if chosen and (args.date_from or args.date_to):
        raise ConfigError("Chọn --from/--to hoặc --month/--quarter/--year, không dùng cả hai.")
    try:
        if args.month is not None:
            return month_period(args.month) if args.month else named_period("month", today)
        if args.quarter is not None:
            return quarter_period(args.quarter) if args.quarter else named_period("quarter", today)
        if args.year is not None:
            return year_period(args.year) if args.year else named_period("year", today)
        if args.date_from or args.date_to:
            start = parse_day(args.date_from) if args.date_from else today.replace(day=1)
            return Period(start, parse_day(args.date_to) if args.date_to else today)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return named_period("month", today)


def open_engine(args):
    """The desk's database, or the centre (never migrated from here: a supervisor only reads)."""
    from db.engine import make_engine
    if args.central:
        from tui.config import to_db_url
        return make_engine(to_db_url(args.central)), True
    from db.migrate import upgrade
    settings = settings_from(args)
    engine = make_engine(settings.resolved_db_url(), busy_timeout_ms=settings.db_busy_timeout_ms)
    upgrade(engine)
    return engine, False


def cmd_stats(args) -> int:
    from core.stats import to_json
    from db.stats import open_stats
    period = period_from(args, date.today())
    if args.xlsx and not args.xlsx.lower().endswith(".xlsx"):
        return fail("Tệp báo cáo phải có đuôi .xlsx (ví dụ bao-cao-quy-1.xlsx).", 2)
    engine, central = open_engine(args)
    try:
        repo = open_stats(engine, agency_code=args.agency, central=central)
        try:
            report = repo.report(period, args.by)
        except Exception as exc:
            if central:
                return fail(f"Không đọc được số liệu trên máy chủ trung tâm ({type(exc).__name__}). "
                            "Kiểm tra URL, mật khẩu và quyền của vai trò giám sát.", 3)
            raise
        if args.xlsx:
            write_xlsx(repo, report, args.xlsx, engine)
        if args.json:
            data = to_json(report.whole)
            if args.by:
                data["groups"] = [to_json(g) for g in report.groups]
            json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
            print()
        elif not args.xlsx or sys.stdout.isatty():
            print_text(report)
            if central:
                print_freshness(engine)
        if args.xlsx:
            print(f"Đã ghi báo cáo: {args.xlsx}", file=sys.stderr if args.json else sys.stdout)
    finally:
        engine.dispose()
    return 0


def write_xlsx(repo, report, path: str, engine) -> None:
    from datetime import datetime
    from pathlib import Path

    from db.accounts import AccountRepo
    from printers.report_xlsx import write_report
    by_field = report if report.by == "field" else repo.report(report.period, "field")
    agency = None
    try:
        agency = AccountRepo(engine, None).agency()
    except Exception:       # the centre: many agencies, no one desk's setup
        agency = None
    try:
        write_report(Path(path), by_field, repo.late_list(report.period),
                     agency_name=agency.name if agency else "", made_at=datetime.now())
    except OSError as exc:
        raise ConfigError(f"Không ghi được tệp «{path}» ({exc.strerror}). Chọn thư mục khác.") from None


def print_freshness(engine) -> None:
    """How fresh the centre's figures are: each agency's oldest last sync of its desks."""
    from db.stats_central import freshness
    oldest: dict[str, tuple[str, object, int]] = {}
    for f in freshness(engine):
        name, last, desks = oldest.get(f.agency_code, (f.agency_name, f.last_sync, 0))
        if f.last_sync is None or (last is not None and f.last_sync < last):
            last = f.last_sync
        oldest[f.agency_code] = (name, last, desks + 1)
    if oldest:
        print("\n  Số liệu cập nhật đến (lần đồng bộ cũ nhất của các quầy):")
    for code, (name, last, desks) in sorted(oldest.items()):
        when = f"{last:%H:%M %d/%m/%Y}" if last else "chưa đồng bộ"
        print(f"  {code} {name} ({desks} quầy): {when}")


def print_text(report) -> None:
    from core.stats import FIGURE_VI, GROUPING_VI, number_vi, percent_vi
    from core.stats_report import marks, score_766
    f = report.whole
    print(f"THỐNG KÊ GIẢI QUYẾT HỒ SƠ — {report.period.label_vi()}")
    order = ("carried_over", "received", "received_online", "received_direct_postal", "received_postal",
             "not_accepted", "resolved", "resolved_early", "resolved_on_time", "resolved_late",
             "withdrawn_stopped", "in_progress", "in_progress_on_time", "in_progress_late",
             "waiting_supplement", "same_day", "apologies", "late_with_apology", "late_without_apology",
             "supplement_over_once")
    for name in order:
        print(f"  {FIGURE_VI[name]:<32} {f.counts[name]:>8}")
    print(f"  {'Số ngày làm việc xử lý bình quân':<32} {number_vi(f.avg_processing_working_days):>8}")
    r = f.ratings
    misuse = "không có ở trung tâm, xem trên từng quầy" if r.misuse is None else r.misuse
    print(f"  {'Lượt đánh giá':<32} {r.ratings:>8}   (không đánh giá {r.not_rated}, bấm sai {misuse})")
    for m in marks(f):
        print("  " + m.text_vi())
    print("  Chỉ số QĐ 766 (ước tính từ dữ liệu của quầy):")
    for s in score_766(f):
        print("    " + s.text_vi())
    if report.groups:
        print(f"\n  Theo {GROUPING_VI[report.by].lower()}:")
        print(f"  {'':<34} {'Nhận':>6} {'Kỳ trước':>8} {'Đã GQ':>6} {'Quá hạn':>7} {'Đang GQ':>7} {'Đúng hạn':>9}")
        for g in report.groups:
            c = g.counts
            print(f"  {(g.label or '')[:34]:<34} {c['received']:>6} {c['carried_over']:>8} {c['resolved']:>6} "
                  f"{c['resolved_late']:>7} {c['in_progress']:>7} {percent_vi(g.on_time_rate):>9}")


# -- the centre: `central init --supervisor-role`, `central project`, `central freshness` --------

def register_central(central, cinit) -> None:
    cinit.add_argument("--supervisor-role", default=None,
                       help="(PostgreSQL) vai trò giám sát chỉ đọc; với --agency chỉ thấy cơ quan đó, "
                            "không có --agency thấy toàn tỉnh")
    project = central.add_parser("project", help="cập nhật bảng hồ sơ ở trung tâm cho thống kê")
    project.add_argument("--db", required=True, help="URL máy chủ trung tâm (quyền quản trị)")
    project.set_defaults(handler=cmd_central_project)
    fresh = central.add_parser("freshness", help="lần đồng bộ cuối của từng quầy")
    fresh.add_argument("--db", required=True, help="URL máy chủ trung tâm")
    fresh.set_defaults(handler=cmd_central_freshness)


def supervisor_password(role: str) -> str | None:
    from tui.cli.sync import role_password
    return role_password("MOTCUA_SUPERVISOR_PASSWORD", f"Mật khẩu cho vai trò giám sát {role}: ")


def central_supervisor(args) -> int:
    from db.engine import make_engine
    from db.stats_central import setup_supervisor
    from tui.config import to_db_url
    password = supervisor_password(args.supervisor_role)
    engine = make_engine(to_db_url(args.db))
    try:
        for line in setup_supervisor(engine, args.supervisor_role, password, args.agency):
            print(line)
    except ValueError as exc:
        return fail(str(exc), 2)
    finally:
        engine.dispose()
    return 0


def cmd_central_project(args) -> int:
    from db.engine import make_engine
    from db.stats_central import project_central
    from tui.config import to_db_url
    engine = make_engine(to_db_url(args.db))
    try:
        n = project_central(engine)
    finally:
        engine.dispose()
    print(f"Đã cập nhật {n} hồ sơ ở trung tâm.")
    return 0


def cmd_central_freshness(args) -> int:
    from db.engine import make_engine
    from db.stats_central import freshness
    from tui.config import to_db_url
    engine = make_engine(to_db_url(args.db))
    try:
        rows = freshness(engine)
    finally:
        engine.dispose()
    if not rows:
        print("Chưa có quầy nào đồng bộ lên trung tâm.")
    for r in rows:
        last = f"{r.last_sync:%H:%M %d/%m/%Y}" if r.last_sync else "chưa đồng bộ"
        print(f"{r.agency_code}  {r.agency_name}  Quầy {r.desk_number}: {last}")
    return 0
