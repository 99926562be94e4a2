#!/usr/bin/env bash
# Builds the libFuzzer harness with ASan and runs it for FUZZ_SECONDS (default 600)
# over a seed corpus of PDFs generated here (classic xref, qpdf object streams).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${FUZZ_SECONDS:-600}"
work="${FUZZ_WORK:-.fuzz}"
mkdir -p "$work/corpus" "$work/findings"

if [ -z "$(ls -A "$work/corpus")" ]; then
python3 - "$work/corpus" <<'PY'
import sys, os, zlib
out = sys.argv[1]
def pdf(objects, xref_stream=False):
    body = b"%PDF-1.7\n"
    offsets = {}
    for n, text in objects:
        offsets[n] = len(body)
        body += b"%d 0 obj\n" % n + text + b"\nendobj\n"
    size = max(offsets) + 1
    start = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f\r\n" % size
    for n in range(1, size):
        body += b"%010d 00000 n\r\n" % offsets[n]
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, start)
    return body
content = b"BT /F1 12 Tf 72 700 Td (Hello) Tj ET"
packed = zlib.compress(content)
objects = [
    (1, b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] >> >>"),
    (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
    (3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [6 0 R] >>"),
    (4, b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"),
    (5, b"<< /Length 5 0 R /Filter /FlateDecode >>\nstream\n" + packed + b"\nendstream"),
    (6, b"<< /FT /Sig /T (S1) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /V 7 0 R >>"),
    (7, b"<< /Type /Sig /ByteRange [0 10 20 30] /Contents <3003020100> /SubFilter /ETSI.CAdES.detached >>"),
]
open(os.path.join(out, "classic.pdf"), "wb").write(pdf(objects))
open(os.path.join(out, "tiny.pdf"), "wb").write(pdf(objects[:4]))
PY
  if command -v qpdf >/dev/null; then
    qpdf --object-streams=generate "$work/corpus/classic.pdf" "$work/corpus/objstm.pdf" || true
  fi
fi

swift build -c debug --product PDFParserFuzzer \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing
binary="$(swift build -c debug --show-bin-path)/PDFParserFuzzer"
"$binary" "$work/corpus" -artifact_prefix="$work/findings/" -max_total_time="$seconds" \
  -rss_limit_mb=2048 -timeout=10 -max_len=65536 -print_final_stats=1
