"""`motcua dossier ...`: receive, show, list, and every lifecycle action, through the same
service functions as the TUI (tui/actions.save_dossier, tui/dossier_actions.perform).

An action happens at the current time and records `--clerk` (an existing account) on its
event, marked as done from the command line. A refused action exits with status 2 and the
Vietnamese reason on stderr, and writes nothing.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime

from tui.cli.common import fail, settings_from
from tui.cli.find import register_find

# CLI action name -> (event kind value, help)
ACTIONS = {
    "supplement": ("supplement_requested", "yêu cầu bổ sung hồ sơ (mẫu 02)"),
    "supplemented": ("supplement_received", "nhận đủ hồ sơ bổ sung"),
    "refuse": ("refused", "từ chối tiếp nhận (mẫu 03)"),
    "handoff": ("transferred", "chuyển hồ sơ cho cơ quan giải quyết (mẫu 06)"),
    "takeback": ("taken_back", "nhận lại hồ sơ từ cơ quan giải quyết"),
    "result": ("result_ready", "ghi nhận đã có kết quả"),
    "return": ("returned", "trả kết quả cho công dân"),
    "withdraw": ("withdrawn", "công dân rút hồ sơ (mẫu 05)"),
    "stop": ("stopped", "dừng giải quyết hồ sơ (mẫu 05)"),
    "apology": ("apology_issued", "xin lỗi và hẹn lại ngày trả (mẫu 04)"),
    "note": ("note", "ghi chú vào hồ sơ"),
}


def register(sub, common) -> None:
    group = sub.add_parser("dossier", help="hồ sơ: tiếp nhận, xem, liệt kê, các thao tác")
    acts = group.add_subparsers(dest="action", required=True)
    register_find(acts, common)

    rec = acts.add_parser("receive", parents=[common], help="tiếp nhận hồ sơ (như màn hình tiếp nhận)")
    rec.add_argument("--procedure", required=True, help="mã thủ tục, ví dụ 1.001193")
    rec.add_argument("--name", required=True, help="họ tên người nộp")
    rec.add_argument("--id", default="", help="số định danh cá nhân (12 số)")
    rec.add_argument("--birth", default="", help="ngày sinh dd/mm/yyyy")
    rec.add_argument("--sex", default="", choices=("", "Nam", "Nữ"))
    rec.add_argument("--phone", default="")
    rec.add_argument("--address", default="")
    rec.add_argument("--email", default="")
    rec.add_argument("--channel", type=int, choices=(1, 2, 3), default=1,
                     help="1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích")
    rec.add_argument("--delivery", choices=("desk", "post", "online"), default=None,
                     help="cách trả kết quả (mặc định: bưu chính nếu kênh 3, còn lại tại quầy)")
    rec.add_argument("--docs", default="", help="«all» hoặc số thứ tự giấy tờ đã nhận, ví dụ 1,2")
    rec.add_argument("--sets", default="1")
    rec.add_argument("--notes", default="")
    _actor(rec)
    rec.set_defaults(handler=cmd_receive)

    show = acts.add_parser("show", parents=[common], help="xem một hồ sơ")
    show.add_argument("code")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_show)

    lst = acts.add_parser("list", parents=[common], help="liệt kê hồ sơ")
    lst.add_argument("--status", type=int, choices=range(1, 11), metavar="N", help="mã trạng thái 1-10")
    lst.add_argument("--overdue", action="store_true", help="đang giải quyết và đã quá hẹn")
    lst.add_argument("--due-before", default=None, metavar="YYYY-MM-DD[ HH:MM]")
    lst.add_argument("--work-list", default=None, metavar="NAME",
                     choices=("overdue", "due_today", "due_next", "apology_needed", "supplement_waiting",
                              "supplement_overdue", "not_returned"),
                     help="một danh sách công việc của màn hình chính (ví dụ supplement_overdue: quá hạn bổ sung)")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=cmd_list)

    for name, (_, text) in ACTIONS.items():
        p = acts.add_parser(name, parents=[common], help=text)
        p.add_argument("code", help="mã hồ sơ")
        _actor(p)
        _OPTIONS.get(name, lambda p: None)(p)
        p.set_defaults(handler=cmd_action, verb=name)


def _actor(p: argparse.ArgumentParser) -> None:
    p.add_argument("--clerk", required=True, help="tên đăng nhập của cán bộ thực hiện")
    p.add_argument("--print", action="store_true", help="in phiếu ngay")
    p.add_argument("--json", action="store_true")


def _supplement_options(p) -> None:
    p.add_argument("--missing", action="append", required=True,
                   help="giấy tờ còn thiếu; thêm «:chinh», «:chung_thuc» hoặc «:photo» (mặc định photo)")
    p.add_argument("--reason", required=True)
    p.add_argument("--contact-name", default="")
    p.add_argument("--contact-phone", default="")
    p.add_argument("--override-by", default="", help="tài khoản lãnh đạo cho phép bổ sung lần nữa")
    p.add_argument("--override-reason", default="")


def _reason(p) -> None:
    p.add_argument("--reason", required=True)


def _handoff_options(p) -> None:
    p.add_argument("--to", required=True, dest="to_body", help="cơ quan, bộ phận nhận hồ sơ")
    p.add_argument("--to-person", default="")
    p.add_argument("--from-person", default="")
    p.add_argument("--step-due", default="", metavar="YYYY-MM-DD HH:MM", help="hạn của bước này")


def _takeback_options(p) -> None:
    p.add_argument("--from-person", default="")
    p.add_argument("--note", default="")


def _return_options(p) -> None:
    p.add_argument("--to", default="", dest="to_name", help="người nhận (mặc định: người nộp)")
    p.add_argument("--to-id", default="", help="số giấy tờ của người nhận thay")
    p.add_argument("--post", default="", metavar="TRACKING", help="trả qua bưu chính, số hiệu bưu gửi")


def _apology_options(p) -> None:
    p.add_argument("--new-due", required=True, metavar="YYYY-MM-DD HH:MM")
    p.add_argument("--reason", required=True)
    p.add_argument("--delay-body", default="", help="cơ quan, bộ phận gây chậm")


def _note_options(p) -> None:
    p.add_argument("--text", required=True)


_OPTIONS = {"supplement": _supplement_options, "refuse": _reason, "withdraw": _reason, "stop": _reason,
            "handoff": _handoff_options, "takeback": _takeback_options, "return": _return_options,
            "apology": _apology_options, "note": _note_options}


def _fields(args) -> dict:
    from core.dossier_actions import DOC_FORMS
    verb = args.verb
    if verb == "supplement":
        missing = []
        for text in args.missing:
            name, _, form = text.rpartition(":")
            if not name or form not in DOC_FORMS:
                name, form = text, "photo"
            missing.append({"name": name.strip(), "form": form})
        return {"missing": missing, "reason": args.reason, "contact_name": args.contact_name,
                "contact_phone": args.contact_phone, "override_reason": args.override_reason}
    if verb in ("refuse", "withdraw", "stop"):
        return {"reason": args.reason}
    if verb == "handoff":
        return {"to_body": args.to_body, "to_person": args.to_person, "from_person": args.from_person,
                "step_due_at": args.step_due or None}
    if verb == "takeback":
        return {"from_person": args.from_person, "note": args.note}
    if verb == "return":
        return {"to_name": args.to_name, "to_id_number": args.to_id,
                "method": "post" if args.post else "desk", "tracking": args.post}
    if verb == "apology":
        return {"new_due_at": args.new_due, "reason": args.reason, "delay_body": args.delay_body}
    if verb == "note":
        return {"text": args.text}
    return {}


# -- shared helpers ----------------------------------------------------------------------

def _services(args):
    from tui.services import build_services
    return build_services(settings_from(args), seed_demo=0)


def _clerk(services, username: str):
    for c in services.accounts.list():
        if c.username == username:
            return c
    return None


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with the office's offset (+07:00): domain times are naive local time."""
    from core.clock import VN_TZ
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=VN_TZ)).isoformat()


