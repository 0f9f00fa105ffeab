"""Layout: paper width, readable text height, wrapping, QR, fonts without tofu."""
import unicodedata
from pathlib import Path

import pytest
import zxingcpp
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from PIL import ImageOps

from core.slips import Slip, slip_to_dict
from printers import layout
from printers.layout import (Style, get_font, missing_glyphs, render_slip, slip_to_text,
                             wrap_text)
from printers.qr import qr_image, qr_module_size
from tests.printers.conftest import DOSSIER_CODE, LOOKUP_TEMPLATE
from tests.printers.escpos_decode import ink_rows


def _strings(slip: Slip) -> list[str]:
    d = slip_to_dict(slip)
    out = list(d["header"]) + [d["title"], d["qr_caption"]] + list(d["footer"])
    out += [x for pair in d["fields"] for x in pair]
    for heading, lines in d["sections"]:
        out += [heading, *lines]
    out += [part for s in d["signatures"] for part in s.split("\n")]
    return out


def _ink_bands(img):
    """(top, height) of each run of inked rows, joining runs split by <= 3 blank rows
    (a mark floating above its letter is part of the same line)."""
    rows = ink_rows(img)
    bands, start, blank = [], None, 0
    for y, inked in enumerate(rows):
        if inked:
            if start is None:
                start = y
            blank = 0
            end = y
        elif start is not None:
            blank += 1
            if blank > 3:
                bands.append((start, end - start + 1))
                start = None
    if start is not None:
        bands.append((start, end - start + 1))
    return bands


@pytest.mark.parametrize("width", [576, 384])
def test_image_is_exactly_paper_wide_and_one_bit(receipt, width):
    img = render_slip(receipt, width)
    assert img.mode == "1"
    assert img.width == width
    assert img.height > 600


@pytest.mark.parametrize("width", [576, 384])
def test_image_qr_reads_back_as_the_payload(receipt, url_receipt, width):
    for slip, expected in ((receipt, DOSSIER_CODE),
                           (url_receipt, LOOKUP_TEMPLATE.replace("{code}", DOSSIER_CODE))):
        found = zxingcpp.read_barcodes(render_slip(slip, width).convert("L"))
        assert [r.text for r in found] == [expected]


def test_include_qr_false_leaves_the_qr_out(receipt):
    assert zxingcpp.read_barcodes(render_slip(receipt, 576, include_qr=False).convert("L")) == []


def test_qr_is_about_half_the_paper_width(receipt):
    for width in (576, 384):
        module = qr_module_size(receipt.qr_payload, width)
        side = qr_image(receipt.qr_payload, module).width
        assert width * 0.3 <= side <= width * 0.6


def test_body_text_is_at_least_22_dots_tall():
    slip = Slip(kind="t", header=(), title="", fields=(("Người nộp", "Trần Thị Bích Ngọc"),))
    img = render_slip(slip, 576)
    bands = _ink_bands(img)
    # first band: the rule under the (empty) title; second: the one body line
    assert bands[0][1] <= 3
    line_top, line_height = bands[1]
    assert line_height >= 22, bands
    # and it is one line of text, not a smear: narrower than the paper, left aligned
    box = ImageOps.invert(img.crop((0, line_top, 576, line_top + line_height)).convert("L")).getbbox()
    assert box[0] <= layout.MARGIN + 2 and box[2] < 576


def test_font_size_scales_the_text():
    slip = Slip(kind="t", header=(), title="", fields=(("Người nộp", "Trần Thị Bích Ngọc"),))
    small = _ink_bands(render_slip(slip, 576, font_size=22))[1][1]
    large = _ink_bands(render_slip(slip, 576, font_size=32))[1][1]
    assert small >= 22 - 1 and large > small


def test_bundled_fonts_ship_with_the_package():
    for name in ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf", "LICENSE"):
        assert (layout.FONT_DIR / name).is_file()
    assert Path(get_font(24).path).parent == layout.FONT_DIR
    assert "Bitstream" in (layout.FONT_DIR / "LICENSE").read_text()


VIETNAMESE = ("aàảãáạăằẳẵắặâầẩẫấậeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợuùủũúụưừửữứựyỳỷỹýỵđ")


@pytest.mark.parametrize("bold", [False, True])
def test_fonts_cover_every_vietnamese_letter(bold):
    letters = VIETNAMESE + VIETNAMESE.upper()
    assert missing_glyphs(letters, bold=bold) == set()


