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
    "dependency-missing", "bad-uri", "io-error", "render-error".
    """

    def __init__(self, message_vi: str, reason: str) -> None:
        super().__init__(message_vi)
        self.message_vi = message_vi
        self.reason = reason

    def __repr__(self) -> str:
        return f"PrintError(reason={self.reason!r})"
