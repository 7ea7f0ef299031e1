#!/usr/bin/env bash
# Fuzz smoke: every cargo-fuzz target in fuzz/ for a short fixed time, starting from the
# checked-in seed corpus (fuzz/corpus/<target>/, read-only here; new inputs go to
# target/fuzz-smoke/). Fails on any crash, panic, timeout (30 s per input) or out-of-memory
# (2 GiB). Prints executions per target.
#
# Usage: scripts/fuzz-smoke.sh [SECONDS_PER_TARGET]    (default $FUZZ_SECONDS, else 45)
# Needs: cargo-fuzz (installed from crates.io when missing). Uses the nightly toolchain when
# rustup has one, else stable: with `--sanitizer none` cargo-fuzz passes no -Z flag, so both
# work. No sanitizer: our crates forbid `unsafe`; coverage-guided libFuzzer plus Rust's own
# checks (debug assertions, overflow checks) are what finds our bugs, at several times the
# speed of an ASan build.
# A crash leaves its input in fuzz/artifacts/<target>/; reproduce with
#   cd fuzz && cargo +nightly fuzz run -s none <target> artifacts/<target>/<file>
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_PER_TARGET="${1:-${FUZZ_SECONDS:-45}}"
CARGO_FUZZ_VERSION=0.13.2
WORK="$ROOT/target/fuzz-smoke"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== cargo install cargo-fuzz $CARGO_FUZZ_VERSION"
    cargo install --quiet --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    TOOLCHAIN=nightly
else
    TOOLCHAIN=stable
fi
cd "$ROOT/fuzz"
FUZZ=(cargo "+$TOOLCHAIN" fuzz)
echo "== $("${FUZZ[@]}" --version), rustc $(rustc "+$TOOLCHAIN" --version | cut -d' ' -f2-), ${SECONDS_PER_TARGET}s per target"
started=$SECONDS
"${FUZZ[@]}" build -s none
echo "build: $((SECONDS - started)) s"

mkdir -p "$WORK"
status=0
summary=()
for target in $("${FUZZ[@]}" list); do
    corpus="$WORK/corpus/$target"
    log="$WORK/$target.log"
    mkdir -p "$corpus"
    echo
    echo "== $target (${SECONDS_PER_TARGET}s)"
    set +e
    "${FUZZ[@]}" run -s none "$target" "$corpus" "corpus/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -timeout=30 -rss_limit_mb=2048 \
        -print_final_stats=1 >"$log" 2>&1
    code=$?
    set -e
    execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo "?")
    if [[ $code -eq 0 ]]; then
        result=ok
    else
        result="FAILED (exit $code)"
        status=1
        grep -E 'panicked|ERROR|SUMMARY|Test unit written|==[0-9]+==' "$log" | head -20 || true
        tail -20 "$log"
    fi
    rate=$(( execs / (SECONDS_PER_TARGET > 0 ? SECONDS_PER_TARGET : 1) ))
    echo "$target: $execs executions (~$rate/s), coverage $cov, $result"
    summary+=("$(printf '%-18s %10s execs %8s/s  cov %6s  %s' "$target" "$execs" "$rate" "$cov" "$result")")
done

echo
echo "== fuzz smoke summary (${SECONDS_PER_TARGET}s per target; logs in $WORK)"
printf '%s\n' "${summary[@]}"
passed=$(printf '%s\n' "${summary[@]}" | grep -c ' ok$' || true)
failed=$(( ${#summary[@]} - passed ))
echo "fuzz: $passed passed, $failed failed"
exit $status
