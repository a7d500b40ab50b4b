"""Extracts the ```kotlin or ```swift snippets of a Markdown guide into one source file that
the binding tests compile with the generated code (imports hoisted to the top), so every
snippet in docs/embedding.md is checked by the compiler.

  doc_snippets.py kotlin|swift GUIDE.md OUT_FILE"""

import re
import sys


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("kotlin", "swift"):
        sys.exit(__doc__)
    language, guide, out = sys.argv[1:]
    text = open(guide, encoding="utf-8").read()
    blocks = re.findall(r"^```" + language + r"\n(.*?)^```", text, flags=re.S | re.M)
    if not blocks:
        sys.exit(f"no {language} snippets in {guide}")
    imports, body = [], []
    for i, block in enumerate(blocks, 1):
        body.append(f"// snippet {i}")
        for line in block.splitlines():
            if line.startswith("import ") or line.startswith("package "):
                if line not in imports and not line.startswith("package "):
                    imports.append(line)
            else:
                body.append(line)
    header = ["package vn.khaibao.docs", ""] if language == "kotlin" else []
    if language == "swift":
        imports = [i for i in imports if i != "import Khaibao"]
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(header + sorted(imports) + [""] + body) + "\n")
    print(f"{len(blocks)} {language} snippets from {guide}")


if __name__ == "__main__":
    main()
