"""The bundled demo catalogue: 21 commune-level procedures (hộ tịch, chứng thực).

Codes, names, fields, terms and fees follow the table in shared/domain.md. The lists of
required documents (thành phần hồ sơ) are DEMO DATA: realistic, written for the demo, not
copied from each procedure's published record; a real desk imports its province's
catalogue. Fees marked "Theo Nghị quyết HĐND tỉnh" are set by each province's People's
Council. Terms marked UNCONFIRMED in domain.md carry `extra["unconfirmed"]`; conditional
longer terms (verification, bulky requests) are noted in `extra["term_note"]`.
"""
from __future__ import annotations

from core.catalogue import Delivery, DocForm, Procedure, RequiredDocument, Term, TermUnit

_O, _C, _CC, _OC = DocForm.ORIGINAL, DocForm.COPY, DocForm.CERTIFIED_COPY, DocForm.ORIGINAL_OR_COPY
_SD = Term(0, TermUnit.SAME_DAY)
_HT, _CT = "Hộ tịch", "Chứng thực"
_HDND = "Theo Nghị quyết HĐND tỉnh"
_COPY_FEE = "mỗi trang; từ trang thứ 3 trở đi 1.000 đồng/trang, tối đa 200.000 đồng/bản"
_ALL = (Delivery.DESK, Delivery.POST, Delivery.ONLINE)
_DESK_POST = (Delivery.DESK, Delivery.POST)
_DESK = (Delivery.DESK,)


def _wd(n: int) -> Term:
    return Term(n, TermUnit.WORKING_DAYS)


def _doc(name: str, form: DocForm = _O, count: int = 1) -> RequiredDocument:
    return RequiredDocument(name, form, count)


_ID = _doc("Giấy tờ tùy thân của người đi đăng ký (xuất trình)")
_ID_REQUESTER = _doc("Giấy tờ tùy thân của người yêu cầu (xuất trình)")
_PROXY = _doc("Văn bản ủy quyền có chứng thực (nếu nộp thay)")


def _p(code: str, name: str, field: str, term: Term, docs: tuple[RequiredDocument, ...], *,
       fee: int = 0, fee_note: str = "", delivery: tuple[Delivery, ...] = _DESK_POST,
       keywords: tuple[str, ...] = (), **extra: object) -> Procedure:
    return Procedure(code=code, name=name, field=field, level="Cấp xã", term=term,
                     cutoff_applies=True, fee=fee, fee_note=fee_note, documents=docs,
                     delivery=delivery, demo=True, keywords=keywords, extra=dict(extra))


