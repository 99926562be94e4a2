#ifndef BENCH_CMS_H
#define BENCH_CMS_H
#include <stddef.h>
#include <stdint.h>

// In-process CAdES signing and verification over a precomputed SHA-256 digest,
// for the benchmark only (VanThuSigning provides the product's signer).

/// Signs `digest` as the messageDigest of detached content. Returns 1 and a
/// malloc'ed DER in *out on success.
int bench_cms_sign_digest(const char *cert_pem, const char *key_pem, const char *chain_pem,
                          const uint8_t *digest, size_t digest_len, uint8_t **out, size_t *out_len);

/// Verifies the signer's signature over its signed attributes, that the
/// messageDigest equals `digest`, and the signer's chain to `root_pem`.
/// Returns 1 valid, 0 invalid, -1 chain not trusted.
int bench_cms_verify_digest(const uint8_t *der, size_t der_len, const uint8_t *digest, size_t digest_len,
                            const char *root_pem, const char *chain_pem);

void bench_free(void *ptr);
#endif
