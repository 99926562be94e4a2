#!/usr/bin/env bash
# Builds a release binary with the Swift runtime linked in (--static-swift-stdlib), linked for
# a small footprint, and prints its path:
#   scripts/small-link.sh vanthu .build-static                               (make cli)
#   scripts/small-link.sh PDFBenchmark Fuzz/PDF/.build-small --package-path Fuzz/PDF   (bench)
#
# Why: a signing or verifying run touches a few thousand functions spread over 16-23 MB of
# code, and the kernel maps 64 KiB of the file around every code fault, so most of a short
# run's memory would be code it never executes (BENCHMARKS.md, "PDF signatures"). This build
#   - compiles every Swift module with one section per function (-function-sections);
#   - links with lld, packs the relative relocations (RELR) and exports no symbols from the
#     executable (nothing loads plug-ins into it), so the loader neither reads nor dirties
#     megabytes of relocations and symbol tables at start-up. RELR needs glibc 2.36 (Debian 12,
#     Ubuntu 24.04) where the binary runs; RELR=0 leaves it out for older systems (Ubuntu
#     22.04's glibc 2.35), at about 1.3 MiB more memory per run;
#   - places together the functions a training run executes: it signs and verifies a
#     two-page PDF (and, for the client, a detached CAdES signature) with a development PKI,
#     under valgrind's callgrind, which lists every function executed. Functions it never
#     saw keep their place: the ordering changes where code lies, never what runs. Without
#     valgrind the binary is linked unordered, and the script says so.
# OpenSSL stays the system's shared libcrypto, so Debian's security updates still reach it.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: scripts/small-link.sh PRODUCT SCRATCH_PATH [swift build options]" >&2; exit 3; }
product="$1" scratch="$2"; shift 2
cd "$(dirname "$0")/.."
root="$PWD"
case "$scratch" in /*) ;; *) scratch="$root/$scratch" ;; esac
swift="${SWIFT:-swift}"

flags=(-c release --static-swift-stdlib --product "$product" --scratch-path "$scratch" "$@"
       -Xswiftc -Xfrontend -Xswiftc -function-sections -Xswiftc -use-ld=lld -Xlinker --no-export-dynamic)
if [ "${RELR:-1}" != 0 ]; then flags+=(-Xlinker -z -Xlinker pack-relative-relocs); fi
"$swift" build "${flags[@]}" >&2
bin="$("$swift" build "${flags[@]}" --show-bin-path)/$product"

if ! command -v valgrind >/dev/null; then
  echo "valgrind is not installed: $product is linked without ordering its functions" >&2
  echo "$bin"; exit 0
fi

work="$(mktemp -d /tmp/vanthu-small-link.XXXXXX)"
trap 'rm -rf "$work"' EXIT
Keys/dev-pki.sh --out "$work/pki" >/dev/null
python3 bench/make-pdf.py "$work/doc.pdf" 2 7
people="$work/pki/people"
objcopy --strip-debug "$bin" "$work/bin"   # valgrind 3.19 cannot read Swift's DWARF 5
train() { valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/cg.$1" "$work/bin" "${@:2}" >/dev/null 2>&1 || true; }
case "$product" in
  PDFBenchmark)
    train 1 sign "$work/doc.pdf" "$work/signed.pdf" "$people/lan.tt.key" "$people/lan.tt.pem" "$work/pki/ca/ca.pem"
    train 2 verify "$work/signed.pdf" "$work/pki/root/root.pem" "$work/pki/ca/ca.pem" ;;
  vanthu)
    key=(--key "$people/lan.tt.key" --cert "$people/lan.tt.pem" --chain "$work/pki/ca/ca.pem")
    trust=(--trust "$work/pki/root/root.pem" --untrusted "$work/pki/ca/ca.pem")
    train 1 sign "$work/doc.pdf" --pades "${key[@]}" --out "$work/signed.pdf"
    train 2 verify "$work/signed.pdf" "${trust[@]}"
    train 3 sign "$work/doc.pdf" "${key[@]}" --out "$work/doc.p7s"
    train 4 verify "$work/doc.pdf" --signature "$work/doc.p7s" "${trust[@]}" ;;
  *) echo "no training run is defined for $product" >&2; exit 3 ;;
esac
# Every function named in the call graphs, in the order callgrind first lists them.
shopt -s nullglob
profiles=("$work"/cg.*)
: > "$work/order.txt"
if [ ${#profiles[@]} -gt 0 ]; then
  grep -hoE '^c?fn=\([0-9]+\) .*' "${profiles[@]}" | sed -E 's/^c?fn=\([0-9]+\) //; s/'"'"'[0-9]+$//' \
    | awk '!seen[$0]++' > "$work/order.txt" || true
fi
[ "$(wc -l < "$work/order.txt")" -gt 1000 ] || { echo "the training run of $product failed: see $work" >&2; trap - EXIT; exit 1; }
"$swift" build "${flags[@]}" -Xlinker --symbol-ordering-file="$work/order.txt" -Xlinker --no-warn-symbol-ordering >&2
echo "$bin"
