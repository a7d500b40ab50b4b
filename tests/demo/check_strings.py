#!/usr/bin/env python3
"""Every text key the demo apps use exists in Vietnamese and English, on both platforms.

Android: the names in res/values/strings.xml (Vietnamese) and res/values-en/strings.xml
(English) are the same set with the same placeholders; every `R.string.NAME` in app/ and
every entry of the view models' `Str` enum (shared/.../Text.kt) is among them.
iOS: every key of App/Resources/Localizable.xcstrings has a translated Vietnamese and
English value with the same placeholders; every `Str` case (Sources/KhaibaoDemoCore/Text.swift)
and every `Texts.text("NAME")` literal in App/ is a key.
Both: the two `Str` enums name the same keys, and the two catalogs hold the same keys.
"""
import json
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

root = pathlib.Path(__file__).resolve().parents[2]
android = root / "android-demo"
ios = root / "ios-demo"
problems = []


def placeholders(text):
    return sorted(re.findall(r"%\d\$[a-z@]", text))


def android_strings(folder):
    tree = ET.parse(android / "app/src/main/res" / folder / "strings.xml")
    return {s.get("name"): "".join(s.itertext()) for s in tree.getroot().iter("string")}


vi = android_strings("values")
en = android_strings("values-en")
if set(vi) != set(en):
    problems.append(f"Android: only in Vietnamese {sorted(set(vi) - set(en))}, only in English {sorted(set(en) - set(vi))}")
for name in set(vi) & set(en):
    if placeholders(vi[name]) != placeholders(en[name]):
        problems.append(f"Android: {name}: placeholders differ between vi and en")
    if not vi[name].strip() or not en[name].strip():
        problems.append(f"Android: {name} is empty")
used = set()
for kt in (android / "app/src/main/kotlin").rglob("*.kt"):
    used |= set(re.findall(r"\bR\.string\.([a-z0-9_]+)", kt.read_text()))
kotlin_str = re.search(r"enum class Str \{(.*?)\n\}", (android / "shared/src/main/kotlin/vn/khaibao/demo/Text.kt").read_text(), re.S)
kotlin_keys = set(re.findall(r"\b([a-z][a-z0-9_]*)\b", re.sub(r"//.*", "", kotlin_str.group(1))))
for name in sorted((used | kotlin_keys) - set(vi)):
    problems.append(f"Android: {name} is used but not in strings.xml")

catalog = json.loads((ios / "App/Resources/Localizable.xcstrings").read_text())["strings"]
for key, entry in catalog.items():
    units = {lang: loc.get("stringUnit", {}) for lang, loc in entry.get("localizations", {}).items()}
    for lang in ("vi", "en"):
        unit = units.get(lang, {})
        if unit.get("state") != "translated" or not unit.get("value", "").strip():
            problems.append(f"iOS: {key} has no {lang} translation")
    if "vi" in units and "en" in units and placeholders(units["vi"].get("value", "")) != placeholders(units["en"].get("value", "")):
        problems.append(f"iOS: {key}: placeholders differ between vi and en")
swift_str = re.search(r"public enum Str: String, CaseIterable \{(.*?)\n\}", (ios / "Sources/KhaibaoDemoCore/Text.swift").read_text(), re.S)
swift_keys = set(re.findall(r"\b([a-z][a-z0-9_]*)\b", swift_str.group(1))) - {"case"}
used_ios = set()
for sw in (ios / "App").rglob("*.swift"):
    used_ios |= set(re.findall(r'Texts\.text\("([a-z0-9_]+)"\)', sw.read_text()))
for key in sorted((used_ios | swift_keys) - set(catalog)):
    problems.append(f"iOS: {key} is used but not in Localizable.xcstrings")

if kotlin_keys != swift_keys:
    problems.append(f"Str differs: only Kotlin {sorted(kotlin_keys - swift_keys)}, only Swift {sorted(swift_keys - kotlin_keys)}")
if set(catalog) != set(vi):
    problems.append(f"catalogs differ: only iOS {sorted(set(catalog) - set(vi))}, only Android {sorted(set(vi) - set(catalog))}")

for p in problems:
    print("FAIL", p)
print(f"demo strings: {len(vi)} Android keys, {len(catalog)} iOS keys, {len(kotlin_keys)} view-model keys; "
      f"{len(used)} used in app/, {len(used_ios)} in App/")
sys.exit(1 if problems else 0)
