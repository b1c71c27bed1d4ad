/* cx_dsig.c — enveloped XML signatures (xmldsig-core §6, exc-c14n). */
#include "cx_abi.h"
#include "cx_internal.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/valid.h>

/* ---------- algorithm tables ---------- */

#define URI_EXC_C14N      "http://www.w3.org/2001/10/xml-exc-c14n#"
#define URI_EXC_C14N_WC   "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
#define URI_C14N          "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
#define URI_ENVELOPED     "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

#define URI_RSA_SHA1      "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
#define URI_RSA_SHA256    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
#define URI_RSA_SHA384    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384"
#define URI_RSA_SHA512    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
#define URI_ECDSA_SHA1    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1"
#define URI_ECDSA_SHA256  "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
#define URI_ECDSA_SHA384  "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"
#define URI_ECDSA_SHA512  "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512"

#define URI_SHA1          "http://www.w3.org/2000/09/xmldsig#sha1"
#define URI_SHA256        "http://www.w3.org/2001/04/xmlenc#sha256"
#define URI_SHA384        "http://www.w3.org/2001/04/xmldsig-more#sha384"
#define URI_SHA512        "http://www.w3.org/2001/04/xmlenc#sha512"

static xmlSecTransformId cx_sig_transform(int alg, int *kind) {
    switch (alg) {
    case CX_SIG_RSA_SHA256: *kind = CX_KEY_RSA; return xmlSecTransformRsaSha256Id;
    case CX_SIG_RSA_SHA384: *kind = CX_KEY_RSA; return xmlSecTransformRsaSha384Id;
    case CX_SIG_RSA_SHA512: *kind = CX_KEY_RSA; return xmlSecTransformRsaSha512Id;
    case CX_SIG_ECDSA_SHA256: *kind = CX_KEY_EC; return xmlSecTransformEcdsaSha256Id;
    case CX_SIG_ECDSA_SHA384: *kind = CX_KEY_EC; return xmlSecTransformEcdsaSha384Id;
    case CX_SIG_ECDSA_SHA512: *kind = CX_KEY_EC; return xmlSecTransformEcdsaSha512Id;
    default: return xmlSecTransformIdUnknown;
    }
}

static xmlSecTransformId cx_digest_transform(int alg) {
    switch (alg) {
    case CX_DIGEST_SHA256: return xmlSecTransformSha256Id;
    case CX_DIGEST_SHA384: return xmlSecTransformSha384Id;
    case CX_DIGEST_SHA512: return xmlSecTransformSha512Id;
    default: return xmlSecTransformIdUnknown;
    }
}

static int cx_in(const xmlChar *value, const char *const *list) {
    if (value == NULL) return 0;
    for (size_t i = 0; list[i] != NULL; i++) {
        if (xmlStrEqual(value, BAD_CAST list[i])) return 1;
    }
    return 0;
}

static const char *const cx_c14n_allowed[] = { URI_EXC_C14N, URI_EXC_C14N_WC, URI_C14N, NULL };
static const char *const cx_transforms_allowed[] = { URI_ENVELOPED, URI_EXC_C14N, URI_EXC_C14N_WC, URI_C14N, NULL };
static const char *const cx_sig_strong[] = { URI_RSA_SHA256, URI_RSA_SHA384, URI_RSA_SHA512,
                                             URI_ECDSA_SHA256, URI_ECDSA_SHA384, URI_ECDSA_SHA512, NULL };
static const char *const cx_sig_sha1[] = { URI_RSA_SHA1, URI_ECDSA_SHA1, NULL };
static const char *const cx_digest_strong[] = { URI_SHA256, URI_SHA384, URI_SHA512, NULL };
static const char *const cx_digest_sha1[] = { URI_SHA1, NULL };

/* ---------- ID handling ---------- */

static xmlChar *cx_attr_value(xmlAttrPtr attr) {
    return xmlNodeListGetString(attr->doc, attr->children, 1);
}

/* True if any element other than `owner` carries `id` in an attribute named
   `id_attr` (no namespace) or in xml:id. Such a document is ambiguous about
   what "#id" refers to, which is the root of signature wrapping. */
