/* cx_tree.c — hardened parsing, tree walking, building and serialisation. */
#include "cx_abi.h"
#include "cx_internal.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/parserInternals.h>
#include <libxml/xmlsave.h>

/* ---------- document lifetime ---------- */

static cx_doc *cx_doc_wrap(xmlDocPtr doc) {
    cx_doc *d = calloc(1, sizeof *d);
    if (d == NULL) return NULL;
    d->doc = doc;
    return d;
}

void cx_doc_free(cx_doc *d) {
    if (d == NULL) return;
    /* Detached nodes reference the document's dictionary: free them first. */
    for (size_t i = 0; i < d->detached_count; i++) {
        if (d->detached[i] != NULL) xmlFreeNode(d->detached[i]);
    }
    free(d->detached);
    if (d->doc != NULL) xmlFreeDoc(d->doc);
    free(d);
}

/* A detached subtree must not keep answering for its IDs: otherwise a later
   "#id" lookup (or duplicate check) would find the removed element. */
static void cx_forget_ids(xmlDocPtr doc, xmlNodePtr top) {
    xmlNodePtr cur = top;
    while (cur != NULL) {
        if (cur->type == XML_ELEMENT_NODE) {
            for (xmlAttrPtr a = cur->properties; a != NULL; a = a->next) {
                if (a->atype == XML_ATTRIBUTE_ID) {
                    xmlRemoveID(doc, a);
                    a->atype = 0;
                }
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
}

int cx_doc_keep_detached(cx_doc *d, xmlNodePtr node) {
    cx_forget_ids(d->doc, node);
    for (size_t i = 0; i < d->detached_count; i++) {
        if (d->detached[i] == node) return CX_OK;
    }
    if (d->detached_count == d->detached_cap) {
        size_t cap = d->detached_cap ? d->detached_cap * 2 : 8;
        xmlNodePtr *grown = realloc(d->detached, cap * sizeof *grown);
        if (grown == NULL) return CX_E_NOMEM;
        d->detached = grown;
        d->detached_cap = cap;
    }
    d->detached[d->detached_count++] = node;
    return CX_OK;
}

/* ---------- helpers ---------- */

int cx_is_element(xmlNodePtr node, const char *ns, const char *name) {
    if (node == NULL || node->type != XML_ELEMENT_NODE) return 0;
    if (!xmlStrEqual(node->name, BAD_CAST name)) return 0;
    const xmlChar *href = (node->ns != NULL && node->ns->href != NULL && node->ns->href[0] != 0)
                              ? node->ns->href : NULL;
    if (ns == NULL || ns[0] == 0) return href == NULL;
    return href != NULL && xmlStrEqual(href, BAD_CAST ns);
}

xmlNodePtr cx_first_element_child(xmlNodePtr node) {
    if (node == NULL) return NULL;
    for (xmlNodePtr c = node->children; c != NULL; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) return c;
    }
    return NULL;
}

xmlNodePtr cx_next_element_sibling(xmlNodePtr node) {
    if (node == NULL) return NULL;
    for (xmlNodePtr c = node->next; c != NULL; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) return c;
    }
    return NULL;
}

/* Element nesting depth of a subtree (the node itself counts as 1). Iterative. */
int cx_subtree_depth(xmlNodePtr top) {
    if (top == NULL) return 0;
    int depth = 1, maxDepth = 1;
    xmlNodePtr cur = top;
    for (;;) {
        xmlNodePtr child = cx_first_element_child(cur);
        if (child != NULL) {
            cur = child;
            depth++;
            if (depth > maxDepth) maxDepth = depth;
            continue;
        }
        while (cur != top) {
            xmlNodePtr next = cx_next_element_sibling(cur);
            if (next != NULL) { cur = next; break; }
            cur = cur->parent;
            depth--;
        }
        if (cur == top) return maxDepth;
    }
}

static int cx_valid_ncname(const char *name) {
    return name != NULL && name[0] != 0 && xmlValidateNCName(BAD_CAST name, 0) == 0;
}

static int cx_out_string(xmlChar *mem, int size, char **out, size_t *out_len) {
    if (mem == NULL || size < 0) return CX_E_NOMEM;
    char *copy = malloc((size_t)size + 1);
    if (copy == NULL) { xmlFree(mem); return CX_E_NOMEM; }
    memcpy(copy, mem, (size_t)size);
    copy[size] = 0;
    xmlFree(mem);
    *out = copy;
    *out_len = (size_t)size;
    return CX_OK;
}

static char *cx_strdup_xml(xmlChar *s) {
    if (s == NULL) return NULL;
    char *copy = strdup((const char *)s);
    xmlFree(s);
    return copy;
}

/* ---------- hardened parse ---------- */

typedef struct {
    int saw_doctype;
} cx_parse_state;

/* SAX hook: a DOCTYPE is refused the moment it is seen, before any entity
   declaration or external subset is read (billion laughs, XXE, external DTD). */
static void cx_sax_internal_subset(void *ctx, const xmlChar *name, const xmlChar *ExternalID,
                                   const xmlChar *SystemID) {
    (void)name; (void)ExternalID; (void)SystemID;
    xmlParserCtxtPtr ctxt = (xmlParserCtxtPtr)ctx;
    cx_parse_state *st = (cx_parse_state *)ctxt->_private;
    if (st != NULL) st->saw_doctype = 1;
    xmlStopParser(ctxt);
}

int cx_doc_parse(const char *buf, size_t len, size_t max_bytes, int max_depth, cx_doc **out) {
    int rc = cx_begin();
    if (rc != CX_OK) return rc;
    *out = NULL;
    if (len > max_bytes) {
        return cx_fail(CX_E_TOO_LARGE, "document is %zu bytes, the limit is %zu", len, max_bytes);
    }
    if (len > (size_t)INT32_MAX) return cx_fail(CX_E_TOO_LARGE, "document too large");
    if (len == 0 || buf == NULL) return cx_fail(CX_E_MALFORMED, "empty document");

    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (ctxt == NULL) return cx_fail(CX_E_NOMEM, "cannot allocate parser");
    cx_parse_state st = {0};
    ctxt->_private = &st;
    ctxt->sax->internalSubset = cx_sax_internal_subset;
    ctxt->sax->externalSubset = NULL;

    /* No NOENT (no entity substitution), no DTDLOAD/DTDATTR/DTDVALID, no
       XINCLUDE, no HUGE, NONET; NOBLANKS off: whitespace is signed content. */
    int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, buf, (int)len, NULL, NULL, options);

    if (st.saw_doctype) {
        if (doc != NULL) xmlFreeDoc(doc);
        xmlFreeParserCtxt(ctxt);
        return cx_fail(CX_E_DOCTYPE, "a DOCTYPE declaration is not allowed");
    }
    if (doc == NULL || !ctxt->wellFormed || !ctxt->nsWellFormed) {
        /* Namespace errors (undeclared prefix, ...) are refused too. */
        const char *msg = (ctxt->lastError.message != NULL) ? ctxt->lastError.message : "not well-formed";
        char detail[600];
        snprintf(detail, sizeof detail, "line %d: %s", ctxt->lastError.line, msg);
        size_t n = strlen(detail);
        while (n > 0 && detail[n - 1] == '\n') detail[--n] = 0;
        if (doc != NULL) xmlFreeDoc(doc);
        xmlFreeParserCtxt(ctxt);
        return cx_fail(CX_E_MALFORMED, "%s", detail);
    }
    xmlFreeParserCtxt(ctxt);

    if (doc->intSubset != NULL || doc->extSubset != NULL) {
        xmlFreeDoc(doc);
        return cx_fail(CX_E_DOCTYPE, "a DOCTYPE declaration is not allowed");
    }
    /* Nothing but the root element, comments and processing instructions at top level. */
    for (xmlNodePtr c = doc->children; c != NULL; c = c->next) {
        if (c->type == XML_ENTITY_REF_NODE || c->type == XML_DTD_NODE || c->type == XML_ENTITY_DECL) {
            xmlFreeDoc(doc);
            return cx_fail(CX_E_DOCTYPE, "entity or DTD content is not allowed");
        }
    }
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (root == NULL) {
        xmlFreeDoc(doc);
        return cx_fail(CX_E_MALFORMED, "no root element");
    }
    int depth = cx_subtree_depth(root);
    if (depth > max_depth) {
        xmlFreeDoc(doc);
        return cx_fail(CX_E_TOO_DEEP, "element nesting depth exceeds the limit of %d", max_depth);
    }
    cx_doc *d = cx_doc_wrap(doc);
    if (d == NULL) { xmlFreeDoc(doc); return cx_fail(CX_E_NOMEM, "out of memory"); }
    *out = d;
    return CX_OK;
}

