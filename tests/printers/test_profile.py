import pytest

from printers.profile import PrinterProfile


def test_defaults_and_widths():
    p = PrinterProfile()
    assert (p.paper_mm, p.mode, p.codepage, p.native_qr, p.copies, p.cut, p.font_size) == (
        80, "raster", None, True, 1, True, 22)
    assert p.width_dots == 576
    assert PrinterProfile(paper_mm=58).width_dots == 384


def test_from_options_converts_config_strings():
    p = PrinterProfile.from_options({
        "paper_mm": "58mm", "mode": "Text", "codepage": "cp1258", "native-qr": "không",
        "copies": "2", "cut": "false", "font_size": "26", "uri": "tcp://10.0.0.5",
    })
    assert p == PrinterProfile(paper_mm=58, mode="text", codepage="CP1258", native_qr=False,
                               copies=2, cut=False, font_size=26)
    assert PrinterProfile.from_options({"codepage": ""}).codepage is None
    assert PrinterProfile.from_options({"paper_mm": 80, "native_qr": True}) == PrinterProfile()


@pytest.mark.parametrize("options, words", [
    ({"paper_mm": "70"}, "Khổ giấy"),
    ({"paper_mm": "tám mươi"}, "Khổ giấy"),
    ({"mode": "pdf"}, "Chế độ in"),
    ({"codepage": "UTF-8"}, "Bảng mã"),
    ({"copies": "3"}, "Số liên"),
    ({"native_qr": "maybe"}, "native_qr"),
    ({"font_size": "20"}, "Cỡ chữ"),
])
def test_bad_options_say_what_to_fix_in_vietnamese(options, words):
    with pytest.raises(ValueError, match=words):
        PrinterProfile.from_options(options)


def test_profile_is_immutable():
    with pytest.raises(AttributeError):
        PrinterProfile().copies = 2  # type: ignore[misc]
