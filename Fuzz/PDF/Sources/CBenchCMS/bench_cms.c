#include "bench_cms.h"
#include <openssl/cms.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/err.h>
#include <string.h>
#include <stdlib.h>

static STACK_OF(X509) *read_certs(const char *path) {
    STACK_OF(X509) *certs = sk_X509_new_null();
    FILE *f = fopen(path, "r");
    if (!f) return certs;
    X509 *c;
    while ((c = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) sk_X509_push(certs, c);
    ERR_clear_error();
    fclose(f);
    return certs;
}

int bench_cms_sign_digest(const char *cert_pem, const char *key_pem, const char *chain_pem,
                          const uint8_t *digest, size_t digest_len, uint8_t **out, size_t *out_len) {
    int ok = 0;
    FILE *cf = fopen(cert_pem, "r"), *kf = fopen(key_pem, "r");
    X509 *cert = cf ? PEM_read_X509(cf, NULL, NULL, NULL) : NULL;
    EVP_PKEY *key = kf ? PEM_read_PrivateKey(kf, NULL, NULL, NULL) : NULL;
    if (cf) fclose(cf);
    if (kf) fclose(kf);
    STACK_OF(X509) *chain = read_certs(chain_pem);
    CMS_ContentInfo *cms = CMS_sign(NULL, NULL, chain, NULL, CMS_PARTIAL | CMS_DETACHED | CMS_BINARY);
    CMS_SignerInfo *si = NULL;
    if (cert && key && cms)
        si = CMS_add1_signer(cms, cert, key, EVP_sha256(), CMS_PARTIAL | CMS_BINARY | CMS_CADES | CMS_NOSMIMECAP);
    if (si && CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT, OBJ_nid2obj(NID_pkcs7_data), -1) == 1
        && CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, digest, (int)digest_len) == 1
        && CMS_SignerInfo_sign(si) == 1) {
        unsigned char *der = NULL;
        int len = i2d_CMS_ContentInfo(cms, &der);
        if (len > 0) {
            *out = malloc((size_t)len);
            memcpy(*out, der, (size_t)len);
            *out_len = (size_t)len;
            OPENSSL_free(der);
            ok = 1;
        }
    }
    if (!ok) ERR_print_errors_fp(stderr);
    CMS_ContentInfo_free(cms);
    sk_X509_pop_free(chain, X509_free);
    X509_free(cert);
    EVP_PKEY_free(key);
    return ok;
}

int bench_cms_verify_digest(const uint8_t *der, size_t der_len, const uint8_t *digest, size_t digest_len,
                            const char *root_pem, const char *chain_pem) {
    const unsigned char *p = der;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)der_len);
    if (!cms) return 0;
    int result = 0;
    STACK_OF(CMS_SignerInfo) *signers = CMS_get0_SignerInfos(cms);
    STACK_OF(X509) *certs = CMS_get1_certs(cms);
    STACK_OF(X509) *extra = read_certs(chain_pem);
    STACK_OF(X509) *roots = read_certs(root_pem);
    if (signers && sk_CMS_SignerInfo_num(signers) == 1) {
        CMS_SignerInfo *si = sk_CMS_SignerInfo_value(signers, 0);
        CMS_set1_signers_certs(cms, extra, 0);
        X509 *signer = NULL;
        CMS_SignerInfo_get0_algs(si, NULL, &signer, NULL, NULL);
        ASN1_OCTET_STRING *md = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING);
        if (signer && md && (size_t)ASN1_STRING_length(md) == digest_len
            && memcmp(ASN1_STRING_get0_data(md), digest, digest_len) == 0 && CMS_SignerInfo_verify(si) == 1) {
            X509_STORE *store = X509_STORE_new();
            for (int i = 0; i < sk_X509_num(roots); i++) X509_STORE_add_cert(store, sk_X509_value(roots, i));
            for (int i = 0; i < sk_X509_num(extra); i++) sk_X509_push(certs, X509_dup(sk_X509_value(extra, i)));
            X509_STORE_CTX *ctx = X509_STORE_CTX_new();
            X509_STORE_CTX_init(ctx, store, signer, certs);
            result = X509_verify_cert(ctx) == 1 ? 1 : -1;
            X509_STORE_CTX_free(ctx);
            X509_STORE_free(store);
        }
    }
    ERR_clear_error();
    sk_X509_pop_free(certs, X509_free);
    sk_X509_pop_free(extra, X509_free);
    sk_X509_pop_free(roots, X509_free);
    CMS_ContentInfo_free(cms);
    return result;
}

void bench_free(void *ptr) { free(ptr); }