/* ---------- building ---------- */

/* Binds `node` to namespace `ns_uri` with `prefix`, reusing an in-scope
   declaration when it already binds that prefix to that URI. */
static int cx_bind_ns(xmlNodePtr node, const char *ns_uri, const char *prefix) {
    if (ns_uri == NULL || ns_uri[0] == 0) {
        xmlNsPtr def = xmlSearchNs(node->doc, node, NULL);
        if (def != NULL && def->href != NULL && def->href[0] != 0) {
            xmlNsPtr undeclare = xmlNewNs(node, BAD_CAST "", NULL);
            if (undeclare == NULL) return cx_fail(CX_E_INTERNAL, "cannot undeclare the default namespace");
            xmlSetNs(node, undeclare);
        } else {
            xmlSetNs(node, NULL);
        }
        return CX_OK;
    }
    if (prefix != NULL && prefix[0] == 0) prefix = NULL;
    if (prefix != NULL && !cx_valid_ncname(prefix)) {
        return cx_fail(CX_E_INVALID_ARGUMENT, "invalid namespace prefix '%s'", prefix);
    }
    xmlNsPtr ns = xmlSearchNs(node->doc, node, BAD_CAST prefix);
    if (ns == NULL || !xmlStrEqual(ns->href, BAD_CAST ns_uri)) {
        ns = xmlNewNs(node, BAD_CAST ns_uri, BAD_CAST prefix);
        if (ns == NULL) {
            return cx_fail(CX_E_INVALID_ARGUMENT, "cannot declare namespace prefix '%s' here",
                           prefix ? prefix : "");
        }
    }
    xmlSetNs(node, ns);
    return CX_OK;
}

