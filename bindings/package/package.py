"""Assembles the library's packages from built pieces, and checks them.

  package.py aar OUT VERSION CLASSES_JAR ABI=LIBRARY...
      khaibao-VERSION.aar (classes.jar with the generated Kotlin and the platform layer,
      jni/<abi>/libkhaibao_ffi.so, consumer R8/ProGuard rules, manifest) and its POM.
  package.py xcframework OUT VERSION SWIFT_GEN_DIR SLICE=STATIC_LIBRARY...
      Khaibao.xcframework (one slice per platform, headers and the module map that
      uniffi-bindgen-swift --xcframework writes, the privacy manifest), zipped, with its
      SwiftPM checksum and a Package.swift using binaryTarget(url:checksum:).
  package.py check OUT
      Checks what the two commands made: entries, rules, POM coordinates, plists, checksum.

The native libraries come from the NDK and Xcode builds in docs/embedding.md; the test
command assembles both layouts from a stand-in (the host's library) to check the steps
that need neither toolchain."""

import hashlib
import os
import plistlib
import re
import shutil
import sys
import xml.etree.ElementTree as ET
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
GROUP, ARTIFACT = "vn.khaibao", "khaibao"
ABIS = ("arm64-v8a", "armeabi-v7a", "x86_64")
# The bindings' classes and JNA are reached by reflection and JNA's native callbacks: a
# minified host app must keep them (R8 reads this file from the AAR).
CONSUMER_RULES = """# khaibao: JNA and the generated uniffi classes are used through reflection.
-dontwarn java.awt.**
-keep class com.sun.jna.** { *; }
-keepclassmembers class * extends com.sun.jna.** { public *; }
-keep class vn.khaibao.** { *; }
-keepclassmembers class vn.khaibao.** { *; }
"""
MANIFEST = '<?xml version="1.0" encoding="utf-8"?>\n' \
    '<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="vn.khaibao">\n' \
    '    <uses-permission android:name="android.permission.INTERNET" />\n</manifest>\n'


def pom(version):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>{GROUP}</groupId>
  <artifactId>{ARTIFACT}</artifactId>
  <version>{version}</version>
  <packaging>aar</packaging>
  <name>khaibao</name>
  <description>Health declarations and QR check-in for citizen apps</description>
  <licenses><license><name>MPL-2.0</name></license></licenses>
  <dependencies>
    <dependency><groupId>net.java.dev.jna</groupId><artifactId>jna</artifactId><version>5.14.0</version><type>aar</type></dependency>
    <dependency><groupId>org.jetbrains.kotlinx</groupId><artifactId>kotlinx-coroutines-core</artifactId><version>1.8.1</version></dependency>
  </dependencies>
