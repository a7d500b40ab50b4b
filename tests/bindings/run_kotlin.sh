#!/usr/bin/env bash
# Kotlin/JVM binding tests: generates the Kotlin binding from the unstripped release library,
# compiles it with the tests and the Android demo's platform-free module, and runs them on the
# JVM (JNA) against the stripped library.
#   usage: run_kotlin.sh UNSTRIPPED_LIB STRIPPED_LIB_DIR
# Installs what is missing: a JDK (apt), JNA (apt libjna-java), kotlinc (npm kotlin-compiler).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
lib="$1"
libdir="$2"
build="$root/build"
kotlin_version="2.4.20"

apt_install() {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
}
command -v java >/dev/null 2>&1 || { echo "installing a JDK"; apt_install openjdk-17-jdk-headless; }
jna=/usr/share/java/jna.jar
[ -f "$jna" ] || { echo "installing libjna-java"; apt_install libjna-java; }
kotlin="$build/tools/npm/node_modules/kotlin-compiler"
if [ ! -x "$kotlin/bin/kotlinc" ] || ! grep -q "\"version\": \"$kotlin_version\"" "$kotlin/package.json"; then
    command -v npm >/dev/null 2>&1 || { echo "installing npm"; apt_install npm; }
    echo "installing kotlin-compiler $kotlin_version (npm)"
    npm install --silent --no-audit --no-fund --prefix "$build/tools/npm" "kotlin-compiler@$kotlin_version" >/dev/null
fi
coroutines="$kotlin/lib/kotlinx-coroutines-core-jvm.jar"

gen="$build/bindings/kotlin"
rm -rf "$gen" && mkdir -p "$gen"
cargo run --locked -q -p khaibao-ffi --features cli --bin uniffi-bindgen -- \
    generate --no-format --library "$lib" --language kotlin --config "$root/uniffi.toml" \
    --out-dir "$gen" >/dev/null

out="$build/kotlin-tests"
rm -rf "$out" && mkdir -p "$out"
# With the platform layer and the snippets of docs/embedding.md, so the guide's code compiles.
python3 "$root/tests/bindings/doc_snippets.py" kotlin "$root/docs/embedding.md" "$out/EmbeddingGuide.kt"
mapfile -t sources < <(find "$gen" "$root/tests/bindings/kotlin" "$root/android-demo/shared/src/main/kotlin" \
    "$root/bindings/platform/kotlin" "$out" -name '*.kt' | sort)
echo "kotlinc: ${#sources[@]} files"
"$kotlin/bin/kotlinc" -nowarn "${sources[@]}" -cp "$jna:$coroutines" -d "$out/t.jar"

cp="$out/t.jar:$jna:$coroutines:$kotlin/lib/kotlin-stdlib.jar"
KHAIBAO_TLS_DATA="$root/core/tests/data" java -Djna.library.path="$libdir" -cp "$cp" FlowTestKt
