#!/usr/bin/env bash
# Runs khaibao's fuzz targets for a fixed time each and prints how many inputs each executed.
#
#   fuzz/run.sh TARGET SECONDS [RUNS [WORKERS]]   one target
#   fuzz/run.sh all SECONDS [RUNS [WORKERS]]      every target, one after the other
#
# SECONDS caps the time per target; RUNS, when given and not 0, also stops a target after
# that many executions (`fuzz/run.sh venue_payload 7200 10000000` runs until 10 M inputs or
# 2 h). WORKERS (default 1) runs that many libFuzzer processes on the target at once, one
# per core, sharing its corpus folder as libFuzzer's own `-jobs` does; RUNS is then their
# total, shared evenly, and the count printed is the sum of their final statistics
# (`fuzz/run.sh scan_frame 9000 10000000 2` on two cores).
#
# Targets: scan_frame venue_payload personal_pass seal_open exposure_list ingest_body.
# Builds with cargo-fuzz without a sanitizer (`-s none`), which works on stable Rust: the
# targets are still compiled with libFuzzer's coverage instrumentation, debug assertions
# and overflow checks, so any panic, overflow or abort is a finding; scan_frame also goes
# without comparison tracing (see below). AddressSanitizer needs the unstable
# `-Zsanitizer`: on a nightly toolchain run `cargo +nightly fuzz run TARGET`.
# Seeds come from the round-trip code (tests/examples/fuzz_seeds.rs) and are written into
# fuzz/corpus/TARGET when that folder is empty; libFuzzer adds what it finds there. A crash
# or a timeout (an input running more than 10 s) leaves its input in fuzz/artifacts/TARGET/
# and makes this script fail.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
all=(scan_frame venue_payload personal_pass seal_open exposure_list ingest_body)

if [ $# -lt 2 ] || [ $# -gt 4 ] || ! [[ "$2" =~ ^[0-9]+$ ]] || ! [[ "${3:-0}" =~ ^[0-9]+$ ]] \
    || ! [[ "${4:-1}" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: fuzz/run.sh TARGET|all SECONDS [RUNS [WORKERS]]" >&2
    exit 2
fi
if [ "$1" = all ]; then targets=("${all[@]}"); else targets=("$1"); fi
seconds="$2"
total_runs="${3:-0}"
workers="${4:-1}"
runs=()
if [ "$total_runs" -gt 0 ]; then runs=(-runs="$(((total_runs + workers - 1) / workers))"); fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "==> installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi
host="$(rustc -vV | sed -n 's/^host: //p')"

logs="$root/fuzz/logs"
mkdir -p "$logs"
status=0
for t in "${targets[@]}"; do
    corpus="$root/fuzz/corpus/$t"
    if [ -z "$(ls -A "$corpus" 2>/dev/null)" ]; then
        echo "==> writing seeds"
        cargo run --locked -q -p khaibao-tests --example fuzz_seeds -- "$root/fuzz/corpus" >/dev/null
    fi
    # A scan's cost grows with the frame's area, so scan_frame inputs are capped at 4,608
    # bytes (a 64x64 frame plus header; strips up to 511 wide); the others take
    # libFuzzer's default length.
    # Comparison tracing (libFuzzer's help with magic values) took two thirds of a scan's
    # time in a profile, spent on pixel loops with few magic values to find, so scan_frame
    # is built without it, in its own target folder so the other targets' build stays valid.
    len=()
    build=()
    target_dir="$root/fuzz/target"
    if [ "$t" = scan_frame ]; then
        len=(-max_len=4608)
        target_dir="$root/fuzz/target-notc"
        build=(--no-trace-compares --target-dir "$target_dir")
    fi
    echo "==> building $t"
    (cd "$root/fuzz" && cargo fuzz build -s none "${build[@]}" "$t")
    bin="$target_dir/$host/release/$t"
    artifacts="$root/fuzz/artifacts/$t"
    mkdir -p "$artifacts"

    echo "==> $t for ${seconds}s, $workers worker(s)"
    started=$SECONDS
    pids=()
    worker_logs=()
    for ((w = 1; w <= workers; w++)); do
        if [ "$w" -eq 1 ]; then log="$logs/$t.log"; else log="$logs/$t.$w.log"; fi
        worker_logs+=("$log")
        "$bin" "$corpus" -artifact_prefix="$artifacts/" -max_total_time="$seconds" \
            -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 "${len[@]}" "${runs[@]}" \
            >"$log" 2>&1 &
        pids+=($!)
    done
    failed=()
    for i in "${!pids[@]}"; do
        if ! wait "${pids[$i]}"; then failed+=("${worker_logs[$i]}"); fi
    done
    took=$((SECONDS - started))
    execs=0
    for log in "${worker_logs[@]}"; do
        n="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
        execs=$((execs + ${n:-0}))
    done
    units="$(ls "$corpus" | wc -l)"
    if [ "${#failed[@]}" -eq 0 ]; then
        printf '%s: %s executions in %ss, no crash (corpus %s inputs)\n' "$t" "$execs" "$took" "$units"
    else
        status=1
        printf '%s: FAILED after %s executions; see %s and fuzz/artifacts/%s/\n' \
            "$t" "$execs" "${failed[*]}" "$t"
        grep -h -m3 -E "panicked|ERROR|SUMMARY" "${failed[@]}" || true
    fi
done
exit "$status"
