#ifndef VANTHU_COPENSSL_SHIM_H
#define VANTHU_COPENSSL_SHIM_H

// OpenSSL 3 as Swift sees it. Function-like macros and variadic functions
// are not imported by Swift, so the ones VanThu needs are wrapped here as
// static inline functions with a `vt_` prefix.

#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/x509_vfy.h>
#include <openssl/cms.h>
#include <openssl/pkcs12.h>
#include <openssl/ess.h>
#include <openssl/rsa.h>
#include <openssl/ec.h>
#include <openssl/decoder.h>
#include <openssl/provider.h>
#include <openssl/objects.h>
#include <string.h>

static inline void vt_openssl_free(void *ptr) { OPENSSL_free(ptr); }
static inline int vt_evp_pkey_keypair(void) { return EVP_PKEY_KEYPAIR; }

// Stacks of certificates. A pushed certificate is up-referenced, so the stack
// owns one reference to each element and vt_sk_X509_free_all releases them.
static inline STACK_OF(X509) *vt_sk_X509_new(void) { return sk_X509_new_null(); }
static inline int vt_sk_X509_push_ref(STACK_OF(X509) *sk, X509 *x) {
    if (X509_up_ref(x) != 1) return 0;
    if (sk_X509_push(sk, x) <= 0) { X509_free(x); return 0; }
    return 1;
}
static inline int vt_sk_X509_num(const STACK_OF(X509) *sk) { return sk == NULL ? 0 : sk_X509_num(sk); }
static inline X509 *vt_sk_X509_value(const STACK_OF(X509) *sk, int i) { return sk_X509_value(sk, i); }
static inline void vt_sk_X509_free_all(STACK_OF(X509) *sk) { sk_X509_pop_free(sk, X509_free); }

static inline int vt_sk_CMS_SignerInfo_num(STACK_OF(CMS_SignerInfo) *sk) { return sk == NULL ? 0 : sk_CMS_SignerInfo_num(sk); }
static inline CMS_SignerInfo *vt_sk_CMS_SignerInfo_value(STACK_OF(CMS_SignerInfo) *sk, int i) { return sk_CMS_SignerInfo_value(sk, i); }

// Memory BIO contents without copying; valid until the BIO changes or is freed.
// Extended key usage of a signer's certificate (RFC 5280 §4.2.1.12): -1 when the certificate
// has none (no restriction), 1 when it allows document signatures, 0 when it does not. Allowed:
// anyExtendedKeyUsage, emailProtection (S/MIME, what OpenSSL's CMS verification asks),
// clientAuth (Vietnamese CAs issue token certificates with clientAuth and emailProtection),
// id-kp-documentSigning (RFC 9336), Microsoft's document signing and Adobe's Authentic
// Documents Trust. -2 when the extension cannot be read.
static inline int vt_eku_allows_document_signing(X509 *x) {
    int critical = -1;
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, &critical, NULL);
    if (eku == NULL) return critical == -1 ? -1 : -2;
    static const char *const allowed[] = { "2.5.29.37.0", "1.3.6.1.5.5.7.3.4", "1.3.6.1.5.5.7.3.2",
        "1.3.6.1.5.5.7.3.36", "1.3.6.1.4.1.311.10.3.12", "1.2.840.113583.1.1.5" };
    int verdict = 0;
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku) && !verdict; i++) {
        char text[80];
        if (OBJ_obj2txt(text, sizeof text, sk_ASN1_OBJECT_value(eku, i), 1) <= 0) continue;
        for (size_t j = 0; j < sizeof allowed / sizeof allowed[0]; j++) {
            if (strcmp(text, allowed[j]) == 0) { verdict = 1; break; }
        }
    }
    sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
    return verdict;
}

