#ifndef VANTHU_COPENSSL_SHIM_H
#define VANTHU_COPENSSL_SHIM_H

// OpenSSL 3 as Swift sees it. Function-like macros and variadic functions
// are not imported by Swift, so the ones VanThu needs are wrapped here as
// static inline functions with a `vt_` prefix.

#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>

static inline void vt_openssl_free(void *ptr) { OPENSSL_free(ptr); }

#endif
