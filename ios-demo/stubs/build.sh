# Type-checks App/ (copied to app/) against these stubs, inside the Swift chroot; run by
# ../check-demo.sh from /khaibao-demo-check. Each stub file becomes the module of its name;
# the generated binding becomes `Khaibao` and the view models with their adapter
# `KhaibaoDemoCore`, as in the Swift package.
set -eu
m=mods
mkdir -p $m
emit() { # emit MODULE FILES...
    name=$1; shift
    swiftc -parse-as-library -emit-module -module-name "$name" -module-cache-path mc -I $m \
        -Xcc -fmodule-map-file=gen/KhaibaoFFI.modulemap -Xcc -fmodule-map-file=gen/KhaibaoCoreFFI.modulemap -I gen \
        -emit-module-path "$m/$name.swiftmodule" "$@"
}
for mod in CoreGraphics QuartzCore Combine; do emit $mod stubs/$mod.swift; done
emit UIKit stubs/UIKit.swift
for mod in CoreImage Security CryptoKit BackgroundTasks UserNotifications AVFoundation SwiftUI; do emit $mod stubs/$mod.swift; done
emit Khaibao gen/Khaibao.swift gen/KhaibaoCore.swift
emit KhaibaoDemoCore core/*.swift gen/LibraryAdapter.swift
swiftc -typecheck -parse-as-library -module-name KhaibaoDemo -module-cache-path mc -I $m \
    -Xcc -fmodule-map-file=gen/KhaibaoFFI.modulemap -Xcc -fmodule-map-file=gen/KhaibaoCoreFFI.modulemap -I gen \
    app/*.swift
