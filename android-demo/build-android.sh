#!/usr/bin/env bash
# Builds libkhaibao_ffi.so for the app's ABIs with cargo-ndk and generates the Kotlin binding.
# Needs the Android NDK (ANDROID_NDK_HOME) and `cargo install cargo-ndk`. The Kotlin is
# generated from a host build of the same library (uniffi reads metadata from an unstripped
# library; the ABI-specific ones are stripped by the Android Gradle plugin when packaging).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

: "${ANDROID_NDK_HOME:?set ANDROID_NDK_HOME to the NDK (r26 or newer)}"
rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android >/dev/null
cargo ndk --platform 26 -t arm64-v8a -t armeabi-v7a -t x86_64 \
    -o "$here/app/src/main/jniLibs" build --locked --release -p khaibao-ffi

cargo build --locked --release -p khaibao-ffi
out="$here/shared/build/generated/uniffi"
rm -rf "$out" && mkdir -p "$out"
cargo run --locked -q -p khaibao-ffi --features cli --bin uniffi-bindgen -- \
    generate --library "$root/target/release/libkhaibao_ffi.so" --language kotlin \
    --config "$root/uniffi.toml" --out-dir "$out"
echo "jniLibs: $(find "$here/app/src/main/jniLibs" -name '*.so' | wc -l) libraries; Kotlin in $out"
