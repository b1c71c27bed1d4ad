# SimpleSAMLphp peer for Benchmarks/sso.sh (sourced, not run): Debian's simplesamlphp package served
# by our own nginx + php-fpm on loopback, configured from a copy of /etc/simplesamlphp in $1.
# Nothing under /etc or /usr is edited; SIMPLESAMLPHP_CONFIG_DIR (a fastcgi_param) points at the copy.

SSP_TEMPLATES="$(cd "$(dirname "${BASH_SOURCE[0]}")/simplesamlphp" && pwd)"
SSP_NGINX_PID=""
SSP_FPM_PID=""
SSP_SPENTITY="http://127.0.0.1:9/ssp-bench/metadata"

# Fills @DIR@/@PORT@/@SALT@ in a template.
ssp_render() {  # TEMPLATE DIR PORT SALT
  sed -e "s|@DIR@|$2|g" -e "s|@PORT@|$3|g" -e "s|@SALT@|$4|g" "$SSP_TEMPLATES/$1"
}

# Starts php-fpm and nginx; returns non-zero (with a reason on stderr) when they do not come up.
ssp_start() {  # DIR PORT
  local dir="$1" port="$2" salt
  salt="$(openssl rand -hex 24)"
  mkdir -p "$dir"/{log,data,tmp,sessions,nginx-tmp}
  cp -a /etc/simplesamlphp "$dir/config"
  ssp_render config-overrides.php "$dir" "$port" "$salt" >>"$dir/config/config.php"
  cp "$SSP_TEMPLATES/authsources.php" "$dir/config/authsources.php"
  mkdir -p "$dir/config/metadata" "$dir/config/cert"
  cp "$SSP_TEMPLATES/saml20-idp-hosted.php" "$SSP_TEMPLATES/saml20-sp-remote.php" "$dir/config/metadata/"
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -subj "/CN=simplesamlphp-bench" \
    -keyout "$dir/config/cert/idp.key" -out "$dir/config/cert/idp.crt" >/dev/null 2>&1
  ssp_render php-fpm.conf "$dir" "$port" "$salt" >"$dir/php-fpm.conf"
  ssp_render nginx.conf "$dir" "$port" "$salt" >"$dir/nginx.conf"
  local fpm; fpm="$(ls /usr/sbin/php-fpm* 2>/dev/null | sort -V | tail -n 1)"
  [ -x "$fpm" ] || { echo "no php-fpm binary" >&2; return 1; }
  # -R: the workers run as root (this script's user), so they can write the temp folder
  "$fpm" -R -F -y "$dir/php-fpm.conf" >"$dir/log/php-fpm.out" 2>&1 &
  SSP_FPM_PID=$!
  nginx -p "$dir" -e "$dir/log/nginx-error.log" -c "$dir/nginx.conf" >"$dir/log/nginx.out" 2>&1 &
  SSP_NGINX_PID=$!
  local _
  for _ in $(seq 1 50); do
    [ -S "$dir/php-fpm.sock" ] && curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/simplesaml/" && return 0
    kill -0 "$SSP_FPM_PID" 2>/dev/null || { echo "php-fpm exited: $(tail -n 3 "$dir/log/php-fpm.out" "$dir/log/php-fpm.log" 2>/dev/null)" >&2; return 1; }
    kill -0 "$SSP_NGINX_PID" 2>/dev/null || { echo "nginx exited: $(tail -n 3 "$dir/log/nginx-error.log" 2>/dev/null)" >&2; return 1; }
    sleep 0.2
  done
  echo "nginx/php-fpm did not answer within 10 s" >&2; return 1
}

ssp_stop() {
  local pid
  for pid in "$SSP_NGINX_PID" "$SSP_FPM_PID"; do
    [ -n "$pid" ] || continue
    kill "$pid" 2>/dev/null || true   # TERM: nginx and php-fpm masters stop their workers
    wait "$pid" 2>/dev/null || true
  done
  SSP_NGINX_PID=""; SSP_FPM_PID=""
}

# nginx and php-fpm masters and their workers (for CPU time per request).
ssp_pids() {
  echo "$SSP_NGINX_PID $SSP_FPM_PID $(pgrep -P "$SSP_NGINX_PID" | tr '\n' ' ') $(pgrep -P "$SSP_FPM_PID" | tr '\n' ' ')"
}

# The IdP-initiated URL (SimpleSAMLphp 1.19 syntax) for our one remote SP.
ssp_idp_initiated_url() {  # PORT
  echo "http://127.0.0.1:$1/simplesaml/saml2/idp/SSOService.php?spentityid=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$SSP_SPENTITY")"
}
