#!/usr/bin/env bash
# Signs and verifies a 100-page, ~20 MB PDF with VanThu and with pyHanko, on the same file in
# the same run, and prints wall time and peak RSS of each (median of BENCH_RUNS runs, default 3).
#
# Usage: bench/pdf-bench.sh
#   - PDFBenchmark (Fuzz/PDF): a minimal program around the library the workflows call
#     (VanThuPDF with VanThuSigning's CAdES producer and validator), the counterpart of the
#     two pyHanko scripts below, which are minimal programs around pyHanko's library;
#   - the `vanthu` client itself (`vanthu sign --pades`, `vanthu verify`), which also carries
#     the HTTP client, TLS and the command-line parser.
#   Both are release builds with the Swift runtime linked in (--static-swift-stdlib), as the
#   client is shipped (`make cli`). PDFBenchmark is measured twice: linked as SwiftPM links
#   by default, and linked for a small footprint (see "Linked for a small footprint" below).
# Needs: openssl, python3 with pyhanko + pyhanko-certvalidator (make test-deps), GNU time,
# valgrind (for the training run of the footprint link).
set -euo pipefail
cd "$(dirname "$0")/.."
root_dir="$PWD"
work="$(mktemp -d /tmp/vanthu-pdf-bench.XXXXXX)"
# BENCH_KEEP=1 keeps the files (input, keys, signed outputs) for profiling by hand.
if [ -z "${BENCH_KEEP:-}" ]; then trap 'rm -rf "$work"' EXIT; else echo "files kept in $work"; fi
runs="${BENCH_RUNS:-3}"

# The development PKI (Keys/dev-pki.sh): RSA-3072 root -> issuing CA -> Nguyễn Văn Hùng.
Keys/dev-pki.sh --out "$work/pki" >/dev/null
cp "$work/pki/root/root.pem" "$work/root.pem"
cp "$work/pki/ca/ca.pem" "$work/ca.pem"
cp "$work/pki/people/hung.nv.key" "$work/signer.key"
cp "$work/pki/people/hung.nv.pem" "$work/signer.pem"

# 100 pages, each with a 200 kB uncompressed grey image of noise (like a scan).
cat > "$work/make_pdf.py" <<'PY'
import sys, random
path, pages, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(seed)
objs = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>"}
kids = []
for i in range(pages):
    page, content, image = 4 + 3 * i, 5 + 3 * i, 6 + 3 * i
    kids.append(page)
    text = b"q 500 0 0 400 48 300 cm /Im0 Do Q BT /F1 18 Tf 48 760 Td (Trang %d / 100) Tj ET" % (i + 1)
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
PY
python3 "$work/make_pdf.py" "$work/input.pdf" 100 30

cat > "$work/pyhanko_sign.py" <<'PY'
import sys
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
key, cert, ca, source, target = sys.argv[1:6]
signer = signers.SimpleSigner.load(key, cert, ca_chain_files=(ca,))
with open(source, 'rb') as f:
    w = IncrementalPdfFileWriter(f)
    meta = signers.PdfSignatureMetadata(field_name='Signature1', subfilter=SigSeedSubFilter.PADES, md_algorithm='sha256')
    with open(target, 'wb') as out:
        signers.sign_pdf(w, meta, signer=signer, output=out)
PY
cat > "$work/pyhanko_validate.py" <<'PY'
import sys
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko.keys import load_cert_from_pemder
root, ca, path = sys.argv[1:4]
vc = ValidationContext(trust_roots=[load_cert_from_pemder(root)], other_certs=[load_cert_from_pemder(ca)], allow_fetching=False)
with open(path, 'rb') as f:
    for sig in PdfFileReader(f).embedded_signatures:
        st = validate_pdf_signature(sig, vc)
        print(sig.field_name, st.bottom_line, st.coverage.name)
        if not st.bottom_line: sys.exit(1)
PY

swift build -c release --static-swift-stdlib --product vanthu --scratch-path .build-static >/dev/null
swift build -c release --static-swift-stdlib --package-path Fuzz/PDF --product PDFBenchmark >/dev/null
cli="$root_dir/.build-static/release/vanthu"
lib="$(swift build -c release --static-swift-stdlib --package-path Fuzz/PDF --show-bin-path)/PDFBenchmark"

# Neither library may bring Foundation (and with it CoreFoundation and ICU) into a program
# that only signs and verifies: that alone was 6 MiB of every run's peak.
if nm "$lib" | grep -q ' \$s10Foundation'; then
  echo "PDFBenchmark links Foundation: VanThuSigning or VanThuPDF imports it again" >&2; exit 1
fi

# Linked for a small footprint. A run touches a few thousand functions spread over 16 MB of
# code, and the kernel maps 64 KiB of the file around every code fault, so most of a short
# run's memory is code it never executes. This build:
#   - compiles every Swift module with one section per function (-function-sections);
#   - links with lld, packs the relative relocations (RELR) and exports no symbols from the
#     executable (nothing loads plug-ins into it), which keeps the loader from reading and
#     writing 2 MiB of relocations and symbol tables at start-up;
#   - orders the functions that a training run executes first, together: the run signs
#     and verifies a different, two-page PDF with another person's key, under valgrind's
#     callgrind, which lists every function executed. Functions it never saw keep their
#     place, so the ordering changes where code lies, never what runs.
# OpenSSL stays the system's shared libcrypto, so Debian's security updates still apply.
command -v valgrind >/dev/null || { echo "the footprint link needs valgrind (apt-get install valgrind)" >&2; exit 1; }
small=(-c release --static-swift-stdlib --package-path Fuzz/PDF --product PDFBenchmark
       --scratch-path "$root_dir/Fuzz/PDF/.build-small"
       -Xswiftc -Xfrontend -Xswiftc -function-sections -Xswiftc -use-ld=lld
       -Xlinker -z -Xlinker pack-relative-relocs -Xlinker --no-export-dynamic)