static int cx_id_is_duplicated(xmlDocPtr doc, xmlNodePtr owner, const char *id_attr, const xmlChar *id) {
    xmlNodePtr top = xmlDocGetRootElement(doc);
    xmlNodePtr cur = top;
    while (cur != NULL) {
        if (cur != owner) {
            for (xmlAttrPtr a = cur->properties; a != NULL; a = a->next) {
                int named = (a->ns == NULL && xmlStrEqual(a->name, BAD_CAST id_attr))
                            || (a->ns != NULL && xmlStrEqual(a->name, BAD_CAST "id")
                                && xmlStrEqual(a->ns->href, BAD_CAST CX_NS_XML));
                if (!named) continue;
                xmlChar *v = cx_attr_value(a);
                int same = v != NULL && xmlStrEqual(v, id);
                xmlFree(v);
                if (same) return 1;
            }
        }
        xmlNodePtr child = cx_first_element_child(cur);
        if (child != NULL) { cur = child; continue; }
        while (cur != NULL && cur != top) {
            xmlNodePtr next = cx_next_element_sibling(cur);
            if (next != NULL) { cur = next; break; }
            cur = cur->parent;
        }
        if (cur == top) break;
    }
    return 0;
}

/* Registers attr as the document's ID for `id` (xmlsec resolves "#id" through
   the ID table). Fails if the table already maps the value to another attribute. */
static int cx_register_id(xmlDocPtr doc, xmlAttrPtr attr, const xmlChar *id) {
    xmlAttrPtr existing = xmlGetID(doc, id);
    if (existing != NULL) {
        if (existing == attr) return CX_OK;
        return cx_fail(CX_E_DUPLICATE_ID, "ID '%s' is already used by another element", (const char *)id);
    }
    if (xmlAddID(NULL, doc, id, attr) == NULL) {
        return cx_fail(CX_E_DUPLICATE_ID, "cannot register ID '%s'", (const char *)id);
    }
    return CX_OK;
}

static int cx_element_id(xmlNodePtr node, const char *id_attr, xmlAttrPtr *attr_out, xmlChar **id_out) {
    if (node == NULL || node->type != XML_ELEMENT_NODE) return cx_fail(CX_E_INVALID_ARGUMENT, "not an element");
    if (id_attr == NULL || id_attr[0] == 0) return cx_fail(CX_E_INVALID_ARGUMENT, "no ID attribute name");
    xmlAttrPtr attr = xmlHasNsProp(node, BAD_CAST id_attr, NULL);
    if (attr == NULL || attr->type != XML_ATTRIBUTE_NODE) {
        return cx_fail(CX_E_MISSING_ID, "element <%s> has no %s attribute", (const char *)node->name, id_attr);
    }
    xmlChar *id = cx_attr_value(attr);
    if (id == NULL || id[0] == 0) {
        xmlFree(id);
        return cx_fail(CX_E_MISSING_ID, "element <%s> has an empty %s attribute", (const char *)node->name, id_attr);
    }
    *attr_out = attr;
    *id_out = id;
    return CX_OK;
}

/* ---------- signing ---------- */