def dossier_json(state, events, clerks: dict[str, str]) -> dict:
    from core.lifecycle import STATUS_VI
    return {
        "code": state.code, "status": int(state.status), "status_vi": STATUS_VI[state.status],
        "procedure": state.procedure_code, "applicant": state.applicant_name, "channel": int(state.channel),
        "received_at": iso(state.received_at), "due_at": iso(state.due_at),
        "original_due_at": iso(state.original_due_at), "result_at": iso(state.resolved_at),
        "returned_at": iso(state.returned_at), "closed_at": iso(state.closed_at),
        "supplement_requests": state.supplement_count, "apologies": state.apology_count,
        "supplement_due_at": iso(state.supplement_due_at), "holder": state.holder,
        "conflict": bool(state.conflicts), "conflicts": list(state.conflicts),
        "events": [{"kind": str(e.kind.value), "at": iso(_event_at(e)), "clerk": clerks.get(e.clerk_id, e.clerk_id),
                    "via": e.payload.get("via", "")} for e in events],
    }


def _event_at(e) -> datetime:
    at = e.payload.get("at") if e.kind.value != "received" else e.payload.get("received_at")
    try:
        return datetime.fromisoformat(at) if at else e.wall_time
    except (TypeError, ValueError):
        return e.wall_time


def _find(services, code: str):
    from core.codes import find_dossier_code
    state = services.dossiers.by_code(code)
    if state is None:
        found = find_dossier_code(code)
        state = services.dossiers.by_code(str(found)) if found is not None else None
    return state


