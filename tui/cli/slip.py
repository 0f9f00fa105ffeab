"""`motcua slip CODE --form 01..06 (--print | --pdf FILE)`: any form of a dossier again,
on the desk's printer or as an A4 PDF."""
from __future__ import annotations

import json

from tui.cli.common import fail, settings_from

FORMS = ("01", "02", "03", "04", "05", "06")


def register(sub, common) -> None:
    p = sub.add_parser("slip", parents=[common], help="in lại hoặc xuất PDF một mẫu phiếu (01–06) của hồ sơ")
    p.add_argument("code", help="mã hồ sơ")
    p.add_argument("--form", required=True, choices=FORMS,
                   help="01 giấy tiếp nhận, 02 yêu cầu bổ sung, 03 từ chối, 04 xin lỗi và hẹn lại, "
                        "05 dừng giải quyết, 06 phiếu kiểm soát")
    out = p.add_mutually_exclusive_group(required=True)
    out.add_argument("--print", action="store_true", help="in trên máy in của quầy")
    out.add_argument("--pdf", metavar="FILE", help="ghi ra tệp PDF khổ A4")
    p.add_argument("--reason", default="", help="lý do in lại (bắt buộc khi mẫu đã in trước đó)")
    p.add_argument("--printer", default=None, help="máy in dùng lần này (mặc định: theo cấu hình)")
    p.add_argument("--json", action="store_true", help="kết quả dạng JSON")
    p.set_defaults(handler=cmd_slip)


def cmd_slip(args) -> int:
    from core.forms import FormUnavailable
    from tui.actions import form_for, print_form
    from tui.services import build_services
    services = build_services(settings_from(args, printer_uri=args.printer), seed_demo=0)
    state = services.dossiers.by_code(args.code)
    if state is None:
        return fail(f"Không tìm thấy hồ sơ mã «{args.code}». Kiểm tra lại mã (ví dụ 000.00.53.H48-250921-0099).", 2)
    form = int(args.form)
    result = {"code": state.code, "form": args.form}
    try:
        if args.pdf:
            from printers.pdf import slip_to_pdf
            slip_to_pdf(form_for(services, state, form), args.pdf)
            result["pdf"] = args.pdf
            message = f"Đã ghi mẫu {args.form} của hồ sơ {state.code} vào {args.pdf}."
        else:
            job_id, error = print_form(services, state, form, args.reason)
            result.update(job_id=job_id, printed=error is None, error=error)
            if error is not None:
                if args.json:
                    print(json.dumps(result, ensure_ascii=False))
                return fail(f"Chưa in được: {error} Phiếu vẫn trong hàng đợi in.", 1)
            message = f"Đã in mẫu {args.form} của hồ sơ {state.code}."
    except FormUnavailable as exc:
        return fail(exc.message_vi, 2)
    except ValueError as exc:
        return fail(str(exc), 2)
    except OSError as exc:
        return fail(f"Không ghi được tệp «{args.pdf}» ({exc.strerror or type(exc).__name__}). "
                    "Chọn thư mục khác hoặc kiểm tra quyền ghi.", 1)
    print(json.dumps(result, ensure_ascii=False) if args.json else message)
    return 0
