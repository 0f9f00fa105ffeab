"""Catalogue import/export (JSON, CSV) and the procedure search used at the desk.

`procedure_to_dict` / `procedure_from_dict` are the one JSON form of a procedure: the db
stores procedure versions and event snapshots with them, and `dumps_json` writes a list of
them. Both directions round-trip exactly.

CSV: one row per procedure, a header row naming the columns (`CSV_COLUMNS`; order free,
unknown columns rejected so a typo cannot silently drop a fee). Cells:

- `documents`: items separated by `;`, each `name|form|count` (form a DocForm value such as
  `original`, or its Vietnamese label "Bản chính"; form and count may be left out: original,
  1). Spaces around `;` and `|` are ignored. A backslash makes the next character literal,
  so names may hold `;`, `|` or `\\` (written `\\;`, `\\|`, `\\\\`); the export also escapes
  leading/trailing spaces of a name, so every name survives exactly. Commas, quotes and line
  breaks need nothing: CSV quoting handles them.
  Example: `Tờ khai đăng ký khai sinh|original|1 ; Giấy chứng sinh|original|1`
- `delivery`: `desk;post;online` (empty: desk;post).
- booleans: true/false, 1/0, có/không, yes/no. Numbers: plain integers; thousands written
  `8.000` or `8,000` are accepted on import.
- `keywords`: search keywords separated by `;` ("chứng thực hợp đồng; công chứng nhà đất");
  in JSON a list of strings. Optional in both.
- `extra`: a JSON object or empty.

Errors are CatalogueError with a Vietnamese message that names the line.
"""
from __future__ import annotations

import copy
import csv
import io
import json
import re
from functools import lru_cache
from typing import Any, Iterable, Sequence

from core.catalogue import (DOC_FORM_VI, FEE_MAX, DocForm, Delivery, Procedure, RequiredDocument, Term,
                            TermUnit, TERM_UNIT_VI, term_problem)
from core.text import fold

CSV_COLUMNS = ("code", "name", "field", "level", "term_amount", "term_unit", "cutoff_applies",
               "fee", "fee_note", "documents", "delivery", "version", "demo", "active", "keywords",
               "extra")
_REQUIRED = ("code", "name", "field", "level", "term_amount", "term_unit", "cutoff_applies")

_CODE_RE = re.compile(r"\d{1,2}\.\d{6}", re.ASCII)
_INT_RE = re.compile(r"\d+", re.ASCII)
_THOUSANDS_RE = re.compile(r"\d{1,3}(?:([.,  ])\d{3})(?:\1\d{3})*", re.ASCII)
_TRUE = {"true", "1", "co", "yes", "x"}
_FALSE = {"false", "0", "khong", "no", ""}
_FORMS = {**{f.value: f for f in DocForm}, **{fold(v): k for k, v in DOC_FORM_VI.items()}}
_UNITS = {**{u.value: u for u in TermUnit}, **{fold(v): k for k, v in TERM_UNIT_VI.items()}}
_DELIVERIES = {**{d.value: d for d in Delivery},
               "truc tiep": Delivery.DESK, "buu chinh": Delivery.POST, "truc tuyen": Delivery.ONLINE}
_DEFAULT_DELIVERY = (Delivery.DESK, Delivery.POST)


class CatalogueError(ValueError):
    """A catalogue that cannot be imported; `line` is the 1-based line of the bad entry."""

    def __init__(self, detail: str, line: int | None = None):
        self.detail = detail
        self.line = line
        super().__init__(f"Dòng {line}: {detail}" if line else detail)


# -- one procedure <-> dict --------------------------------------------------------------

def procedure_to_dict(p: Procedure) -> dict:
    return {
        "code": p.code, "name": p.name, "field": p.field, "level": p.level,
        "term": {"amount": p.term.amount, "unit": TermUnit(p.term.unit).value},
        "cutoff_applies": p.cutoff_applies, "fee": p.fee, "fee_note": p.fee_note,
        "documents": [{"name": d.name, "form": DocForm(d.form).value, "count": d.count}
                      for d in p.documents],
        "delivery": [Delivery(x).value for x in p.delivery],
        "version": p.version, "demo": p.demo, "active": p.active,
        "keywords": list(p.keywords), "extra": copy.deepcopy(p.extra),
    }