// The purposes an extended key usage lists, as short names or dotted OIDs, comma-separated
// into `out` (truncated to `size`). Returns the number listed.
static inline int vt_eku_names(X509 *x, char *out, size_t size) {
    if (size == 0) return 0;
    out[0] = 0;
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
    if (eku == NULL) return 0;
    int count = sk_ASN1_OBJECT_num(eku);
    for (int i = 0; i < count; i++) {
        char text[80];
        ASN1_OBJECT *object = sk_ASN1_OBJECT_value(eku, i);
        int nid = OBJ_obj2nid(object);
        const char *name = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;
        if (name == NULL) { if (OBJ_obj2txt(text, sizeof text, object, 1) <= 0) continue; name = text; }
        if (out[0] != 0) strncat(out, ", ", size - strlen(out) - 1);
        strncat(out, name, size - strlen(out) - 1);
    }
    sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
    return count;
}

static inline long vt_bio_mem_contents(BIO *bio, const char **out) { return BIO_get_mem_data(bio, out); }

// Passphrase callback for PEM and DER readers: `u` is a NUL-terminated passphrase
// or NULL. Unlike OpenSSL's default it never prompts on the terminal.
static int vt_passphrase_callback(char *buf, int size, int rwflag, void *u) {
    (void)rwflag;
    if (u == NULL || size <= 0) return -1;
    size_t len = strlen((const char *)u);
    if (len > (size_t)size) return -1;
    memcpy(buf, u, len);
    return (int)len;
}
static inline pem_password_cb *vt_passphrase_cb(void) { return vt_passphrase_callback; }

// The oldest error on this thread's queue, removed from it, with its extra data.
static inline unsigned long vt_err_get(const char **data, int *flags) {
    const char *file = NULL, *func = NULL; int line = 0;
    return ERR_get_error_all(&file, &line, &func, data, flags);
}
// PKCS#11 tokens (USB tokens, smart cards, HSMs) through libp11's engine (Debian's
// libengine-pkcs11-openssl): OpenSSL 3 has no PKCS#11 provider in Debian 12, and the ENGINE API,
// though deprecated, is what loads it. Deprecation warnings stay inside these wrappers.
#include <openssl/engine.h>
#include <openssl/ui.h>
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
// A functional reference to the pkcs11 engine over `module_path` (a PKCS#11 module such as
// p11-kit-proxy.so or libsofthsm2.so), quiet and never prompting; NULL if it cannot be loaded.
static inline ENGINE *vt_pkcs11_engine(const char *module_path) {
    ENGINE_load_dynamic();
    ENGINE *engine = ENGINE_by_id("pkcs11");
    if (engine == NULL) return NULL;
    if (!ENGINE_ctrl_cmd_string(engine, "MODULE_PATH", module_path, 0)) { ENGINE_free(engine); return NULL; }
    ENGINE_ctrl_cmd(engine, "QUIET", 0, NULL, NULL, 0);
    if (!ENGINE_init(engine)) { ENGINE_free(engine); return NULL; }
    ENGINE_free(engine); /* the functional reference from ENGINE_init keeps it */
    ENGINE_ctrl_cmd(engine, "SET_USER_INTERFACE", 0, (void *)UI_null(), NULL, 0);
    return engine;
}
// The private key at a PKCS#11 URI, logging in with `pin` (may be NULL for tokens without one).
static inline EVP_PKEY *vt_pkcs11_private_key(ENGINE *engine, const char *uri, const char *pin) {
    if (pin != NULL && !ENGINE_ctrl_cmd_string(engine, "PIN", pin, 0)) return NULL;
    return ENGINE_load_private_key(engine, uri, (UI_METHOD *)UI_null(), NULL);
}
// The certificate at a PKCS#11 URI (libp11's LOAD_CERT_CTRL), or NULL.
static inline X509 *vt_pkcs11_certificate(ENGINE *engine, const char *uri) {
    struct { const char *uri; X509 *certificate; } parameters = { uri, NULL };
    if (!ENGINE_ctrl_cmd(engine, "LOAD_CERT_CTRL", 0, &parameters, NULL, 0)) return NULL;
    return parameters.certificate;
}
#pragma GCC diagnostic pop
// What decides whether a CRL may be used at all, and for which certificates (RFC 5280 §5.2,
// §5.3, §6.3.3). OpenSSL computes the same internally but keeps it in the opaque X509_CRL.
enum {
    VT_CRL_DELTA = 1,                 // deltaCRLIndicator: not a complete CRL
    VT_CRL_UNHANDLED_CRITICAL = 2,    // a critical CRL or entry extension VanThu does not process
    VT_CRL_IDP = 4,                   // issuingDistributionPoint present
    VT_CRL_IDP_ONLY_USER = 8,
    VT_CRL_IDP_ONLY_CA = 16,
    VT_CRL_IDP_SOME_REASONS = 32,
    VT_CRL_IDP_INDIRECT = 64,
    VT_CRL_IDP_ONLY_ATTRIBUTE = 128,
    VT_CRL_IDP_NAMED = 256,           // the IDP names a distribution point (a partitioned CRL)
    VT_CRL_IDP_UNREADABLE = 512,      // the IDP is damaged or repeated
};

