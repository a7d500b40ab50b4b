#!/usr/bin/env bash
# Swift binding tests. Debian 12 has no Swift, so they run in a Debian 13 (trixie) chroot
# with its `swiftlang` package, kept in build/swift-root (reused when present, created when
# missing). The host builds the library and the authority CLI; the chroot compiles the
# generated Swift, the tests and the iOS demo's platform-free code into one module and runs
# them against the stripped library and an authority server started on the host's loopback.
#   usage: run_swift.sh UNSTRIPPED_LIB STRIPPED_LIB KHAIBAO_BIN
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
lib="$1"
stripped="$2"
bin="$3"
build="$root/build"
chroot_dir="$build/swift-root"

apt_install() {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
}

if [ ! -x "$chroot_dir/usr/bin/swiftc" ]; then
    # The chroot needs about 3.5 GB while swiftlang unpacks; say so plainly rather than let
    # dpkg fail half-way.
    free_kb="$(df -Pk "$build" | awk 'NR==2 {print $4}')"
    if [ "${free_kb:-0}" -lt 4500000 ]; then
        echo "only $((free_kb / 1024)) MB free under $build; the Swift chroot needs about 4.5 GB" >&2
        exit 1
    fi
    command -v debootstrap >/dev/null 2>&1 || { echo "installing debootstrap"; apt_install debootstrap; }
    # The host's configured Debian mirror (active entries only, not commented-out ones).
    mirror="$(grep -rhE '^[[:space:]]*(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
        | grep -oE 'https?://[^ ]+/debian/?' | grep -v security | head -n1 || true)"
    mirror="${mirror:-http://deb.debian.org/debian}"
    tmp="$chroot_dir.partial"
    rm -rf "$tmp"
    echo "creating a Debian trixie chroot from $mirror"
    debootstrap --variant=minbase trixie "$tmp" "$mirror" >/dev/null
    echo "installing swiftlang in the chroot"
    chroot "$tmp" /bin/sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends swiftlang libc6-dev ca-certificates >/dev/null && apt-get clean' 2>&1 |
        grep -v 'posix_openpt' || true
    [ -x "$tmp/usr/bin/swiftc" ] || { echo "swiftlang did not install" >&2; exit 1; }
    rm -rf "$chroot_dir"
    mv "$tmp" "$chroot_dir"
fi
# The library's own HTTP client (rustls with the platform verifier) needs the CA store.
if [ ! -s "$chroot_dir/etc/ssl/certs/ca-certificates.crt" ]; then
    chroot "$chroot_dir" /bin/sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ca-certificates >/dev/null' 2>&1 |
        grep -v 'posix_openpt' || true
fi

gen="$build/bindings/swift"
rm -rf "$gen" && mkdir -p "$gen"
cargo run --locked -q -p khaibao-ffi --features cli --bin uniffi-bindgen -- \
    generate --no-format --library "$lib" --language swift --config "$root/uniffi.toml" \
    --out-dir "$gen" >/dev/null

# Everything the chroot needs lives under /khaibao inside it.
work="$chroot_dir/khaibao"
rm -rf "$work" && mkdir -p "$work/gen" "$work/src" "$work/tmp"
cp "$gen"/* "$work/gen/"
cp "$stripped" "$work/gen/libkhaibao_ffi.so"
# The authority CLI too: the exposure test publishes windows from inside the chroot.
mkdir -p "$work/bin" && cp "$bin" "$work/bin/khaibao"
cp "$root"/tests/bindings/swift/*.swift "$root"/ios-demo/Sources/KhaibaoDemoCore/*.swift \
    "$root"/bindings/platform/swift/*.swift "$work/src/"
# The snippets of docs/embedding.md compile with everything else.
python3 "$root/tests/bindings/doc_snippets.py" swift "$root/docs/embedding.md" "$work/src/EmbeddingGuide.swift"

# The fixture: authority keys, a venue poster (as raw luma) and a running authority.
"$bin" keygen --keys "$work/tmp/keys" >/dev/null
code="$("$bin" venue issue --keys "$work/tmp/keys" --name "Trường THPT Chu Văn An" \
    --address "10 Thụy Khuê, Tây Hồ, Hà Nội" --province 1 --category school --out "$work/tmp/venue.png")"
read -r width height < <(PYTHONPATH="$root/tests/bindings" python3 - "$work/tmp/venue.png" "$work/tmp/venue.luma" <<'PY'
import sys
from pngluma import read_gray_png
w, h, luma = read_gray_png(sys.argv[1])
open(sys.argv[2], "wb").write(luma)
print(w, h)
PY
)
key() { tr -s ' \t' '\n\n' <"$work/tmp/keys/public.txt" | sed -n "s/^$1=\([0-9a-f]*\)$/\1/p"; }
kid="$(key kid)"; signing_public="$(key signing_public)"; sealing_public="$(key sealing_public)"
# A key id is the first 4 bytes of the public key's SHA-256.
kid_of() { python3 -c 'import hashlib, sys; print(hashlib.sha256(bytes.fromhex(sys.argv[1])).hexdigest()[:8])' "$1"; }
exposure_public="$(key exposure_public)"; device_public="$(key device_public)"
exposure_kid="$(kid_of "$exposure_public")"; device_kid="$(kid_of "$device_public")"

server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    if mountpoint -q "$chroot_dir/proc"; then umount "$chroot_dir/proc" || true; fi
}
trap cleanup EXIT
"$bin" serve --listen 127.0.0.1:0 --db "$work/tmp/authority.db" --keys "$work/tmp/keys" >"$work/tmp/server.out" &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/tmp/server.out" ] && break; sleep 0.1; done
read -r word url <"$work/tmp/server.out"
[ "$word" = listening ] || { echo "authority did not start" >&2; exit 1; }

mountpoint -q "$chroot_dir/proc" || mount -t proc proc "$chroot_dir/proc"
echo "swiftc: $(ls "$work/gen"/*.swift "$work/src"/*.swift | wc -l) files"
chroot "$chroot_dir" /bin/sh -c 'cd /khaibao && swiftc -parse-as-library -module-name Khaibao -D KHAIBAO_ONE_MODULE \
    -module-cache-path /khaibao/module-cache \
    -Xcc -fmodule-map-file=/khaibao/gen/KhaibaoFFI.modulemap \
    -Xcc -fmodule-map-file=/khaibao/gen/KhaibaoCoreFFI.modulemap \
    -I /khaibao/gen -L /khaibao/gen -lkhaibao_ffi \
    gen/*.swift src/*.swift -o /khaibao/flowtest'
chroot "$chroot_dir" /usr/bin/env LD_LIBRARY_PATH=/khaibao/gen \
    KHAIBAO_URL="$url" KHAIBAO_CODE="$code" KHAIBAO_KID="$kid" KHAIBAO_SIGNING="$signing_public" \
    KHAIBAO_EXPOSURE_KID="$exposure_kid" KHAIBAO_EXPOSURE="$exposure_public" \
    KHAIBAO_DEVICE_KID="$device_kid" KHAIBAO_DEVICE="$device_public" \
    KHAIBAO_SEALING="$sealing_public" KHAIBAO_LUMA=/khaibao/tmp/venue.luma \
    KHAIBAO_WIDTH="$width" KHAIBAO_HEIGHT="$height" KHAIBAO_TMP=/khaibao/tmp \
    KHAIBAO_BIN=/khaibao/bin/khaibao KHAIBAO_AUTHORITY_DB=/khaibao/tmp/authority.db \
    /khaibao/flowtest
