/* cx_raw.c — detached signatures over bytes, for the SAML HTTP-Redirect
   binding (saml-bindings §3.4.4.1): the signature covers the exact octets of
   "SAMLRequest=...&RelayState=...&SigAlg=...". ECDSA values use the XML-DSig
   form, r || s, each left-padded to the curve size (RFC 6931 §2.3.6 / RFC 4051). */
#include "cx_abi.h"
#include "cx_internal.h"

#include <stdlib.h>
#include <string.h>

static const EVP_MD *cx_md_for(int alg, int *kind) {
    switch (alg) {
    case CX_SIG_RSA_SHA256: *kind = CX_KEY_RSA; return EVP_sha256();
    case CX_SIG_RSA_SHA384: *kind = CX_KEY_RSA; return EVP_sha384();
    case CX_SIG_RSA_SHA512: *kind = CX_KEY_RSA; return EVP_sha512();
    case CX_SIG_RSA_SHA1: *kind = CX_KEY_RSA; return EVP_sha1();
    case CX_SIG_ECDSA_SHA256: *kind = CX_KEY_EC; return EVP_sha256();
    case CX_SIG_ECDSA_SHA384: *kind = CX_KEY_EC; return EVP_sha384();
    case CX_SIG_ECDSA_SHA512: *kind = CX_KEY_EC; return EVP_sha512();
    default: return NULL;
    }
}

static size_t cx_ec_field_bytes(EVP_PKEY *pkey) {
    int bits = EVP_PKEY_get_bits(pkey);
    return bits > 0 ? ((size_t)bits + 7) / 8 : 0;
}

int cx_raw_sign(cx_key *key, int alg, const unsigned char *data, size_t len,
                unsigned char **sig_out, size_t *sig_len) {
    int rc = cx_begin();
    if (rc != CX_OK) return rc;
    *sig_out = NULL; *sig_len = 0;
    int kind = 0;
    const EVP_MD *md = cx_md_for(alg, &kind);
    if (md == NULL) return cx_fail(CX_E_ALGORITHM, "unknown signature algorithm");
    if (kind != key->kind) return cx_fail(CX_E_KEY, "the key type does not match the signature algorithm");

    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) return cx_fail(CX_E_NOMEM, "out of memory");
    unsigned char *der = NULL;
    size_t derLen = 0;
    rc = CX_E_SIGN;
    if (EVP_DigestSignInit(ctx, NULL, md, NULL, key->pkey) != 1) goto done;
    if (EVP_DigestSign(ctx, NULL, &derLen, data, len) != 1) goto done;
    der = malloc(derLen);
    if (der == NULL) { rc = CX_E_NOMEM; goto done; }
    if (EVP_DigestSign(ctx, der, &derLen, data, len) != 1) goto done;

    if (kind == CX_KEY_RSA) {
        *sig_out = der; *sig_len = derLen; der = NULL;
        rc = CX_OK;
    } else {
        size_t n = cx_ec_field_bytes(key->pkey);
        const unsigned char *p = der;
        ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)derLen);
        if (es == NULL || n == 0) { ECDSA_SIG_free(es); goto done; }
        unsigned char *raw = malloc(2 * n);
        if (raw == NULL) { ECDSA_SIG_free(es); rc = CX_E_NOMEM; goto done; }
        const BIGNUM *r = NULL, *s = NULL;
        ECDSA_SIG_get0(es, &r, &s);
        if (BN_bn2binpad(r, raw, (int)n) < 0 || BN_bn2binpad(s, raw + n, (int)n) < 0) {
            free(raw); ECDSA_SIG_free(es); goto done;
        }
        ECDSA_SIG_free(es);
        *sig_out = raw; *sig_len = 2 * n;
        rc = CX_OK;
    }
done:
    free(der);
    EVP_MD_CTX_free(ctx);
    if (rc != CX_OK) {
        cx_collect_openssl_errors();
        return cx_fail(rc, "raw signing failed");
    }
    return CX_OK;
}

int cx_raw_verify(cx_cert *cert, int alg, const unsigned char *data, size_t len,
                  const unsigned char *sig, size_t sig_len) {
    int rc = cx_begin();
    if (rc != CX_OK) return rc;
    int kind = 0;
    const EVP_MD *md = cx_md_for(alg, &kind);
    if (md == NULL) return cx_fail(CX_E_ALGORITHM, "unknown signature algorithm");
    if (kind != cert->kind) return cx_fail(CX_E_SIGNATURE_INVALID, "the certificate key type does not match the signature algorithm");

    unsigned char *der = NULL;
    const unsigned char *toVerify = sig;
    size_t toVerifyLen = sig_len;
    if (kind == CX_KEY_EC) {
        size_t n = cx_ec_field_bytes(cert->pkey);
        if (n == 0 || sig_len != 2 * n) return cx_fail(CX_E_SIGNATURE_INVALID, "ECDSA signature has the wrong length");
        ECDSA_SIG *es = ECDSA_SIG_new();
        BIGNUM *r = BN_bin2bn(sig, (int)n, NULL), *s = BN_bin2bn(sig + n, (int)n, NULL);
        if (es == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(es, r, s) != 1) {
            BN_free(r); BN_free(s); ECDSA_SIG_free(es);
            return cx_fail(CX_E_NOMEM, "out of memory");
        }
        int dl = i2d_ECDSA_SIG(es, &der);
        ECDSA_SIG_free(es);
        if (dl <= 0) return cx_fail(CX_E_INTERNAL, "cannot encode ECDSA signature");
        toVerify = der;
        toVerifyLen = (size_t)dl;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) { OPENSSL_free(der); return cx_fail(CX_E_NOMEM, "out of memory"); }
    int ok = EVP_DigestVerifyInit(ctx, NULL, md, NULL, cert->pkey) == 1
             && EVP_DigestVerify(ctx, toVerify, toVerifyLen, data, len) == 1;
    EVP_MD_CTX_free(ctx);
    OPENSSL_free(der);
    ERR_clear_error();
    return ok ? CX_OK : cx_fail(CX_E_SIGNATURE_INVALID, "the signature does not match");
}
