#!/usr/bin/env bash
# Builds the libFuzzer harnesses and runs one of them for a while.
# Usage: Fuzz/run.sh [FuzzSignatureParsing|FuzzCertificateParsing] [SECONDS] [extra libFuzzer flags]
# Findings (crash-*, timeout-*, oom-*) land in Fuzz/findings/; the corpus grows in Fuzz/corpus/NAME.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
name="${1:-FuzzSignatureParsing}"
seconds="${2:-600}"
shift $(( $# > 2 ? 2 : $# )) || true
cd "$here"
swift build -c debug --sanitize=fuzzer --product "$name" >&2
binary="$(swift build -c debug --sanitize=fuzzer --show-bin-path)/$name"
corpus="$here/corpus/$name"
mkdir -p "$corpus" "$here/findings"
if [ -z "$(ls -A "$corpus")" ]; then
    # Seeds from a fresh development PKI: real signatures, certificates, CRLs and keys.
    pki="$(mktemp -d)"
    "$here/../Keys/dev-pki.sh" --out "$pki" >/dev/null
    printf 'Văn bản' > "$pki/doc"
    openssl cms -sign -binary -md sha256 -cades -in "$pki/doc" -signer "$pki/people/hung.nv.pem" \
        -inkey "$pki/people/hung.nv.key" -certfile "$pki/ca/ca.pem" -outform DER -out "$corpus/cades.der"
    openssl cms -sign -binary -md sha384 -nocerts -in "$pki/doc" -signer "$pki/people/lan.tt.pem" \
        -inkey "$pki/people/lan.tt.key" -outform PEM -out "$corpus/nocerts.pem"
    cp "$pki/people/hung.nv.pem" "$corpus/cert.pem"
    openssl x509 -in "$pki/ca/ca.pem" -outform DER -out "$corpus/ca.der"
    cp "$pki/ca/ca.crl.pem" "$corpus/crl.pem"
    openssl crl -in "$pki/ca/ca.crl.pem" -outform DER -out "$corpus/crl.der"
    rm -rf "$pki"
fi
exec "$binary" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$here/findings/" "$@"
