"""A strict little ESC/POS reader for the printer tests (independent of printers/).

It knows exactly the commands a motcua job may contain and fails on any other byte, so a
stray command in the output breaks a test instead of being skipped over:

    ESC @ | ESC t n | ESC a n | ESC E n | ESC d n | ESC J n | GS ! n | LF | text bytes
    GS L nL nH                       left margin (dots)
    GS v 0 m xL xH yL yH d...        raster image (m: 1 double width, 2 double height, 3 both)
    GS ( k pL pH cn fn ...           QR code (cn = 49): model, size, EC, store, print
    GS V m [n]                       cut
"""
from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

_INVERT = bytes(255 - i for i in range(256))


@dataclass
class Raster:
    width_bytes: int
    height: int
    data: bytes
    mode: int = 0

    @property
    def width(self) -> int:
        return self.width_bytes * 8

    def image(self) -> Image.Image:
        """Mode "1" image as sent: 0 (black) where the printer burns a dot."""
        # GS v 0 bits are 1 for a dot; a "1" image's packed bits are 1 for white
        return Image.frombytes("1", (self.width, self.height), self.data.translate(_INVERT))

    @property
    def scale(self) -> tuple[int, int]:
        """Dots on paper per dot sent, across and down (modes 1-3, or 49-51)."""
        return 2 if self.mode & 1 else 1, 2 if self.mode & 2 else 1

    def printed(self) -> Image.Image:
        """The image as the printer lays it on paper, doubled as the mode says."""
        sx, sy = self.scale
        img = self.image()
        if (sx, sy) == (1, 1):
            return img
        return img.resize((img.width * sx, img.height * sy), Image.Resampling.NEAREST)


@dataclass
class NativeQr:
    payload: bytes = b""
    model: int | None = None
    module: int | None = None
    ec: int | None = None          # 48 L, 49 M, 50 Q, 51 H
    printed: bool = False


