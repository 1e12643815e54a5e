#!/usr/bin/env python3
"""mkpng.py OUTDIR — write the hostile and awkward image files the hardening
tests and the image fuzz seeds use. PNGs are built by hand (zlib + struct),
so no imaging library is needed; JPEGs are a few hand-made broken headers.

Every file is small; "huge" ones only claim a huge size in their header.
"""
import os
import struct
import sys
import zlib

ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4),
         (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]  # x0, y0, dx, dy
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}           # PNG colour types


def chunk(kind, data, crc=None):
    c = zlib.crc32(kind + data) & 0xFFFFFFFF if crc is None else crc
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", c)


def sample(x, y, ch, depth):
    """A deterministic gradient so decoders have something to draw."""
    top = (1 << depth) - 1
    v = ((x * 37 + y * 11 + ch * 71) % 256) / 255.0
    if ch == 3:                      # alpha: a soft diagonal ramp
        v = ((x + y) % 64) / 63.0
    return int(v * top)


def row_bytes(xs, y, ctype, depth):
    n = CHANNELS[ctype]
    out = bytearray()
    if ctype == 3:                   # palette index, 8-bit only here
        for x in xs:
            out.append((x + y) % 4)
        return bytes(out)
    for x in xs:
        for ch in range(n):
            # grey+alpha: channel 1 is alpha
            c = 3 if (ctype == 4 and ch == 1) else ch
            v = sample(x, y, c, depth)
            out += struct.pack(">H", v) if depth == 16 else bytes([v])
    return bytes(out)


def raw_image(w, h, ctype, depth, interlace):
    raw = bytearray()
    if not interlace:
        for y in range(h):
            raw.append(0)
            raw += row_bytes(range(w), y, ctype, depth)
        return bytes(raw)
    for x0, y0, dx, dy in ADAM7:
        xs = list(range(x0, w, dx))
        if not xs:
            continue
        for y in range(y0, h, dy):
            raw.append(0)
            raw += row_bytes(xs, y, ctype, depth)
    return bytes(raw)


def png(w, h, ctype=2, depth=8, interlace=0, idat=None, ihdr_crc=None,
        cut=None):
    ihdr = struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, interlace)
    body = chunk(b"IHDR", ihdr, ihdr_crc)
    if ctype == 3:
        body += chunk(b"PLTE", bytes([200, 30, 30, 30, 160, 30,
                                      30, 30, 200, 240, 200, 0]))
    if idat is None:
        idat = zlib.compress(raw_image(w, h, ctype, depth, interlace), 9)
    body += chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    data = b"\x89PNG\r\n\x1a\n" + body
    return data[:cut] if cut else data


def files():
    ok = png(64, 48)
    return {
        # decodable: must render
        "rgb8.png": ok,
        "rgba8.png": png(64, 48, ctype=6),
        "gray8.png": png(64, 48, ctype=0),
        "gray-alpha8.png": png(64, 48, ctype=4),
        "palette.png": png(64, 48, ctype=3),
        "gray16.png": png(64, 48, ctype=0, depth=16),
        "rgb16.png": png(64, 48, ctype=2, depth=16),
        "rgba16.png": png(64, 48, ctype=6, depth=16),
        "interlaced.png": png(64, 48, interlace=1),
        "interlaced-alpha.png": png(64, 48, ctype=6, interlace=1),
        "interlaced16-alpha.png": png(33, 17, ctype=6, depth=16, interlace=1),
        "one-pixel.png": png(1, 1, ctype=6),
        "tall-thin.png": png(1, 3000),
        # broken: must be a clear error
        "truncated.png": png(64, 48, cut=len(ok) // 2),
        "header-only.png": ok[:33],
        "bad-crc.png": png(64, 48, ihdr_crc=0x12345678),
        "corrupt-zlib.png": png(64, 48, idat=b"\x78\x9c" + b"\xde\xad" * 40),
        "short-data.png": png(64, 48, idat=zlib.compress(b"\0" * 100)),
        "zero-width.png": png(0, 48, idat=zlib.compress(b"")),
        # huge: the header claims 400 megapixels (the data is a few bytes)
        "huge.png": png(20000, 20000, idat=zlib.compress(b"\0" * 64)),
        "huge-wide.png": png(1000000, 100, idat=zlib.compress(b"\0" * 64)),
        "not-an-image.png": b"This is a text file, not an image.\n",
        "empty.png": b"",
        # JPEG: a start-of-image marker and then rubbish or nothing
        "truncated.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01",
        "garbage.jpg": b"\xff\xd8\xff" + bytes(range(256)) * 4,
        "huge.jpg": jpeg_header(60000, 60000),
    }


def jpeg_header(w, h):
    """SOI, a baseline SOF0 claiming w x h, 3 components, and EOI: enough
    for a header reader to believe the size."""
    sof = struct.pack(">HBHHB", 17, 8, h, w, 3) + bytes(
        [1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1])
    return b"\xff\xd8" + b"\xff\xc0" + sof + b"\xff\xd9"


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in files().items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
