"""The one error printing raises: a Vietnamese message for the clerk, a code for the log.

`PrintError` is re-exported by `printers.service`; it lives here so that transports.py can
raise it without importing the service.
"""
from __future__ import annotations


class PrintError(Exception):
    """A print job that did not reach the printer.

    `message_vi` says what happened and what to do, for the clerk; `reason` is a short
    technical code kept with the queued job and in the log: "connection-refused", "timeout",
    "host-not-found", "host-unreachable", "connection-lost", "device-missing", "permission",
    "dependency-missing", "bad-uri", "io-error", "render-error", "not-configured";
    "partial" when the link failed after taking part of the job (`sent` bytes of it);
    "paper-out", "cover-open", "offline", "printer-error" when the printer said so after
    the job.
    """

    def __init__(self, message_vi: str, reason: str, sent: int = 0) -> None:
        super().__init__(message_vi)
        self.message_vi = message_vi
        self.reason = reason
        self.sent = sent

    def __repr__(self) -> str:
        return f"PrintError(reason={self.reason!r})"
