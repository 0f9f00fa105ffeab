"""Catalogue import/export (core.catalogue_io) and the demo catalogue."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.catalogue import TERM_MAX, Delivery, DocForm, Procedure, RequiredDocument, Term, TermUnit
from core.catalogue_io import (CSV_COLUMNS, CatalogueError, decode_documents, dumps_csv, dumps_json,
                               encode_documents, loads_csv, loads_json, procedure_from_dict,
                               procedure_to_dict)
from core.demo_catalogue import DEMO_PROCEDURES

DOMAIN_TABLE = {   # code: (field, unit, amount, fee) from shared/domain.md
    "1.001193": ("Hộ tịch", TermUnit.SAME_DAY, 0, 0), "1.000894": ("Hộ tịch", TermUnit.SAME_DAY, 0, 0),
    "1.000656": ("Hộ tịch", TermUnit.SAME_DAY, 0, 0), "1.001022": ("Hộ tịch", TermUnit.WORKING_DAYS, 3, 0),
    "1.000689": ("Hộ tịch", TermUnit.WORKING_DAYS, 3, 0), "1.004884": ("Hộ tịch", TermUnit.WORKING_DAYS, 5, 0),
    "1.004859": ("Hộ tịch", TermUnit.WORKING_DAYS, 3, 0), "1.004873": ("Hộ tịch", TermUnit.WORKING_DAYS, 3, 0),
    "1.004837": ("Hộ tịch", TermUnit.WORKING_DAYS, 3, 0), "1.004845": ("Hộ tịch", TermUnit.WORKING_DAYS, 2, 0),
    "2.000635": ("Hộ tịch", TermUnit.SAME_DAY, 0, 8000), "2.000986": ("Hộ tịch", TermUnit.WORKING_DAYS, 3, 0),
    "2.000908": ("Chứng thực", TermUnit.SAME_DAY, 0, 0), "2.000815": ("Chứng thực", TermUnit.SAME_DAY, 0, 2000),
    "2.000884": ("Chứng thực", TermUnit.SAME_DAY, 0, 10000),
    "2.001035": ("Chứng thực", TermUnit.WORKING_DAYS, 2, 50000),
    "2.001019": ("Chứng thực", TermUnit.WORKING_DAYS, 2, 50000),
    "2.001016": ("Chứng thực", TermUnit.WORKING_DAYS, 2, 50000),
    "2.001406": ("Chứng thực", TermUnit.WORKING_DAYS, 2, 50000),
    "2.000913": ("Chứng thực", TermUnit.SAME_DAY, 0, 30000),
    "2.000942": ("Chứng thực", TermUnit.SAME_DAY, 0, 2000),
}


# -- the demo catalogue -------------------------------------------------------------------

def test_demo_catalogue_matches_the_domain_table():
    assert [p.code for p in DEMO_PROCEDURES] == list(DOMAIN_TABLE)
    for p in DEMO_PROCEDURES:
        field, unit, amount, fee = DOMAIN_TABLE[p.code]
        assert (p.field, p.term.unit, p.term.amount, p.fee) == (field, unit, amount, fee), p.code
        assert p.level == "Cấp xã" and p.demo and p.active and p.cutoff_applies
        assert len(p.documents) >= 2 and all(d.count >= 1 for d in p.documents)
        assert Delivery.DESK in p.delivery


def test_demo_fee_notes():
    by_code = {p.code: p for p in DEMO_PROCEDURES}
    assert by_code["1.004884"].fee_label_vi() == "Theo Nghị quyết HĐND tỉnh"
    assert by_code["2.000635"].fee_label_vi() == "8.000 đồng (mỗi bản sao)"
    assert "200.000" in by_code["2.000815"].fee_note
    assert by_code["1.001193"].documents[0].name.startswith("Tờ khai đăng ký khai sinh")


# -- round trips --------------------------------------------------------------------------

def test_dict_round_trip_is_json_ready():
    for p in DEMO_PROCEDURES:
        d = json.loads(json.dumps(procedure_to_dict(p)))
        back = procedure_from_dict(d)
        assert back == p and back.extra == p.extra


def test_json_round_trip_of_the_demo_catalogue():
    text = dumps_json(DEMO_PROCEDURES)
    assert "Đăng ký khai sinh" in text            # UTF-8, not \\u escapes
    back = loads_json(text)
    assert back == list(DEMO_PROCEDURES)
    assert [p.extra for p in back] == [p.extra for p in DEMO_PROCEDURES]


def test_csv_round_trip_of_the_demo_catalogue():
    text = dumps_csv(DEMO_PROCEDURES)
    assert text.splitlines()[0] == ",".join(CSV_COLUMNS)
    back = loads_csv(text)
    assert back == list(DEMO_PROCEDURES)
    assert [p.extra for p in back] == [p.extra for p in DEMO_PROCEDURES]


def test_json_wrapped_object_and_bom_are_accepted():
    text = json.dumps({"procedures": [procedure_to_dict(DEMO_PROCEDURES[0])]}, ensure_ascii=False)
    assert loads_json("\ufeff" + text) == [DEMO_PROCEDURES[0]]
    assert loads_csv("\ufeff" + dumps_csv(DEMO_PROCEDURES[:1])) == [DEMO_PROCEDURES[0]]


_awkward = st.text(
    alphabet=st.one_of(st.characters(blacklist_categories=("Cs", "Cc")),
                       st.sampled_from(list("\n\r\t ,;|\\\"'đĐữỹ"))),
    max_size=20)
_name = _awkward.filter(lambda s: s.strip())
_json_value = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), _awkward),
                           lambda inner: st.lists(inner, max_size=3), max_leaves=5)

procedures = st.builds(
    Procedure,
    code=st.from_regex(r"\A[0-9]\.[0-9]{6}\Z"),
    name=_name, field=_awkward, level=_awkward,
    term=st.sampled_from(list(TermUnit)).flatmap(
        lambda u: st.builds(Term, st.integers(0, TERM_MAX[u]), st.just(u))),
    cutoff_applies=st.booleans(),
    fee=st.integers(0, 10**7), fee_note=_awkward,
    documents=st.lists(st.builds(RequiredDocument, _name, st.sampled_from(list(DocForm)),
                                 st.integers(1, 20)), max_size=5).map(tuple),
    delivery=st.lists(st.sampled_from(list(Delivery)), min_size=1, max_size=3, unique=True).map(tuple),
    version=st.integers(1, 50), demo=st.booleans(), active=st.booleans(),
    extra=st.dictionaries(_awkward, _json_value, max_size=3),
)


def _unique(procs):
    seen, out = set(), []
    for p in procs:
        if (p.code, p.version) not in seen:
            seen.add((p.code, p.version))
            out.append(p)
    return out


@settings(max_examples=80, deadline=None)
@given(st.lists(procedures, max_size=4).map(_unique))
def test_generated_procedures_round_trip(procs):
    for fmt_dump, fmt_load in ((dumps_json, loads_json), (dumps_csv, loads_csv)):
        back = fmt_load(fmt_dump(procs))
        assert back == procs
        assert [p.extra for p in back] == [p.extra for p in procs]


@settings(max_examples=150)
@given(st.lists(st.builds(RequiredDocument, _name, st.sampled_from(list(DocForm)), st.integers(1, 99)),
                max_size=6))
def test_document_cell_round_trip(docs):
    assert decode_documents(encode_documents(docs)) == tuple(docs)


def test_document_cell_escapes_and_defaults():
    docs = (RequiredDocument("Giấy tờ; có | dấu \\ lạ", DocForm.COPY, 2),
            RequiredDocument("  khoảng trắng  ", DocForm.ORIGINAL, 1))
    cell = encode_documents(docs)
    assert cell == "Giấy tờ\\; có \\| dấu \\\\ lạ|copy|2 ; \\ \\ khoảng trắng\\ \\ |original|1"
    assert decode_documents(cell) == docs
    assert decode_documents(" Tờ khai ; Giấy chứng sinh|Bản chính|1 ; ; Bản sao CMND|bản sao ") == (
        RequiredDocument("Tờ khai"), RequiredDocument("Giấy chứng sinh"),
        RequiredDocument("Bản sao CMND", DocForm.COPY))


# -- lenient but validated CSV input -----------------------------------------------------

HEADER = "code,name,field,level,term_amount,term_unit,cutoff_applies"


def test_minimal_csv_uses_defaults_and_accepts_vietnamese_booleans():
    text = (HEADER + ",fee,demo\n"
            '1.001193,"Đăng ký khai sinh, mẫu",Hộ tịch,Cấp xã,0,same_day,có,"8.000",không\n'
            "2.000815,Chứng thực bản sao,Chứng thực,Cấp xã,2,working_days,0,\"2,000\",1\n")
    a, b = loads_csv(text)
    assert a == Procedure("1.001193", "Đăng ký khai sinh, mẫu", "Hộ tịch", "Cấp xã",
                          Term(0, TermUnit.SAME_DAY), True, fee=8000)
    assert (b.cutoff_applies, b.fee, b.demo, b.term) == (False, 2000, True, Term(2, TermUnit.WORKING_DAYS))
    assert a.delivery == (Delivery.DESK, Delivery.POST) and a.active


GOOD = "1.001193,Đăng ký khai sinh,Hộ tịch,Cấp xã,0,same_day,true"


@pytest.mark.parametrize("bad_row, fragment", [
    ("1.0011,Đăng ký khai sinh,Hộ tịch,Cấp xã,0,same_day,true", "Mã thủ tục"),
    ("1.001194,Tên,Hộ tịch,Cấp xã,0,weeks,true", "Đơn vị thời hạn"),
    ("1.001194,Tên,Hộ tịch,Cấp xã,-1,working_days,true", "Thời hạn"),
    ("1.001194,Tên,Hộ tịch,Cấp xã,1.5,working_days,true", "Thời hạn"),
    ("1.001194,Tên,Hộ tịch,Cấp xã,1,working_days,maybe", "true/false"),
    ("1.001194,Tên,Hộ tịch,Cấp xã,1,working_days,", "cutoff_applies"),
    ("1.001194,,Hộ tịch,Cấp xã,1,working_days,true", "tên thủ tục"),
    ("1.001193,Trùng mã,Hộ tịch,Cấp xã,1,working_days,true", "bị lặp"),
    ("1.001194,Tên,Hộ tịch,Cấp xã,1,working_days,true,extra-cell", "ô"),
])
def test_bad_rows_name_their_line(bad_row, fragment):
    # The good row spans two physical lines (a quoted line break), so the bad row is on line 4.
    text = HEADER + "\n" + GOOD.replace("Đăng ký khai sinh", '"Đăng ký\nkhai sinh"') + "\n" + bad_row + "\n"
    with pytest.raises(CatalogueError, match=fragment) as e:
        loads_csv(text)
    assert e.value.line == 4
    assert str(e.value).startswith("Dòng 4: ")


@pytest.mark.parametrize("extra_cols, cells, fragment", [
    (",fee", ",-5", "Lệ phí"),
    (",fee", ",abc", "Lệ phí"),
    (",documents", ",Tờ khai|photo|1", "hình thức"),
    (",documents", ",Tờ khai|original|0", "Số lượng"),
    (",documents", ",Tờ khai|original|1|x", "quá nhiều"),
    (",documents", ",Tờ khai\\", "thừa"),
    (",delivery", ",desk;fax", "Cách trả kết quả"),
    (",delivery", ",desk;desk", "bị lặp"),
    (",version", ",0", "Phiên bản"),
    (",extra", ",[1]", "extra"),
    (",extra", ",{oops", "extra"),
])
def test_bad_optional_cells(extra_cols, cells, fragment):
    text = HEADER + extra_cols + "\n" + GOOD.replace("1.001193", "1.001194") + cells + "\n"
    with pytest.raises(CatalogueError, match=fragment) as e:
        loads_csv(text)
    assert e.value.line == 2


@pytest.mark.parametrize("header, fragment", [
    ("", "trống"),
    (HEADER + ",fees", "Cột không rõ: fees"),
    ("code,name,field,level,term_amount,term_unit", "Thiếu cột: cutoff_applies"),
    (HEADER + ",name", "lặp"),
])
def test_bad_headers(header, fragment):
    with pytest.raises(CatalogueError, match=fragment) as e:
        loads_csv(header + "\n" + GOOD + "\n")
    assert e.value.line == 1


def test_blank_lines_are_skipped_and_line_numbers_still_count_them():
    text = HEADER + "\n\n" + GOOD + "\n,,,,,,\n" + "1.x,Tên,Hộ tịch,Cấp xã,0,same_day,true\n"
    with pytest.raises(CatalogueError) as e:
        loads_csv(text)
    assert e.value.line == 5


# -- JSON errors ---------------------------------------------------------------------------

def test_json_bad_item_reports_its_line():
    text = dumps_json(DEMO_PROCEDURES[:3])
    bad = text.replace('"code": "1.000656"', '"code": "1.0006"')
    expected_line = bad.splitlines().index(
        next(line for line in bad.splitlines() if '"1.0006"' in line))   # the line of the code
    with pytest.raises(CatalogueError, match="Thủ tục thứ 3") as e:
        loads_json(bad)
    # The reported line is where the third item starts: "{" just above its "code".
    assert e.value.line == expected_line
    assert bad.splitlines()[e.value.line - 1].strip() == "{"


def test_json_syntax_error_reports_its_line():
    with pytest.raises(CatalogueError, match="cú pháp") as e:
        loads_json('[\n  {"code": "1.001193",\n  oops}\n]')
    assert e.value.line == 3


@pytest.mark.parametrize("item, fragment", [
    ({"code": "1.001193", "name": "x", "cutoff_applies": True}, "term"),
    ({"code": "1.001193", "name": "x", "cutoff_applies": True, "term": {"amount": 1, "unit": "working_days"},
      "fee": True}, "Lệ phí"),
    ({"code": "1.001193", "name": "x", "cutoff_applies": True, "term": {"amount": 1, "unit": "working_days"},
      "documents": "Tờ khai"}, "danh sách"),
    ({"code": "1.001193", "name": "x", "cutoff_applies": True, "term": {"amount": 1, "unit": "working_days"},
      "delivery": []}, "ít nhất một"),
    ("not an object", "đối tượng"),
])
def test_json_bad_values(item, fragment):
    with pytest.raises(CatalogueError, match=fragment):
        loads_json(json.dumps([item]))


def test_json_must_be_a_list():
    with pytest.raises(CatalogueError, match="danh sách"):
        loads_json('{"code": "1.001193"}')
