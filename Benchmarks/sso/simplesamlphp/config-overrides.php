
// ---- appended by Benchmarks/sso.sh to a copy of Debian's /etc/simplesamlphp/config.php ----
// A loopback IdP for the benchmark: everything it writes stays in @DIR@, plain http, no syslog.
$config['baseurlpath'] = 'http://127.0.0.1:@PORT@/simplesaml/';
$config['certdir'] = '@DIR@/config/cert/';
$config['metadatadir'] = '@DIR@/config/metadata/';
$config['loggingdir'] = '@DIR@/log/';
$config['datadir'] = '@DIR@/data/';
$config['tempdir'] = '@DIR@/tmp/';
$config['logging.handler'] = 'file';
$config['logging.level'] = SimpleSAML\Logger::WARNING;
$config['statistics.out'] = [];
$config['secretsalt'] = '@SALT@';
$config['enable.saml20-idp'] = true;
$config['module.enable']['exampleauth'] = true;
$config['admin.checkforupdates'] = false;
// http on loopback: a Secure cookie would never come back
$config['session.cookie.secure'] = false;
$config['session.cookie.samesite'] = null;
$config['language.cookie.secure'] = false;
$config['session.phpsession.savepath'] = '@DIR@/sessions';
