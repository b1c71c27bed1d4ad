/* cx_keys.c — private keys and certificates, loaded once and shared read-only. */
#include "cx_abi.h"
#include "cx_internal.h"

#include <stdlib.h>
#include <string.h>

/* Never prompt on a terminal for a passphrase: encrypted PEM keys are refused. */
static int cx_no_password(char *buf, int size, int rwflag, void *u) {
    (void)buf; (void)size; (void)rwflag; (void)u;
    return -1;
}

int cx_key_kind_of(EVP_PKEY *pkey) {
    switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_RSA: return CX_KEY_RSA;
    case EVP_PKEY_EC: return CX_KEY_EC;
    default: return 0;
    }
}

void cx_cert_free(cx_cert *c) {
    if (c == NULL) return;
    if (c->key) xmlSecKeyDestroy(c->key);
    if (c->pkey) EVP_PKEY_free(c->pkey);
    if (c->x509) X509_free(c->x509);
    free(c->der);
    free(c);
}

int cx_cert_load(const unsigned char *data, size_t len, int is_der, cx_cert **out) {
    int rc = cx_begin();
    if (rc != CX_OK) return rc;
    *out = NULL;
    if (data == NULL || len == 0 || len > INT32_MAX) return cx_fail(CX_E_CERTIFICATE, "empty certificate");

    X509 *x = NULL;
    if (is_der) {
        const unsigned char *p = data;
        x = d2i_X509(NULL, &p, (long)len);
        if (x != NULL && p != data + len) {
            X509_free(x);
            return cx_fail(CX_E_CERTIFICATE, "trailing bytes after the DER certificate");
        }
    } else {
        BIO *bio = BIO_new_mem_buf(data, (int)len);
        if (bio == NULL) return cx_fail(CX_E_NOMEM, "out of memory");
        x = PEM_read_bio_X509(bio, NULL, cx_no_password, NULL);
        BIO_free(bio);
    }
    if (x == NULL) {
        cx_collect_openssl_errors();
        return cx_fail(CX_E_CERTIFICATE, "cannot read the X.509 certificate");
    }
    cx_cert *c = calloc(1, sizeof *c);
    if (c == NULL) { X509_free(x); return cx_fail(CX_E_NOMEM, "out of memory"); }
    c->x509 = x;
    c->pkey = X509_get_pubkey(x);
    if (c->pkey == NULL) { cx_cert_free(c); cx_collect_openssl_errors(); return cx_fail(CX_E_CERTIFICATE, "certificate has no usable public key"); }
    c->kind = cx_key_kind_of(c->pkey);
    if (c->kind == 0) { cx_cert_free(c); return cx_fail(CX_E_CERTIFICATE, "certificate key is neither RSA nor EC"); }

    int derLen = i2d_X509(x, NULL);
    if (derLen <= 0) { cx_cert_free(c); return cx_fail(CX_E_CERTIFICATE, "cannot encode certificate"); }
    c->der = malloc((size_t)derLen);
    if (c->der == NULL) { cx_cert_free(c); return cx_fail(CX_E_NOMEM, "out of memory"); }
    unsigned char *p = c->der;
    i2d_X509(x, &p);
    c->der_len = (size_t)derLen;

    c->key = xmlSecCryptoAppKeyLoadMemory(c->der, (xmlSecSize)c->der_len, xmlSecKeyDataFormatCertDer,
                                          NULL, (void *)cx_no_password, NULL);
    if (c->key == NULL) { cx_cert_free(c); return cx_fail(CX_E_CERTIFICATE, "xmlsec cannot load the certificate key"); }
    *out = c;
    return CX_OK;
}

int cx_cert_kind(cx_cert *c) { return c->kind; }

const unsigned char *cx_cert_der(cx_cert *c, size_t *len) {
    *len = c->der_len;
    return c->der;
}

void cx_key_free(cx_key *k) {
    if (k == NULL) return;
    if (k->key) xmlSecKeyDestroy(k->key);
    if (k->pkey) EVP_PKEY_free(k->pkey);
    cx_cert_free(k->cert);
    free(k);
}

int cx_key_load(const char *key_pem, size_t key_len, const char *cert_pem, size_t cert_len, cx_key **out) {
    int rc = cx_begin();
    if (rc != CX_OK) return rc;
    *out = NULL;
    if (key_pem == NULL || key_len == 0 || key_len > INT32_MAX) return cx_fail(CX_E_KEY, "empty private key");

    BIO *bio = BIO_new_mem_buf(key_pem, (int)key_len);
    if (bio == NULL) return cx_fail(CX_E_NOMEM, "out of memory");
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, cx_no_password, NULL);
    BIO_free(bio);
    if (pkey == NULL) {
        cx_collect_openssl_errors();
        return cx_fail(CX_E_KEY, "cannot read the PEM private key (encrypted keys are not supported)");
    }
    cx_key *k = calloc(1, sizeof *k);
    if (k == NULL) { EVP_PKEY_free(pkey); return cx_fail(CX_E_NOMEM, "out of memory"); }
    k->pkey = pkey;
    k->kind = cx_key_kind_of(pkey);
    if (k->kind == 0) { cx_key_free(k); return cx_fail(CX_E_KEY, "the private key is neither RSA nor EC"); }

    if (cert_pem != NULL && cert_len > 0) {
        rc = cx_cert_load((const unsigned char *)cert_pem, cert_len, 0, &k->cert);
        if (rc != CX_OK) { cx_key_free(k); return rc; }
        if (X509_check_private_key(k->cert->x509, pkey) != 1) {
            ERR_clear_error();
            cx_key_free(k);
            return cx_fail(CX_E_KEY, "the certificate does not match the private key");
        }
    }

    /* Hand xmlsec its own reference to the same EVP_PKEY. */
    if (EVP_PKEY_up_ref(pkey) != 1) { cx_key_free(k); return cx_fail(CX_E_INTERNAL, "EVP_PKEY_up_ref failed"); }
    xmlSecKeyDataPtr data = xmlSecOpenSSLEvpKeyAdopt(pkey);
    if (data == NULL) { EVP_PKEY_free(pkey); cx_key_free(k); return cx_fail(CX_E_KEY, "xmlsec cannot adopt the key"); }
    k->key = xmlSecKeyCreate();
    if (k->key == NULL) { xmlSecKeyDataDestroy(data); cx_key_free(k); return cx_fail(CX_E_NOMEM, "out of memory"); }
    if (xmlSecKeySetValue(k->key, data) < 0) {
        xmlSecKeyDataDestroy(data);
        cx_key_free(k);
        return cx_fail(CX_E_KEY, "xmlsec cannot set the key value");
    }
    if (k->cert != NULL) {
        if (xmlSecCryptoAppKeyCertLoadMemory(k->key, k->cert->der, (xmlSecSize)k->cert->der_len,
                                             xmlSecKeyDataFormatDer) < 0) {
            cx_key_free(k);
            return cx_fail(CX_E_KEY, "xmlsec cannot attach the certificate to the key");
        }
    }
    *out = k;
    return CX_OK;
}

int cx_key_kind(cx_key *k) { return k->kind; }
cx_cert *cx_key_cert(cx_key *k) { return k->cert; }
