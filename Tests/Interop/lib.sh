# Shared by the server-driven interop scripts (sourced, not run).

# Starts `storeidp serve` on $PORT in the background (log: $WORK/server.log), sets SERVER_PID,
# and waits at most ~15 s for /healthz; calls the caller's `die` when the server does not come up.
start_storeidp() {
  "$BIN" serve --hostname 127.0.0.1 --port "$PORT" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  local up=""
  for _ in $(seq 1 150); do
    if curl -fsS --max-time 2 "$BASE/healthz" >/dev/null 2>&1; then up=1; break; fi
    kill -0 "$SERVER_PID" 2>/dev/null || die "server exited during start" "$WORK/server.log"
    sleep 0.1
  done
  [ -n "$up" ] || die "server did not answer /healthz within 15 s" "$WORK/server.log"
}
