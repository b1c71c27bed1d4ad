/* cx_internal.h — shared between the shim's .c files. Include after cx_abi.h. */
#ifndef CX_INTERNAL_H
#define CX_INTERNAL_H

#include "cx_abi.h"

#include <libxml/tree.h>
#include <libxml/parser.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/keys.h>
#include <xmlsec/keysmngr.h>
#include <xmlsec/transforms.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlenc.h>
#include <xmlsec/errors.h>
#include <xmlsec/crypto.h>
#include <xmlsec/openssl/evp.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/pem.h>
#include <openssl/err.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/bn.h>

#include "cxmlsec.h"

_Static_assert(sizeof(xmlSecSize) == sizeof(unsigned int),
               "XMLSEC_NO_SIZE_T must make xmlSecSize an unsigned int (pkg-config ABI)");

struct cx_doc {
    xmlDocPtr doc;
    xmlNodePtr *detached; /* nodes unlinked from the tree, freed with the document */
    size_t detached_count;
    size_t detached_cap;
};

struct cx_key {
    xmlSecKeyPtr key;  /* private key (+ certificate as x509 key data when given) */
    EVP_PKEY *pkey;    /* same key, for raw signatures */
    cx_cert *cert;     /* optional */
    int kind;
};

struct cx_cert {
    X509 *x509;
    EVP_PKEY *pkey;    /* public key */
    xmlSecKeyPtr key;  /* public key + certificate, for xmlsec */
    unsigned char *der;
    size_t der_len;
    int kind;
};

#define CX_NS_DSIG "http://www.w3.org/2000/09/xmldsig#"
#define CX_NS_XENC "http://www.w3.org/2001/04/xmlenc#"
#define CX_NS_XML  "http://www.w3.org/XML/1998/namespace"

/* Starts a call: ensures initialisation, clears this thread's error buffer and
   routes libxml2's per-thread error output into it. Returns CX_OK or CX_E_INIT. */
int cx_begin(void);
/* Records a failure detail (printf-style) in this thread's buffer; returns code. */
int cx_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends OpenSSL's error queue to the thread's buffer and clears the queue. */
void cx_collect_openssl_errors(void);

int cx_doc_keep_detached(cx_doc *d, xmlNodePtr node);
int cx_subtree_depth(xmlNodePtr node);
int cx_is_element(xmlNodePtr node, const char *ns, const char *name);
xmlNodePtr cx_first_element_child(xmlNodePtr node);
xmlNodePtr cx_next_element_sibling(xmlNodePtr node);
int cx_key_kind_of(EVP_PKEY *pkey);

#endif