@dataclass
class Job:
    events: list[tuple[str, object]] = field(default_factory=list)

    def of(self, kind: str) -> list:
        return [v for k, v in self.events if k == kind]

    @property
    def rasters(self) -> list[Raster]:
        return self.of("raster")

    @property
    def qrs(self) -> list[NativeQr]:
        return [q for q in self.of("qr") if q.printed]

    @property
    def cuts(self) -> int:
        return len(self.of("cut"))

    @property
    def codepages(self) -> list[int]:
        return self.of("codepage")

    def text_lines(self, codec: str | None = None, table: dict[int, str] | None = None) -> list[str]:
        out = []
        for raw in self.of("line"):
            if table is not None:
                out.append("".join(table.get(b, chr(b)) if b >= 0x80 else chr(b) for b in raw))
            else:
                out.append(raw.decode(codec or "ascii"))
        return out

    def copies(self) -> list[Job]:
        """The job split after each cut."""
        parts, cur = [], Job()
        for ev in self.events:
            cur.events.append(ev)
            if ev[0] == "cut":
                parts.append(cur)
                cur = Job()
        if cur.events:
            parts.append(cur)
        return parts

    def summary(self) -> dict:
        """Plain values for quick assertions elsewhere (tests/tui uses `job["native_qr"]`)."""
        return {
            "native_qr": [q.payload.decode("utf-8") for q in self.qrs],
            "cuts": self.cuts,
            "raster_widths": [r.width for r in self.rasters],
            "codepages": self.codepages,
            "inits": len(self.of("init")),
        }

    def __getitem__(self, key: str):
        return self.summary()[key]

    def paper(self, width: int = 576) -> Image.Image:
        """The rasters as they come out of a printer `width` dots wide: top to bottom, each
        at the left margin (GS L) or centred in what is right of it (ESC a), doubled as
        its mode says, with `ESC J` feeds as blank rows. Native QR codes and text lines
        are left out; `ESC @` sets margin and alignment back to 0."""
        placed, y, align, margin = [], 0, 0, 0
        for kind, value in self.events:
            if kind == "init":
                align = margin = 0
            elif kind == "align":
                align = value
            elif kind == "left_margin":
                margin = value
            elif kind == "feed_dots":
                y += value
            elif kind == "raster":
                img = value.printed()
                x = margin + ((width - margin - img.width) // 2 if align == 1 else 0)
                placed.append((x, y, img))
                y += img.height
        paper = Image.new("1", (width, max(y, 1)), 255)
        for x, top, img in placed:
            paper.paste(img, (x, top))
        return paper


def decode(stream: bytes) -> Job:
    job = Job()
    qr = NativeQr()
    line = bytearray()
    i, n = 0, len(stream)

    def need(k: int) -> bytes:
        if i + k > n:
            raise ValueError(f"truncated command at {i}")
        return stream[i:i + k]

    while i < n:
        b = stream[i]
        if b == 0x0A:
            job.events.append(("line", bytes(line)))
            line.clear()
            i += 1
        elif b == 0x1B:
            cmd = need(2)[1]
            if cmd == 0x40:
                job.events.append(("init", None))
                i += 2
            elif cmd in (0x74, 0x61, 0x45, 0x64, 0x4A):
                arg = need(3)[2]
                kind = {0x74: "codepage", 0x61: "align", 0x45: "bold", 0x64: "feed", 0x4A: "feed_dots"}[cmd]
                job.events.append((kind, arg))
                i += 3
            else:
                raise ValueError(f"unexpected ESC {cmd:#04x} at {i}")
        elif b == 0x1D:
            cmd = need(2)[1]
            if cmd == 0x21:
                job.events.append(("size", need(3)[2]))
                i += 3
            elif cmd == 0x4C:
                head = need(4)
                job.events.append(("left_margin", head[2] + 256 * head[3]))
                i += 4
            elif cmd == 0x56:
                m = need(3)[2]
                job.events.append(("cut", m))
                i += 3 if m in (0, 1, 48, 49) else 4
            elif cmd == 0x76:
                head = need(8)
                if head[2] != 0x30:
                    raise ValueError(f"unexpected GS v {head[2]:#04x} at {i}")
                if head[3] not in (0, 1, 2, 3, 48, 49, 50, 51):
                    raise ValueError(f"unexpected GS v 0 mode {head[3]} at {i}")
                wb, h = head[4] + 256 * head[5], head[6] + 256 * head[7]
                i += 8
                data = need(wb * h)
                job.events.append(("raster", Raster(wb, h, bytes(data), head[3])))
                i += wb * h
            elif cmd == 0x28:
                head = need(5)
                if head[2] != 0x6B:
                    raise ValueError(f"unexpected GS ( {head[2]:#04x} at {i}")
                size = head[3] + 256 * head[4]
                i += 5
                body = need(size)
                i += size
                if body[0] != 49:
                    raise ValueError(f"2D code other than QR (cn={body[0]})")
                fn = body[1]
                if fn == 65:
                    qr.model = body[2]
                elif fn == 67:
                    qr.module = body[2]
                elif fn == 69:
                    qr.ec = body[2]
                elif fn == 80:
                    qr.payload = bytes(body[3:])
                elif fn == 81:
                    qr.printed = True
                    job.events.append(("qr", qr))
                    qr = NativeQr()
                else:
                    raise ValueError(f"unexpected QR function {fn}")
            else:
                raise ValueError(f"unexpected GS {cmd:#04x} at {i}")
        elif b < 0x20:
            raise ValueError(f"unexpected control byte {b:#04x} at {i}")
        else:
            line.append(b)
            i += 1
    if line:
        job.events.append(("line", bytes(line)))
    return job


def ink_rows(img: Image.Image) -> list[bool]:
    """For each row of a mode "1" image: does it carry any black dot?"""
    grey = img.convert("L")
    return [grey.crop((0, y, img.width, y + 1)).getextrema()[0] < 128
            for y in range(img.height)]
