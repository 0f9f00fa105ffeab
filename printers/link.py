"""Moving bytes over an open printer device with a stall detector, not a deadline.

A serial printer at 9,600 baud takes minutes for a raster job; a whole-job deadline would
fail every such job part-way. So every transport writes in small pieces, and `timeout` is
the longest the link may go *without accepting a single byte*: a write that keeps making
progress goes on, a link that stops for `timeout` seconds fails with `LinkStalled`
carrying how many bytes got through.

`Link` wraps a python-escpos device already opened by transports.py: the socket of
`Network`, the pyserial port of `Serial`, the pyusb device of `Usb`, or the file of
`File`. Links that can read (tcp, serial, usb) also `exchange` status queries.
"""
from __future__ import annotations

import os
import select
import socket
import time

CHUNK = 1024            # bytes per write: small enough to notice a stall quickly


class LinkStalled(TimeoutError):
    """The link accepted nothing for `timeout` seconds; `sent` bytes had gone through."""

    def __init__(self, sent: int) -> None:
        super().__init__(f"printer link stalled after {sent} bytes")
        self.sent = sent


class Link:
    can_read = False

    def __init__(self, dev, timeout: float) -> None:
        self.dev, self.timeout = dev, timeout
        self.sent = 0

    # one write that may accept part of `chunk`; TimeoutError when nothing goes in time
    def _write_some(self, chunk: memoryview) -> int:
        self.dev._raw(bytes(chunk))
        return len(chunk)

    def write(self, data: bytes) -> None:
        """Write all of `data`, failing only when the link stalls for `timeout`."""
        view = memoryview(data)
        start = self.sent
        while self.sent - start < len(data):
            try:
                n = self._write_some(view[self.sent - start:self.sent - start + CHUNK])
            except (TimeoutError, socket.timeout) as exc:
                raise LinkStalled(self.sent) from exc
            self.sent += n

    def drain(self) -> None:
        """Wait until the bytes left the computer (serial), with the same stall rule."""

    def exchange(self, query: bytes, reply_timeout: float) -> bytes | None:
        return None


class SocketLink(Link):
    can_read = True

    def __init__(self, dev, timeout: float) -> None:
        super().__init__(dev, timeout)
        self.sock: socket.socket = dev.device
        self.sock.settimeout(timeout)          # per send(): a stall, not the whole job

    def _write_some(self, chunk: memoryview) -> int:
        return self.sock.send(chunk)

    def exchange(self, query: bytes, reply_timeout: float) -> bytes | None:
        self.sock.settimeout(0)
        try:
            while self.sock.recv(256):         # drop unsolicited bytes (ASB) first
                pass
        except (BlockingIOError, InterruptedError):
            pass
        self.sock.settimeout(self.timeout)
        self.write(query)
        self.sock.settimeout(reply_timeout)
        try:
            return self.sock.recv(16) or None
        except (TimeoutError, socket.timeout):
            return None


SERIAL_BUFFER_BYTES = 16384   # what OS and adapter buffers (a pty, a USB-serial cable) may
                              # hold before a writer is let in again


class SerialLink(Link):
    """A serial port: the writer may be held while the buffers drain at the baud rate, so a
    stall is `timeout` *plus* the time the line needs to empty SERIAL_BUFFER_BYTES (1.4 s at
    115,200 baud, 17 s at 9,600): no progress for that long means the line has stopped."""
    can_read = True

    def __init__(self, dev, timeout: float) -> None:
        baud = getattr(dev.device, "baudrate", 9600) or 9600
        super().__init__(dev, timeout + SERIAL_BUFFER_BYTES * 10 / baud)
        self.port = dev.device
        self.port.write_timeout = self.timeout     # pyserial: the whole write(); pieces are small

    def _write_some(self, chunk: memoryview) -> int:
        import serial
        try:
            n = self.port.write(chunk)
        except serial.SerialTimeoutException as exc:
            raise TimeoutError("serial write stalled") from exc
        return n or 0

    def drain(self) -> None:
        """Wait for the OS buffer to empty, as long as it keeps emptying."""
        try:
            waiting = self.port.out_waiting
        except (OSError, AttributeError):
            return                             # a port that cannot tell (Windows CDC)
        last, since = waiting, time.monotonic()
        while waiting:
            time.sleep(0.02)
            waiting = self.port.out_waiting
            if waiting < last:
                last, since = waiting, time.monotonic()
            elif time.monotonic() - since > self.timeout:
                raise LinkStalled(self.sent - waiting)

    def exchange(self, query: bytes, reply_timeout: float) -> bytes | None:
        self.port.reset_input_buffer()
        self.write(query)
        self.drain()
        self.port.timeout = reply_timeout
        return self.port.read(1) or None


class UsbLink(Link):
    can_read = True

    def _ms(self, seconds: float) -> int:
        return max(1, int(seconds * 1000))

    def _write_some(self, chunk: memoryview) -> int:
        import usb.core
        try:
            return self.dev.device.write(self.dev.out_ep, bytes(chunk), self._ms(self.timeout))
        except usb.core.USBTimeoutError as exc:
            raise TimeoutError("usb write stalled") from exc

    def exchange(self, query: bytes, reply_timeout: float) -> bytes | None:
        import usb.core
        self.write(query)
        try:
            return bytes(self.dev.device.read(self.dev.in_ep, 16, self._ms(reply_timeout))) or None
        except usb.core.USBError:
            return None


class FdLink(Link):
    """A character device (/dev/usb/lp0): non-blocking writes with select()."""

    def __init__(self, dev, timeout: float) -> None:
        super().__init__(dev, timeout)
        self.fd = dev.device.fileno()
        os.set_blocking(self.fd, False)

    def _write_some(self, chunk: memoryview) -> int:
        _, ready, _ = select.select([], [self.fd], [], self.timeout)
        if not ready:
            raise TimeoutError("device write stalled")
        try:
            return os.write(self.fd, chunk)
        except BlockingIOError:
            return 0
