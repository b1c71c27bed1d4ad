/* cx_zlib.c — raw DEFLATE (RFC 1951, no zlib/gzip header: windowBits -15) for
   the SAML HTTP-Redirect binding (saml-bindings §3.4.4.1). Inflation is capped:
   a few kilobytes of DEFLATE can expand to gigabytes (a "deflate bomb"), so the
   output stops at max_out bytes and the call fails instead of growing. */
#include "cx_abi.h"
#include "cx_internal.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int cx_inflate_raw(const unsigned char *in, size_t in_len, size_t max_out,
                   unsigned char **out, size_t *out_len) {
    int rc = cx_begin();
    if (rc != CX_OK) return rc;
    *out = NULL;
    *out_len = 0;
    if (in == NULL && in_len > 0) return cx_fail(CX_E_INVALID_ARGUMENT, "no input");
    if (in_len > (size_t)UINT32_MAX) return cx_fail(CX_E_TOO_LARGE, "compressed input too large");

    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, -15) != Z_OK) return cx_fail(CX_E_NOMEM, "cannot start inflate");

    size_t cap = in_len * 4 + 256;
    if (cap > max_out + 1) cap = max_out + 1;
    unsigned char *buf = malloc(cap);
    if (buf == NULL) { inflateEnd(&zs); return cx_fail(CX_E_NOMEM, "out of memory"); }

    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)in_len;
    size_t used = 0;
    int zr = Z_OK;
    for (;;) {
        if (used == cap) {
            if (cap > max_out) { /* already holds max_out + 1 bytes */
                free(buf); inflateEnd(&zs);
                return cx_fail(CX_E_INFLATE_LIMIT, "inflated data exceeds the limit of %zu bytes", max_out);
            }
            size_t grown = cap * 2;
            if (grown > max_out + 1) grown = max_out + 1;
            unsigned char *nb = realloc(buf, grown);
            if (nb == NULL) { free(buf); inflateEnd(&zs); return cx_fail(CX_E_NOMEM, "out of memory"); }
            buf = nb;
            cap = grown;
        }
        size_t room = cap - used;
        if (room > (size_t)UINT32_MAX) room = UINT32_MAX;
        zs.next_out = buf + used;
        zs.avail_out = (uInt)room;
        zr = inflate(&zs, Z_NO_FLUSH);
        used += room - zs.avail_out;
        if (used > max_out) {
            free(buf); inflateEnd(&zs);
            return cx_fail(CX_E_INFLATE_LIMIT, "inflated data exceeds the limit of %zu bytes", max_out);
        }
        if (zr == Z_STREAM_END) break;
        if (zr == Z_OK) continue;
        if (zr == Z_BUF_ERROR && zs.avail_out != 0) {
            free(buf); inflateEnd(&zs);
            return cx_fail(CX_E_INFLATE, "the compressed data ends before the end of the DEFLATE stream");
        }
        if (zr == Z_BUF_ERROR) continue;
        const char *msg = zs.msg ? zs.msg : "invalid DEFLATE data";
        int r = cx_fail(CX_E_INFLATE, "%s", msg);
        free(buf); inflateEnd(&zs);
        return r;
    }
    int trailing = zs.avail_in != 0;
    inflateEnd(&zs);
    if (trailing) {
        free(buf);
        return cx_fail(CX_E_INFLATE, "data follows the end of the DEFLATE stream");
    }
    *out = buf;
    *out_len = used;
    return CX_OK;
}

int cx_deflate_raw(const unsigned char *in, size_t in_len, unsigned char **out, size_t *out_len) {
    int rc = cx_begin();
    if (rc != CX_OK) return rc;
    *out = NULL;
    *out_len = 0;
    if (in == NULL && in_len > 0) return cx_fail(CX_E_INVALID_ARGUMENT, "no input");
    if (in_len > (size_t)UINT32_MAX / 2) return cx_fail(CX_E_TOO_LARGE, "input too large");

    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return cx_fail(CX_E_NOMEM, "cannot start deflate");
    }
    size_t cap = deflateBound(&zs, (uLong)in_len);
    unsigned char *buf = malloc(cap > 0 ? cap : 1);
    if (buf == NULL) { deflateEnd(&zs); return cx_fail(CX_E_NOMEM, "out of memory"); }
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)in_len;
    zs.next_out = buf;
    zs.avail_out = (uInt)cap;
    int zr = deflate(&zs, Z_FINISH);
    size_t produced = cap - zs.avail_out;
    deflateEnd(&zs);
    if (zr != Z_STREAM_END) {
        free(buf);
        return cx_fail(CX_E_INTERNAL, "deflate did not finish");
    }
    *out = buf;
    *out_len = produced;
    return CX_OK;
}
