"""The periodic report as a spreadsheet: Biểu số 06 (TT 01/2020/TT-VPCP) by lĩnh vực, a sheet
of the extra columns and rates, and the late list.

Biểu 06 counts carried-over dossiers in "Số hồ sơ nhận giải quyết — Tổng số", so column
(3) = (4) + (5) + (6); withdrawn and stopped dossiers are on the second sheet.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Iterable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from core.lifecycle import DossierState
from core.stats import Figures, Report, number_vi, percent_vi, total
from core.stats_report import score_766

TITLE = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT TTHC TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT TTHC"
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_BOLD = Font(bold=True)

# (group header spanning its columns, [sub-headers]) for columns C..M.
_GROUPS = [
    ("Số hồ sơ nhận giải quyết", ["Tổng số", "Trực tuyến", "Trực tiếp, dịch vụ bưu chính", "Từ kỳ trước"]),
    ("Số hồ sơ đã giải quyết", ["Tổng số", "Trước hạn", "Đúng hạn", "Quá hạn"]),
    ("Số lượng hồ sơ đang giải quyết", ["Tổng số", "Trong hạn", "Quá hạn"]),
]


def bieu06_row(f: Figures) -> list[int]:
    c = f.counts
    return [c["received"] + c["carried_over"], c["received_online"], c["received_direct_postal"],
            c["carried_over"], c["resolved"], c["resolved_early"], c["resolved_on_time"],
            c["resolved_late"], c["in_progress"], c["in_progress_on_time"], c["in_progress_late"]]


EXTRA_COLUMNS = [
    ("Không được tiếp nhận", lambda f: f.counts["not_accepted"]),
    ("Rút / dừng xử lý", lambda f: f.counts["withdrawn_stopped"]),
    ("Chờ bổ sung", lambda f: f.counts["waiting_supplement"]),
    ("Bưu chính công ích", lambda f: f.counts["received_postal"]),
    ("Trả ngay trong ngày", lambda f: f.counts["same_day"]),
    ("Quá hạn đã có thư xin lỗi", lambda f: f.counts["late_with_apology"]),
    ("Quá hạn chưa có thư xin lỗi", lambda f: f.counts["late_without_apology"]),
    ("Bổ sung quá 1 lần", lambda f: f.counts["supplement_over_once"]),
    ("Tỷ lệ đúng hạn", lambda f: percent_vi(f.on_time_rate)),
    ("Tỷ lệ trực tuyến", lambda f: percent_vi(f.online_share)),
    ("Số ngày làm việc xử lý bình quân", lambda f: number_vi(f.avg_processing_working_days)),
    ("Lượt đánh giá", lambda f: f.ratings.ratings),
    ("Tỷ lệ hài lòng", lambda f: percent_vi(f.ratings.satisfaction_rate)),
]


def write_report(path: Path, report: Report, late: Iterable[DossierState], *, agency_name: str = "",
                 made_at: datetime | None = None) -> Path:
    wb = Workbook()
    _sheet_06(wb.active, report, agency_name)
    _sheet_extra(wb.create_sheet("Chỉ tiêu bổ sung"), report)
    _sheet_late(wb.create_sheet("Hồ sơ quá hạn"), report, list(late), made_at)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _rows(report: Report) -> tuple[list[Figures], Figures]:
    groups = report.groups or [report.whole]
    whole = total(report.groups, report.period) if report.groups else report.whole
    return groups, whole


def _title(ws, text: str, row: int, last_col: int, *, bold: bool = True, size: int = 12) -> None:
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)
    cell = ws.cell(row=row, column=1, value=text)
    cell.font = Font(bold=bold, size=size, italic=not bold)
    cell.alignment = _CENTER


def _sheet_06(ws, report: Report, agency_name: str) -> None:
    ws.title = "Biểu số 06"
    last = 13
    if agency_name:
        ws.cell(row=1, column=1, value=agency_name.upper()).font = _BOLD
    ws.cell(row=1, column=last - 1, value="Biểu số 06").font = _BOLD
    _title(ws, TITLE, 2, last)
    _title(ws, f"({report.period.label_vi()})", 3, last, bold=False, size=11)
    ws.cell(row=4, column=last - 2, value="Đơn vị tính: Số hồ sơ TTHC").font = Font(italic=True)
    h1, h2 = 5, 6
    for col, text in ((1, "STT"), (2, "Lĩnh vực, công việc giải quyết theo cấp")):
        ws.merge_cells(start_row=h1, start_column=col, end_row=h2, end_column=col)
        ws.cell(row=h1, column=col, value=text)
    col = 3
    for head, subs in _GROUPS:
        ws.merge_cells(start_row=h1, start_column=col, end_row=h1, end_column=col + len(subs) - 1)
        ws.cell(row=h1, column=col, value=head)
        for i, sub in enumerate(subs):
            ws.cell(row=h2, column=col + i, value=sub)
        col += len(subs)
    for c in range(1, last + 1):
        ws.cell(row=h2 + 1, column=c, value=f"({c})")
    groups, whole = _rows(report)
    row = h2 + 2
    for n, g in enumerate(groups, start=1):
        ws.cell(row=row, column=1, value=n)
        ws.cell(row=row, column=2, value=g.label or "Tất cả lĩnh vực")
        for i, v in enumerate(bieu06_row(g)):
            ws.cell(row=row, column=3 + i, value=v)
        row += 1
    ws.cell(row=row, column=2, value="Tổng cộng")
    for i, v in enumerate(bieu06_row(whole)):
        ws.cell(row=row, column=3 + i, value=v)
    for c in range(1, last + 1):
        ws.cell(row=row, column=c).font = _BOLD
    for r in range(h1, row + 1):
        for c in range(1, last + 1):
            cell = ws.cell(row=r, column=c)
            cell.border = _BOX
            if r <= h2 + 1:
                cell.alignment = _CENTER
                cell.font = Font(bold=r < h2 + 1, italic=r == h2 + 1)
    ws.column_dimensions["A"].width = 5
    ws.column_dimensions["B"].width = 34
    for c in range(3, last + 1):
        ws.column_dimensions[get_column_letter(c)].width = 11
    ws.row_dimensions[h2].height = 48
    _landscape_fit_width(ws)
    ws.print_title_rows = f"{h1}:{h2 + 1}"


def _sheet_extra(ws, report: Report) -> None:
    groups, whole = _rows(report)
    last = 2 + len(EXTRA_COLUMNS)
    _title(ws, "CÁC CHỈ TIÊU BỔ SUNG VÀ TỶ LỆ", 1, last)
    _title(ws, f"({report.period.label_vi()})", 2, last, bold=False, size=11)
    head = ["STT", "Lĩnh vực"] + [name for name, _ in EXTRA_COLUMNS]
    for c, text in enumerate(head, start=1):
        cell = ws.cell(row=4, column=c, value=text)
        cell.font, cell.alignment, cell.border = _BOLD, _CENTER, _BOX
    row = 5
    for n, g in enumerate(groups, start=1):
        _extra_row(ws, row, n, g.label or "Tất cả lĩnh vực", g)
        row += 1
    # The totals row carries the period's ratings (ratings are not split by lĩnh vực).
    whole = Figures(whole.period, whole.counts, whole.processing_working_days, report.whole.ratings)
    _extra_row(ws, row, None, "Tổng cộng", whole)
    for c in range(1, last + 1):
        ws.cell(row=row, column=c).font = _BOLD
    ws.column_dimensions["B"].width = 30
    for c in range(3, last + 1):
        ws.column_dimensions[get_column_letter(c)].width = 13
    ws.row_dimensions[4].height = 60
    row += 2
    ws.cell(row=row, column=2, value="Chỉ số QĐ 766/QĐ-TTg (ước tính từ dữ liệu của quầy)").font = _BOLD
    for s in score_766(whole):
        row += 1
        ws.cell(row=row, column=2, value=s.group)
        ws.cell(row=row, column=3, value=("ngoài phạm vi" if not s.in_scope
                                         else f"{number_vi(s.value)} / {s.maximum} (ước tính)"))
        ws.cell(row=row, column=4, value=s.note)
    _landscape_fit_width(ws)


def _extra_row(ws, row: int, n: int | None, label: str, f: Figures) -> None:
    values = [n, label] + [fn(f) for _, fn in EXTRA_COLUMNS]
    for c, v in enumerate(values, start=1):
        ws.cell(row=row, column=c, value=v).border = _BOX


def _sheet_late(ws, report: Report, late: list[DossierState], made_at: datetime | None) -> None:
    head = ["STT", "Mã hồ sơ", "Người nộp", "Thủ tục", "Lĩnh vực", "Ngày nhận", "Hẹn trả",
            "Ngày có kết quả", "Thư xin lỗi"]
    _title(ws, "DANH SÁCH HỒ SƠ QUÁ HẠN", 1, len(head))
    when = f" — lập lúc {made_at:%H:%M %d/%m/%Y}" if made_at else ""
    _title(ws, f"({report.period.label_vi()}{when})", 2, len(head), bold=False, size=11)
    for c, text in enumerate(head, start=1):
        cell = ws.cell(row=4, column=c, value=text)
        cell.font, cell.alignment, cell.border = _BOLD, _CENTER, _BOX
    for n, s in enumerate(late, start=1):
        done = s.resolved_at or s.returned_at
        values = [n, s.code, s.applicant_name, s.procedure_name, s.procedure_field or "",
                  f"{s.received_at:%d/%m/%Y}", f"{s.original_due_at:%d/%m/%Y}",
                  f"{done:%d/%m/%Y}" if done else "Đang giải quyết",
                  "Đã có" if s.apology_count else "Chưa có"]
        for c, v in enumerate(values, start=1):
            ws.cell(row=4 + n, column=c, value=v).border = _BOX
    if not late:
        ws.cell(row=5, column=2, value="Không có hồ sơ quá hạn trong kỳ.")
    for col, width in zip("ABCDEFGHI", (5, 30, 24, 40, 14, 12, 12, 16, 12)):
        ws.column_dimensions[col].width = width
    _landscape_fit_width(ws)
    ws.print_title_rows = "4:4"


def _landscape_fit_width(ws) -> None:
    """Landscape, as wide as one page, as many pages long as the rows need."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
