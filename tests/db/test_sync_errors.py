"""Each way the centre can fail has its own Vietnamese message (issue 7), and a refusal of one
event never quotes the event's values."""
from __future__ import annotations

import pytest

from db.sync.errors import refusal_reason, unavailable


class _Orig(Exception):
    def __init__(self, text: str, sqlstate: str | None = None, constraint: str | None = None):
        super().__init__(text)
        self.sqlstate = sqlstate
        self.diag = type("Diag", (), {"constraint_name": constraint})()


class _Wrapped(Exception):
    def __init__(self, orig):
        super().__init__(str(orig))
        self.orig = orig


@pytest.mark.parametrize("state, text, connected, words", [
    ("28P01", "password authentication failed", False, "từ chối đăng nhập"),
    ("55P03", "canceling statement due to lock timeout", True, "lock timeout"),
    ("57014", "canceling statement due to statement timeout", True, "statement timeout"),
    ("25P03", "terminating connection due to idle-in-transaction timeout", True, "chờ quá lâu"),
    (None, "consuming input failed: server closed the connection unexpectedly", True, "giữa chừng"),
    ("08006", "connection reset", True, "giữa chừng"),
    (None, "connection refused", False, "Không kết nối được"),
    (None, "timeout expired", False, "hết thời gian chờ kết nối"),
])
def test_each_failure_has_its_own_message(state, text, connected, words):
    msg = unavailable(_Wrapped(_Orig(text, state)), "central:5432/motcua", connected=connected).message_vi
    assert words in msg and "central:5432/motcua" in msg


def test_a_stalled_link_says_it_did_not_answer():
    msg = unavailable(_Wrapped(_Orig("consuming input failed")), "c", connected=True, timed_out=30).message_vi
    assert "không phản hồi trong 30 giây" in msg


def test_refusal_reasons_never_quote_values():
    secret = "12 Đường Lê Lợi, phường Trần Phú"
    for exc in (_Orig(f'invalid input syntax for type json: "{secret}"', "22P02"),
                _Orig(f"new row violates check constraint\nDETAIL: Failing row contains ({secret})", "23514", "ck_x"),
                _Orig(f"duplicate key value\nDETAIL: Key (agency_code, dossier_code)=(A, {secret})", "23505",
                      "ix_event_agency_dossier_code")):
        reason = refusal_reason(_Wrapped(exc))
        assert secret not in reason and "Máy chủ trung tâm từ chối" in reason
