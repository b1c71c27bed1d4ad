<?php
// Benchmarks/sso.sh: one static user; the first request authenticates without a form and the
// session (cookie SimpleSAML + SimpleSAMLAuthToken) carries every later request.
$config = [
    'admin' => ['core:AdminPassword'],
    'bench-static' => [
        'exampleauth:StaticSource',
        'uid' => ['ann'],
        'mail' => ['ann@shop.example'],
        'givenName' => ['Ann'],
        'sn' => ['Lee'],
    ],
];
