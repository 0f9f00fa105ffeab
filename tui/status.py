"""What the status line says: read in a worker with COUNT queries, rendered without markup.

`read_status` runs off the event loop (thread worker in MotcuaApp.refresh_status) and returns
a plain snapshot; `render_status` turns it into Rich Text, so a printer URI or a clerk name
with square brackets is shown as typed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text


@dataclass(frozen=True)
class StatusSnapshot:
    clerk: str                     # full name of the logged-in clerk, "" before login
    desk: str                      # "Quầy 2", "" before setup
    printer: str                   # printer URI without credentials
    queued: int                    # print jobs waiting (queued, not yet failed)
    failed: int                    # print jobs that failed and wait for a retry
    central: bool | None | str     # True online, False offline, None not tried, "" not configured
    waiting: int                   # local events not yet at the centre
    last_sync: datetime | None
    demo: bool
    rating: str = ""               # the latest kiosk prompt's state (never the citizen's choice)


def read_status(services, clerk, online: bool | None = None) -> StatusSnapshot:
    """Blocking: counts from the database. Call from a thread worker. `online` is what the
    app's last sync (run in a child process) found; None: not tried yet."""
    from tui.screens.ratings import rating_status_text
    counts = services.print_jobs.counts()
    sync = services.sync
    if sync is not None:
        st = sync.status()
        central, waiting, last = (online if online is not None else st.online), st.waiting, st.last_success
    else:
        from db.sync.local import waiting_count
        central, waiting, last = "", waiting_count(services.engine)[0], None
    desk = services.desk
    return StatusSnapshot(
        clerk=clerk.full_name if clerk else "", desk=f"Quầy {desk.number}" if desk else "",
        printer=services.printer.describe() or "chưa cấu hình máy in", queued=counts.get("queued", 0),
        failed=counts.get("failed", 0), central=central, waiting=waiting, last_sync=last,
        demo=services.settings.demo, rating=rating_status_text(services))


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width // 2 - 1] + "…" + text[-(width - width // 2):]


SEPARATOR = " │ "


def render_status(s: StatusSnapshot) -> Text:
    """One line at 120 columns; wraps onto a second at 80, never cut."""
    parts: list[Text] = []
    who = s.clerk or "chưa đăng nhập"
    parts.append(Text.assemble(("Cán bộ: ", "dim"), who, (f" · {s.desk}" if s.desk else "")))
    printer = Text.assemble(("Máy in: ", "dim"), _short(s.printer, 30), f" · chờ in {s.queued}")
    if s.failed:
        printer.append(f" · lỗi {s.failed}", style="bold red")
    parts.append(printer)
    state = {True: ("trực tuyến", "green"), False: ("NGOẠI TUYẾN", "bold red"),
             None: ("chưa kết nối", ""), "": ("chưa cấu hình", "dim")}[s.central]
    central = Text.assemble(("Trung tâm: ", "dim"), state)
    # Never "synced" while anything waits.
    central.append(f" · chờ gửi {s.waiting}" if s.waiting else
                   (" · đã đồng bộ" if s.central is True else " · chờ gửi 0"))
    central.append(f" · lần cuối {s.last_sync:%H:%M %d/%m}" if s.last_sync else " · chưa đồng bộ lần nào")
    parts.append(central)
    if s.rating:
        parts.append(Text(s.rating))
    if s.demo:
        parts.append(Text("DỮ LIỆU MẪU", style="bold reverse"))
    return Text(SEPARATOR).join(parts)