def test_the_tofu_check_does_detect_missing_glyphs():
    assert missing_glyphs("a中") == {"中"}


def test_receipt_text_renders_as_ink_not_tofu(receipt):
    for text in _strings(receipt):
        assert missing_glyphs(text) == set(), text
        assert missing_glyphs(text, bold=True) == set(), text
    # and independently of the helper: glyphs differ from the .notdef box and from each other
    font = get_font(24)
    notdef = font.getmask("\U0010fffd", mode="1")
    for ch in "Ạậữỹ Đđ".replace(" ", ""):
        assert bytes(font.getmask(ch, mode="1")) != bytes(notdef), ch
    word = "Đăng ký khai sinh"
    notdef_width = font.getlength("\U0010fffd")
    assert font.getlength(word) != pytest.approx(notdef_width * len(word))
    assert bytes(font.getmask("Đ", mode="1")) != bytes(font.getmask("D", mode="1"))


def test_long_tokens_break_but_vietnamese_words_do_not():
    style = Style(24)
    lines = wrap_text("Email: ngoc.tran.bich.rat.dai.qua@example-mot-cua.quangngai.gov.vn", style, 200)
    assert all(style.width(line) <= 200 for line in lines)
    assert "".join(lines).replace(" ", "") == "Email:ngoc.tran.bich.rat.dai.qua@example-mot-cua.quangngai.gov.vn"


syllable = st.sampled_from(
    "Nguyễn Trần Lê Phạm Huỳnh Hoàng Võ Đặng Bùi Đỗ Hồ Ngô Dương thị văn hữu đức ngọc "
    "bích thành quảng ngãi tịnh ấn tây phường xã huyện khai sinh chứng thực bản sao "
    "giấy tờ hồ sơ kết quả trả hẹn người nộp đăng ký 0905123456 21/09/2025".split())


@settings(max_examples=60, deadline=None)
@given(words=st.lists(syllable, min_size=1, max_size=40),
       width=st.integers(min_value=120, max_value=568), bold=st.booleans())
def test_wrapping_keeps_every_word_whole_and_within_width(words, width, bold):
    style = Style(24, bold)
    assume(all(style.width(w) <= width for w in words))   # longer tokens are split on purpose
    lines = wrap_text(" ".join(words), style, width)
    assert " ".join(lines).split() == [unicodedata.normalize("NFC", w) for w in words]
    assert all(style.width(line) <= width for line in lines)


def test_plain_text_preview(receipt):
    text = slip_to_text(receipt, 42)
    lines = text.splitlines()
    assert all(len(line) <= 42 for line in lines)
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert f"Mã hồ sơ: {DOSSIER_CODE}" in text
    assert "Người nộp: Trần Thị Bích Ngọc" in text
    assert "Nguyễn Văn Đức" in text
    assert any("NGƯỜI NỘP HỒ SƠ" in ln and "NGƯỜI TIẾP NHẬN" in ln for ln in lines)
    narrow = slip_to_text(receipt, 32).splitlines()
    assert all(len(line) <= 32 for line in narrow)


def test_nfd_input_renders_like_nfc():
    nfc = Slip(kind="t", header=(), title="ĐĂNG KÝ", fields=(("Họ tên", "Nguyễn Thị Ngọc"),))
    nfd = Slip(kind="t", header=(), title=unicodedata.normalize("NFD", "ĐĂNG KÝ"),
               fields=(("Họ tên", unicodedata.normalize("NFD", "Nguyễn Thị Ngọc")),))
    assert render_slip(nfc, 576).tobytes() == render_slip(nfd, 576).tobytes()


@settings(max_examples=60, deadline=None)
@given(words=st.lists(syllable, min_size=1, max_size=20),
       width=st.integers(min_value=120, max_value=568))
def test_balanced_wrapping_keeps_words_whole_and_line_count(words, width):
    style = Style(24, True)
    assume(all(style.width(w) <= width for w in words))
    tokens = [(" ".join(words), style)]
    greedy = layout.wrap_runs(tokens, width)
    balanced = layout.wrap_balanced(tokens, width)
    assert len(balanced) == len(greedy)
    text = [" ".join(r.text for r in ln.runs) for ln in balanced]
    assert " ".join(text).split() == [unicodedata.normalize("NFC", w) for w in words]
    assert all(ln.width <= width for ln in balanced)