def procedure_from_dict(d: dict) -> Procedure:
    if not isinstance(d, dict):
        raise CatalogueError("Mỗi thủ tục phải là một đối tượng JSON {…}.")
    term = d.get("term")
    if not isinstance(term, dict):
        raise CatalogueError("Thiếu thời hạn giải quyết (term: {amount, unit}).")
    docs = d.get("documents", [])
    if not isinstance(docs, list):
        raise CatalogueError("Thành phần hồ sơ (documents) phải là một danh sách.")
    documents = []
    for i, doc in enumerate(docs, 1):
        if not isinstance(doc, dict):
            raise CatalogueError(f"Giấy tờ thứ {i} phải là một đối tượng {{name, form, count}}.")
        documents.append(_document(doc.get("name"), doc.get("form", DocForm.ORIGINAL.value),
                                   doc.get("count", 1), i))
    delivery = d.get("delivery", [x.value for x in _DEFAULT_DELIVERY])
    if not isinstance(delivery, list):
        raise CatalogueError("Cách trả kết quả (delivery) phải là một danh sách.")
    extra = d.get("extra", {})
    if not isinstance(extra, dict):
        raise CatalogueError("Trường extra phải là một đối tượng JSON.")
    keywords = d.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        raise CatalogueError("Từ khóa tìm kiếm (keywords) phải là một danh sách chữ, "
                             'ví dụ ["chứng thực hợp đồng"].')
    return _procedure(
        code=d.get("code"), name=d.get("name"), field=d.get("field", ""), level=d.get("level", ""),
        amount=term.get("amount"), unit=term.get("unit"), cutoff=d.get("cutoff_applies"),
        fee=d.get("fee", 0), fee_note=d.get("fee_note", ""), documents=tuple(documents),
        delivery=_delivery_list(delivery), version=d.get("version", 1), demo=d.get("demo", False),
        active=d.get("active", True), keywords=_keywords(keywords), extra=copy.deepcopy(extra),
    )


