#!/usr/bin/env bash
# Measures VanThuSigning next to `openssl speed` in the same run and prints BENCHMARKS.md rows.
# Usage: Benchmarks/run.sh [SECONDS per measurement, default 1] [ROUNDS, default 5]
# Each row's four rates (key operation, SHA-256 of the document, vanthu sign, vanthu verify) are
# measured ROUNDS times, interleaved, and the medians printed: on a shared machine one sample
# of each can differ by a fifth from the next.
# Needs ~1.1 GiB of free space in $TMPDIR for the hashing file. Run on an otherwise idle machine.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
seconds="${1:-1}"
rounds="${2:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$here"
swift build -c release --product vanthu-bench >&2
bench="$(swift build -c release --show-bin-path)/vanthu-bench"

# Keys: RSA-3072 from the dev PKI; RSA-2048 and P-256 issued by its CA.
"$here/../Keys/dev-pki.sh" --out "$work/pki" >/dev/null
issue() { # name, genpkey options
    openssl genpkey -quiet $2 -out "$work/$1.key"
    openssl req -new -key "$work/$1.key" -subj "/C=VN/CN=Bench $1" -out "$work/$1.csr"
    openssl ca -batch -notext -config "$work/pki/ca/openssl.cnf" -extensions v3_signer -in "$work/$1.csr" \
        -out "$work/$1.pem" 2>/dev/null
}
issue rsa2048 "-algorithm RSA -pkeyopt rsa_keygen_bits:2048"
cp "$work/pki/people/hung.nv.key" "$work/rsa3072.key"; cp "$work/pki/people/hung.nv.pem" "$work/rsa3072.pem"
issue p256 "-algorithm EC -pkeyopt ec_paramgen_curve:P-256"
openssl ca -batch -gencrl -config "$work/pki/ca/openssl.cnf" -out "$work/pki/trust/vanthu-dev-ca.crl.pem" 2>/dev/null

head -c 10240 /dev/urandom > "$work/10k"
head -c 10485760 /dev/urandom > "$work/10m"

speed() { # algorithm, threads -> "sign verify" per second
    local multi=()
    [ "$2" -gt 1 ] && multi=(-multi "$2")
    openssl speed -seconds "$seconds" "${multi[@]}" "$1" 2>/dev/null | awk '/bits/ { s = $(NF-1); v = $NF } END { print s, v }'
}

hashes() { # bytes, threads -> SHA-256 digests of that many bytes per second, by `openssl speed -evp`
    local multi=()
    [ "$2" -gt 1 ] && multi=(-multi "$2")
    openssl speed -seconds "$seconds" "${multi[@]}" -evp sha256 -bytes "$1" 2>/dev/null |
        awk -v n="$1" '/^sha256/ { v = $NF; sub(/k$/, "", v); print v * 1000 / n }'
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", 100 * a / b }'; }
# The rate of doing both operations one after the other: 1 / (1/a + 1/b).
serial() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", 1 / (1 / a + 1 / b) }'; }

# Two references per row: the raw key operation alone (`openssl speed rsa2048`), and that
# operation plus `openssl speed -evp sha256` hashing the same document, the least any CMS
# signature over the document costs. The second is the one a 10 MB document can be judged by.
echo "| key | document | threads | openssl sign/s | + SHA-256 of the document | vanthu sign/s | ratio to sign | ratio to sign + hash | openssl verify/s | + SHA-256 of the document | vanthu verify/s | ratio to verify | ratio to verify + hash |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for key in rsa2048 rsa3072 p256; do
    algorithm=$key; [ "$key" = p256 ] && algorithm=ecdsap256
    for threads in 1 2; do
        for doc in 10k 10m; do
            size=10240; [ "$doc" = 10m ] && size=10485760
            raw_signs=(); raw_verifies=(); digest_rates=(); signs=(); verifies=()
            for _ in $(seq "$rounds"); do
                read -r s v < <(speed "$algorithm" "$threads"); raw_signs+=("$s"); raw_verifies+=("$v")
                digest_rates+=("$(hashes "$size" "$threads")")
                signs+=("$("$bench" sign "$work/$key.key" "$work/$key.pem" "$work/pki/ca/ca.pem" "$work/$doc" "$seconds" "$threads")")
                verifies+=("$("$bench" verify "$work/$key.key" "$work/$key.pem" "$work/pki/ca/ca.pem" "$work/$doc" "$work/pki/trust" "$seconds" "$threads")")
            done
            raw_sign=$(median "${raw_signs[@]}"); raw_verify=$(median "${raw_verifies[@]}"); digests=$(median "${digest_rates[@]}")
            sign=$(median "${signs[@]}"); verify=$(median "${verifies[@]}")
            sign_ref=$(serial "$raw_sign" "$digests"); verify_ref=$(serial "$raw_verify" "$digests")
            printf '| %s | %s | %s | %s | %s | %s | %s%% | %s%% | %s | %s | %s | %s%% | %s%% |\n' "$key" "$doc" "$threads" \
                "$raw_sign" "$sign_ref" "$sign" "$(ratio "$sign" "$raw_sign")" "$(ratio "$sign" "$sign_ref")" \
                "$raw_verify" "$verify_ref" "$verify" "$(ratio "$verify" "$raw_verify")" "$(ratio "$verify" "$verify_ref")"
        done
    done
done

head -c 1073741824 /dev/urandom > "$work/1g"
cat "$work/1g" > /dev/null   # both readers start from the page cache
start=$(date +%s.%N); openssl dgst -sha256 "$work/1g" >/dev/null; end=$(date +%s.%N)
openssl_mbs=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", 1073.741824 / (e - s) }')
read -r ours _ rss _ < <("$bench" hash "$work/1g")
echo
echo "| hashing 1 GiB (SHA-256) | MB/s | peak RSS |"
echo "| --- | --- | --- |"
echo "| openssl dgst -sha256 | $openssl_mbs | |"
echo "| vanthu (StreamingDigest.hash(fileAt:)) | $ours ($(awk -v a="$ours" -v b="$openssl_mbs" 'BEGIN { printf "%.0f", 100 * a / b }')%) | $rss MiB |"