</project>
"""


def aar(out, version, classes_jar, libs):
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, f"{ARTIFACT}-{version}.aar")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("AndroidManifest.xml", MANIFEST)
        z.writestr("proguard.txt", CONSUMER_RULES)
        z.writestr("R.txt", "")
        # Only the library's classes: the generated bindings and the platform layer.
        with zipfile.ZipFile(classes_jar) as src, zipfile.ZipFile(os.path.join(out, "classes.jar"), "w") as jar:
            for entry in src.namelist():
                if entry.startswith("vn/khaibao/") and not re.match(r"vn/khaibao/(demo|docs)/", entry):
                    jar.writestr(entry, src.read(entry))
        z.write(os.path.join(out, "classes.jar"), "classes.jar")
        for abi, lib in libs.items():
            z.write(lib, f"jni/{abi}/libkhaibao_ffi.so")
    with open(os.path.join(out, f"{ARTIFACT}-{version}.pom"), "w") as f:
        f.write(pom(version))
    print(f"wrote {path}")


PRIVACY = {
    # SQLite reads file timestamps (stat) and the free disk space; declared with the
    # reasons Apple lists for app-container files and for writing when space allows.
    "NSPrivacyTracking": False,
    "NSPrivacyTrackingDomains": [],
    "NSPrivacyCollectedDataTypes": [],
    "NSPrivacyAccessedAPITypes": [
        {"NSPrivacyAccessedAPIType": "NSPrivacyAccessedAPICategoryFileTimestamp",
         "NSPrivacyAccessedAPITypeReasons": ["C617.1"]},
        {"NSPrivacyAccessedAPIType": "NSPrivacyAccessedAPICategoryDiskSpace",
         "NSPrivacyAccessedAPITypeReasons": ["E174.1"]},
    ],
}
SLICES = {"ios-arm64": ("ios", ["arm64"], None),
          "ios-arm64_x86_64-simulator": ("ios", ["arm64", "x86_64"], "simulator")}


def xcframework(out, version, gen, libs):
    fw = os.path.join(out, "Khaibao.xcframework")
    shutil.rmtree(fw, ignore_errors=True)
    available = []
    for slice_id, lib in libs.items():
        platform, archs, variant = SLICES[slice_id]
        d = os.path.join(fw, slice_id)
        os.makedirs(os.path.join(d, "Headers"))
        shutil.copy(lib, os.path.join(d, "libkhaibao_ffi.a"))
        for h in os.listdir(gen):
            if h.endswith(".h"):
                shutil.copy(os.path.join(gen, h), os.path.join(d, "Headers", h))
        # One module map for both FFI modules (what --xcframework writes).
        with open(os.path.join(d, "Headers", "module.modulemap"), "w") as f:
            for m in sorted(x for x in os.listdir(gen) if x.endswith(".modulemap")):
                f.write(open(os.path.join(gen, m)).read().replace("\n\n", "\n") + "\n")
        entry = {"LibraryIdentifier": slice_id, "LibraryPath": "libkhaibao_ffi.a", "HeadersPath": "Headers",
                 "SupportedArchitectures": archs, "SupportedPlatform": platform}
        if variant:
            entry["SupportedPlatformVariant"] = variant
        available.append(entry)
    with open(os.path.join(fw, "Info.plist"), "wb") as f:
        plistlib.dump({"AvailableLibraries": available, "CFBundlePackageType": "XFWK",
                       "XCFrameworkFormatVersion": "1.0"}, f)
    with open(os.path.join(fw, "PrivacyInfo.xcprivacy"), "wb") as f:
        plistlib.dump(PRIVACY, f)
    zip_path = os.path.join(out, f"Khaibao-{version}.xcframework.zip")
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        for dirpath, _, files in sorted(os.walk(fw)):
            for name in sorted(files):
                full = os.path.join(dirpath, name)
                z.write(full, os.path.relpath(full, out))
    checksum = hashlib.sha256(open(zip_path, "rb").read()).hexdigest()  # = swift package compute-checksum
    template = open(os.path.join(HERE, "Package.swift.template")).read()
    with open(os.path.join(out, "Package.swift"), "w") as f:
        f.write(template.replace("@VERSION@", version).replace("@CHECKSUM@", checksum))
    for s in (x for x in os.listdir(gen) if x.endswith(".swift")):
        os.makedirs(os.path.join(out, "Sources", "Khaibao"), exist_ok=True)
        shutil.copy(os.path.join(gen, s), os.path.join(out, "Sources", "Khaibao", s))
    print(f"wrote {zip_path} (checksum {checksum})")


def check(out):
    problems = []
    aars = [f for f in os.listdir(out) if f.endswith(".aar")]
    for name in aars:
        with zipfile.ZipFile(os.path.join(out, name)) as z:
            names = set(z.namelist())
            for need in ["AndroidManifest.xml", "classes.jar", "proguard.txt"] + \
                    [f"jni/{abi}/libkhaibao_ffi.so" for abi in ABIS]:
                if need not in names:
                    problems.append(f"{name}: no {need}")
            rules = z.read("proguard.txt").decode()
            for keep in ("-keep class com.sun.jna.** { *; }", "-keep class vn.khaibao.** { *; }"):
                if keep not in rules:
                    problems.append(f"{name}: consumer rules lack {keep}")
            ET.fromstring(z.read("AndroidManifest.xml"))
            with zipfile.ZipFile(__import__("io").BytesIO(z.read("classes.jar"))) as jar:
                classes = jar.namelist()
                for cls in ("vn/khaibao/KhaibaoLibrary.class", "vn/khaibao/platform/DiaryFlowKt.class"):
                    if cls not in classes:
                        problems.append(f"{name}: classes.jar has no {cls}")
                if any(c.startswith(("vn/khaibao/demo/", "vn/khaibao/docs/")) or "/" not in c.rstrip("/") and c.endswith(".class") for c in classes):
                    problems.append(f"{name}: classes.jar carries test or demo classes")
        pom_root = ET.parse(os.path.join(out, name[:-4] + ".pom")).getroot()
        ns = {"m": "http://maven.apache.org/POM/4.0.0"}
        coords = [pom_root.findtext(f"m:{k}", namespaces=ns) for k in ("groupId", "artifactId", "version")]
        if coords[:2] != [GROUP, ARTIFACT] or not coords[2] or name != f"{ARTIFACT}-{coords[2]}.aar":
            problems.append(f"{name}: POM coordinates {coords}")
    fw = os.path.join(out, "Khaibao.xcframework")
    info = plistlib.load(open(os.path.join(fw, "Info.plist"), "rb"))
    ids = {lib["LibraryIdentifier"] for lib in info["AvailableLibraries"]}
    if ids != set(SLICES):
        problems.append(f"xcframework slices {sorted(ids)}")
    for lib in info["AvailableLibraries"]:
        d = os.path.join(fw, lib["LibraryIdentifier"])
        for need in (lib["LibraryPath"], "Headers/module.modulemap", "Headers/KhaibaoFFI.h"):
            if not os.path.exists(os.path.join(d, need)):
                problems.append(f"{lib['LibraryIdentifier']}: no {need}")
    privacy = plistlib.load(open(os.path.join(fw, "PrivacyInfo.xcprivacy"), "rb"))
    if {a["NSPrivacyAccessedAPIType"] for a in privacy["NSPrivacyAccessedAPITypes"]} != \
            {"NSPrivacyAccessedAPICategoryFileTimestamp", "NSPrivacyAccessedAPICategoryDiskSpace"}:
        problems.append("privacy manifest does not declare SQLite's required-reason APIs")
    zips = [f for f in os.listdir(out) if f.endswith(".xcframework.zip")]
    package = open(os.path.join(out, "Package.swift")).read()
    for z in zips:
        checksum = hashlib.sha256(open(os.path.join(out, z), "rb").read()).hexdigest()
        if f'checksum: "{checksum}"' not in package or "binaryTarget(" not in package:
            problems.append(f"Package.swift does not pin {z} by its checksum")
    if not aars or not zips:
        problems.append("no AAR or no zipped XCFramework")
    if problems:
        sys.exit("package check failed:\n  " + "\n  ".join(problems))
    print(f"packages ok: {', '.join(aars + zips)}")


def pairs(args):
    return dict(a.split("=", 1) for a in args)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cmd, out = sys.argv[1], sys.argv[2]
    if cmd == "aar" and len(sys.argv) >= 6:
        aar(out, sys.argv[3], sys.argv[4], pairs(sys.argv[5:]))
    elif cmd == "xcframework" and len(sys.argv) >= 6:
        xcframework(out, sys.argv[3], sys.argv[4], pairs(sys.argv[5:]))
    elif cmd == "check":
        check(out)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
