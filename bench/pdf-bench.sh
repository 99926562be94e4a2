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
#   Both are release builds with the Swift runtime linked in (--static-swift-stdlib). The
#   client is built as `make cli` builds it (scripts/small-link.sh); PDFBenchmark is measured
#   twice, linked as SwiftPM links by default and linked like the client.
# Needs: openssl, python3 with pyhanko + pyhanko-certvalidator (make test-deps), GNU time,
# valgrind (for scripts/small-link.sh's training run).
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
python3 bench/make-pdf.py "$work/input.pdf" 100 30

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

# The client as `make cli` builds it, the library program as SwiftPM links it by default, and
# the library program linked for a small footprint (scripts/small-link.sh says how).
cli="$(scripts/small-link.sh vanthu .build-static 2>"$work/build-cli.log")" || { cat "$work/build-cli.log"; exit 1; }
swift build -c release --static-swift-stdlib --package-path Fuzz/PDF --product PDFBenchmark >/dev/null
lib="$(swift build -c release --static-swift-stdlib --package-path Fuzz/PDF --show-bin-path)/PDFBenchmark"
small_lib="$(scripts/small-link.sh PDFBenchmark Fuzz/PDF/.build-small --package-path Fuzz/PDF 2>"$work/build-lib.log")" \
  || { cat "$work/build-lib.log"; exit 1; }
grep -h "without ordering" "$work/build-cli.log" "$work/build-lib.log" || true

# Neither library may bring Foundation (and with it CoreFoundation and ICU) into a program
# that only signs and verifies: that alone was 6 MiB of every run's peak.
nm "$lib" > "$work/symbols"   # not piped into grep -q: under pipefail nm's SIGPIPE would hide a match
if grep -q ' \$s10Foundation' "$work/symbols"; then
  echo "PDFBenchmark links Foundation: VanThuSigning or VanThuPDF imports it again" >&2; exit 1
fi

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
