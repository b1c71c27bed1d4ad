/* Intentionally empty: this module only carries pkg-config include paths and
   link lines for libxmlsec1-openssl. All libxml2/xmlsec calls live in CXMLSec. */
