"""Background sync in a child process.

A pull decodes and folds tens of thousands of events, pauses the garbage collector and
changes the interpreter's switch interval: in the app's own interpreter that made keys wait
(bench/bench_key_latency.py: p95 165 ms against 78 ms idle while a 100,000-event pull ran).
So the app's sync worker starts `python -m tui.sync_child`, hands it the settings as JSON on
standard input and waits for one JSON line back; the UI's interpreter only waits on a pipe.
Both processes share the desk's SQLite file (WAL), as `motcua sync` beside the app does.
"""
from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from datetime import datetime

from tui.config import Settings

CHILD_TIMEOUT_SECONDS = 30 * 60


class SyncChildFailed(Exception):
    def __init__(self, message_vi: str, reachable: bool | None) -> None:
        super().__init__(message_vi)
        self.message_vi = message_vi
        self.reachable = reachable       # False: the centre did not answer


def run_sync_in_child(settings: Settings):
    """One push-then-pull in a child process; returns a db.sync.SyncReport or raises
    SyncChildFailed with the Vietnamese reason."""
    from db.sync import SyncReport
    try:
        done = subprocess.run([sys.executable, "-m", "tui.sync_child"],
                              input=json.dumps(dataclasses.asdict(settings)), capture_output=True,
                              text=True, encoding="utf-8", timeout=CHILD_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        raise SyncChildFailed("Đồng bộ quá lâu nên đã dừng; sẽ thử lại sau.", None) from None
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise SyncChildFailed(f"Tiến trình đồng bộ dừng bất thường (mã {done.returncode}); sẽ thử lại sau.", None)
    answer = json.loads(lines[-1])
    if not answer["ok"]:
        raise SyncChildFailed(answer["message"], answer.get("reachable"))
    return SyncReport(pushed=answer["pushed"], pulled=answer["pulled"],
                      rejected=[tuple(r) for r in answer["rejected"]], reference=answer["reference"],
                      started_at=datetime.fromisoformat(answer["started_at"]),
                      finished_at=datetime.fromisoformat(answer["finished_at"]))


def main() -> int:
    from db.sync import CentralUnavailable
    from tui.services import build_services
    settings = Settings(**json.loads(sys.stdin.read()))
    services = build_services(settings, seed_demo=0)
    if services.sync is None:
        print(json.dumps({"ok": False, "message": "Chưa cài đặt quầy hoặc máy chủ trung tâm.",
                          "reachable": None}))
        return 0
    try:
        report = services.sync.run_once()
    except CentralUnavailable as exc:
        print(json.dumps({"ok": False, "message": exc.message_vi, "reachable": False}, ensure_ascii=False))
        return 0
    except Exception as exc:        # the type only: SQL errors carry row values
        print(json.dumps({"ok": False, "message": f"Lỗi đồng bộ ({type(exc).__name__}); sẽ thử lại sau.",
                          "reachable": None}))
        return 0
    finally:
        services.sync.close()
    print(json.dumps({"ok": True, "pushed": report.pushed, "pulled": report.pulled,
                      "rejected": report.rejected, "reference": report.reference,
                      "started_at": report.started_at.isoformat(),
                      "finished_at": report.finished_at.isoformat()}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