int cx_sign(cx_doc *d, cx_node *n, const char *id_attr, cx_key *key, int sig_alg, int digest_alg,
            cx_node *insert_after, cx_node **signature_out) {
    int rc = cx_begin();
    if (rc != CX_OK) return rc;
    xmlNodePtr node = (xmlNodePtr)n, after = (xmlNodePtr)insert_after;
    xmlDocPtr doc = d->doc;
    if (signature_out) *signature_out = NULL;

    int kind = 0;
    xmlSecTransformId signId = cx_sig_transform(sig_alg, &kind);
    xmlSecTransformId digestId = cx_digest_transform(digest_alg);
    if (signId == xmlSecTransformIdUnknown) return cx_fail(CX_E_ALGORITHM, "unsupported signature algorithm");
    if (digestId == xmlSecTransformIdUnknown) return cx_fail(CX_E_ALGORITHM, "unsupported digest algorithm");
    if (kind != key->kind) return cx_fail(CX_E_KEY, "the key type does not match the signature algorithm");

    xmlAttrPtr attr = NULL;
    xmlChar *id = NULL;
    rc = cx_element_id(node, id_attr, &attr, &id);
    if (rc != CX_OK) return rc;
    if (after != NULL && after->parent != node) {
        xmlFree(id);
        return cx_fail(CX_E_INVALID_ARGUMENT, "insertAfter must be a child of the element being signed");
    }
    for (xmlNodePtr c = cx_first_element_child(node); c != NULL; c = cx_next_element_sibling(c)) {
        if (cx_is_element(c, CX_NS_DSIG, "Signature")) {
            xmlFree(id);
            return cx_fail(CX_E_INVALID_ARGUMENT, "element <%s> already has a ds:Signature", (const char *)node->name);
        }
    }
    if (cx_id_is_duplicated(doc, node, id_attr, id)) {
        rc = cx_fail(CX_E_DUPLICATE_ID, "ID '%s' appears on more than one element", (const char *)id);
        xmlFree(id);
        return rc;
    }
    rc = cx_register_id(doc, attr, id);
    if (rc != CX_OK) { xmlFree(id); return rc; }

    size_t idLen = strlen((const char *)id);
    xmlChar *uri = xmlMalloc(idLen + 2);
    if (uri == NULL) { xmlFree(id); return cx_fail(CX_E_NOMEM, "out of memory"); }
    uri[0] = '#';
    memcpy(uri + 1, id, idLen + 1);
    xmlFree(id);

    xmlSecDSigCtxPtr ctx = NULL;
    xmlNodePtr sig = xmlSecTmplSignatureCreateNsPref(doc, xmlSecTransformExclC14NId, signId, NULL, BAD_CAST "ds");
    if (sig == NULL) { xmlFree(uri); return cx_fail(CX_E_SIGN, "cannot create the Signature template"); }

    /* Placement: SAML wants the Signature right after Issuer
       (saml-core §5.4.1 / schema order), otherwise first child. */
    xmlNodePtr placed;
    if (after != NULL) placed = xmlAddNextSibling(after, sig);
    else if (node->children != NULL) placed = xmlAddPrevSibling(node->children, sig);
    else placed = xmlAddChild(node, sig);
    if (placed == NULL) { xmlFreeNode(sig); xmlFree(uri); return cx_fail(CX_E_SIGN, "cannot insert the Signature"); }

    rc = CX_E_SIGN;
    xmlNodePtr ref = xmlSecTmplSignatureAddReference(sig, digestId, NULL, uri, NULL);
    if (ref == NULL) goto fail;
    if (xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId) == NULL) goto fail;
    if (xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId) == NULL) goto fail;
    if (key->cert != NULL) {
        xmlNodePtr keyInfo = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL);
        if (keyInfo == NULL) goto fail;
        xmlNodePtr x509 = xmlSecTmplKeyInfoAddX509Data(keyInfo);
        if (x509 == NULL || xmlSecTmplX509DataAddCertificate(x509) == NULL) goto fail;
    }

    ctx = xmlSecDSigCtxCreate(NULL);
    if (ctx == NULL) goto fail;
    ctx->signKey = xmlSecKeyDuplicate(key->key);
    if (ctx->signKey == NULL) goto fail;
    if (xmlSecDSigCtxSign(ctx, sig) < 0) goto fail;
    xmlSecDSigCtxDestroy(ctx);
    xmlFree(uri);
    if (signature_out) *signature_out = (cx_node *)sig;
    return CX_OK;

fail:
    if (ctx != NULL) xmlSecDSigCtxDestroy(ctx);
    xmlUnlinkNode(sig);
    xmlFreeNode(sig);
    xmlFree(uri);
    return cx_fail(rc, "signing failed");
}

/* ---------- verification ---------- */

static xmlChar *cx_algorithm(xmlNodePtr node) {
    return xmlGetNoNsProp(node, BAD_CAST "Algorithm");
}

/* Checks the shape of ds:Signature before any cryptography
   (xmldsig-core §4.4 SignedInfo, §4.4.3 Reference): exactly one Reference,
   to "#"+id, only enveloped-signature and c14n transforms, strong algorithms. */
