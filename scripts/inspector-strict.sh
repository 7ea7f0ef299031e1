#!/usr/bin/env bash
# The MCP Inspector's schema portability lint: `@modelcontextprotocol/inspector` 2.12's CLI,
# `--method tools/list --strict`, over stdio against `autotask-mcp --sandbox` (no credentials,
# nothing leaves the machine). Prints the inspector's report and a one-line count.
#
# Usage: scripts/inspector-strict.sh     exit 0 = no error and no warning
#                                        exit 1 = warnings (or errors) were printed
# Env:   CONFORMANCE_CACHE  where Node 22 and the inspector are installed (shared with
#                           scripts/conformance.sh; default ~/.cache/autotask-mcp-conformance)
#        AUTOTASK_MCP_BIN   the binary to lint (default: cargo build, then target/debug/autotask-mcp)
# Run by .ci/run: every parameter advertises one type (numbers and booleans are still taken as
# strings when called), so the lint has nothing to warn about.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="$ROOT/target/inspector"
# shellcheck source=scripts/node-tools.sh
source "$ROOT/scripts/node-tools.sh"
node_tools "$ROOT" "$INSPECTOR_PKG"
LAUNCHER="$CACHE/node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js"

BIN="${AUTOTASK_MCP_BIN:-}"
if [[ -z "$BIN" ]]; then
    cargo build --quiet --locked --bin autotask-mcp
    BIN="$ROOT/target/debug/autotask-mcp"
fi
mkdir -p "$OUT"
# The inspector keeps a server catalog; keep it out of $HOME.
export MCP_CATALOG_PATH="$OUT/catalog.json"

echo "== inspector --cli --method tools/list --strict -- autotask-mcp --sandbox"
set +e
env -u AUTOTASK_USERNAME -u AUTOTASK_SECRET -u AUTOTASK_INTEGRATION_CODE RUST_LOG=warn \
    node "$LAUNCHER" --cli --method tools/list --strict -- "$BIN" --sandbox \
    >"$OUT/tools-list.json" 2>"$OUT/strict.log"
code=$?
set -e
grep -v '^[0-9-]*T[0-9:.]*Z ' "$OUT/strict.log" || true
warnings=$(grep -c '^Warning:' "$OUT/strict.log" || true)
errors=$(grep -c '^Error:' "$OUT/strict.log" || true)
tools=$(node -e 'try{console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).tools.length)}catch{console.log("?")}' "$OUT/tools-list.json")
echo "inspector --strict: $tools tools listed, $errors errors, $warnings warnings (inspector exit $code; report: $OUT/strict.log)"
if [[ $code -ne 0 || $warnings -ne 0 || $errors -ne 0 ]]; then
    exit 1
fi
