/* cx_enc.c — XML Encryption of elements (xmlenc-core1 §3.5, Type=Element)
   with an RSA-OAEP EncryptedKey (xmlenc-core1 §5.5.2, MGF1 + SHA-1 digest,
   the form SAML service providers commonly require). */
#include "cx_abi.h"
#include "cx_internal.h"

#include <stdlib.h>
#include <string.h>

#define URI_SHA1 "http://www.w3.org/2000/09/xmldsig#sha1"
#define URI_TYPE_ELEMENT "http://www.w3.org/2001/04/xmlenc#Element"

static xmlSecTransformId cx_data_transform(int alg, xmlSecSize *bits) {
    switch (alg) {
    case CX_ENC_AES128_CBC: *bits = 128; return xmlSecTransformAes128CbcId;
    case CX_ENC_AES256_CBC: *bits = 256; return xmlSecTransformAes256CbcId;
    case CX_ENC_AES128_GCM: *bits = 128; return xmlSecTransformAes128GcmId;
    case CX_ENC_AES256_GCM: *bits = 256; return xmlSecTransformAes256GcmId;
    default: return xmlSecTransformIdUnknown;
    }
}

/* xmlsec's encryption templates declare xmlenc/xmldsig as default namespaces;
   give them the conventional xenc:/ds: prefixes (same namespaces, same meaning). */