int cx_doc_create(const char *ns_uri, const char *prefix, const char *local_name, cx_doc **out) {
    int rc = cx_begin();
    if (rc != CX_OK) return rc;
    *out = NULL;
    if (!cx_valid_ncname(local_name)) {
        return cx_fail(CX_E_INVALID_ARGUMENT, "invalid element name '%s'", local_name ? local_name : "");
    }
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    if (doc == NULL) return cx_fail(CX_E_NOMEM, "out of memory");
    xmlNodePtr root = xmlNewDocNode(doc, NULL, BAD_CAST local_name, NULL);
    if (root == NULL) { xmlFreeDoc(doc); return cx_fail(CX_E_NOMEM, "out of memory"); }
    xmlDocSetRootElement(doc, root);
    rc = cx_bind_ns(root, ns_uri, prefix);
    if (rc != CX_OK) { xmlFreeDoc(doc); return rc; }
    cx_doc *d = cx_doc_wrap(doc);
    if (d == NULL) { xmlFreeDoc(doc); return cx_fail(CX_E_NOMEM, "out of memory"); }
    *out = d;
    return CX_OK;
}

cx_node *cx_doc_root(cx_doc *d) {
    return (cx_node *)xmlDocGetRootElement(d->doc);
}

int cx_node_add_child(cx_doc *d, cx_node *parent, const char *ns_uri, const char *prefix,
                      const char *local_name, cx_node **out) {
    int rc = cx_begin();
    if (rc != CX_OK) return rc;
    xmlNodePtr p = (xmlNodePtr)parent;
    if (p == NULL || p->type != XML_ELEMENT_NODE) return cx_fail(CX_E_INVALID_ARGUMENT, "parent is not an element");
    if (!cx_valid_ncname(local_name)) {
        return cx_fail(CX_E_INVALID_ARGUMENT, "invalid element name '%s'", local_name ? local_name : "");
    }
    xmlNodePtr node = xmlNewDocNode(d->doc, NULL, BAD_CAST local_name, NULL);
    if (node == NULL) return cx_fail(CX_E_NOMEM, "out of memory");
    if (xmlAddChild(p, node) == NULL) { xmlFreeNode(node); return cx_fail(CX_E_INTERNAL, "cannot add child"); }
    rc = cx_bind_ns(node, ns_uri, prefix);
    if (rc != CX_OK) { xmlUnlinkNode(node); xmlFreeNode(node); return rc; }
    *out = (cx_node *)node;
    return CX_OK;
}

int cx_node_set_attr(cx_node *n, const char *name, const char *ns_uri, const char *prefix,
                     const char *value) {
    int rc = cx_begin();
    if (rc != CX_OK) return rc;
    xmlNodePtr node = (xmlNodePtr)n;
    if (!cx_valid_ncname(name)) return cx_fail(CX_E_INVALID_ARGUMENT, "invalid attribute name '%s'", name ? name : "");
    xmlNsPtr ns = NULL;
    if (ns_uri != NULL && ns_uri[0] != 0) {
        if (xmlStrEqual(BAD_CAST ns_uri, BAD_CAST CX_NS_XML)) {
            ns = xmlSearchNsByHref(node->doc, node, BAD_CAST CX_NS_XML);
        } else {
            if (!cx_valid_ncname(prefix)) {
                return cx_fail(CX_E_INVALID_ARGUMENT, "a namespaced attribute needs a valid prefix");
            }
            ns = xmlSearchNs(node->doc, node, BAD_CAST prefix);
            if (ns == NULL || !xmlStrEqual(ns->href, BAD_CAST ns_uri)) {
                ns = xmlNewNs(node, BAD_CAST ns_uri, BAD_CAST prefix);
            }
        }
        if (ns == NULL) return cx_fail(CX_E_INVALID_ARGUMENT, "cannot declare namespace for attribute '%s'", name);
    }
    /* xmlSetNsProp stores the value as a text node: no entity parsing, escaped on output. */
    if (xmlSetNsProp(node, ns, BAD_CAST name, BAD_CAST value) == NULL) {
        return cx_fail(CX_E_INTERNAL, "cannot set attribute '%s'", name);
    }
    return CX_OK;
}

int cx_node_remove_attr(cx_node *n, const char *name, const char *ns_uri) {
    int rc = cx_begin();
    if (rc != CX_OK) return rc;
    xmlNodePtr node = (xmlNodePtr)n;
    xmlAttrPtr a = xmlHasNsProp(node, BAD_CAST name, (ns_uri && ns_uri[0]) ? BAD_CAST ns_uri : NULL);
    if (a == NULL || a->type != XML_ATTRIBUTE_NODE) return CX_OK;
    xmlRemoveProp(a);
    return CX_OK;
}

int cx_node_set_text(cx_doc *d, cx_node *n, const char *text) {
    int rc = cx_begin();
    if (rc != CX_OK) return rc;
    xmlNodePtr node = (xmlNodePtr)n;
    if (node->type != XML_ELEMENT_NODE) return cx_fail(CX_E_INVALID_ARGUMENT, "not an element");
    /* Existing children are detached, not freed: Swift handles may point at them. */
    while (node->children != NULL) {
        xmlNodePtr c = node->children;
        xmlUnlinkNode(c);
        if (c->type == XML_ELEMENT_NODE) {
            rc = cx_doc_keep_detached(d, c);
            if (rc != CX_OK) return cx_fail(rc, "out of memory");
        } else {
            xmlFreeNode(c);
        }
    }
    if (text != NULL && text[0] != 0) {
        xmlNodePtr t = xmlNewDocText(d->doc, BAD_CAST text); /* raw text; escaped on output */
        if (t == NULL) return cx_fail(CX_E_NOMEM, "out of memory");
        if (xmlAddChild(node, t) == NULL) { xmlFreeNode(t); return cx_fail(CX_E_INTERNAL, "cannot add text"); }
    }
    return CX_OK;
}

int cx_node_declare_ns(cx_node *n, const char *ns_uri, const char *prefix) {
    int rc = cx_begin();
    if (rc != CX_OK) return rc;
    xmlNodePtr node = (xmlNodePtr)n;
    if (prefix != NULL && prefix[0] == 0) prefix = NULL;
    if (prefix != NULL && !cx_valid_ncname(prefix)) {
        return cx_fail(CX_E_INVALID_ARGUMENT, "invalid namespace prefix '%s'", prefix);
    }
    for (xmlNsPtr ns = node->nsDef; ns != NULL; ns = ns->next) {
        if (xmlStrEqual(ns->prefix, BAD_CAST prefix)) {
            if (xmlStrEqual(ns->href, BAD_CAST ns_uri)) return CX_OK;
            return cx_fail(CX_E_INVALID_ARGUMENT, "prefix '%s' is already declared here with another URI",
                           prefix ? prefix : "");
        }
    }
    if (xmlNewNs(node, BAD_CAST ns_uri, BAD_CAST prefix) == NULL) {
        return cx_fail(CX_E_INVALID_ARGUMENT, "cannot declare namespace");
    }
    return CX_OK;
}

int cx_node_append_copy(cx_doc *d, cx_node *parent, cx_node *source, cx_node **out) {
    int rc = cx_begin();
    if (rc != CX_OK) return rc;
    xmlNodePtr p = (xmlNodePtr)parent, src = (xmlNodePtr)source;
    if (p->type != XML_ELEMENT_NODE || src->type != XML_ELEMENT_NODE) {
        return cx_fail(CX_E_INVALID_ARGUMENT, "both nodes must be elements");
    }
    /* A parentless deep copy declares the namespaces it uses on its own root. */
    xmlNodePtr copy = xmlDocCopyNode(src, d->doc, 1);
    if (copy == NULL) return cx_fail(CX_E_NOMEM, "cannot copy node");
    if (xmlAddChild(p, copy) == NULL) { xmlFreeNode(copy); return cx_fail(CX_E_INTERNAL, "cannot add copy"); }
    *out = (cx_node *)copy;
    return CX_OK;
}

int cx_node_detach(cx_doc *d, cx_node *n) {
    int rc = cx_begin();
    if (rc != CX_OK) return rc;
    xmlNodePtr node = (xmlNodePtr)n;
    if (node->parent == NULL) return CX_OK;
    rc = cx_doc_keep_detached(d, node);
    if (rc != CX_OK) return cx_fail(rc, "out of memory");
    xmlUnlinkNode(node);
    return CX_OK;
}

/* ---------- walking ---------- */

const char *cx_node_local_name(cx_node *n) {
    return (const char *)((xmlNodePtr)n)->name;
}

const char *cx_node_ns_uri(cx_node *n) {
    xmlNodePtr node = (xmlNodePtr)n;
    if (node->ns == NULL || node->ns->href == NULL || node->ns->href[0] == 0) return NULL;
    return (const char *)node->ns->href;
}

const char *cx_node_ns_prefix(cx_node *n) {
    xmlNodePtr node = (xmlNodePtr)n;
    if (node->ns == NULL) return NULL;
    return (const char *)node->ns->prefix;
}

int cx_node_is(cx_node *n, const char *ns_uri, const char *local_name) {
    return cx_is_element((xmlNodePtr)n, ns_uri, local_name);
}

char *cx_node_attr(cx_node *n, const char *name, const char *ns_uri) {
    xmlNodePtr node = (xmlNodePtr)n;
    if (ns_uri != NULL && ns_uri[0] != 0) return cx_strdup_xml(xmlGetNsProp(node, BAD_CAST name, BAD_CAST ns_uri));
    return cx_strdup_xml(xmlGetNoNsProp(node, BAD_CAST name));
}

char *cx_node_text(cx_node *n) {
    xmlChar *s = xmlNodeGetContent((xmlNodePtr)n);
    if (s == NULL) return strdup("");
    return cx_strdup_xml(s);
}

cx_node *cx_node_first_element(cx_node *n) { return (cx_node *)cx_first_element_child((xmlNodePtr)n); }
cx_node *cx_node_next_element(cx_node *n) { return (cx_node *)cx_next_element_sibling((xmlNodePtr)n); }

cx_node *cx_node_parent_element(cx_node *n) {
    xmlNodePtr p = ((xmlNodePtr)n)->parent;
    return (p != NULL && p->type == XML_ELEMENT_NODE) ? (cx_node *)p : NULL;
}

/* ---------- serialisation (no reformatting) ---------- */

int cx_doc_serialize(cx_doc *d, char **out, size_t *out_len) {
    int rc = cx_begin();
    if (rc != CX_OK) return rc;
    xmlChar *mem = NULL;
    int size = 0;
    xmlDocDumpMemoryEnc(d->doc, &mem, &size, "UTF-8");
    rc = cx_out_string(mem, size, out, out_len);
    return rc == CX_OK ? CX_OK : cx_fail(rc, "cannot serialise document");
}

int cx_node_serialize(cx_doc *d, cx_node *n, char **out, size_t *out_len) {
    int rc = cx_begin();
    if (rc != CX_OK) return rc;
    xmlBufferPtr buf = xmlBufferCreate();
    if (buf == NULL) return cx_fail(CX_E_NOMEM, "out of memory");
    if (xmlNodeDump(buf, d->doc, (xmlNodePtr)n, 0, 0) < 0) {
        xmlBufferFree(buf);
        return cx_fail(CX_E_INTERNAL, "cannot serialise element");
    }
    int size = xmlBufferLength(buf);
    char *copy = malloc((size_t)size + 1);
    if (copy == NULL) { xmlBufferFree(buf); return cx_fail(CX_E_NOMEM, "out of memory"); }
    memcpy(copy, xmlBufferContent(buf), (size_t)size);
    copy[size] = 0;
    xmlBufferFree(buf);
    *out = copy;
    *out_len = (size_t)size;
    return CX_OK;
}
