"""Fixtures for the printer tests: demo slips and loopback TCP "printers"."""
from __future__ import annotations

import socket
import threading
import time
from datetime import datetime

import pytest

from core.catalogue import Delivery, DocForm, Procedure, RequiredDocument, Term, TermUnit
from core.people import Agency, Applicant, Desk
from core.slips import Slip, build_receipt

DOSSIER_CODE = "000.00.53.H48-250922-2014"
LOOKUP_TEMPLATE = "https://dichvucong.quangngai.gov.vn/tra-cuu?ma={code}"


def make_receipt(qr_template: str = "") -> Slip:
    proc = Procedure(
        code="1.001193", name="Đăng ký khai sinh", field="Hộ tịch", level="Cấp xã",
        term=Term(0, TermUnit.SAME_DAY), cutoff_applies=True, demo=True,
        documents=(
            RequiredDocument("Tờ khai đăng ký khai sinh theo mẫu", DocForm.ORIGINAL, 1),
            RequiredDocument("Giấy chứng sinh do cơ sở y tế cấp", DocForm.ORIGINAL, 1),
            RequiredDocument("Giấy tờ tùy thân của người đi đăng ký khai sinh",
                             DocForm.ORIGINAL_OR_COPY, 1),
        ))
    return build_receipt(
        agency=Agency("000.00.53.H48", "UBND xã Tịnh Ấn Tây, tỉnh Quảng Ngãi"),
        desk=Desk("000.00.53.H48", 2),
        code=DOSSIER_CODE,
        applicant=Applicant("Trần Thị Bích Ngọc", address="Tổ 3, phường Cẩm Thành, tỉnh Quảng Ngãi",
                            phone="0905123456", email="ngoc.tran.bich@example.com"),
        procedure=proc, documents=proc.documents, sets=1,
        received_at=datetime(2025, 9, 22, 9, 5), due_at=datetime(2025, 9, 22, 17, 0),
        delivery=Delivery.DESK, clerk_name="Nguyễn Văn Đức",
        qr_template=qr_template, ledger_book="02/2025", ledger_seq="125")


@pytest.fixture
def receipt() -> Slip:
    return make_receipt()


@pytest.fixture
def url_receipt() -> Slip:
    return make_receipt(LOOKUP_TEMPLATE)


STATUS_QUERIES = {b"\x10\x04\x01": 1, b"\x10\x04\x02": 2, b"\x10\x04\x04": 4, b"\x1dr\x01": "r"}


class LoopbackPrinter:
    """A raw-TCP "network printer" on 127.0.0.1: keeps what each connection sent.

    With `answers=True` it answers the status queries a job ends with, as a ready printer
    (or as set in `status`: {1: byte, 2: byte, 4: byte, "r": byte}); the queries are kept
    apart from the job in `queries`. With `answers=False` it stays silent, like a printer
    that has no status to give."""

    def __init__(self, answers: bool = True) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.jobs: list[bytes] = []
        self.queries: list[bytes] = []
        self.answers = answers
        self.status = {1: 0x12, 2: 0x12, 4: 0x12, "r": 0x00}
        self.done = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def uri(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                data = bytearray()
                while chunk := conn.recv(65536):
                    data += chunk
                    for query, key in STATUS_QUERIES.items():
                        if data.endswith(query):
                            del data[-len(query):]
                            self.queries.append(query)
                            if self.answers:
                                conn.sendall(bytes([self.status[key]]))
            self.jobs.append(bytes(data))
            self.done.set()

    def wait_job(self, timeout: float = 5.0) -> bytes:
        assert self.done.wait(timeout), "the loopback printer received no job"
        return self.jobs[-1]

    def wait_jobs(self, count: int, timeout: float = 5.0) -> list[bytes]:
        """The jobs, once `count` connections have closed (the client may return first)."""
        deadline = time.monotonic() + timeout
        while len(self.jobs) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.jobs

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def tcp_printer():
    server = LoopbackPrinter()
    yield server
    server.close()


@pytest.fixture
def black_hole():
    """Accepts connections and never reads (a jammed printer); tiny receive buffer."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        srv.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
            except (TimeoutError, OSError):
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield srv.getsockname()[1]
    stop.set()
    t.join(2)
    for c in held:
        c.close()
    srv.close()


@pytest.fixture
def unanswered_port():
    """A port whose accept queue is full: a new connect() gets no answer at all."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(0)
    port = srv.getsockname()[1]
    fillers = []
    for _ in range(4):
        c = socket.socket()
        c.setblocking(False)
        try:
            c.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(c)
    yield port
    for c in fillers:
        c.close()
    srv.close()


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on: connecting is refused at once."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
