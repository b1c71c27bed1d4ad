/*
 * cxmlsec.h — narrow C API over libxml2 + libxmlsec1 (OpenSSL).
 *
 * Only plain C types cross this boundary: Swift must never see a libxml2 or
 * xmlsec header (their ICU includes clash with the ICU Foundation bundles).
 *
 * Conventions:
 *  - Functions returning int return CX_OK (0) or one of the CX_E_* codes; a
 *    human-readable detail for the last failure on the calling thread is
 *    available from cx_last_error() until the next cx_* call on that thread.
 *  - Strings returned as `char *` are heap copies: release with cx_free().
 *  - Strings returned as `const char *` point into the tree and are valid only
 *    until the tree is modified; copy them immediately.
 *  - A cx_node belongs to its cx_doc; nodes removed from the tree are kept
 *    (detached) until the document is freed, so a handle never dangles while
 *    its document is alive.
 */
#ifndef CXMLSEC_H
#define CXMLSEC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cx_doc cx_doc;
typedef struct cx_node cx_node;
typedef struct cx_key cx_key;
typedef struct cx_cert cx_cert;

/* Result codes. */
#define CX_OK                     0
#define CX_E_NOMEM                1
#define CX_E_DOCTYPE              2
#define CX_E_TOO_LARGE            3
#define CX_E_TOO_DEEP             4
#define CX_E_MALFORMED            5
#define CX_E_INVALID_ARGUMENT     6
#define CX_E_MISSING_ID           7
#define CX_E_DUPLICATE_ID         8
#define CX_E_NO_SIGNATURE         9
#define CX_E_MULTIPLE_SIGNATURES 10
#define CX_E_REFERENCE           11
#define CX_E_TRANSFORM           12
#define CX_E_ALGORITHM           13
#define CX_E_WEAK_ALGORITHM      14
#define CX_E_SIGNATURE_INVALID   15
#define CX_E_KEY                 16
#define CX_E_CERTIFICATE         17
#define CX_E_SIGN                18
#define CX_E_ENCRYPT             19
#define CX_E_DECRYPT             20
#define CX_E_NOT_ENCRYPTED_DATA  21
#define CX_E_INIT                22
#define CX_E_INTERNAL            23
#define CX_E_INFLATE_LIMIT       24
#define CX_E_INFLATE             25

/* Signature algorithms. */
#define CX_SIG_RSA_SHA256    1
#define CX_SIG_RSA_SHA384    2
#define CX_SIG_RSA_SHA512    3
#define CX_SIG_ECDSA_SHA256  4
#define CX_SIG_ECDSA_SHA384  5
#define CX_SIG_ECDSA_SHA512  6
#define CX_SIG_RSA_SHA1      7

/* Digest algorithms. */
#define CX_DIGEST_SHA256 1
#define CX_DIGEST_SHA384 2
#define CX_DIGEST_SHA512 3

/* Block encryption algorithms. */
#define CX_ENC_AES128_CBC 1
#define CX_ENC_AES256_CBC 2
#define CX_ENC_AES128_GCM 3
#define CX_ENC_AES256_GCM 4

/* Key transport algorithms. */
#define CX_KT_RSA_OAEP_MGF1P 1

/* Key kinds. */
#define CX_KEY_RSA 1
#define CX_KEY_EC  2

/* ---- library ---- */
int cx_init(void);
const char *cx_last_error(void);
const char *cx_abi_defines(void);
const char *cx_xmlsec_version(void);
const char *cx_libxml2_version(void);
void cx_free(void *p);

/* ---- documents ---- */
int cx_doc_parse(const char *buf, size_t len, size_t max_bytes, int max_depth, cx_doc **out);
int cx_doc_create(const char *ns_uri, const char *prefix, const char *local_name, cx_doc **out);
void cx_doc_free(cx_doc *doc);
cx_node *cx_doc_root(cx_doc *doc);
int cx_doc_serialize(cx_doc *doc, char **out, size_t *out_len);