static inline int vt_crl_extension_unhandled(X509_EXTENSION *ext, const int *handled, int count) {
    if (!X509_EXTENSION_get_critical(ext)) return 0;
    int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
    for (int i = 0; i < count; i++) if (handled[i] == nid) return 0;
    return 1;
}

static inline int vt_crl_facts(X509_CRL *crl) {
    static const int crlHandled[] = { NID_authority_key_identifier, NID_issuer_alt_name, NID_crl_number,
                                      NID_delta_crl, NID_issuing_distribution_point };
    // certificateIssuer only appears in indirect CRLs, which are not used.
    static const int entryHandled[] = { NID_crl_reason, NID_invalidity_date, NID_hold_instruction_code };
    int flags = 0;
    for (int i = 0; i < X509_CRL_get_ext_count(crl); i++) {
        X509_EXTENSION *ext = X509_CRL_get_ext(crl, i);
        if (OBJ_obj2nid(X509_EXTENSION_get_object(ext)) == NID_delta_crl) flags |= VT_CRL_DELTA;
        if (vt_crl_extension_unhandled(ext, crlHandled, 5)) flags |= VT_CRL_UNHANDLED_CRITICAL;
    }
    STACK_OF(X509_REVOKED) *revoked = X509_CRL_get_REVOKED(crl);
    for (int i = 0; i < sk_X509_REVOKED_num(revoked); i++) {
        const STACK_OF(X509_EXTENSION) *exts = X509_REVOKED_get0_extensions(sk_X509_REVOKED_value(revoked, i));
        for (int j = 0; j < sk_X509_EXTENSION_num(exts); j++)
            if (vt_crl_extension_unhandled(sk_X509_EXTENSION_value(exts, j), entryHandled, 3)) flags |= VT_CRL_UNHANDLED_CRITICAL;
    }
    int found = -1;
    ISSUING_DIST_POINT *idp = X509_CRL_get_ext_d2i(crl, NID_issuing_distribution_point, &found, NULL);
    if (idp != NULL) {
        flags |= VT_CRL_IDP;
        if (idp->onlyuser > 0) flags |= VT_CRL_IDP_ONLY_USER;
        if (idp->onlyCA > 0) flags |= VT_CRL_IDP_ONLY_CA;
        if (idp->onlysomereasons != NULL) flags |= VT_CRL_IDP_SOME_REASONS;
        if (idp->indirectCRL > 0) flags |= VT_CRL_IDP_INDIRECT;
        if (idp->onlyattr > 0) flags |= VT_CRL_IDP_ONLY_ATTRIBUTE;
        if (idp->distpoint != NULL) flags |= VT_CRL_IDP_NAMED;
        ISSUING_DIST_POINT_free(idp);
    } else if (found != -1) {
        flags |= VT_CRL_IDP | VT_CRL_IDP_UNREADABLE;
    }
    return flags;
}

// URIs compared as RFC 5280 §7.4 says: scheme and host without regard to case, the rest exactly.
static inline int vt_uri_equal(const ASN1_IA5STRING *a, const ASN1_IA5STRING *b) {
    int length = ASN1_STRING_length(a);
    if (length != ASN1_STRING_length(b)) return 0;
    const unsigned char *x = ASN1_STRING_get0_data(a), *y = ASN1_STRING_get0_data(b);
    int authorityEnd = 0;
    for (int i = 0; i + 2 < length; i++) {
        if (x[i] == ':' && x[i + 1] == '/' && x[i + 2] == '/') {
            authorityEnd = i + 3;
            while (authorityEnd < length && x[authorityEnd] != '/') authorityEnd++;
            break;
        }
    }
    for (int i = 0; i < length; i++) {
        unsigned char p = x[i], q = y[i];
        if (i < authorityEnd) {
            if (p >= 'A' && p <= 'Z') p = (unsigned char)(p + 32);
            if (q >= 'A' && q <= 'Z') q = (unsigned char)(q + 32);
        }
        if (p != q) return 0;
    }
    return 1;
}

static inline int vt_general_name_equal(GENERAL_NAME *a, GENERAL_NAME *b) {
    if (a->type == GEN_URI && b->type == GEN_URI)
        return vt_uri_equal(a->d.uniformResourceIdentifier, b->d.uniformResourceIdentifier);
    return GENERAL_NAME_cmp(a, b) == 0;
}

// 1 when the certificate has CRL distribution points and every one names a cRLIssuer: its
// status is then only in that issuer's indirect CRL, never in its own CA's CRL (RFC 5280
// §6.3.3 (b)(1)); VanThu uses no indirect CRLs.
static inline int vt_crl_issuer_named_elsewhere(X509 *x) {
    STACK_OF(DIST_POINT) *points = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL);
    int count = points == NULL ? 0 : sk_DIST_POINT_num(points);
    int elsewhere = count > 0;
    for (int i = 0; i < count; i++)
        if (sk_DIST_POINT_value(points, i)->CRLissuer == NULL) elsewhere = 0;
    sk_DIST_POINT_pop_free(points, DIST_POINT_free);
    return elsewhere;
}

// 1 when the CRL's issuingDistributionPoint full name matches a full name of one of the
// certificate's CRL distribution points (RFC 5280 §6.3.3 (b)(2)(i)); 0 otherwise, including
// relative names and certificates without distribution points.
static inline int vt_crl_distribution_point_matches(X509_CRL *crl, X509 *x) {
    ISSUING_DIST_POINT *idp = X509_CRL_get_ext_d2i(crl, NID_issuing_distribution_point, NULL, NULL);
    STACK_OF(DIST_POINT) *points = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL);
    int matched = 0;
    if (idp != NULL && idp->distpoint != NULL && idp->distpoint->type == 0 && points != NULL) {
        GENERAL_NAMES *wanted = idp->distpoint->name.fullname;
        for (int i = 0; !matched && i < sk_DIST_POINT_num(points); i++) {
            DIST_POINT *point = sk_DIST_POINT_value(points, i);
            if (point->distpoint == NULL || point->distpoint->type != 0) continue;
            GENERAL_NAMES *names = point->distpoint->name.fullname;
            for (int j = 0; !matched && j < sk_GENERAL_NAME_num(names); j++)
                for (int k = 0; !matched && k < sk_GENERAL_NAME_num(wanted); k++)
                    if (vt_general_name_equal(sk_GENERAL_NAME_value(names, j), sk_GENERAL_NAME_value(wanted, k))) matched = 1;
        }
    }
    ISSUING_DIST_POINT_free(idp);
    sk_DIST_POINT_pop_free(points, DIST_POINT_free);
    return matched;
}

// Accepts expired and not-yet-valid certificates while OpenSSL builds a path at the
// validation time: it still prefers issuers valid then, and VanThu judges the dates itself.
static int vt_ignore_time_errors(int ok, X509_STORE_CTX *ctx) {
    if (ok) return ok;
    int error = X509_STORE_CTX_get_error(ctx);
    if (error == X509_V_ERR_CERT_HAS_EXPIRED || error == X509_V_ERR_CERT_NOT_YET_VALID) {
        X509_STORE_CTX_set_error(ctx, X509_V_OK);
        return 1;
    }
    return ok;
}
static inline X509_STORE_CTX_verify_cb vt_ignore_time_errors_cb(void) { return vt_ignore_time_errors; }

#endif