def test_signatures_move_to_a_new_row_rather_than_cut_a_word():
    slip = Slip(kind="t", header=(), title="PHIẾU", signatures=(
        "NGƯỜI NỘP", "NGƯỜI TIẾP NHẬN\nNguyễn Văn Đức", "LÃNH ĐẠO\n(ký tên, đóng dấu)"))
    text = slip_to_text(slip, 20)
    words = text.split()
    for word in ("NGƯỜI", "TIẾP", "NHẬN", "Nguyễn", "LÃNH", "ĐẠO", "đóng", "dấu)"):
        assert word in words
    img = render_slip(slip, 384, font_size=32)
    assert img.width == 384


def test_a_count_never_stands_alone_on_a_line():
    style = Style(22)
    text = "3. Tờ khai thay đổi thông tin cư trú (CT01) — Bản chính: 1"
    lines = layout.wrap_runs([(text, style)], 568, indent=22)
    assert [" ".join(r.text for r in ln.runs) for ln in lines] == [
        "3. Tờ khai thay đổi thông tin cư trú (CT01) — Bản", "chính: 1"]
    # only when the pair fits: a line too narrow for it still keeps every word whole
    narrow = wrap_text("Bản chính: 1", style, style.width("chính:") + 2)
    assert narrow == ["Bản", "chính:", "1"]
    # and a short last word in another style (a field's value) is not pulled to the label
    field = layout.wrap_runs([("Số bộ hồ sơ:", Style(22, True)), ("1", style)], 568)
    assert [r.text for r in field[0].runs] == ["Số bộ hồ sơ:", "1"]


def test_header_lines_have_air_between_them(receipt):
    """Each header line (copy label, agency, desk) is a run of ink of its own, so the
    ESC/POS writer sends each at its own width: 5 blank rows or more between them, as
    between two fields."""
    bands = _ink_bands(render_slip(receipt, 576))[:3]
    assert all(height < 35 for _, height in bands), bands          # one line each
    gaps = [b[0] - (a[0] + a[1]) for a, b in zip(bands, bands[1:])]
    assert min(gaps) >= 5, gaps


def test_the_dossier_code_is_bold(monkeypatch):
    slip = Slip(kind="t", header=(), title="", fields=(("Mã hồ sơ", DOSSIER_CODE),))

    def code_line():
        img = render_slip(slip, 576, include_qr=False)
        top, height = [b for b in _ink_bands(img) if b[1] > 3][0]
        return ImageOps.invert(img.crop((0, top, 576, top + height)).convert("L"))

    bold = code_line()
    monkeypatch.setattr(layout, "KEY_LABELS", frozenset())
    regular = code_line()
    # the same label, the value in bold: wider and darker than in regular weight
    assert bold.getbbox()[2] > regular.getbbox()[2]
    assert bold.histogram()[255] > 1.1 * regular.histogram()[255]


def _widest_gap(img, top, height):
    """The widest run of blank columns between the first and the last inked column."""
    inv = ImageOps.invert(img.crop((0, top, img.width, top + height)).convert("L"))
    inked = [x for x in range(img.width) if inv.crop((x, 0, x + 1, height)).getextrema()[1]]
    return max(b - a for a, b in zip(inked, inked[1:]))


def test_signature_columns_sit_close_on_wide_paper():
    """Two signature blocks on 80 mm: columns as wide as their widest line plus a gutter,
    centred as a row (half the paper each left the captions 82 dots apart)."""
    slip = Slip(kind="t", header=(), title="", signatures=(
        "NGƯỜI NỘP HỒ SƠ\n(Ký, ghi rõ họ tên)\nTrần Thị Bích Ngọc",
        "NGƯỜI TIẾP NHẬN\n(Ký, ghi rõ họ tên)\nNguyễn Văn Đức"))
    img = render_slip(slip, 576)
    caption, hint, name = [b for b in _ink_bands(img) if b[1] > 3]
    assert _widest_gap(img, *caption) <= 2 * 22 + 12
    assert all(_widest_gap(img, *band) < 90 for band in (hint, name))
    box = ImageOps.invert(img.crop((0, caption[0], 576, sum(caption))).convert("L")).getbbox()
    assert abs(box[0] - (576 - box[2])) < 16             # the row stays centred
