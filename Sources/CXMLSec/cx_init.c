/* cx_init.c — one-time library initialisation and per-thread error capture. */
#include "cx_abi.h"
#include "cx_internal.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlerror.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlversion.h>
#include <xmlsec/version.h>

#define CX_ERR_CAP 4096

static _Thread_local char cx_err_buf[CX_ERR_CAP];
static _Thread_local size_t cx_err_len;

static pthread_once_t cx_once = PTHREAD_ONCE_INIT;
static int cx_init_status = CX_E_INIT;
static char cx_init_message[512];

static void cx_err_append(const char *text) {
    if (text == NULL) return;
    size_t room = CX_ERR_CAP - 1 - cx_err_len;
    if (room == 0) return;
    if (cx_err_len > 0 && room > 2) {
        cx_err_buf[cx_err_len++] = ';';
        cx_err_buf[cx_err_len++] = ' ';
        room -= 2;
    }
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' ')) n--;
    if (n > room) n = room;
    memcpy(cx_err_buf + cx_err_len, text, n);
    cx_err_len += n;
    cx_err_buf[cx_err_len] = '\0';
}

static void cx_err_reset(void) {
    cx_err_len = 0;
    cx_err_buf[0] = '\0';
}

/* xmlsec reports through a process-wide callback; it runs on the calling
   thread, so writing to the thread-local buffer attributes it correctly. */
static void cx_xmlsec_error_cb(const char *file, int line, const char *func,
                               const char *errorObject, const char *errorSubject,
                               int reason, const char *msg) {
    (void)file; (void)line; (void)errorObject;
    char tmp[512];
    const char *reasonText = NULL;
    for (xmlSecSize i = 0; i < XMLSEC_ERRORS_MAX_NUMBER; i++) {
        const char *m = xmlSecErrorsGetMsg(i);
        if (m == NULL) break;
        if (xmlSecErrorsGetCode(i) == reason) { reasonText = m; break; }
    }
    snprintf(tmp, sizeof tmp, "xmlsec %s: %s%s%s%s%s%s",
             func ? func : "?",
             reasonText ? reasonText : "error",
             errorSubject ? " (" : "", errorSubject ? errorSubject : "", errorSubject ? ")" : "",
             (msg && msg[0]) ? ": " : "", (msg && msg[0]) ? msg : "");
    cx_err_append(tmp);
}

static void cx_xml_generic_error_cb(void *ctx, const char *msg, ...) {
    (void)ctx;
    char tmp[512];
    va_list ap;
    va_start(ap, msg);
    vsnprintf(tmp, sizeof tmp, msg, ap);
    va_end(ap);
    cx_err_append(tmp);
}

static void cx_xml_structured_error_cb(void *ctx, xmlErrorPtr err) {
    (void)ctx;
    if (err == NULL || err->message == NULL) return;
    cx_err_append(err->message);
}

/* No external resource is ever loaded: DTDs, entities, XIncludes all refused. */
static xmlParserInputPtr cx_refuse_external_entity(const char *URL, const char *ID,
                                                   xmlParserCtxtPtr ctxt) {
    (void)ID; (void)ctxt;
    char tmp[256];
    snprintf(tmp, sizeof tmp, "external resource refused: %s", URL ? URL : "(null)");
    cx_err_append(tmp);
    return NULL;
}

static void cx_init_once(void) {
    xmlInitParser();
    xmlSetExternalEntityLoader(cx_refuse_external_entity);
    xmlThrDefSetGenericErrorFunc(NULL, cx_xml_generic_error_cb);
    xmlThrDefSetStructuredErrorFunc(NULL, cx_xml_structured_error_cb);
    xmlSetGenericErrorFunc(NULL, cx_xml_generic_error_cb);
    xmlSetStructuredErrorFunc(NULL, cx_xml_structured_error_cb);

    if (xmlSecInit() < 0) {
        snprintf(cx_init_message, sizeof cx_init_message, "xmlSecInit failed: %s", cx_err_buf);
        return;
    }
    if (xmlSecCheckVersion() != 1) {
        snprintf(cx_init_message, sizeof cx_init_message,
                 "libxmlsec1 version mismatch with headers (%s)", XMLSEC_VERSION);
        return;
    }
    if (xmlSecCryptoAppInit(NULL) < 0) {
        snprintf(cx_init_message, sizeof cx_init_message, "xmlSecCryptoAppInit failed: %s", cx_err_buf);
        return;
    }
    if (xmlSecCryptoInit() < 0) {
        snprintf(cx_init_message, sizeof cx_init_message, "xmlSecCryptoInit failed: %s", cx_err_buf);
        return;
    }
    /* xmlSecInit and the crypto init install the default callback (which
       prints via libxml2); replace it once everything is initialised. */
    xmlSecErrorsSetCallback(cx_xmlsec_error_cb);
    cx_init_status = CX_OK;
}

int cx_init(void) {
    pthread_once(&cx_once, cx_init_once);
    return cx_init_status;
}

int cx_begin(void) {
    if (cx_init() != CX_OK) {
        cx_err_reset();
        cx_err_append(cx_init_message[0] ? cx_init_message : "initialisation failed");
        return CX_E_INIT;
    }
    cx_err_reset();
    /* libxml2 keeps these per thread; threads that existed before cx_init did
       not inherit the defaults, so set them on every entry. */
    xmlSetGenericErrorFunc(NULL, cx_xml_generic_error_cb);
    xmlSetStructuredErrorFunc(NULL, cx_xml_structured_error_cb);
    ERR_clear_error();
    return CX_OK;
}

int cx_fail(int code, const char *fmt, ...) {
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    /* Put our own message first: it says what was wrong; library detail follows. */
    char saved[CX_ERR_CAP];
    memcpy(saved, cx_err_buf, cx_err_len + 1);
    cx_err_reset();
    cx_err_append(tmp);
    if (saved[0]) cx_err_append(saved);
    return code;
}

void cx_collect_openssl_errors(void) {
    unsigned long e;
    char tmp[256];
    while ((e = ERR_get_error()) != 0) {
        ERR_error_string_n(e, tmp, sizeof tmp);
        cx_err_append(tmp);
    }
}

const char *cx_last_error(void) { return cx_err_buf; }
const char *cx_abi_defines(void) { return CX_ABI_DEFINES; }
const char *cx_xmlsec_version(void) { return XMLSEC_VERSION; }
const char *cx_libxml2_version(void) { return LIBXML_DOTTED_VERSION; }
void cx_free(void *p) { free(p); }