/* ---- walking ---- */
const char *cx_node_local_name(cx_node *node);
const char *cx_node_ns_uri(cx_node *node);
const char *cx_node_ns_prefix(cx_node *node);
int cx_node_is(cx_node *node, const char *ns_uri, const char *local_name);
char *cx_node_attr(cx_node *node, const char *name, const char *ns_uri);
char *cx_node_text(cx_node *node);
cx_node *cx_node_first_element(cx_node *node);
cx_node *cx_node_next_element(cx_node *node);
cx_node *cx_node_parent_element(cx_node *node);
int cx_node_serialize(cx_doc *doc, cx_node *node, char **out, size_t *out_len);

/* ---- building ---- */
int cx_node_add_child(cx_doc *doc, cx_node *parent, const char *ns_uri, const char *prefix,
                      const char *local_name, cx_node **out);
int cx_node_set_attr(cx_node *node, const char *name, const char *ns_uri, const char *prefix,
                     const char *value);
int cx_node_remove_attr(cx_node *node, const char *name, const char *ns_uri);
int cx_node_set_text(cx_doc *doc, cx_node *node, const char *text);
int cx_node_declare_ns(cx_node *node, const char *ns_uri, const char *prefix);
int cx_node_append_copy(cx_doc *doc, cx_node *parent, cx_node *source, cx_node **out);
int cx_node_detach(cx_doc *doc, cx_node *node);

/* ---- keys and certificates ---- */
int cx_key_load(const char *key_pem, size_t key_len, const char *cert_pem, size_t cert_len,
                cx_key **out);
void cx_key_free(cx_key *key);
int cx_key_kind(cx_key *key);
cx_cert *cx_key_cert(cx_key *key);
int cx_cert_load(const unsigned char *data, size_t len, int is_der, cx_cert **out);
void cx_cert_free(cx_cert *cert);
int cx_cert_kind(cx_cert *cert);
const unsigned char *cx_cert_der(cx_cert *cert, size_t *len);

/* ---- XML signature ---- */
int cx_sign(cx_doc *doc, cx_node *node, const char *id_attr, cx_key *key, int sig_alg,
            int digest_alg, cx_node *insert_after, cx_node **signature_out);
int cx_verify(cx_doc *doc, cx_node *node, const char *id_attr, cx_cert *const *certs,
              size_t cert_count, int allow_sha1);

/* ---- raw signatures (saml-bindings §3.4.4.1) ---- */
int cx_raw_sign(cx_key *key, int sig_alg, const unsigned char *data, size_t len,
                unsigned char **sig_out, size_t *sig_len);
/* Returns CX_OK when valid, CX_E_SIGNATURE_INVALID when not, another code on error. */
int cx_raw_verify(cx_cert *cert, int sig_alg, const unsigned char *data, size_t len,
                  const unsigned char *sig, size_t sig_len);

/* ---- XML encryption ---- */
int cx_encrypt(cx_doc *doc, cx_node *node, cx_cert *recipient, int data_alg, int key_transport,
               cx_node *container, cx_node **encrypted_data_out);
int cx_decrypt(cx_doc *doc, cx_node *encrypted_data, cx_key *key, size_t max_bytes, int max_depth,
               cx_node **element_out);

/* ---- raw DEFLATE (RFC 1951; saml-bindings §3.4.4.1) ---- */
/* Inflates at most max_out bytes; more gives CX_E_INFLATE_LIMIT, corrupt or
   truncated input (or bytes after the stream's end) CX_E_INFLATE. The output
   is heap memory: release with cx_free(). */
int cx_inflate_raw(const unsigned char *in, size_t in_len, size_t max_out,
                   unsigned char **out, size_t *out_len);
int cx_deflate_raw(const unsigned char *in, size_t in_len, unsigned char **out, size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif
