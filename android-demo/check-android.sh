#!/usr/bin/env bash
# Type-checks khaibao-core and khaibao-ffi for aarch64-linux-android without the Android NDK.
#
#   android-demo/check-android.sh
#
# `cargo check` still runs the build scripts, and ring and SQLite compile C there, which
# needs a C compiler for the target. The NDK's clang is the right one (build-android.sh uses
# it); where the NDK cannot be installed, this script uses zig's clang (the `ziglang` wheel
# from PyPI) with zig's aarch64 musl headers standing in for Android's bionic headers. The
# Rust code is checked for the real Android target (the libc crate's bionic bindings, the
# target's pointer width and cfgs); the C objects it produces are only good for the check
# and are never linked. Building the .so for a phone needs the NDK: see build-android.sh.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

target=aarch64-linux-android
tools="$root/build/tools"
zig="$tools/ziglang/ziglang/zig"

rustup target add "$target" >/dev/null
if [ ! -x "$zig" ]; then
    echo "==> installing zig's C compiler (PyPI ziglang)"
    python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore \
        --target "$tools/ziglang" ziglang==0.17.0
    chmod +x "$zig"
fi

# cc-rs passes --target=aarch64-linux-android to a clang; zig takes its own -target.
wrapper="$tools/android-cc"
cat >"$wrapper" <<EOF
#!/usr/bin/env bash
args=()
for a in "\$@"; do case "\$a" in --target=*) ;; *) args+=("\$a") ;; esac; done
exec "$zig" cc -target aarch64-linux-musl "\${args[@]}"
EOF
chmod +x "$wrapper"

export CC_aarch64_linux_android="$wrapper"
export AR_aarch64_linux_android="$zig ar"
for crate in khaibao-core khaibao-ffi; do
    echo "==> cargo check -p $crate --target $target"
    cargo check --locked -p "$crate" --target "$target"
done
echo "==> $target: khaibao-core and khaibao-ffi type-check"