def _print_now(services, job_id: str | None) -> str | None:
    from tui.actions import run_print_job
    if job_id is None:
        return None
    return run_print_job(services, job_id)


# -- handlers ----------------------------------------------------------------------------

def cmd_show(args) -> int:
    services = _services(args)
    state = _find(services, args.code)
    if state is None:
        return fail(f"Không tìm thấy hồ sơ «{args.code}».", 2)
    events = services.dossiers.events(state.id)
    clerks = {c.id: c.username for c in services.accounts.list()}
    data = dossier_json(state, events, clerks)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    from tui.format import dt_short
    print(f"{state.code} — {data['status_vi']} ({data['status']})")
    print(f"Người nộp: {state.applicant_name} · Thủ tục: {state.procedure_name}")
    print(f"Nhận lúc: {dt_short(state.received_at)} · Hẹn trả: {dt_short(state.due_at)}"
          f" · Hẹn theo quy định: {dt_short(state.original_due_at)}")
    from core.lifecycle import EVENT_VI
    for e, item in zip(events, data["events"]):
        print(f"  {dt_short(_event_at(e))}  {EVENT_VI.get(e.kind, e.kind.value)}  ({item['clerk']})")
    if state.conflicts:
        print(f"Cần lãnh đạo xem: {len(state.conflicts)} thao tác xung đột.")
    return 0


def cmd_list(args) -> int:
    from core.dossier_actions import Refused, parse_moment
    from core.lifecycle import STATUS_VI
    from db.worklist import WorkListRepo
    services = _services(args)
    try:
        before = parse_moment(args.due_before if " " in (args.due_before or "") else f"{args.due_before} 00:00") \
            if args.due_before else None
    except Refused as exc:
        return fail(exc.message_vi, 2)
    repo = WorkListRepo(services.engine)
    if args.work_list:
        from core.worklist import WorkList, rules
        rule = rules(services.clock.now(), services.calendar())[WorkList(args.work_list)]
        rows = [s for s in repo.page(rule, 0, 10**9)
                if (args.status is None or int(s.status) == args.status)
                and (before is None or s.due_at < before)]
    else:
        rows = repo.listing(status=args.status, overdue_at=services.clock.now() if args.overdue else None,
                            due_before=before)
    if args.json:
        print(json.dumps([{"code": s.code, "status": int(s.status), "status_vi": STATUS_VI[s.status],
                           "applicant": s.applicant_name, "procedure": s.procedure_code,
                           "received_at": iso(s.received_at), "due_at": iso(s.due_at),
                           "original_due_at": iso(s.original_due_at)} for s in rows],
                         ensure_ascii=False, indent=2))
        return 0
    from tui.format import dt_short
    for s in rows:
        print(f"{s.code}  {STATUS_VI[s.status]:<24}  hẹn {dt_short(s.due_at)}  {s.applicant_name}")
    print(f"Tổng: {len(rows)} hồ sơ.")
    return 0