def _text(value: Any, what: str, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise CatalogueError(f"{what} phải là chữ.")
    if required and not value.strip():
        raise CatalogueError(f"Thiếu {what.lower()}.")
    return value


def _int(value: Any, what: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or value is None:
        raise CatalogueError(f"{what} phải là số nguyên.")
    if isinstance(value, str):
        text = value.strip()
        if _THOUSANDS_RE.fullmatch(text):
            text = re.sub(r"[.,  ]", "", text)
        if not _INT_RE.fullmatch(text):
            raise CatalogueError(f"{what} phải là số nguyên không âm (đang là «{value}»).")
        value = int(text)
    if not isinstance(value, int):
        raise CatalogueError(f"{what} phải là số nguyên.")
    if value < minimum:
        raise CatalogueError(f"{what} phải từ {minimum} trở lên (đang là {value}).")
    return value


def _bool(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        key = fold(value)
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
    raise CatalogueError(f"{what} phải là true/false, 1/0 hoặc có/không (đang là «{value}»).")


def _document(name: Any, form: Any, count: Any, index: int) -> RequiredDocument:
    name = _text(name, f"Tên giấy tờ thứ {index}", required=True)
    parsed = _FORMS.get(fold(form)) if isinstance(form, str) else None
    if parsed is None:
        raise CatalogueError(f"Giấy tờ thứ {index}: hình thức «{form}» không hợp lệ; dùng "
                             + ", ".join(f.value for f in DocForm) + ".")
    return RequiredDocument(name, parsed, _int(count, f"Số lượng giấy tờ thứ {index}", minimum=1))


def _delivery_list(values: Iterable[Any]) -> tuple[Delivery, ...]:
    out: list[Delivery] = []
    for v in values:
        parsed = _DELIVERIES.get(fold(v)) if isinstance(v, str) else None
        if parsed is None:
            raise CatalogueError(f"Cách trả kết quả «{v}» không hợp lệ; dùng desk, post hoặc online.")
        if parsed in out:
            raise CatalogueError(f"Cách trả kết quả «{v}» bị lặp.")
        out.append(parsed)
    if not out:
        raise CatalogueError("Cần ít nhất một cách trả kết quả (desk, post, online).")
    return tuple(out)


def _keywords(values: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        v = " ".join(v.split())
        if v and v not in out:
            out.append(v)
    return tuple(out)


def _procedure(*, code, name, field, level, amount, unit, cutoff, fee, fee_note, documents,
               delivery, version, demo, active, keywords, extra) -> Procedure:
    code = _text(code, "Mã thủ tục", required=True)
    if not _CODE_RE.fullmatch(code):
        raise CatalogueError(f"Mã thủ tục «{code}» không đúng dạng (ví dụ 1.001193).")
    term_unit = _UNITS.get(fold(unit)) if isinstance(unit, str) else None
    if term_unit is None:
        raise CatalogueError(f"Đơn vị thời hạn «{unit}» không hợp lệ; dùng "
                             + ", ".join(u.value for u in TermUnit) + ".")
    if cutoff is None:
        raise CatalogueError("Thiếu cột áp dụng giờ chốt 15:00 (cutoff_applies).")
    term = Term(_int(amount, "Thời hạn"), term_unit)
    problem = term_problem(term)
    if problem:
        raise CatalogueError(problem)
    if _int(fee, "Lệ phí") > FEE_MAX:
        raise CatalogueError(f"Lệ phí vượt quá {FEE_MAX:,} đồng.".replace(",", "."))
    return Procedure(
        code=code, name=_text(name, "Tên thủ tục", required=True), field=_text(field, "Lĩnh vực"),
        level=_text(level, "Cấp thực hiện"), term=term,
        cutoff_applies=_bool(cutoff, "Áp dụng giờ chốt (cutoff_applies)"),
        fee=_int(fee, "Lệ phí"), fee_note=_text(fee_note, "Ghi chú lệ phí"), documents=documents,
        delivery=delivery, version=_int(version, "Phiên bản", minimum=1),
        demo=_bool(demo, "Dữ liệu mẫu (demo)"), active=_bool(active, "Đang áp dụng (active)"),
        keywords=keywords, extra=extra,
    )


def _check_unique(seen: dict[tuple[str, int], str], p: Procedure, where: str) -> None:
    """Two entries for one (code, version) would make "the version a dossier keeps" ambiguous."""
    key = (p.code, p.version)
    if key in seen:
        raise CatalogueError(f"Mã {p.code} phiên bản {p.version} bị lặp (đã có ở {seen[key]}).")
    seen[key] = where


# -- JSON ------------------------------------------------------------------------------

def dumps_json(procs: Iterable[Procedure]) -> str:
    """A JSON list of procedures (UTF-8 text, not ASCII-escaped), one per item."""
    return json.dumps([procedure_to_dict(p) for p in procs], ensure_ascii=False, indent=2) + "\n"


def loads_json(text: str) -> list[Procedure]:
    """A JSON list of procedures, or an object {"procedures": [...]}."""
    text = text.lstrip("\ufeff")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise CatalogueError(f"Tệp JSON bị lỗi cú pháp ({e.msg}, cột {e.colno}).", e.lineno) from None
    lines: list[int] | None = None
    if isinstance(data, list):
        lines = _item_lines(text)
    elif isinstance(data, dict) and isinstance(data.get("procedures"), list):
        data = data["procedures"]
    else:
        raise CatalogueError("Tệp JSON phải là một danh sách thủ tục [ {…}, {…} ].", 1)
    out: list[Procedure] = []
    seen: dict[tuple[str, int], str] = {}
    for i, item in enumerate(data, 1):
        line = lines[i - 1] if lines else None
        try:
            p = procedure_from_dict(item)
            _check_unique(seen, p, f"dòng {line}" if line else f"thủ tục thứ {i}")
        except CatalogueError as e:
            raise CatalogueError(f"Thủ tục thứ {i}: {e.detail}", line) from None
        out.append(p)
    return out


_WS = re.compile(r"[ \t\n\r]*")


def _item_lines(text: str) -> list[int]:
    """The line on which each item of a top-level JSON array starts (text already valid)."""
    decoder = json.JSONDecoder()
    pos = _WS.match(text, 0).end() + 1          # past "["
    line, counted = 1, 0
    lines: list[int] = []
    while True:
        pos = _WS.match(text, pos).end()
        if text[pos] == "]":
            return lines
        line += text.count("\n", counted, pos)
        counted = pos
        lines.append(line)
        _, pos = decoder.raw_decode(text, pos)
        pos = _WS.match(text, pos).end()
        if text[pos] == ",":
            pos += 1


# -- CSV -------------------------------------------------------------------------------

_ESCAPED = "\\|;"


def _escape(value: str) -> str:
    lead = len(value) - len(value.lstrip())
    trail = len(value) - len(value.rstrip())
    out = []
    for i, ch in enumerate(value):
        if ch in _ESCAPED or (ch.isspace() and (i < lead or i >= len(value) - trail)):
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def encode_documents(documents: Sequence[RequiredDocument]) -> str:
    return " ; ".join(f"{_escape(d.name)}|{DocForm(d.form).value}|{d.count}" for d in documents)


def decode_documents(cell: str) -> tuple[RequiredDocument, ...]:
    items: list[list[list[tuple[str, bool]]]] = [[[]]]
    chars = iter(cell)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, None)
            if nxt is None:
                raise CatalogueError("Thành phần hồ sơ kết thúc bằng dấu \\ thừa.")
            items[-1][-1].append((nxt, True))
        elif ch == ";":
            items.append([[]])
        elif ch == "|":
            items[-1].append([])
        else:
            items[-1][-1].append((ch, False))
    docs = []
    for fields in items:
        parts = [_trim(f) for f in fields]
        if len(parts) == 1 and not parts[0]:
            continue                              # empty item: "a ; ; b" or a trailing ";"
        if len(parts) > 3:
            raise CatalogueError(f"Giấy tờ thứ {len(docs) + 1} có quá nhiều dấu | "
                                 "(dạng đúng: tên|hình thức|số lượng; dùng \\| nếu tên có dấu |).")
        name = parts[0]
        form = parts[1] if len(parts) > 1 and parts[1] else DocForm.ORIGINAL.value
        count = parts[2] if len(parts) > 2 and parts[2] else "1"
        docs.append(_document(name, form, count, len(docs) + 1))
    return tuple(docs)


def _trim(chars: list[tuple[str, bool]]) -> str:
    start, end = 0, len(chars)
    while start < end and not chars[start][1] and chars[start][0].isspace():
        start += 1
    while end > start and not chars[end - 1][1] and chars[end - 1][0].isspace():
        end -= 1
    return "".join(ch for ch, _ in chars[start:end])


def dumps_csv(procs: Iterable[Procedure]) -> str:
    """CSV text with a header row, RFC 4180 line ends (CRLF).

    Write it with `newline=""` (and "utf-8-sig" so spreadsheet programs see UTF-8), and read
    it back the same way: a line break inside a quoted cell is then kept exactly.
    """
    buf = io.StringIO()
    # CRLF as the terminator also makes the writer quote any cell holding a bare "\r".
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for p in procs:
        w.writerow([
            p.code, p.name, p.field, p.level, p.term.amount, TermUnit(p.term.unit).value,
            _bool_cell(p.cutoff_applies), p.fee, p.fee_note, encode_documents(p.documents),
            ";".join(Delivery(x).value for x in p.delivery), p.version, _bool_cell(p.demo),
            _bool_cell(p.active), " ; ".join(_escape(k) for k in p.keywords),
            json.dumps(p.extra, ensure_ascii=False) if p.extra else "",
        ])
    return buf.getvalue()


def _bool_cell(value: bool) -> str:
    return "true" if value else "false"


def loads_csv(text: str) -> list[Procedure]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = next(reader, None)
        if header is None or not any(c.strip() for c in header):
            raise CatalogueError("Tệp CSV trống: cần một dòng tiêu đề (" + ", ".join(CSV_COLUMNS) + ").", 1)
        names = [c.strip().lower() for c in header]
        unknown = [c for c in names if c not in CSV_COLUMNS]
        if unknown:
            raise CatalogueError(f"Cột không rõ: {', '.join(unknown)}. Các cột hợp lệ: {', '.join(CSV_COLUMNS)}.", 1)
        missing = [c for c in _REQUIRED if c not in names]
        if missing:
            raise CatalogueError(f"Thiếu cột: {', '.join(missing)}.", 1)
        if len(set(names)) != len(names):
            raise CatalogueError("Dòng tiêu đề có cột bị lặp.", 1)
        out: list[Procedure] = []
        seen: dict[tuple[str, int], str] = {}
        line = reader.line_num + 1
        for row in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(names):
                raise CatalogueError(f"Dòng có {len(row)} ô nhưng tiêu đề chỉ có {len(names)} cột.", start)
            cells = dict(zip(names, row + [""] * (len(names) - len(row))))
            try:
                p = _row(cells)
                _check_unique(seen, p, f"dòng {start}")
            except CatalogueError as e:
                raise CatalogueError(e.detail, start) from None
            out.append(p)
        return out
    except csv.Error as e:
        raise CatalogueError(f"Tệp CSV bị lỗi ({e}).", reader.line_num or 1) from None


def _row(c: dict[str, str]) -> Procedure:
    extra_text = c.get("extra", "").strip()
    extra: Any = {}
    if extra_text:
        try:
            extra = json.loads(extra_text)
        except json.JSONDecodeError:
            raise CatalogueError("Ô extra phải là JSON, ví dụ {\"ghi_chu\": \"...\"}.") from None
        if not isinstance(extra, dict):
            raise CatalogueError("Ô extra phải là một đối tượng JSON {…}.")
    delivery_cell = c.get("delivery", "").strip()
    delivery = (_delivery_list(v.strip() for v in re.split(r"[;,]", delivery_cell))
                if delivery_cell else _DEFAULT_DELIVERY)
    return _procedure(
        code=c["code"].strip(), name=c["name"], field=c["field"], level=c["level"],
        amount=c["term_amount"], unit=c["term_unit"], cutoff=c["cutoff_applies"].strip() or None,
        fee=c.get("fee", "").strip() or "0", fee_note=c.get("fee_note", ""),
        documents=decode_documents(c.get("documents", "")), delivery=delivery,
        version=c.get("version", "").strip() or "1", demo=c.get("demo", "false"),
        active=c.get("active", "").strip() or "true",
        keywords=_keywords(_split_escaped(c.get("keywords", ""))), extra=extra,
    )


def _split_escaped(cell: str) -> list[str]:
    """`a ; b\\;c` -> ["a ", " b;c"]: split on unescaped `;` (the documents' escaping)."""
    parts, cur = [], []
    chars = iter(cell)
    for ch in chars:
        if ch == "\\":
            cur.append(next(chars, ""))
        elif ch == ";":
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


# -- search ----------------------------------------------------------------------------

_fold = lru_cache(maxsize=8192)(fold)


def search_procedures(procs: Iterable[Procedure], query: str, limit: int = 20) -> list[Procedure]:
    """Active procedures matching `query`, best first, at most `limit`.

    Matching ignores case and diacritics; every word of the query must occur in the code,
    the name, the field or the search keywords. Ranking: code prefix ("1.0011"), then names
    or keywords starting with the query, then names or keywords containing it as a phrase
    (earlier first), then the rest; ties go to
    the shorter name (the plain procedure before its combined variants), then catalogue order. An empty query returns the active procedures in catalogue order.
    """
    active = [p for p in procs if p.active]
    q = fold(query or "")
    if not q:
        return active[:limit]
    words = q.split()
    ranked: list[tuple[int, int, int, int, Procedure]] = []
    for order, p in enumerate(active):
        name = _fold(p.name)
        keywords = [_fold(k) for k in p.keywords]
        haystack = f"{p.code.lower()} {name} {_fold(p.field)} {' '.join(keywords)}"
        if not all(w in haystack for w in words):
            continue
        if p.code.lower().startswith(q):
            tier, pos = 0, 0
        elif name.startswith(q) or any(k.startswith(q) for k in keywords):
            tier, pos = 1, 0
        elif (at := min((t.find(q) for t in (name, *keywords) if q in t), default=-1)) >= 0:
            tier, pos = 2, at
        else:
            tier, pos = 3, 0
        ranked.append((tier, pos, len(name) if tier else 0, order, p))
    ranked.sort(key=lambda r: r[:4])
    return [r[4] for r in ranked[:limit]]