static int cx_check_signature_shape(xmlNodePtr sig, const xmlChar *id, int allow_sha1) {
    xmlNodePtr signedInfo = cx_first_element_child(sig);
    if (!cx_is_element(signedInfo, CX_NS_DSIG, "SignedInfo")) {
        return cx_fail(CX_E_REFERENCE, "ds:Signature does not start with ds:SignedInfo");
    }
    xmlNodePtr c14n = cx_first_element_child(signedInfo);
    if (!cx_is_element(c14n, CX_NS_DSIG, "CanonicalizationMethod")) {
        return cx_fail(CX_E_TRANSFORM, "ds:SignedInfo has no CanonicalizationMethod");
    }
    xmlChar *alg = cx_algorithm(c14n);
    int ok = cx_in(alg, cx_c14n_allowed);
    if (!ok) {
        int r = cx_fail(CX_E_TRANSFORM, "canonicalization method '%s' is not allowed", alg ? (const char *)alg : "");
        xmlFree(alg);
        return r;
    }
    xmlFree(alg);

    xmlNodePtr sm = cx_next_element_sibling(c14n);
    if (!cx_is_element(sm, CX_NS_DSIG, "SignatureMethod")) {
        return cx_fail(CX_E_ALGORITHM, "ds:SignedInfo has no SignatureMethod");
    }
    alg = cx_algorithm(sm);
    if (cx_in(alg, cx_sig_sha1) && !allow_sha1) {
        int r = cx_fail(CX_E_WEAK_ALGORITHM, "signature method '%s' uses SHA-1", (const char *)alg);
        xmlFree(alg);
        return r;
    }
    if (!cx_in(alg, cx_sig_strong) && !cx_in(alg, cx_sig_sha1)) {
        int r = cx_fail(CX_E_ALGORITHM, "signature method '%s' is not allowed", alg ? (const char *)alg : "");
        xmlFree(alg);
        return r;
    }
    xmlFree(alg);

    int refs = 0;
    xmlNodePtr ref = NULL;
    for (xmlNodePtr c = cx_next_element_sibling(sm); c != NULL; c = cx_next_element_sibling(c)) {
        if (cx_is_element(c, CX_NS_DSIG, "Reference")) { refs++; ref = c; }
        else return cx_fail(CX_E_REFERENCE, "unexpected <%s> in ds:SignedInfo", (const char *)c->name);
    }
    if (refs != 1) return cx_fail(CX_E_REFERENCE, "ds:SignedInfo has %d References; exactly one is required", refs);

    xmlChar *uri = xmlGetNoNsProp(ref, BAD_CAST "URI");
    int uriOk = uri != NULL && uri[0] == '#' && xmlStrEqual(uri + 1, id);
    if (!uriOk) {
        int r = cx_fail(CX_E_REFERENCE, "Reference URI '%s' does not point at this element's ID '#%s'",
                        uri ? (const char *)uri : "(none)", (const char *)id);
        xmlFree(uri);
        return r;
    }
    xmlFree(uri);

    xmlNodePtr c = cx_first_element_child(ref);
    if (cx_is_element(c, CX_NS_DSIG, "Transforms")) {
        for (xmlNodePtr t = cx_first_element_child(c); t != NULL; t = cx_next_element_sibling(t)) {
            if (!cx_is_element(t, CX_NS_DSIG, "Transform")) {
                return cx_fail(CX_E_TRANSFORM, "unexpected <%s> in ds:Transforms", (const char *)t->name);
            }
            alg = cx_algorithm(t);
            if (!cx_in(alg, cx_transforms_allowed)) {
                int r = cx_fail(CX_E_TRANSFORM, "transform '%s' is not allowed", alg ? (const char *)alg : "");
                xmlFree(alg);
                return r;
            }
            xmlFree(alg);
        }
        c = cx_next_element_sibling(c);
    }
    if (!cx_is_element(c, CX_NS_DSIG, "DigestMethod")) return cx_fail(CX_E_REFERENCE, "Reference has no DigestMethod");
    alg = cx_algorithm(c);
    if (cx_in(alg, cx_digest_sha1) && !allow_sha1) {
        int r = cx_fail(CX_E_WEAK_ALGORITHM, "digest method '%s' is SHA-1", (const char *)alg);
        xmlFree(alg);
        return r;
    }
    if (!cx_in(alg, cx_digest_strong) && !cx_in(alg, cx_digest_sha1)) {
        int r = cx_fail(CX_E_ALGORITHM, "digest method '%s' is not allowed", alg ? (const char *)alg : "");
        xmlFree(alg);
        return r;
    }
    xmlFree(alg);
    return CX_OK;
}

