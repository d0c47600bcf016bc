/* SPDX-License-Identifier: MIT */
/*
 * cert-private.h - the certificate checks and descriptions of cert-pem.c, for cert.c and the
 * unit tests (libhostfish-internal.la).
 */
#ifndef HOSTFISH_CERT_PRIVATE_H
#define HOSTFISH_CERT_PRIVATE_H

#include <stddef.h>

#include <openssl/x509.h>

#include "hostfish-private.h"

#define HF_LICENSE_KEY_LEN 29 /* "XXXXX-XXXXX-XXXXX-XXXXX-XXXXX" */
#define HF_CERT_PEM_MAX ((size_t)64 << 10) /* a certificate (or a CA's) in PEM */
#define HF_CERT_USER_MAX 39 /* iLO's longest login name */

/* A text field: 1..max bytes, no C0 control character nor DEL, valid UTF-8.  0 or -EINVAL. */
int hf_cert_text_check(const char *s, size_t max);
/* Check every field of a CSR request; -EINVAL with the reason in why. */
int hf_csr_params_check(const hf_csr_params *p, char *why, size_t whylen);
/* HPE's key format (5 groups of 5 letters or digits, '-' between them): 0 with the key in
 * upper case in out, or -EINVAL. */
int hf_license_key_normalise(const char *key, char out[HF_LICENSE_KEY_LEN + 1]);
/* Exactly one certificate in PEM (no private key, at most HF_CERT_PEM_MAX bytes): 0 and *ret
 * (X509_free()), or -EINVAL with the reason in why, -ENOMEM. */
int hf_cert_load_pem(const char *pem, size_t len, X509 **ret, char *why, size_t whylen);
/* Does pem start with a PEM certificate request (the BMC's CSR)? */
bool hf_cert_is_csr(const char *pem);
/* "AB:CD:..." (95 characters and a NUL) of a certificate's SHA-256.  0 or -ENOMEM. */
int hf_cert_fingerprint(X509 *x, char out[96]);
/* Compare serial numbers as hex text, ignoring colons, case and leading zeros. */
bool hf_cert_serial_same(const char *a, const char *b);
/* hf_cert_pem_info()'s description of a certificate: 0 and *ret (the caller's), -ENOMEM. */
struct json_object;
int hf_cert_describe(X509 *x, struct json_object **ret);

#endif /* HOSTFISH_CERT_PRIVATE_H */
