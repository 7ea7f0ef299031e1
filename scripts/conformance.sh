#!/usr/bin/env bash
# Runs the MCP conformance suite (@modelcontextprotocol/conformance) against the real server:
# the release `autotask-mcp --sandbox --transport http` on loopback, bearer auth on, reached
# through scripts/conformance-proxy.mjs (the suite cannot send an Authorization header; the
# proxy adds it and forwards everything else unchanged). Both protocol revisions, `--suite all`,
# with conformance/baseline.yaml as the expected failures (only what stateless HTTP makes
# impossible). The binary is built with the `conformance-fixtures` feature: the suite's
# fixture tools, resources and prompts beside the real ones, on the production HTTP stack.
#
# Usage: scripts/conformance.sh            exit 0 = no failure outside the baseline
#                                          (and no stale baseline entry)
# Env:   CONFORMANCE_CACHE   where Node 22 and the suite are installed (default
#                            ~/.cache/autotask-mcp-conformance; never inside the repository)
#        AUTOTASK_MCP_BIN    the binary to test (default: built here with the
#                            conformance-fixtures feature)
# Needs npm (any Node version) for the first install; runs offline afterwards. Not part of
# `cargo test`. Results: target/conformance/<revision>/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
REVISIONS=(2025-11-25 2026-07-28)
OUT="$ROOT/target/conformance"

SERVER_PID=""
PROXY_PID=""
cleanup() {
    for pid in "$PROXY_PID" "$SERVER_PID"; do
        if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
}
trap cleanup EXIT

# 1. Node 22 and the suite, from the npm registry, into the cache.
# shellcheck source=scripts/node-tools.sh
source "$ROOT/scripts/node-tools.sh"
SUITE_PKG="$CONFORMANCE_SUITE_PKG"
node_tools "$ROOT" "$SUITE_PKG"
CONFORMANCE="$CACHE/node_modules/.bin/conformance"
echo "== node $(node --version), $SUITE_PKG"

# 2. The binary.
BIN="${AUTOTASK_MCP_BIN:-}"
if [[ -z "$BIN" ]]; then
    # The real server with the suite's fixtures (src/conformance.rs), in the debug profile
    # whose dependencies `cargo test` has built. Cargo keeps both feature sets' artifacts, so
    # the plain binary is put back at target/debug/autotask-mcp without recompiling.
    echo "== cargo build --locked --features conformance-fixtures"
    cargo build --quiet --locked --features conformance-fixtures --bin autotask-mcp
    mkdir -p "$OUT"
    cp "$ROOT/target/debug/autotask-mcp" "$OUT/autotask-mcp-fixtures"
    cargo build --quiet --locked --bin autotask-mcp
    BIN="$OUT/autotask-mcp-fixtures"
fi

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
UPSTREAM_PORT="$(free_port)"
PROXY_PORT="$(free_port)"
TOKEN="$(node -e "console.log(require('crypto').randomBytes(24).toString('hex'))")"
mkdir -p "$OUT"

# 3. The server (auth on) and the proxy that adds the token.
env -u RUST_LOG AUTOTASK_TRANSPORT=http AUTOTASK_SANDBOX=true PORT="$UPSTREAM_PORT" \
    AUTOTASK_HTTP_HOST=127.0.0.1 AUTOTASK_HTTP_TOKEN="$TOKEN" RUST_LOG=warn \
    "$BIN" 2>"$OUT/server.log" &
SERVER_PID=$!
CONFORMANCE_TOKEN="$TOKEN" node "$ROOT/scripts/conformance-proxy.mjs" "$PROXY_PORT" "$UPSTREAM_PORT" 2>"$OUT/proxy.log" &
PROXY_PID=$!
for _ in $(seq 1 100); do
    if node -e "fetch('http://127.0.0.1:$PROXY_PORT/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" 2>/dev/null; then
        break
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server exited; see $OUT/server.log" >&2; exit 1; }
    sleep 0.2
done

# 4. Both revisions.
status=0
for rev in "${REVISIONS[@]}"; do
    echo
    echo "== conformance server --suite all --spec-version $rev"
    rm -rf "${OUT:?}/$rev"
    if ! "$CONFORMANCE" server --url "http://127.0.0.1:$PROXY_PORT/mcp" --suite all \
        --spec-version "$rev" --expected-failures "${CONFORMANCE_BASELINE:-$ROOT/conformance/baseline.yaml}" \
        -o "$OUT/$rev" 2>&1 | tee "$OUT/$rev.log"; then
        status=1
    fi
done

# 5. Summary per revision: scenarios passed / failed, from the checks the suite wrote.
echo
echo "== summary (details: $OUT/<revision>/*/checks.json)"
node - "$OUT" "${REVISIONS[@]}" <<'EOF'
const fs = require('fs');
const path = require('path');
const [out, ...revs] = process.argv.slice(2);
for (const rev of revs) {
  const dir = path.join(out, rev);
  const passed = [], failed = [], empty = [];
  let checksOk = 0, checksAll = 0;
  for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []) {
    const file = path.join(dir, entry, 'checks.json');
    if (!fs.existsSync(file)) continue;
    const checks = JSON.parse(fs.readFileSync(file, 'utf8'));
    const list = (Array.isArray(checks) ? checks : checks.checks ?? []).filter((c) => c.status !== 'INFO');
    const name = entry.replace(/^server-/, '').replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, '');
    const ok = list.filter((c) => c.status === 'SUCCESS').length;
    const bad = list.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING').length;
    checksAll += ok + bad;
    checksOk += ok;
    if (bad) failed.push(`${name} (${ok}/${ok + bad})`);
    else if (ok) passed.push(name);
    else empty.push(name);
  }
  console.log(`${rev}: ${passed.length} scenarios pass, ${failed.length} fail, ${empty.length} without checks; checks ${checksOk}/${checksAll} pass`);
  console.log(`  pass: ${passed.join(', ')}`);
  if (empty.length) console.log(`  no checks ran: ${empty.join(', ')}`);
  console.log(`  fail (checks passed/run; all in the baseline when the run exits 0): ${failed.join(', ')}`);
}
EOF
if [[ $status -eq 0 ]]; then
    echo "conformance: every failure is in conformance/baseline.yaml"
else
    echo "conformance: failures outside the baseline (or stale baseline entries): see above" >&2
fi
exit $status
