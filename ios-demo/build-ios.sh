#!/usr/bin/env bash
# Builds the XCFramework (device + simulator static libraries with the uniffi headers) and
# generates the Swift binding. Needs macOS with Xcode and the Rust iOS targets.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)
rustup target add "${targets[@]}" >/dev/null
for t in "${targets[@]}"; do
    IPHONEOS_DEPLOYMENT_TARGET=15.0 cargo rustc --locked --release -p khaibao-ffi --lib \
        --crate-type staticlib --target "$t"
done

# Bindings from a host build (uniffi reads the metadata of an unstripped library).
cargo build --locked --release -p khaibao-ffi
gen="$here/build/generated"
rm -rf "$gen" && mkdir -p "$gen"
cargo run --locked -q -p khaibao-ffi --features cli --bin uniffi-bindgen -- \
    generate --library "$root/target/release/libkhaibao_ffi.dylib" --language swift \
    --config "$root/uniffi.toml" --out-dir "$gen"
cp "$gen/Khaibao.swift" "$gen/KhaibaoCore.swift" "$here/Sources/Khaibao/"

# One headers folder with both FFI modules; Xcode wants the module map named module.modulemap.
headers="$here/build/headers"
rm -rf "$headers" && mkdir -p "$headers"
cp "$gen"/*.h "$headers/"
cat "$gen/KhaibaoFFI.modulemap" "$gen/KhaibaoCoreFFI.modulemap" >"$headers/module.modulemap"

sim="$here/build/libkhaibao_ffi-sim.a"
lipo -create target/aarch64-apple-ios-sim/release/libkhaibao_ffi.a \
    target/x86_64-apple-ios/release/libkhaibao_ffi.a -output "$sim"
rm -rf "$here/build/KhaibaoFFI.xcframework"
xcodebuild -create-xcframework \
    -library target/aarch64-apple-ios/release/libkhaibao_ffi.a -headers "$headers" \
    -library "$sim" -headers "$headers" \
    -output "$here/build/KhaibaoFFI.xcframework"
echo "built $here/build/KhaibaoFFI.xcframework"