swift build "${small[@]}" >/dev/null
small_lib="$(swift build "${small[@]}" --show-bin-path)/PDFBenchmark"
python3 "$work/make_pdf.py" "$work/training.pdf" 2 7
objcopy --strip-debug "$small_lib" "$work/training-bin"   # valgrind 3.19 cannot read DWARF 5
cp "$work/pki/people/lan.tt.key" "$work/training.key"; cp "$work/pki/people/lan.tt.pem" "$work/training.pem"
valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/training.sign" "$work/training-bin" sign \
  "$work/training.pdf" "$work/training-signed.pdf" "$work/training.key" "$work/training.pem" "$work/ca.pem" >/dev/null 2>&1
valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/training.verify" "$work/training-bin" verify \
  "$work/training-signed.pdf" "$work/root.pem" "$work/ca.pem" >/dev/null 2>&1
grep -hoE '^c?fn=\([0-9]+\) .*' "$work/training.sign" "$work/training.verify" | sed -E 's/^c?fn=\([0-9]+\) //; s/'"'"'[0-9]+$//' \
  | awk '!seen[$0]++' > "$work/order.txt"
swift build "${small[@]}" -Xlinker --symbol-ordering-file="$work/order.txt" -Xlinker --no-warn-symbol-ordering >/dev/null

# Median of $runs runs: "seconds peak_kB".
measure() {
  local label="$1"; shift
  local results=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/out" 2>&1 || { echo "$label failed:"; cat "$work/out"; exit 1; }
    results+=("$(cat "$work/time")")
  done
  printf '%s\n' "${results[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p" | {
    read -r seconds kb
    printf '| %-42s | %8.2f s | %8.1f MiB |\n' "$label" "$seconds" "$(echo "$kb / 1024" | bc -l)"
    printf '%s|%s|%s\n' "$label" "$seconds" "$kb" >> "$work/results"
  }
}

# GNU time runs programs, not shell functions: the arguments are spelled out.
sign=(sign "$work/input.pdf" --pades --key "$work/signer.key" --cert "$work/signer.pem" --chain "$work/ca.pem")
trust=(--trust "$work/root.pem" --untrusted "$work/ca.pem")

size_mb=$(du -m "$work/input.pdf" | cut -f1)
echo "Input: 100 pages, ${size_mb} MB; median of $runs runs on $(nproc) cores"
echo
echo "| step                                       | time       | peak RSS     |"
echo "| ------------------------------------------ | ---------- | ------------ |"
measure "VanThuPDF sign (library)" "$lib" sign "$work/input.pdf" "$work/ours.pdf" "$work/signer.key" "$work/signer.pem" "$work/ca.pem"
measure "VanThuPDF sign (library, small link)" "$small_lib" sign "$work/input.pdf" "$work/ours-small.pdf" "$work/signer.key" "$work/signer.pem" "$work/ca.pem"
measure "vanthu sign --pades (client)" "$cli" "${sign[@]}" --out "$work/ours-cli.pdf"
measure "pyHanko sign" python3 "$work/pyhanko_sign.py" "$work/signer.key" "$work/signer.pem" "$work/ca.pem" "$work/input.pdf" "$work/theirs.pdf"
measure "VanThuPDF verify (ours, library)" "$lib" verify "$work/ours.pdf" "$work/root.pem" "$work/ca.pem"
measure "VanThuPDF verify (ours, small link)" "$small_lib" verify "$work/ours-small.pdf" "$work/root.pem" "$work/ca.pem"
measure "vanthu verify (ours, client)" "$cli" verify "$work/ours-cli.pdf" "${trust[@]}"
measure "pyHanko validate (ours)" python3 "$work/pyhanko_validate.py" "$work/root.pem" "$work/ca.pem" "$work/ours.pdf"
measure "VanThuPDF verify (pyHanko's, library)" "$lib" verify "$work/theirs.pdf" "$work/root.pem" "$work/ca.pem"
measure "VanThuPDF verify (pyHanko's, small link)" "$small_lib" verify "$work/theirs.pdf" "$work/root.pem" "$work/ca.pem"
measure "vanthu verify (pyHanko's, client)" "$cli" verify "$work/theirs.pdf" "${trust[@]}"
measure "pyHanko validate (pyHanko's)" python3 "$work/pyhanko_validate.py" "$work/root.pem" "$work/ca.pem" "$work/theirs.pdf"

# Against the goal (at least 10 times faster, at most a quarter of pyHanko's memory).
python3 - "$work/results" <<'PY'
import sys
rows = {label: (float(s), int(kb)) for label, s, kb in (line.strip().split("|") for line in open(sys.argv[1]))}
print()
print("| ours | against | times faster | share of pyHanko's peak RSS |")
print("| --- | --- | --- | --- |")
pairs = [("sign", "pyHanko sign", ["VanThuPDF sign (library)", "VanThuPDF sign (library, small link)", "vanthu sign --pades (client)"]),
         ("verify (ours)", "pyHanko validate (ours)", ["VanThuPDF verify (ours, library)", "VanThuPDF verify (ours, small link)", "vanthu verify (ours, client)"]),
         ("verify (pyHanko's)", "pyHanko validate (pyHanko's)", ["VanThuPDF verify (pyHanko's, library)", "VanThuPDF verify (pyHanko's, small link)", "vanthu verify (pyHanko's, client)"])]
for _, theirs, ours in pairs:
    for label in ours:
        t, m = rows[label]; T, M = rows[theirs]
        print(f"| {label} | {theirs} | {T / max(t, 0.005):.0f}x | {100 * m / M:.0f}% |")
PY
