"""Procedure search without diacritics and by code (core.catalogue_io.search_procedures)."""
from __future__ import annotations

from dataclasses import replace

from core.catalogue_io import search_procedures
from core.demo_catalogue import DEMO_PROCEDURES
from core.text import fold


def codes(query, procs=DEMO_PROCEDURES, **kw):
    return [p.code for p in search_procedures(procs, query, **kw)]


def test_khai_sinh_finds_the_birth_registration_first():
    found = codes("khai sinh")
    assert found[0] == "1.001193"
    assert "1.000689" in found and "2.000986" in found
    assert all("khai sinh" in fold(p.name) for p in search_procedures(DEMO_PROCEDURES, "khai sinh"))


def test_chung_thuc_ban_sao_finds_the_copy_certification_first():
    assert codes("chung thuc ban sao")[0] == "2.000815"
    assert codes("CHỨNG THỰC BẢN SAO")[0] == "2.000815"
    assert codes("Chứng  thực   bản sao")[0] == "2.000815"


def test_code_prefix_ranks_first():
    assert codes("1.0011") == ["1.001193"]
    assert codes("2.0010") == ["2.001035", "2.001019", "2.001016"]
    # A code-prefix match outranks a name match for the same text.
    assert codes("2.000")[:2] == ["2.000635", "2.000986"]


def test_every_word_must_appear():
    assert codes("khai sinh ket hon") == []
    assert codes("ket hon") == ["1.000894"]
    assert codes("khai tu")[0] == "1.000656"


def test_name_prefix_beats_a_match_later_in_the_name():
    assert codes("dang ky khai sinh")[0] == "1.001193"
    found = codes("giam ho")
    assert found == ["1.004837", "1.004845"]
    assert codes("cham dut")[0] == "1.004845"


def test_field_matches_too():
    found = codes("chung thuc", limit=50)
    assert sorted(found) == sorted(p.code for p in DEMO_PROCEDURES if p.field == "Chứng thực")
    assert len(found) == 9


def test_empty_query_returns_active_in_catalogue_order():
    procs = list(DEMO_PROCEDURES)
    procs[0] = replace(procs[0], active=False)
    assert codes("", procs, limit=100) == [p.code for p in DEMO_PROCEDURES[1:]]
    assert codes("   ", procs, limit=5) == [p.code for p in DEMO_PROCEDURES[1:6]]
    assert "1.001193" not in codes("khai sinh", procs)


def test_limit():
    assert len(codes("ho tich", limit=3)) == 3
    assert len(codes("ho tich", limit=50)) == 12


def test_plain_procedure_ranks_before_its_combined_variants_in_any_catalogue_order():
    from core.catalogue_io import search_procedures
    from core.demo_catalogue import DEMO_PROCEDURES
    by_code = sorted(DEMO_PROCEDURES, key=lambda p: p.code)   # the database's order
    assert search_procedures(by_code, "khai sinh")[0].code == "1.001193"


def test_keywords_find_a_procedure_its_name_does_not_describe():
    # "Chứng thực giao dịch về động sản…" has neither "hợp đồng" in its name nor its field.
    assert codes("chứng thực hợp đồng")[0] == "2.001035"
    assert codes("hop dong mua ban nha dat") == ["2.001035"]
    assert codes("sao y")[0] == "2.000815"
    bare = [replace(p, keywords=()) for p in DEMO_PROCEDURES]
    assert "2.001035" not in codes("chung thuc hop dong", bare)


def test_keywords_travel_through_csv_and_json():
    from core.catalogue_io import dumps_csv, dumps_json, loads_csv, loads_json
    p = replace(DEMO_PROCEDURES[0], keywords=("làm giấy khai sinh", "khai sinh; cho con", "  đăng  ký con "))
    for back in (loads_csv(dumps_csv([p]))[0], loads_json(dumps_json([p]))[0]):
        assert back.keywords == ("làm giấy khai sinh", "khai sinh; cho con", "đăng ký con")
    header = "code,name,field,level,term_amount,term_unit,cutoff_applies,keywords\r\n"
    row = '9.000001,Thủ tục thử,Hộ tịch,Cấp xã,1,working_days,true,"a ; b ;; a"\r\n'
    assert loads_csv(header + row)[0].keywords == ("a", "b")
    assert loads_csv(header.replace(",keywords", "") + row.rsplit(",", 1)[0] + "\r\n")[0].keywords == ()


def test_keywords_of_the_wrong_type_say_so():
    import pytest
    from core.catalogue_io import CatalogueError, procedure_from_dict, procedure_to_dict
    d = procedure_to_dict(DEMO_PROCEDURES[0]) | {"keywords": "khai sinh"}
    with pytest.raises(CatalogueError, match="keywords"):
        procedure_from_dict(d)