DEMO_PROCEDURES: tuple[Procedure, ...] = (
    _p("1.001193", "Đăng ký khai sinh", _HT, _SD, (
        _doc("Tờ khai đăng ký khai sinh (theo mẫu)"),
        _doc("Giấy chứng sinh hoặc giấy tờ thay Giấy chứng sinh"),
        _ID,
        _doc("Giấy chứng nhận kết hôn của cha, mẹ (xuất trình, nếu có)"),
        _PROXY,
    ), fee_note="Miễn lệ phí nếu đăng ký đúng hạn", delivery=_ALL),
    _p("1.000894", "Đăng ký kết hôn", _HT, _SD, (
        _doc("Tờ khai đăng ký kết hôn (theo mẫu)"),
        _doc("Giấy xác nhận tình trạng hôn nhân (nếu không thường trú tại xã)"),
        _doc("Giấy tờ tùy thân của hai bên nam, nữ (xuất trình)", _O, 2),
        _doc("Giấy tờ chứng minh đã ly hôn (nếu đã từng kết hôn)", _OC),
    ), fee_note="Miễn lệ phí", delivery=_DESK,
       term_note="Tối đa 05 ngày làm việc nếu cần xác minh"),
    _p("1.000656", "Đăng ký khai tử", _HT, _SD, (
        _doc("Tờ khai đăng ký khai tử (theo mẫu)"),
        _doc("Giấy báo tử hoặc giấy tờ thay Giấy báo tử"),
        _ID,
        _PROXY,
    ), fee_note="Miễn lệ phí nếu đăng ký đúng hạn", delivery=_ALL),
    _p("1.001022", "Đăng ký nhận cha, mẹ, con", _HT, _wd(3), (
        _doc("Tờ khai đăng ký nhận cha, mẹ, con (theo mẫu)"),
        _doc("Chứng cứ chứng minh quan hệ cha, mẹ, con (kết quả giám định ADN hoặc văn bản khác)", _OC),
        _doc("Giấy tờ tùy thân của các bên (xuất trình)", _O, 2),
    ), fee_note=_HDND, term_note="Thêm tối đa 05 ngày làm việc nếu cần xác minh"),
    _p("1.000689", "Đăng ký khai sinh kết hợp nhận cha, mẹ, con", _HT, _wd(3), (
        _doc("Tờ khai đăng ký khai sinh (theo mẫu)"),
        _doc("Tờ khai đăng ký nhận cha, mẹ, con (theo mẫu)"),
        _doc("Giấy chứng sinh hoặc giấy tờ thay Giấy chứng sinh"),
        _doc("Chứng cứ chứng minh quan hệ cha, mẹ, con", _OC),
        _doc("Giấy tờ tùy thân của các bên (xuất trình)", _O, 2),
    ), fee_note=_HDND, unconfirmed=["term"]),
    _p("1.004884", "Đăng ký lại khai sinh", _HT, _wd(5), (
        _doc("Tờ khai đăng ký lại khai sinh (theo mẫu)"),
        _doc("Bản sao Giấy khai sinh cũ hoặc giấy tờ, tài liệu có nội dung khai sinh", _OC),
        _doc("Văn bản cam đoan đã đăng ký khai sinh nhưng không còn lưu giữ được bản chính"),
        _ID,
    ), fee_note=_HDND, unconfirmed=["term"]),
    _p("1.004859", "Thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc", _HT, _wd(3), (
        _doc("Tờ khai đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch (theo mẫu)"),
        _doc("Giấy khai sinh hoặc giấy tờ hộ tịch cần thay đổi, cải chính"),
        _doc("Giấy tờ làm căn cứ thay đổi, cải chính, bổ sung, xác định lại dân tộc", _OC),
        _ID,
    ), fee_note=_HDND),
    _p("1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", _HT, _wd(3), (
        _doc("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân (theo mẫu)"),
        _doc("Giấy tờ chứng minh đã ly hôn hoặc vợ/chồng đã chết (nếu có)", _OC),
        _doc("Giấy xác nhận tình trạng hôn nhân đã cấp trước đây (nếu xin cấp lại)"),
        _ID,
    ), fee_note=_HDND, delivery=_ALL),
    _p("1.004837", "Đăng ký giám hộ", _HT, _wd(3), (
        _doc("Tờ khai đăng ký giám hộ (theo mẫu)"),
        _doc("Văn bản cử người giám hộ"),
        _ID,
    ), fee_note="Miễn lệ phí"),
    _p("1.004845", "Đăng ký chấm dứt giám hộ", _HT, _wd(2), (
        _doc("Tờ khai đăng ký chấm dứt giám hộ (theo mẫu)"),
        _doc("Giấy tờ làm căn cứ chấm dứt giám hộ", _OC),
        _ID,
    ), fee_note=_HDND),
    _p("2.000635", "Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh", _HT, _SD, (
        _doc("Tờ khai cấp bản sao trích lục hộ tịch (theo mẫu)"),
        _ID_REQUESTER,
        _PROXY,
    ), fee=8_000, fee_note="mỗi bản sao", delivery=_ALL),
    _p("2.000986", "Liên thông: khai sinh + thường trú + thẻ BHYT (trẻ dưới 6 tuổi)", _HT, _wd(3), (
        _doc("Tờ khai đăng ký khai sinh (theo mẫu)"),
        _doc("Giấy chứng sinh hoặc giấy tờ thay Giấy chứng sinh"),
        _doc("Tờ khai thay đổi thông tin cư trú (mẫu CT01)"),
        _doc("Tờ khai tham gia, điều chỉnh thông tin BHXH, BHYT (mẫu TK1-TS)"),
        _ID,
    ), fee_note="Miễn lệ phí", delivery=_ALL,
       term_note="05 ngày làm việc nếu cần xác minh; nhận sau 15 giờ tính từ ngày làm việc tiếp theo"),
    _p("2.000908", "Cấp bản sao từ sổ gốc", _CT, _SD, (
        _doc("Văn bản đề nghị cấp bản sao từ sổ gốc"),
        _ID_REQUESTER,
        _doc("Giấy tờ chứng minh quan hệ với người được cấp bản chính (nếu là người thân)", _OC),
    )),
    _p("2.000815", "Chứng thực bản sao từ bản chính", _CT, _SD, (
        _doc("Bản chính giấy tờ, văn bản làm cơ sở chứng thực bản sao"),
        _doc("Bản chụp giấy tờ cần chứng thực (nếu người yêu cầu tự chụp)", _C),
    ), fee=2_000, fee_note=_COPY_FEE, delivery=_ALL, keywords=("sao y", "photo chứng thực"),
       term_note="Thêm tối đa 02 ngày làm việc nếu yêu cầu số lượng lớn"),
    _p("2.000884", "Chứng thực chữ ký (kể cả điểm chỉ)", _CT, _SD, (
        _doc("Giấy tờ tùy thân của người yêu cầu chứng thực (xuất trình)"),
        _doc("Giấy tờ, văn bản cần chứng thực chữ ký"),
    ), fee=10_000, fee_note="mỗi trường hợp", delivery=_DESK,
       keywords=("chứng thực chữ ký", "điểm chỉ", "ký xác nhận")),
    _p("2.001035", "Chứng thực giao dịch về động sản, quyền sử dụng đất, nhà ở", _CT, _wd(2), (
        _doc("Dự thảo hợp đồng, giao dịch"),
        _doc("Giấy tờ tùy thân của các bên (kèm bản chính để đối chiếu)", _C, 2),
        _doc("Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở hoặc giấy tờ về tài sản "
             "(kèm bản chính để đối chiếu)", _C),
    ), fee=50_000, fee_note="mỗi hợp đồng, giao dịch", delivery=_DESK,
       keywords=("chứng thực hợp đồng", "hợp đồng mua bán nhà đất", "hợp đồng tặng cho",
                 "hợp đồng thế chấp", "hợp đồng mua bán xe")),
    _p("2.001019", "Chứng thực di chúc", _CT, _wd(2), (
        _doc("Dự thảo di chúc"),
        _doc("Giấy tờ tùy thân của người lập di chúc (kèm bản chính để đối chiếu)", _C),
        _doc("Giấy tờ chứng minh quyền sở hữu, quyền sử dụng tài sản (nếu có)", _C),
    ), fee=50_000, fee_note="mỗi di chúc", delivery=_DESK),
    _p("2.001016", "Chứng thực văn bản từ chối nhận di sản", _CT, _wd(2), (
        _doc("Dự thảo văn bản từ chối nhận di sản"),
        _doc("Giấy tờ tùy thân của người từ chối nhận di sản (kèm bản chính để đối chiếu)", _C),
        _doc("Trích lục khai tử hoặc giấy tờ chứng minh người để lại di sản đã chết", _CC),
    ), fee=50_000, fee_note="mỗi văn bản", delivery=_DESK),
    _p("2.001406", "Chứng thực văn bản phân chia di sản", _CT, _wd(2), (
        _doc("Dự thảo văn bản thỏa thuận phân chia di sản"),
        _doc("Giấy tờ tùy thân của những người thừa kế (kèm bản chính để đối chiếu)", _C),
        _doc("Trích lục khai tử hoặc giấy tờ chứng minh người để lại di sản đã chết", _CC),
        _doc("Giấy tờ chứng minh quyền sở hữu, quyền sử dụng tài sản của người để lại di sản", _C),
        _doc("Giấy tờ chứng minh quan hệ giữa người để lại di sản và người thừa kế", _CC),
    ), fee=50_000, fee_note="mỗi văn bản", delivery=_DESK),
    _p("2.000913", "Chứng thực việc sửa đổi, bổ sung, hủy bỏ hợp đồng, giao dịch", _CT, _SD, (
        _doc("Dự thảo văn bản sửa đổi, bổ sung, hủy bỏ hợp đồng, giao dịch"),
        _doc("Hợp đồng, giao dịch đã được chứng thực"),
        _doc("Giấy tờ tùy thân của các bên (kèm bản chính để đối chiếu)", _C, 2),
    ), fee=30_000, fee_note="mỗi hợp đồng, giao dịch", delivery=_DESK),
    _p("2.000942", "Cấp bản sao có chứng thực từ bản chính hợp đồng, giao dịch đã chứng thực", _CT, _SD, (
        _doc("Văn bản đề nghị cấp bản sao hợp đồng, giao dịch đã chứng thực"),
        _ID_REQUESTER,
        _doc("Giấy tờ chứng minh là bên tham gia hoặc người thừa kế của bên tham gia (nếu cần)", _OC),
    ), fee=2_000, fee_note=_COPY_FEE),
)
