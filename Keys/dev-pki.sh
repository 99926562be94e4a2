#!/usr/bin/env bash
# Development PKI for VanThu: a root CA, an issuing CA shaped like the Government CA's
# (RSA-3072, SHA-256, Vietnamese UTF-8 subjects, C=VN), organisation (seal) and personal
# certificates for the demo people, and CRLs in which one person's certificate is revoked.
#
# Usage: Keys/dev-pki.sh [--out DIR] [--force]
#   --out DIR  where to write (default: Keys/dev next to this script)
#   --force    regenerate everything, keys included
# The PKCS#12 passphrase comes from VANTHU_DEV_P12_PASSPHRASE (default: vanthu-dev) and is
# handed to openssl through the environment, never on a command line.
# Re-running keeps existing keys and certificates and only fills in what is missing.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
out="$here/dev"
force=0
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out="$2"; shift 2 ;;
        --force) force=1; shift ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "dev-pki.sh: unknown argument $1" >&2; exit 3 ;;
    esac
done
export VANTHU_DEV_P12_PASSPHRASE="${VANTHU_DEV_P12_PASSPHRASE:-vanthu-dev}"

if [ "$force" = 1 ]; then rm -rf "$out"; fi
umask 077
mkdir -p "$out"/root "$out"/ca/issued "$out"/people "$out"/orgs "$out"/trust

root_dn="/C=VN/O=VanThu Dev/CN=VanThu Dev Root CA"
ca_dn="/C=VN/O=VanThu Dev/CN=VanThu Dev CA phục vụ các cơ quan Nhà nước"
sgd="Sở Giáo dục và Đào tạo tỉnh Thanh Hóa"
pgd="Phòng Giáo dục và Đào tạo thành phố Thanh Hóa"
school="Trường THCS Trần Mai Ninh"

# Runs a chatty openssl command and shows its output only when it fails.
quiet() {
    local log
    log="$("$@" 2>&1)" || { printf '%s\n' "$log" >&2; return 1; }
}

