#!/usr/bin/env bash
# Checks the iOS demo with the real Swift compiler, in the Debian trixie chroot that
# tests/bindings/run_swift.sh creates (build/swift-root), without Xcode:
#   1. the view models (Sources/KhaibaoDemoCore, without the library adapter) with their
#      tests in Tests/KhaibaoDemoCoreTests, compiled and run against fake ports (the
#      pickers' test reads the app's App/Resources/units.tsv);
#   2. the app (App/*.swift) type-checked against stubs/ (the exact SwiftUI, UIKit,
#      AVFoundation, BackgroundTasks, UserNotifications, CoreImage, CryptoKit and Security
#      declarations it uses), with the view models and the generated binding as modules.
#   usage: ios-demo/check-demo.sh GENERATED_SWIFT_BINDING_DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
binding="$1"
chroot_dir="$root/build/swift-root"
[ -x "$chroot_dir/usr/bin/swiftc" ] || { echo "no Swift chroot: run tests/bindings/run_swift.sh first" >&2; exit 1; }
work="$chroot_dir/khaibao-demo-check"
rm -rf "$work" && mkdir -p "$work/core" "$work/tests" "$work/gen" "$work/app" "$work/stubs"
find "$here/Sources/KhaibaoDemoCore" -name '*.swift' ! -name LibraryAdapter.swift -exec cp {} "$work/core/" \;
cp "$here"/Tests/KhaibaoDemoCoreTests/*.swift "$work/tests/"
# The pickers' test reads the app's resource from the working folder.
cp "$here/App/Resources/units.tsv" "$work/units.tsv"
cp "$binding"/* "$work/gen/"
cp "$here/Sources/KhaibaoDemoCore/LibraryAdapter.swift" "$work/gen/"
cp "$here"/App/*.swift "$work/app/"
cp -r "$here"/stubs/. "$work/stubs/"
# swiftc finds its runtime through /proc/self/exe.
mounted=""
if ! mountpoint -q "$chroot_dir/proc"; then mount -t proc proc "$chroot_dir/proc"; mounted=1; fi
trap '[ -z "$mounted" ] || umount "$chroot_dir/proc"' EXIT
in_chroot() { chroot "$chroot_dir" /bin/sh -c "cd /khaibao-demo-check && $1"; }

echo "view models with fake ports"
in_chroot 'swiftc -parse-as-library -module-name DemoCheck -module-cache-path mc core/*.swift tests/*.swift -o vmtests && ./vmtests'

echo "App/ type-check against stubs/"
in_chroot 'sh stubs/build.sh'
echo "ios-demo: view models pass, App/ type-checks"
