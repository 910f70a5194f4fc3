"""Draws Cunju's app icons (a ledger with a roof, white on red) as PNG without any library.

Run `python3 xtask/assets/make_icons.py` from the repository root to regenerate them.
"""
import struct, zlib, os

RED = (179, 38, 30)
WHITE = (255, 251, 248)
GOLD = (240, 196, 90)

def icon(size, padding):
    s = size
    px = [[RED for _ in range(s)] for _ in range(s)]
    inner = s - 2 * padding
    def rect(x0, y0, x1, y1, c):
        for y in range(max(0, int(y0)), min(s, int(y1))):
            for x in range(max(0, int(x0)), min(s, int(x1))):
                px[y][x] = c
    # roof: a triangle over the ledger
    cx = s / 2
    top = padding + inner * 0.14
    base = padding + inner * 0.42
    half = inner * 0.40
    for y in range(int(top), int(base)):
        w = half * (y - top) / (base - top)
        rect(cx - w, y, cx + w, y + 1, WHITE)
    # ledger body
    rect(padding + inner * 0.22, base, padding + inner * 0.78, padding + inner * 0.86, WHITE)
    # ruled lines of the ledger
    for i in range(3):
        y = base + inner * (0.10 + 0.11 * i)
        rect(padding + inner * 0.30, y, padding + inner * 0.70, y + max(1, inner * 0.035), RED)
    # a tick mark square in gold (a ticked step)
    rect(padding + inner * 0.30, padding + inner * 0.74, padding + inner * 0.40, padding + inner * 0.80, GOLD)
    raw = b"".join(b"\x00" + bytes(v for p in row for v in p) for row in px)
    def chunk(t, d):
        c = struct.pack(">I", len(d)) + t + d
        return c + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", s, s, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "public", "icons")
for name, size, pad in [("icon-192.png", 192, 8), ("icon-512.png", 512, 20), ("icon-maskable-512.png", 512, 80)]:
    with open(os.path.join(here, name), "wb") as f:
        f.write(icon(size, pad))
