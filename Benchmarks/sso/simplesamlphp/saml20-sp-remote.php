<?php
// Benchmarks/sso.sh: the SP the IdP-initiated requests name (?spentityid=…); nothing listens there.
$metadata['http://127.0.0.1:9/ssp-bench/metadata'] = [
    'AssertionConsumerService' => 'http://127.0.0.1:9/ssp-bench/acs',
    'NameIDFormat' => 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
    'simplesaml.nameidattribute' => 'mail',
];
