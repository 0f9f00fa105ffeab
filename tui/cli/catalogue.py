"""`motcua catalogue import|export FILE`: the procedure catalogue as CSV or JSON."""
from __future__ import annotations

from pathlib import Path
from tui.cli.common import fail, settings_from


def register(sub, common) -> None:
    cat = sub.add_parser("catalogue", help="danh mục thủ tục").add_subparsers(dest="action", required=True)
    for name in ("import", "export"):
        c = cat.add_parser(name, parents=[common], help=f"{name} CSV hoặc JSON")
        c.add_argument("file", type=Path)
        c.set_defaults(handler=cmd_catalogue)


def cmd_catalogue(args) -> int:
    from core.catalogue_io import CatalogueError, dumps_csv, dumps_json, loads_csv, loads_json
    settings = settings_from(args)
    is_csv = args.file.suffix.lower() == ".csv"
    if args.action == "export":
        # Straight from an existing SQLite file when it can be (no SQLAlchemy to import).
        from db import quick
        procs = quick.current(settings.resolved_db_url())
        if not procs:
            procs = _services(settings).catalogue.current()
        # newline="": the CSV carries its own CRLF line ends; keep them byte-exact.
        with args.file.open("w", encoding="utf-8", newline="") as f:
            f.write(dumps_csv(procs) if is_csv else dumps_json(procs))
        print(f"Đã xuất {len(procs)} thủ tục ra {args.file}.")
        return 0
    services = _services(settings)
    from db.catalogue import decode_catalogue_file
    try:
        raw = args.file.read_bytes()
    except OSError as exc:
        from tui.oserrors import describe_os_error
        return fail(f"Không đọc được tệp {args.file}: {describe_os_error(exc)}.")
    try:
        text = decode_catalogue_file(raw)
        procs = loads_csv(text) if is_csv else loads_json(text)
    except CatalogueError as exc:
        return fail(f"Tệp {args.file} có lỗi, chưa nhập gì: {exc}")
    report = services.catalogue.import_procedures(procs)
    print(f"Đã nhập: {report.added} thủ tục mới, {report.new_versions} phiên bản mới, "
          f"{report.unchanged} không đổi.")
    return 0


def _services(settings):
    from tui.services import build_services
    return build_services(settings, seed_demo=0)
