#!/usr/bin/env python3
"""A PDF of PAGES pages, each with a 200 kB uncompressed grey image of noise (like a scan).

Usage: bench/make-pdf.py OUT PAGES SEED
"""
import sys, random
path, pages, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(seed)
objs = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>"}
kids = []
for i in range(pages):
    page, content, image = 4 + 3 * i, 5 + 3 * i, 6 + 3 * i
    kids.append(page)
    text = b"q 500 0 0 400 48 300 cm /Im0 Do Q BT /F1 18 Tf 48 760 Td (Trang %d / %d) Tj ET" % (i + 1, pages)
    pixels = random.randbytes(500 * 400)
    objs[page] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>" % (image, content)
    objs[content] = b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream"
    objs[image] = b"<< /Type /XObject /Subtype /Image /Width 500 /Height 400 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length %d >>\nstream\n" % len(pixels) + pixels + b"\nendstream"
objs[2] = b"<< /Type /Pages /Count %d /Kids [%s] >>" % (pages, b" ".join(b"%d 0 R" % k for k in kids))
out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
offsets = {}
for n in sorted(objs):
    offsets[n] = len(out)
    out += b"%d 0 obj\n" % n + objs[n] + b"\nendobj\n"
size = max(objs) + 1
xref = len(out)
out += b"xref\n0 %d\n0000000000 65535 f\r\n" % size
for n in range(1, size):
    out += b"%010d 00000 n\r\n" % offsets[n]
out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
open(path, "wb").write(out)
