/*
 * cx_abi.h — the preprocessor defines that `pkg-config --cflags xmlsec1-openssl`
 * prints. SwiftPM drops -D flags from pkg-config output, yet they change the
 * library's ABI (XMLSEC_NO_SIZE_T makes xmlSecSize an unsigned int, the others
 * shape the headers). Every .c file in this target includes this header FIRST,
 * before any libxml2/xmlsec/OpenSSL include. A test compares CX_ABI_DEFINES
 * with the live pkg-config output.
 */
#ifndef CX_ABI_H
#define CX_ABI_H

#ifndef XMLSEC_NO_SIZE_T
#define XMLSEC_NO_SIZE_T 1
#endif
#ifndef XMLSEC_CRYPTO_OPENSSL
#define XMLSEC_CRYPTO_OPENSSL 1
#endif
#ifndef XMLSEC_NO_CRYPTO_DYNAMIC_LOADING
#define XMLSEC_NO_CRYPTO_DYNAMIC_LOADING 1
#endif
#ifndef XMLSEC_OPENSSL3_ENGINES
#define XMLSEC_OPENSSL3_ENGINES 1
#endif
#ifndef XMLSEC_NO_GOST
#define XMLSEC_NO_GOST 1
#endif
#ifndef XMLSEC_NO_GOST2012
#define XMLSEC_NO_GOST2012 1
#endif
#ifndef __XMLSEC_FUNCTION__
#define __XMLSEC_FUNCTION__ __func__
#endif

/* Space-separated, in the spelling pkg-config uses. */
#define CX_ABI_DEFINES \
    "-D__XMLSEC_FUNCTION__=__func__ -DXMLSEC_NO_SIZE_T -DXMLSEC_OPENSSL3_ENGINES=1 " \
    "-DXMLSEC_NO_GOST=1 -DXMLSEC_NO_GOST2012=1 -DXMLSEC_NO_CRYPTO_DYNAMIC_LOADING=1 " \
    "-DXMLSEC_CRYPTO_OPENSSL=1"

#endif
