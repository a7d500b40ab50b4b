#!/usr/bin/env bash
# Checks the Android demo with the real Kotlin compiler, without the Android SDK:
#   1. the view models (shared/, without the library adapter) with their tests in
#      shared/src/test, compiled and run on the JVM against fake ports (the pickers' test
#      reads the app's res/raw/units.tsv);
#   2. the app (app/src/main/kotlin) type-checked against stubs/ (the exact Android, AndroidX,
#      CameraX, WorkManager, Compose, OkHttp and ZXing declarations it uses), the shared
#      module and the generated khaibao binding. R is generated from res/values/strings.xml
#      and the files of res/raw.
# The Compose compiler plugin is not run (see stubs/README.md).
#   usage: android-demo/check-demo.sh GENERATED_KOTLIN_BINDING_DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
binding="$1"
kotlin="$root/build/tools/npm/node_modules/kotlin-compiler"
[ -x "$kotlin/bin/kotlinc" ] || { echo "kotlinc missing: run tests/bindings/run_kotlin.sh first" >&2; exit 1; }
coroutines="$kotlin/lib/kotlinx-coroutines-core-jvm.jar"
out="$root/build/android-demo-check"
rm -rf "$out" && mkdir -p "$out"
shared="$here/shared/src/main/kotlin"

echo "view models with fake ports"
mapfile -t vm < <(find "$shared" "$here/shared/src/test/kotlin" -name '*.kt' ! -name LibraryAdapter.kt | sort)
"$kotlin/bin/kotlinc" -nowarn "${vm[@]}" -cp "$coroutines" -d "$out/vm.jar"
java -Dkhaibao.units="$here/app/src/main/res/raw/units.tsv" -cp "$out/vm.jar:$coroutines:$kotlin/lib/kotlin-stdlib.jar" \
    vn.khaibao.demo.ViewModelTestKt

echo "app/ type-check against stubs/"
python3 - "$here/app/src/main/res" "$out/R.kt" <<'PY'
import pathlib, sys, xml.etree.ElementTree as ET
res = pathlib.Path(sys.argv[1])
names = [s.get("name") for s in ET.parse(res / "values/strings.xml").getroot().iter("string")]
raws = sorted(p.name.split(".")[0] for p in (res / "raw").iterdir())
strings = "\n".join(f"        const val {n} = {0x7f0f0000 + i}" for i, n in enumerate(names))
raw = "\n".join(f"        const val {n} = {0x7f0e0000 + i}" for i, n in enumerate(raws))
open(sys.argv[2], "w").write(
    "// Generated from res/values/strings.xml and res/raw, as AAPT would.\npackage vn.khaibao.demo.app\n\n"
    f"object R {{\n    object string {{\n{strings}\n    }}\n    object raw {{\n{raw}\n    }}\n}}\n")
PY
mapfile -t app < <(find "$here/stubs" "$shared" "$here/app/src/main/kotlin" "$binding" -name '*.kt' | sort)
echo "kotlinc: ${#app[@]} files"
"$kotlin/bin/kotlinc" -nowarn "${app[@]}" "$out/R.kt" -cp "/usr/share/java/jna.jar:$coroutines" -d "$out/app.jar"
echo "android-demo: view models pass, app/ type-checks"