write_config() { # $1 dir, $2 CA name
    cat > "$1/openssl.cnf" <<CNF
[ ca ]
default_ca = dev_ca
[ dev_ca ]
dir = $1
database = \$dir/index.txt
serial = \$dir/serial
crlnumber = \$dir/crlnumber
new_certs_dir = \$dir/issued
certificate = \$dir/$2.pem
private_key = \$dir/$2.key
default_md = sha256
default_days = 825
default_crl_days = 30
policy = policy_any
unique_subject = no
copy_extensions = none
utf8 = yes
string_mask = utf8only
preserve = yes
[ policy_any ]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
[ req ]
distinguished_name = req_dn
string_mask = utf8only
utf8 = yes
[ req_dn ]
[ v3_root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_issuing_ca ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_signer ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_encipher_only ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_fake_ca ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyCertSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF
    mkdir -p "$1/issued"
    [ -f "$1/index.txt" ] || : > "$1/index.txt"
    [ -f "$1/serial" ] || openssl rand -hex 16 > "$1/serial"
    [ -f "$1/crlnumber" ] || echo 1000 > "$1/crlnumber"
}

new_key() { # $1 path; RSA-3072 as on current Government CA tokens
    [ -f "$1" ] || openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$1"
}

# Root CA: self-signed, twenty years.
write_config "$out/root" root
new_key "$out/root/root.key"
# The CAs date from 2020, as real ones predate the certificates they issue, so that signatures
# can be validated at past times (--at) through a chain that was valid then.
if [ ! -f "$out/root/root.pem" ]; then
    openssl req -new -utf8 -config "$out/root/openssl.cnf" -key "$out/root/root.key" -subj "$root_dn" \
        -out "$out/root/root.csr"
    quiet openssl ca -batch -notext -utf8 -preserveDN -selfsign -config "$out/root/openssl.cnf" \
        -keyfile "$out/root/root.key" -extensions v3_root -startdate 20200101000000Z -enddate 20451231235959Z \
        -in "$out/root/root.csr" -out "$out/root/root.pem"
    rm -f "$out/root/root.csr"
fi

# Issuing CA, signed by the root.
write_config "$out/ca" ca
new_key "$out/ca/ca.key"
if [ ! -f "$out/ca/ca.pem" ]; then
    openssl req -new -utf8 -config "$out/ca/openssl.cnf" -key "$out/ca/ca.key" -subj "$ca_dn" \
        -out "$out/ca/ca.csr"
    quiet openssl ca -batch -notext -utf8 -preserveDN -config "$out/root/openssl.cnf" -extensions v3_issuing_ca \
        -startdate 20200101000000Z -enddate 20401231235959Z -in "$out/ca/ca.csr" -out "$out/ca/ca.pem"
    rm -f "$out/ca/ca.csr"
fi

issue() { # $1 dir, $2 name, $3 subject
    local dir="$1" name="$2" subj="$3"
    new_key "$dir/$name.key"
    if [ ! -f "$dir/$name.pem" ]; then
        openssl req -new -utf8 -config "$out/ca/openssl.cnf" -key "$dir/$name.key" -subj "$subj" \
            -out "$dir/$name.csr"
        quiet openssl ca -batch -notext -utf8 -preserveDN -config "$out/ca/openssl.cnf" -extensions v3_signer \
            -in "$dir/$name.csr" -out "$dir/$name.pem"
        rm -f "$dir/$name.csr"
    fi
    if [ ! -f "$dir/$name.p12" ]; then
        openssl pkcs12 -export -inkey "$dir/$name.key" -in "$dir/$name.pem" -certfile "$out/ca/ca.pem" \
            -name "$name" -passout env:VANTHU_DEV_P12_PASSPHRASE -out "$dir/$name.p12"
    fi
}

person() { # username, full name, title, organisation
    issue "$out/people" "$1" "/C=VN/L=Thanh Hóa/O=$4/title=$3/CN=$2/UID=$1"
}

person hung.nv  "Nguyễn Văn Hùng" "Giám đốc" "$sgd"
person lan.tt   "Trần Thị Lan" "Phó Giám đốc" "$sgd"
person huy.lq   "Lê Quang Huy" "Trưởng phòng Giáo dục Trung học" "$sgd"
person huong.pt "Phạm Thị Hương" "Chuyên viên" "$sgd"
person mai.dt   "Đỗ Thị Mai" "Văn thư" "$sgd"
person tung.dv  "Đặng Văn Tùng" "Chuyên viên" "$sgd"
person nam.hv   "Hoàng Văn Nam" "Trưởng phòng" "$pgd"
person hoa.vt   "Vũ Thị Hoa" "Văn thư" "$pgd"
person thang.bd "Bùi Đức Thắng" "Hiệu trưởng" "$school"
person thu.nt   "Ngô Thị Thu" "Văn thư" "$school"

issue "$out/orgs" sgddt-thanhhoa "/C=VN/L=Thanh Hóa/O=$sgd/CN=$sgd"
issue "$out/orgs" pgddt-tp-thanhhoa "/C=VN/L=Thanh Hóa/O=$pgd/CN=$pgd"
issue "$out/orgs" thcs-tran-mai-ninh "/C=VN/L=Thanh Hóa/O=$school/CN=$school"

# Đặng Văn Tùng left the department: his certificate is revoked (once; the CA database remembers).
if ! grep -q '^R' "$out/ca/index.txt"; then
    quiet openssl ca -batch -config "$out/ca/openssl.cnf" -revoke "$out/people/tung.dv.pem" \
        -crl_reason superseded
fi

# CRLs are reissued on every run so they stay fresh (30 days).
quiet openssl ca -batch -gencrl -config "$out/ca/openssl.cnf" -out "$out/ca/ca.crl.pem"
quiet openssl ca -batch -gencrl -config "$out/root/openssl.cnf" -out "$out/root/root.crl.pem"

cp "$out/root/root.pem" "$out/trust/vanthu-dev-root.pem"
cp "$out/ca/ca.crl.pem" "$out/trust/vanthu-dev-ca.crl.pem"
cp "$out/root/root.crl.pem" "$out/trust/vanthu-dev-root.crl.pem"
cp "$out/ca/ca.pem" "$out/ca-chain.pem"
chmod 644 "$out"/root/root.pem "$out"/ca/ca.pem "$out"/trust/* "$out"/ca-chain.pem "$out"/people/*.pem "$out"/orgs/*.pem
echo "dev-pki.sh: development PKI ready in $out"
