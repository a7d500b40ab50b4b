"""The public API of the generated Kotlin and Swift bindings, as one sorted-by-appearance list
of declarations per language, checked against the reviewed copies in bindings/api/.

  api_dump.py check KOTLIN_DIR SWIFT_DIR   fails (exit 1, with a diff) on any change
  api_dump.py update KOTLIN_DIR SWIFT_DIR  rewrites bindings/api/ after a reviewed change

A declaration is a line declaring a type, function, property, enum case or initialiser that
the host app can use; uniffi's own plumbing (FFI converters, handles, buffers, callback
vtables, internal and private declarations) is left out, so only changes an app would see
fail the check. In both modes the API may hold no unsigned integer and no time as a bare
number (FORBIDDEN)."""

import difflib
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
API = os.path.join(ROOT, "bindings", "api")

PLUMBING = re.compile(
    r"FfiConverter|RustBuffer|ForeignBytes|[Uu]niffi|NoHandle|noHandle|Handle\(|\bhandle\b|"
    r"internal |private |fileprivate |lift|lower\(|read\(from|write\(_|allocationSize|"
    r"errorDescription|Protocol\b|Impl\b|\bdestroy\(|\bclose\(\)|\bcleaner\b|Cleanable|"
    r"CallStatus|RustCall|ByReference|ByValue|\bPointer\b|Disposable|@Throws\(\)"
)
KOTLIN = re.compile(
    r"^\s*(?:(?:public|open|data|sealed|enum|abstract|override|suspend|companion|operator|inline)\s+)*"
    r"(?:class|interface|fun|val|var|object|typealias)\b"
)
SWIFT = re.compile(
    r"^\s*(?:(?:public|open|static|convenience|required|override|final)\s+)+"
    r"(?:func|class|protocol|enum|struct|var|let|init|typealias|extension)\b|^\s*case\s+\w"
)


def declarations(path, pattern):
    out = []
    for line in open(path, encoding="utf-8"):
        if not pattern.search(line) or PLUMBING.search(line):
            continue
        depth = len(line) - len(line.lstrip())
        if depth > 4 or re.search(r"^\s*(val|var|let) \w+\s*$|fun (read|write|callback)\(|companion object", line):
            continue  # locals inside generated function bodies, serialisation plumbing
        line = line.strip().replace("`", "")
        line = re.sub(r"\s*[{=].*$", "", line) if not line.startswith("case") else line
        line = re.sub(r"\s+", " ", line).rstrip(",")
        out.append(line)
    return out


def dump(kotlin_dir, swift_dir):
    kotlin = []
    for dirpath, _, files in sorted(os.walk(kotlin_dir)):
        for f in sorted(files):
            if f.endswith(".kt"):
                kotlin.append(f"// {os.path.relpath(os.path.join(dirpath, f), kotlin_dir)}")
                kotlin += declarations(os.path.join(dirpath, f), KOTLIN)
    swift = []
    for f in sorted(os.listdir(swift_dir)):
        if f.endswith(".swift"):
            swift.append(f"// {f}")
            swift += declarations(os.path.join(swift_dir, f), SWIFT)
    return {"kotlin.api": "\n".join(kotlin) + "\n", "swift.api": "\n".join(swift) + "\n"}


# What the public API may not contain, whatever the review says: unsigned integers (Kotlin's
# UInt & co. are awkward from Java and in arithmetic; Swift's UInt32 & co. need casts
# everywhere) and points in time as bare numbers (they are Instant / Date).
FORBIDDEN = [
    (re.compile(r"\bkotlin\.U(?:Byte|Short|Int|Long)\b|\bUInt(?:8|16|32|64)?\b"), "an unsigned integer"),
    (re.compile(r"\w(?:At|Start|End|From|Until)\??: (?:kotlin\.Long|Int64)\b"), "a time as a number"),
]


def forbidden(dumped):
    """The lines of the dumps that break a rule of FORBIDDEN, with the rule."""
    return [f"{name}: {line}  <- {why}"
            for name, text in dumped.items() for line in text.splitlines()
            for pattern, why in FORBIDDEN if pattern.search(line)]


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("check", "update"):
        sys.exit(__doc__)
    mode, kotlin_dir, swift_dir = sys.argv[1:]
    changed = False
    dumped = dump(kotlin_dir, swift_dir)
    broken = forbidden(dumped)
    if broken:
        print("\n".join(broken))
        sys.exit("\nThe public API must use signed integers and Instant / Date for times.")
    for name, text in dumped.items():
        path = os.path.join(API, name)
        old = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
        if old == text:
            continue
        changed = True
        if mode == "update":
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            print(f"updated bindings/api/{name}")
        else:
            sys.stdout.writelines(difflib.unified_diff(
                old.splitlines(True), text.splitlines(True), f"bindings/api/{name} (reviewed)",
                f"{name} (generated now)"))
    if changed and mode == "check":
        print("\nThe public API of the generated bindings changed. Review the diff above; if it is"
              " intended, run tests/bindings/api_dump.py update KOTLIN_DIR SWIFT_DIR and commit"
              " bindings/api/.")
        sys.exit(1)


if __name__ == "__main__":
    main()
