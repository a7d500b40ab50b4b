#!/usr/bin/env python3
"""Writes the demo apps' province and commune picker resource from units.tsv.

The apps ship today's 34 provinces and 3,321 communes as a resource (Android
res/raw/units.tsv, iOS App/Resources/units.tsv), not inside the library, whose size is
budgeted. Only what a picker needs is kept: the code, the province of a commune and the
name. Rows are in the order a picker lists them: by name without its type word
("Tỉnh", "Thành phố", "Phường", "Xã", "Đặc khu"), compared without diacritics, then by
code. The pickers' search (the demos' Units.kt and Units.swift) parses this file.

Usage: demo_resource.py OUT.tsv   (tests/run.sh compares both apps' copies with it)
"""

import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
TYPE_WORDS = ("thành phố ", "tỉnh ", "phường ", "xã ", "đặc khu ")


def fold(name: str) -> str:
    """Lower case, no diacritics, đ as d: the key names are sorted by."""
    text = unicodedata.normalize("NFD", name.lower().replace("đ", "d"))
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


def sort_key(name: str, code: int) -> tuple:
    lower = name.lower()
    for word in TYPE_WORDS:
        if lower.startswith(word):
            lower = lower[len(word):]
            break
    return (fold(lower), code)


def main() -> None:
    out = Path(sys.argv[1])
    source = (HERE / "units.tsv").read_text(encoding="utf-8").splitlines()
    header = [line for line in source if line.startswith("# source:") or line.startswith("# licence:")]
    provinces, communes = [], []
    for line in source:
        cells = line.split("\t")
        if cells[0] == "P":
            provinces.append((int(cells[1]), cells[2]))
        elif cells[0] == "C":
            communes.append((int(cells[1]), int(cells[2]), cells[3]))
    if len(provinces) != 34 or len(communes) != 3321:
        sys.exit(f"units.tsv holds {len(provinces)} provinces and {len(communes)} communes, not 34 and 3,321")
    lines = [
        "# Today's provinces and communes for the demo apps' pickers: generated from",
        "# authority/assets/units/units.tsv by demo_resource.py; do not edit.",
        *header,
        "# P code name: a province; C code province name: a commune. In picker order (by name).",
    ]
    for code, name in sorted(provinces, key=lambda p: sort_key(p[1], p[0])):
        lines.append(f"P\t{code}\t{name}")
    for code, province, name in sorted(communes, key=lambda c: sort_key(c[2], c[0])):
        lines.append(f"C\t{code}\t{province}\t{name}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
