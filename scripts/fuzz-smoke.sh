#!/usr/bin/env bash
# Fuzz smoke: every cargo-fuzz target in fuzz/ for a short fixed time, starting from the
# checked-in seed corpus (fuzz/corpus/<target>/, read-only here; new inputs go to
# target/fuzz-smoke/). Fails on any crash, panic, timeout (30 s per input) or out-of-memory
# (2 GiB). Prints executions per target.
#
# Usage: scripts/fuzz-smoke.sh [SECONDS_PER_TARGET]    (default $FUZZ_SECONDS, else 45)
# Env:   FUZZ_JOBS  targets run at once (default: the number of cores, at most 2). Each
#                   libFuzzer run is one process on one core, so two cores run two targets.
#        FUZZ_BUILD_ONLY=1  build the targets and stop (.ci/run builds beside other work).
# mcp_stdio runs twice as long as the others: it drives the whole server over a pipe per input
# (~100 executions/s, against 5,000-40,000 for the others), so it gets the time and starts
# first; the others finish in the other lane meanwhile.
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

if [[ "${FUZZ_BUILD_ONLY:-}" == 1 ]]; then
    exit 0
fi

JOBS="${FUZZ_JOBS:-$(nproc)}"
(( JOBS > 2 )) && JOBS=2
(( JOBS < 1 )) && JOBS=1
mkdir -p "$WORK"

# One target: run it, then write its summary line to $WORK/<target>.result (and its report,
# printed in one piece so parallel runs do not interleave).
run_target() {
    local target="$1" seconds="$2"
    local corpus="$WORK/corpus/$target" log="$WORK/$target.log" code result report
    mkdir -p "$corpus"
    set +e
    "${FUZZ[@]}" run -s none "$target" "$corpus" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
        -print_final_stats=1 >"$log" 2>&1
    code=$?
    set -e
    local execs cov rate
    execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo "?")
    if [[ $code -eq 0 ]]; then
        result=ok
        report=""
    else
        result="FAILED (exit $code)"
        report="$(grep -E 'panicked|ERROR|SUMMARY|Test unit written|==[0-9]+==' "$log" | head -20 || true)
$(tail -20 "$log")"
    fi
    rate=$(( execs / (seconds > 0 ? seconds : 1) ))
    printf '\n== %s (%ss)\n%s%s: %s executions (~%s/s), coverage %s, %s\n' \
        "$target" "$seconds" "${report:+$report
}" "$target" "$execs" "$rate" "$cov" "$result"
    printf '%-18s %5ss %10s execs %8s/s  cov %6s  %s\n' \
        "$target" "$seconds" "$execs" "$rate" "$cov" "$result" >"$WORK/$target.result"
}

# Slow target first, so the fast ones fill the other lane while it runs.
mapfile -t ALL_TARGETS < <("${FUZZ[@]}" list)
TARGETS=()
for target in "${ALL_TARGETS[@]}"; do
    if [[ "$target" == mcp_stdio ]]; then TARGETS+=("$target"); fi
done
for target in "${ALL_TARGETS[@]}"; do
    if [[ "$target" != mcp_stdio ]]; then TARGETS+=("$target"); fi
done
echo "== ${#TARGETS[@]} targets, $JOBS at a time"
rm -f "$WORK"/*.result
started=$SECONDS
running=0
for target in "${TARGETS[@]}"; do
    seconds=$SECONDS_PER_TARGET
    [[ "$target" == mcp_stdio ]] && seconds=$(( 2 * SECONDS_PER_TARGET ))
    run_target "$target" "$seconds" &
    running=$(( running + 1 ))
    if (( running >= JOBS )); then
        wait -n
        running=$(( running - 1 ))
    fi
done
wait

echo
echo "== fuzz smoke summary (${SECONDS_PER_TARGET}s per target, mcp_stdio twice that; $JOBS at a time; $((SECONDS - started)) s; logs in $WORK)"
status=0
passed=0
for target in "${TARGETS[@]}"; do
    if [[ -f "$WORK/$target.result" ]]; then
        line=$(cat "$WORK/$target.result")
    else
        line="$target: no result (the run did not finish)"
    fi
    echo "$line"
    if [[ "$line" == *' ok' ]]; then
        passed=$(( passed + 1 ))
    else
        status=1
    fi
done
echo "fuzz: $passed passed, $(( ${#TARGETS[@]} - passed )) failed"
(( ${#TARGETS[@]} > 0 )) || { echo "fuzz: no targets found" >&2; exit 1; }
exit $status