static int cx_enable_transforms(xmlSecDSigCtxPtr ctx, int allow_sha1) {
    xmlSecTransformId c14ns[] = { xmlSecTransformExclC14NId, xmlSecTransformExclC14NWithCommentsId,
                                  xmlSecTransformInclC14NId };
    xmlSecTransformId sigs[] = { xmlSecTransformRsaSha256Id, xmlSecTransformRsaSha384Id, xmlSecTransformRsaSha512Id,
                                 xmlSecTransformEcdsaSha256Id, xmlSecTransformEcdsaSha384Id,
                                 xmlSecTransformEcdsaSha512Id };
    xmlSecTransformId digests[] = { xmlSecTransformSha256Id, xmlSecTransformSha384Id, xmlSecTransformSha512Id };
    for (size_t i = 0; i < sizeof c14ns / sizeof c14ns[0]; i++) {
        if (xmlSecDSigCtxEnableSignatureTransform(ctx, c14ns[i]) < 0) return -1;
        if (xmlSecDSigCtxEnableReferenceTransform(ctx, c14ns[i]) < 0) return -1;
    }
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        if (xmlSecDSigCtxEnableSignatureTransform(ctx, sigs[i]) < 0) return -1;
    }
    for (size_t i = 0; i < sizeof digests / sizeof digests[0]; i++) {
        if (xmlSecDSigCtxEnableReferenceTransform(ctx, digests[i]) < 0) return -1;
    }
    if (xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformEnvelopedId) < 0) return -1;
    if (allow_sha1) {
        if (xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformRsaSha1Id) < 0) return -1;
        if (xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformEcdsaSha1Id) < 0) return -1;
        if (xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformSha1Id) < 0) return -1;
    }
    ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
    return 0;
}

int cx_verify(cx_doc *d, cx_node *n, const char *id_attr, cx_cert *const *certs, size_t cert_count,
              int allow_sha1) {
    int rc = cx_begin();
    if (rc != CX_OK) return rc;
    xmlNodePtr node = (xmlNodePtr)n;
    xmlDocPtr doc = d->doc;

    xmlAttrPtr attr = NULL;
    xmlChar *id = NULL;
    rc = cx_element_id(node, id_attr, &attr, &id);
    if (rc != CX_OK) return rc;

    if (cx_id_is_duplicated(doc, node, id_attr, id)) {
        rc = cx_fail(CX_E_DUPLICATE_ID, "ID '%s' appears on more than one element", (const char *)id);
        goto out;
    }

    xmlNodePtr sig = NULL;
    int sigCount = 0;
    for (xmlNodePtr c = cx_first_element_child(node); c != NULL; c = cx_next_element_sibling(c)) {
        if (cx_is_element(c, CX_NS_DSIG, "Signature")) { sig = c; sigCount++; }
    }
    if (sigCount == 0) {
        rc = cx_fail(CX_E_NO_SIGNATURE, "element <%s> has no ds:Signature child", (const char *)node->name);
        goto out;
    }
    if (sigCount > 1) {
        rc = cx_fail(CX_E_MULTIPLE_SIGNATURES, "element <%s> has %d ds:Signature children", (const char *)node->name, sigCount);
        goto out;
    }
    rc = cx_check_signature_shape(sig, id, allow_sha1);
    if (rc != CX_OK) goto out;
    rc = cx_register_id(doc, attr, id);
    if (rc != CX_OK) goto out;

    if (cert_count == 0) {
        rc = cx_fail(CX_E_KEY, "no trusted certificate was given");
        goto out;
    }

    /* The key always comes from the trusted list (signKey set explicitly, no
       keys manager): ds:KeyInfo in the message is never trusted. */
    int verified = 0;
    for (size_t i = 0; i < cert_count && !verified; i++) {
        xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(NULL);
        if (ctx == NULL) { rc = cx_fail(CX_E_NOMEM, "out of memory"); goto out; }
        if (cx_enable_transforms(ctx, allow_sha1) < 0) {
            xmlSecDSigCtxDestroy(ctx);
            rc = cx_fail(CX_E_INTERNAL, "cannot restrict transforms");
            goto out;
        }
        ctx->signKey = xmlSecKeyDuplicate(certs[i]->key);
        if (ctx->signKey == NULL) {
            xmlSecDSigCtxDestroy(ctx);
            rc = cx_fail(CX_E_NOMEM, "out of memory");
            goto out;
        }
        if (xmlSecDSigCtxVerify(ctx, sig) == 0 && ctx->status == xmlSecDSigStatusSucceeded
            && xmlSecPtrListGetSize(&ctx->signedInfoReferences) == 1) {
            verified = 1;
        }
        xmlSecDSigCtxDestroy(ctx);
    }
    if (!verified) {
        rc = cx_fail(CX_E_SIGNATURE_INVALID, "the signature does not verify with any trusted certificate");
        goto out;
    }
    /* The one Reference resolved through the ID table, which maps id to this element. */
    if (xmlGetID(doc, id) != attr) {
        rc = cx_fail(CX_E_REFERENCE, "the signed reference does not resolve to this element");
        goto out;
    }
    rc = CX_OK;
out:
    xmlFree(id);
    return rc;
}
