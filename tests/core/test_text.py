"""Diacritic folding (core.text)."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.text import fold


@pytest.mark.parametrize("text, expected", [
    ("Chứng thực bản sao", "chung thuc ban sao"),
    ("ĐĂNG KÝ KHAI SINH", "dang ky khai sinh"),
    ("Đắk Lắk", "dak lak"),
    ("  Trần   Thị\tBích\nNgọc  ", "tran thi bich ngoc"),
    ("Quảng Ngãi", "quang ngai"),
    ("Nữ", "nu"),
    ("1.001193", "1.001193"),
    ("", ""),
])
def test_fold_examples(text, expected):
    assert fold(text) == expected


def test_fold_treats_composed_and_decomposed_alike():
    composed = "Thừa Thiên Huế"
    assert fold(unicodedata.normalize("NFD", composed)) == fold(composed) == "thua thien hue"


_VI = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ "


@settings(max_examples=200)
@given(st.text(alphabet=_VI + _VI.upper() + "0123456789.,\t\n"))
def test_vietnamese_folds_to_plain_ascii(text):
    out = fold(text)
    assert out.isascii()
    assert out == out.lower() and out == out.strip() and "  " not in out
    assert len(out.replace(" ", "")) == len("".join(text.split()))   # one letter per letter


@settings(max_examples=200)
@given(st.text())
def test_fold_is_idempotent_and_drops_combining_marks(text):
    out = fold(text)
    assert fold(out) == out
    assert not any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", out))


def _reference_fold(text: str) -> str:
    """The definition, character by character (fold's stored keys must never change)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "d").lower())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


@settings(max_examples=500)
@given(st.text() | st.text(alphabet=_VI + _VI.upper() + "\u0301\u0323\u20d0\U0001d165 İ"))
def test_fold_equals_its_definition(text):
    assert fold(text) == _reference_fold(text)