def cmd_receive(args) -> int:
    from core.catalogue import Delivery
    from core.people import Channel
    from core.validation import ReceiveForm, validate_receive
    from tui.actions import save_dossier
    services = _services(args)
    if services.accounts.needs_setup():
        return fail("Chưa cài đặt cơ quan và quầy. Chạy «motcua setup» trước.", 2)
    clerk = _clerk(services, args.clerk)
    if clerk is None:
        return fail(f"Không có tài khoản «{args.clerk}». Dùng «motcua account list» để xem tài khoản.", 2)
    proc = services.catalogue.get(args.procedure)
    if proc is None:
        return fail(f"Không có thủ tục «{args.procedure}» trong danh mục. Xem «motcua catalogue list».", 2)
    if args.docs.strip().lower() == "all":
        docs = tuple(range(len(proc.documents)))
    else:
        try:
            docs = tuple(int(x) - 1 for x in args.docs.split(",") if x.strip())
        except ValueError:
            return fail("--docs là «all» hoặc số thứ tự giấy tờ, ví dụ 1,2.", 2)
    delivery = Delivery(args.delivery) if args.delivery else (Delivery.POST if args.channel == 3 else Delivery.DESK)
    form = ReceiveForm(procedure=proc, full_name=args.name, id_number=args.id, birth_date=args.birth,
                       sex=args.sex, address=args.address, phone=args.phone, email=args.email,
                       documents=docs, sets=args.sets, channel=Channel(args.channel), delivery=delivery,
                       notes=args.notes)
    result = validate_receive(form, services.clock.now().date())
    if result.draft is None:
        for message in result.errors.values():
            print(message, file=sys.stderr)
        return 2
    saved = save_dossier(services, clerk, result.draft)
    error = _print_now(services, saved.print_job_id) if args.print else None
    state = saved.dossier
    if args.json:
        print(json.dumps({"code": state.code, "due_at": iso(state.due_at), "print_job": saved.print_job_id,
                          "printed": bool(args.print and error is None)}, ensure_ascii=False))
    else:
        print(state.code)
    if error:
        return fail(f"Hồ sơ đã được lưu nhưng chưa in được: {error}", 1)
    return 0


def cmd_action(args) -> int:
    from core.dossier_actions import Refused
    from core.lifecycle import STATUS_VI, EventKind
    from tui.dossier_actions import VIA_CLI, perform
    services = _services(args)
    clerk = _clerk(services, args.clerk)
    if clerk is None:
        return fail(f"Không có tài khoản «{args.clerk}». Dùng «motcua account list» để xem tài khoản.", 2)
    state = _find(services, args.code)
    if state is None:
        return fail(f"Không tìm thấy hồ sơ «{args.code}».", 2)
    override_by = None
    if getattr(args, "override_by", ""):
        override_by = _clerk(services, args.override_by)
        if override_by is None:
            return fail(f"Không có tài khoản lãnh đạo «{args.override_by}».", 2)
    kind = EventKind(ACTIONS[args.verb][0])
    try:
        result = perform(services, clerk, state.id, kind, _fields(args), override_by=override_by, via=VIA_CLI)
    except Refused as exc:
        return fail(exc.message_vi, 2)
    error = _print_now(services, result.print_job_id) if args.print else None
    new = result.dossier
    if args.json:
        print(json.dumps({"code": new.code, "status": int(new.status), "status_vi": STATUS_VI[new.status],
                          "due_at": iso(new.due_at), "original_due_at": iso(new.original_due_at),
                          "print_job": result.print_job_id, "printed": bool(args.print and result.print_job_id
                                                                            and error is None)},
                         ensure_ascii=False))
    else:
        print(f"{new.code}: {STATUS_VI[new.status]}")
    if error:
        return fail(f"Đã ghi nhận nhưng chưa in được phiếu: {error}", 1)
    return 0