static void cx_prefix_default_namespaces(xmlNodePtr top) {
    xmlNodePtr cur = top;
    while (cur != NULL) {
        for (xmlNsPtr ns = cur->nsDef; ns != NULL; ns = ns->next) {
            if (ns->prefix != NULL) continue;
            if (xmlStrEqual(ns->href, BAD_CAST CX_NS_XENC)) ns->prefix = xmlStrdup(BAD_CAST "xenc");
            else if (xmlStrEqual(ns->href, BAD_CAST CX_NS_DSIG)) ns->prefix = xmlStrdup(BAD_CAST "ds");
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
}

static int cx_is_ancestor_or_self(xmlNodePtr maybeAncestor, xmlNodePtr node) {
    for (xmlNodePtr p = node; p != NULL; p = p->parent) {
        if (p == maybeAncestor) return 1;
    }
    return 0;
}

int cx_encrypt(cx_doc *d, cx_node *n, cx_cert *recipient, int data_alg, int key_transport,
               cx_node *container, cx_node **encrypted_data_out) {
    int rc = cx_begin();
    if (rc != CX_OK) return rc;
    xmlNodePtr node = (xmlNodePtr)n, box = (xmlNodePtr)container;
    xmlDocPtr doc = d->doc;
    *encrypted_data_out = NULL;

    if (node == NULL || node->type != XML_ELEMENT_NODE) return cx_fail(CX_E_INVALID_ARGUMENT, "not an element");
    if (key_transport != CX_KT_RSA_OAEP_MGF1P) return cx_fail(CX_E_ALGORITHM, "unsupported key transport algorithm");
    if (recipient->kind != CX_KEY_RSA) return cx_fail(CX_E_CERTIFICATE, "RSA-OAEP needs an RSA recipient certificate");
    xmlSecSize bits = 0;
    xmlSecTransformId dataId = cx_data_transform(data_alg, &bits);
    if (dataId == xmlSecTransformIdUnknown) return cx_fail(CX_E_ALGORITHM, "unsupported data encryption algorithm");
    if (box == NULL && node->parent == NULL) return cx_fail(CX_E_INVALID_ARGUMENT, "the element is not in a tree");
    if (box != NULL && (box->type != XML_ELEMENT_NODE || cx_is_ancestor_or_self(node, box))) {
        return cx_fail(CX_E_INVALID_ARGUMENT, "the container must be an element outside the encrypted element");
    }

    /* Serialise a parentless copy: it declares every namespace it uses, so the
       plaintext is self-contained when decrypted into another context. */
    xmlBufferPtr plain = NULL;
    xmlNodePtr copy = xmlDocCopyNode(node, doc, 1);
    if (copy == NULL) return cx_fail(CX_E_NOMEM, "cannot copy the element");
    plain = xmlBufferCreate();
    if (plain == NULL || xmlNodeDump(plain, doc, copy, 0, 0) < 0) {
        xmlFreeNode(copy);
        if (plain) xmlBufferFree(plain);
        return cx_fail(CX_E_ENCRYPT, "cannot serialise the element");
    }
    xmlFreeNode(copy);

    xmlSecKeyPtr sessionKey = NULL;
    xmlSecEncCtxPtr dataCtx = NULL, keyCtx = NULL;
    xmlNodePtr encData = NULL;
    unsigned char *sessionBytes = NULL;
    size_t sessionLen = 0;
    rc = CX_E_ENCRYPT;

    sessionKey = xmlSecKeyGenerate(xmlSecKeyDataAesId, bits, xmlSecKeyDataTypeSession);
    if (sessionKey == NULL) goto done;
    xmlSecBufferPtr kb = xmlSecKeyDataBinaryValueGetBuffer(xmlSecKeyGetValue(sessionKey));
    if (kb == NULL || xmlSecBufferGetSize(kb) != bits / 8) goto done;
    sessionLen = xmlSecBufferGetSize(kb);
    sessionBytes = malloc(sessionLen);
    if (sessionBytes == NULL) { rc = CX_E_NOMEM; goto done; }
    memcpy(sessionBytes, xmlSecBufferGetData(kb), sessionLen);

    encData = xmlSecTmplEncDataCreate(doc, dataId, NULL, xmlSecTypeEncElement, NULL, NULL);
    if (encData == NULL) goto done;
    if (xmlSecTmplEncDataEnsureCipherValue(encData) == NULL) goto done;
    xmlNodePtr keyInfo = xmlSecTmplEncDataEnsureKeyInfo(encData, NULL);
    if (keyInfo == NULL) goto done;

    dataCtx = xmlSecEncCtxCreate(NULL);
    if (dataCtx == NULL) goto done;
    dataCtx->encKey = sessionKey;
    sessionKey = NULL;
    if (xmlSecEncCtxBinaryEncrypt(dataCtx, encData, xmlBufferContent(plain),
                                  (xmlSecSize)xmlBufferLength(plain)) < 0) goto done;

    /* EncryptedKey: RSA-OAEP-MGF1P with an explicit SHA-1 DigestMethod. */
    xmlNodePtr encKey = xmlSecTmplKeyInfoAddEncryptedKey(keyInfo, xmlSecTransformRsaOaepId, NULL, NULL, NULL);
    if (encKey == NULL) goto done;
    xmlNodePtr method = cx_first_element_child(encKey);
    if (!cx_is_element(method, CX_NS_XENC, "EncryptionMethod")) goto done;
    xmlNodePtr digest = xmlSecAddChild(method, BAD_CAST "DigestMethod", BAD_CAST CX_NS_DSIG);
    if (digest == NULL || xmlSetProp(digest, BAD_CAST "Algorithm", BAD_CAST URI_SHA1) == NULL) goto done;
    xmlNodePtr ekInfo = xmlSecTmplEncDataEnsureKeyInfo(encKey, NULL);
    if (ekInfo == NULL) goto done;
    xmlNodePtr x509 = xmlSecTmplKeyInfoAddX509Data(ekInfo);
    if (x509 == NULL || xmlSecTmplX509DataAddCertificate(x509) == NULL) goto done;
    if (xmlSecTmplEncDataEnsureCipherValue(encKey) == NULL) goto done;

    keyCtx = xmlSecEncCtxCreate(NULL);
    if (keyCtx == NULL) goto done;
    keyCtx->mode = xmlEncCtxModeEncryptedKey;
    keyCtx->encKey = xmlSecKeyDuplicate(recipient->key);
    if (keyCtx->encKey == NULL) goto done;
    if (xmlSecEncCtxBinaryEncrypt(keyCtx, encKey, sessionBytes, (xmlSecSize)sessionLen) < 0) goto done;

    cx_prefix_default_namespaces(encData);

    /* Place it: inside the caller's container (original removed), or in place
       of the original. The original is kept detached, never freed early. */
    if (box != NULL) {
        if (xmlAddChild(box, encData) == NULL) goto done;
        if (node->parent != NULL) {
            if (cx_doc_keep_detached(d, node) != CX_OK) { xmlUnlinkNode(encData); rc = CX_E_NOMEM; goto done; }
            xmlUnlinkNode(node);
        }
    } else {
        if (cx_doc_keep_detached(d, node) != CX_OK) { rc = CX_E_NOMEM; goto done; }
        if (xmlReplaceNode(node, encData) == NULL) goto done;
    }
    *encrypted_data_out = (cx_node *)encData;
    encData = NULL;
    rc = CX_OK;

done:
    if (encData != NULL) xmlFreeNode(encData);
    if (dataCtx != NULL) xmlSecEncCtxDestroy(dataCtx);
    if (keyCtx != NULL) xmlSecEncCtxDestroy(keyCtx);
    if (sessionKey != NULL) xmlSecKeyDestroy(sessionKey);
    if (sessionBytes != NULL) { OPENSSL_cleanse(sessionBytes, sessionLen); free(sessionBytes); }
    xmlBufferFree(plain);
    return rc == CX_OK ? CX_OK : cx_fail(rc, "encryption failed");
}

/* The EncryptedKey for this EncryptedData: inside its ds:KeyInfo, or (SAML
   EncryptedElementType, saml-core §2.2.4) a sibling xenc:EncryptedKey. */
static xmlNodePtr cx_find_encrypted_key(xmlNodePtr encData) {
    for (xmlNodePtr c = cx_first_element_child(encData); c != NULL; c = cx_next_element_sibling(c)) {
        if (cx_is_element(c, CX_NS_DSIG, "KeyInfo")) {
            for (xmlNodePtr k = cx_first_element_child(c); k != NULL; k = cx_next_element_sibling(k)) {
                if (cx_is_element(k, CX_NS_XENC, "EncryptedKey")) return k;
            }
        }
    }
    if (encData->parent != NULL && encData->parent->type == XML_ELEMENT_NODE) {
        for (xmlNodePtr s = cx_first_element_child(encData->parent); s != NULL; s = cx_next_element_sibling(s)) {
            if (cx_is_element(s, CX_NS_XENC, "EncryptedKey")) return s;
        }
    }
    return NULL;
}

int cx_decrypt(cx_doc *d, cx_node *n, cx_key *key, size_t max_bytes, int max_depth, cx_node **element_out) {
    int rc = cx_begin();
    if (rc != CX_OK) return rc;
    xmlNodePtr encData = (xmlNodePtr)n;
    *element_out = NULL;
    if (!cx_is_element(encData, CX_NS_XENC, "EncryptedData")) {
        return cx_fail(CX_E_NOT_ENCRYPTED_DATA, "the element is not xenc:EncryptedData");
    }
    xmlChar *type = xmlGetNoNsProp(encData, BAD_CAST "Type");
    int isElement = type != NULL && xmlStrEqual(type, BAD_CAST URI_TYPE_ELEMENT);
    xmlFree(type);
    if (!isElement) return cx_fail(CX_E_DECRYPT, "EncryptedData Type is not %s", URI_TYPE_ELEMENT);
    if (key->kind != CX_KEY_RSA) return cx_fail(CX_E_KEY, "decryption needs an RSA private key");
    xmlNodePtr encKey = cx_find_encrypted_key(encData);
    if (encKey == NULL) return cx_fail(CX_E_DECRYPT, "no xenc:EncryptedKey found");

    xmlSecEncCtxPtr keyCtx = NULL, dataCtx = NULL;
    xmlSecKeyPtr sessionKey = NULL;
    xmlNodePtr list = NULL;
    rc = CX_E_DECRYPT;

    keyCtx = xmlSecEncCtxCreate(NULL);
    if (keyCtx == NULL) goto done;
    keyCtx->mode = xmlEncCtxModeEncryptedKey;
    keyCtx->encKey = xmlSecKeyDuplicate(key->key);
    if (keyCtx->encKey == NULL) goto done;
    xmlSecBufferPtr sk = xmlSecEncCtxDecryptToBuffer(keyCtx, encKey);
    if (sk == NULL) { cx_fail(CX_E_DECRYPT, "cannot decrypt the EncryptedKey with this private key"); goto done; }
    sessionKey = xmlSecKeyReadMemory(xmlSecKeyDataAesId, xmlSecBufferGetData(sk), xmlSecBufferGetSize(sk));
    if (sessionKey == NULL) { cx_fail(CX_E_DECRYPT, "the decrypted session key is not an AES key"); goto done; }

    dataCtx = xmlSecEncCtxCreate(NULL);
    if (dataCtx == NULL) goto done;
    dataCtx->encKey = sessionKey;
    sessionKey = NULL;
    xmlSecBufferPtr plain = xmlSecEncCtxDecryptToBuffer(dataCtx, encData);
    if (plain == NULL) { cx_fail(CX_E_DECRYPT, "cannot decrypt the EncryptedData"); goto done; }
    size_t plainLen = xmlSecBufferGetSize(plain);
    if (plainLen > max_bytes) { rc = cx_fail(CX_E_TOO_LARGE, "decrypted content is %zu bytes, the limit is %zu", plainLen, max_bytes); goto done; }

    /* Parse the plaintext in the context of EncryptedData's parent so that
       in-scope namespaces apply; no DTD can occur in element content. */
    xmlNodePtr context = encData->parent;
    if (context == NULL) { rc = cx_fail(CX_E_INVALID_ARGUMENT, "EncryptedData is not in a tree"); goto done; }
    if (context->type != XML_ELEMENT_NODE) context = (xmlNodePtr)d->doc;
    xmlParserErrors perr = xmlParseInNodeContext(context, (const char *)xmlSecBufferGetData(plain), (int)plainLen,
                                                 XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING, &list);
    if (perr != XML_ERR_OK) { rc = cx_fail(CX_E_MALFORMED, "decrypted content is not well-formed XML (error %d)", (int)perr); goto done; }

    xmlNodePtr element = NULL;
    for (xmlNodePtr c = list; c != NULL; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            if (element != NULL) { rc = cx_fail(CX_E_MALFORMED, "decrypted content has more than one element"); goto done; }
            element = c;
        } else if (c->type == XML_TEXT_NODE) {
            if (!xmlIsBlankNode(c)) { rc = cx_fail(CX_E_MALFORMED, "decrypted content has text outside the element"); goto done; }
        } else if (c->type != XML_COMMENT_NODE) {
            rc = cx_fail(CX_E_MALFORMED, "decrypted content has unexpected node type %d", (int)c->type);
            goto done;
        }
    }
    if (element == NULL) { rc = cx_fail(CX_E_MALFORMED, "decrypted content has no element"); goto done; }
    if (cx_subtree_depth(element) > max_depth) { rc = cx_fail(CX_E_TOO_DEEP, "decrypted element nesting exceeds the limit of %d", max_depth); goto done; }

    /* Replace EncryptedData with the element; EncryptedData stays detached. */
    if (element->prev) element->prev->next = element->next;
    if (element->next) element->next->prev = element->prev;
    if (list == element) list = element->next;
    element->prev = element->next = NULL;
    element->parent = NULL;
    if (cx_doc_keep_detached(d, encData) != CX_OK) { xmlFreeNode(element); rc = cx_fail(CX_E_NOMEM, "out of memory"); goto done; }
    if (xmlReplaceNode(encData, element) == NULL) { xmlFreeNode(element); rc = cx_fail(CX_E_INTERNAL, "cannot replace EncryptedData"); goto done; }
    *element_out = (cx_node *)element;
    rc = CX_OK;

done:
    if (list != NULL) xmlFreeNodeList(list);
    if (keyCtx != NULL) xmlSecEncCtxDestroy(keyCtx);
    if (dataCtx != NULL) xmlSecEncCtxDestroy(dataCtx);
    if (sessionKey != NULL) xmlSecKeyDestroy(sessionKey);
    if (rc == CX_E_DECRYPT) return cx_fail(rc, "decryption failed");
    return rc;
}
