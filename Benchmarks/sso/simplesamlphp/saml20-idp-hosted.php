<?php
// Benchmarks/sso.sh: the hosted IdP; key and certificate made with openssl in the temp folder.
$metadata['__DYNAMIC:1__'] = [
    'host' => '__DEFAULT__',
    'privatekey' => 'idp.key',
    'certificate' => 'idp.crt',
    'auth' => 'bench-static',
    // one RSA-SHA256 signature over the Response, like StoreIdP's `sign: response`
    'saml20.sign.response' => true,
    'saml20.sign.assertion' => false,
    'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
];
