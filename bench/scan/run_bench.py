#!/usr/bin/env python3
"""Times zxing-cpp and khaibao on the same frames, in one run, and prints ratios.

Two modes:

``frames FOLDER...``  every image below each folder that has a sibling ``.txt`` (the
    expected payload; empty = a frame without a code) is decoded by zxing-cpp in this
    process and by khaibao through ``khaibao scan --bench`` (each frame on its own, or with
    ``--stream``, the folder's frames in name order through one stream ``Scanner``). Per
    folder and per category (the file name's second ``_`` part): decoded %, misreads, and
    the median and p95 time per frame, with khaibao's ratio to zxing-cpp.

``stream FOLDER``  every sub-folder is one approach sequence (``gen_frames.py stream``).
    zxing-cpp decodes each frame on its own; khaibao gets the frames through one
    ``Scanner`` (``khaibao scan --bench --stream``). Per sequence: the first frame each
    decodes correctly and the time spent on all frames up to and including it, the number
    of times khaibao reported the payload, and misreads.

Times are each frame's median over ``--repeat`` runs after a warm-up, decode only (the
frame is loaded outside the timer), one thread. The machine running this may be shared:
compare the ratios, which come from the same run.

Usage:
    python3 bench/scan/run_bench.py frames /tmp/nocode --stream --bin target/release/khaibao
    python3 bench/scan/run_bench.py frames /tmp/qr-seed11 --bin target/release/khaibao
    python3 bench/scan/run_bench.py stream /tmp/stream --bin target/release/khaibao
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np
from PIL import Image

try:
    import zxingcpp
except ImportError:  # the khaibao rows still run; the report says zxing-cpp is missing
    zxingcpp = None

EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".pgm", ".tif", ".tiff")


def samples(folder):
    out = []
    for dirpath, _, names in os.walk(folder):
        for name in names:
            stem, ext = os.path.splitext(name)
            if ext.lower() in EXTENSIONS and os.path.exists(os.path.join(dirpath, stem + ".txt")):
                out.append(os.path.join(dirpath, name))
    return sorted(out)


def expected(path):
    with open(os.path.splitext(path)[0] + ".txt", "rb") as fh:
        return fh.read()


def category(path):
    parts = os.path.basename(path).split("_")
    return parts[1] if len(parts) > 2 else os.path.basename(os.path.dirname(path))


def load(path):
    return np.asarray(Image.open(path).convert("L"))


def zxing(frames, repeat, best):
    """[(payloads, micros)] per frame, zxing-cpp as run_peers.py calls it."""
    if zxingcpp is None:
        return None
    fmt = zxingcpp.BarcodeFormat.QRCode
    plain = zxingcpp.TextMode.Plain
    out = []
    for img in frames:
        zxingcpp.read_barcodes(img, formats=fmt, text_mode=plain)
        times, found = [], []
        for _ in range(repeat):
            t = time.perf_counter()
            found = zxingcpp.read_barcodes(img, formats=fmt, text_mode=plain)
            times.append(time.perf_counter() - t)
        out.append(([bytes(b.bytes) for b in found], (min if best else statistics.median)(times) * 1e6))
    return out


def khaibao(binary, folder, files, repeat, stream, best):
    """[(payloads, micros)] per file, from `khaibao scan --bench` on the folder."""
    cmd = [binary, "scan", "--bench", "--repeat", str(repeat)] + (["--stream"] if stream else []) \
        + (["--best"] if best else []) + [folder]
    run = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({run.returncode}): {run.stderr.strip()}")
    lines = {}
    for line in run.stdout.splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        lines[os.path.abspath(obj["file"])] = obj
    out = []
    for f in files:
        obj = lines.get(os.path.abspath(f), {})
        out.append(([bytes.fromhex(h) for h in obj.get("payloads_hex", [])], obj.get("micros")))
    return out


def score(results, wants):
    """(correct, misread) counts over frames; a frame without a code is correct when nothing
    was decoded."""
    correct = misread = 0
    for (found, _), want in zip(results, wants):
        if want:
            correct += want in found
            misread += bool(found) and want not in found
        else:
            correct += not found
            misread += bool(found)
    return correct, misread


def p95(values):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(0.95 * (len(v) - 1))))]


def row(name, results, wants, base=None):
    times = [t / 1000 for _, t in results if t is not None]
    correct, misread = score(results, wants)
    med, tail = statistics.median(times), p95(times)
    ratio = ""
    if base:
        ratio = f" | {med / base[0]:.2f}× | {tail / base[1]:.2f}×"
    print(f"| {name} | {len(results)} | {100 * correct / len(results):.1f} % | {misread} | "
          f"{med:.2f} ms | {tail:.2f} ms{ratio} |")
    return med, tail


def frames_mode(args):
    for folder in args.folders:
        files = samples(folder)
        if not files:
            sys.exit(f"no samples below {folder}")
        wants = [expected(f) for f in files]
        imgs = [load(f) for f in files]
        z = zxing(imgs, args.repeat, args.best)
        k = khaibao(args.bin, folder, files, args.repeat, args.stream, args.best)
        mode = "one Scanner over the folder" if args.stream else "each frame on its own"
        stat = "fastest" if args.best else "median"
        print(f"\n### {folder} ({len(files)} frames; khaibao: {mode}; {stat} of --repeat {args.repeat})\n")
        print("| decoder | frames | correct | misreads | median | p95 | median ÷ zxing-cpp | p95 ÷ zxing-cpp |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        base = row("zxing-cpp", z, wants) if z else None
        if not z:
            print("| zxing-cpp | (not installed) | | | | | | |")
        row("khaibao", k, wants, base)
        cats = sorted({category(f) for f in files})
        if len(cats) > 1:
            print("\n| category | frames | zxing-cpp correct · median | khaibao correct · median |")
            print("|---|---:|---|---|")
            for c in cats:
                idx = [i for i, f in enumerate(files) if category(f) == c]
                cells = []
                for res in (z, k):
                    if not res:
                        cells.append("-")
                        continue
                    sub = [res[i] for i in idx]
                    ok, _ = score(sub, [wants[i] for i in idx])
                    med = statistics.median(t / 1000 for _, t in sub if t is not None)
                    cells.append(f"{100 * ok / len(idx):.1f} % · {med:.2f} ms")
                print(f"| {c} | {len(idx)} | {cells[0]} | {cells[1]} |")
        if args.json_summary:
            summary = {}
            for name, res in (("zxing-cpp", z), ("khaibao", k)):
                if res:
                    times = [t / 1000 for _, t in res if t is not None]
                    ok, bad = score(res, wants)
                    summary[name] = dict(n=len(res), correct=ok, misreads=bad,
                                         median_ms=statistics.median(times), p95_ms=p95(times))
            with open(args.json_summary, "a") as fh:
                fh.write(json.dumps(dict(folder=folder, stream=args.stream, **summary)) + "\n")


def first_decode(results, want):
    """Index of the first frame that decoded `want`, and milliseconds spent until then."""
    spent = 0.0
    for i, (found, t) in enumerate(results):
        spent += (t or 0) / 1000
        if want in found:
            return i, spent
    return None, spent


def stream_mode(args):
    seqs = sorted(d for d in os.listdir(args.folder) if os.path.isdir(os.path.join(args.folder, d)))
    print(f"\n### {args.folder} ({len(seqs)} sequences; --repeat {args.repeat})\n")
    print("| sequence | frames | code from | zxing-cpp first decode · ms to it | khaibao first decode · "
          "ms to it | khaibao reports | misreads (zxing-cpp / khaibao) |")
    print("|---|---:|---:|---|---|---:|---|")
    totals = dict(z_frames=0, k_frames=0, z_ms=0.0, k_ms=0.0, both=0, k_only=0, z_only=0,
                  z_misreads=0, k_misreads=0, k_reports=0)
    for seq in seqs:
        folder = os.path.join(args.folder, seq)
        files = samples(folder)
        wants = [expected(f) for f in files]
        want = next((w for w in wants if w), b"")
        z = zxing([load(f) for f in files], args.repeat, args.best)
        k = khaibao(args.bin, folder, files, args.repeat, True, args.best)
        zi, zms = first_decode(z, want) if z else (None, 0.0)
        ki, kms = first_decode(k, want)
        reports = sum(found.count(want) for found, _ in k)
        _, zbad = score(z, wants) if z else (0, 0)
        _, kbad = score(k, wants)
        start = next((i for i, w in enumerate(wants) if w), None)
        totals["z_misreads"] += zbad
        totals["k_misreads"] += kbad
        totals["k_reports"] += reports
        cell = lambda i, ms: "never" if i is None else f"frame {i} · {ms:.1f} ms"  # noqa: E731
        print(f"| {seq} | {len(files)} | {start} | {cell(zi, zms)} | {cell(ki, kms)} | {reports} | "
              f"{zbad} / {kbad} |")
        if zi is not None and ki is not None:
            totals["both"] += 1
            totals["z_frames"] += zi
            totals["k_frames"] += ki
            totals["z_ms"] += zms
            totals["k_ms"] += kms
        elif ki is not None:
            totals["k_only"] += 1
        elif zi is not None:
            totals["z_only"] += 1
    b = totals["both"]
    if b:
        print(f"\nOver the {b} sequences both decoded: zxing-cpp first decode at frame "
              f"{totals['z_frames'] / b:.1f} on average after {totals['z_ms'] / b:.1f} ms; khaibao at "
              f"frame {totals['k_frames'] / b:.1f} after {totals['k_ms'] / b:.1f} ms "
              f"({totals['k_ms'] / max(totals['z_ms'], 1e-9):.2f}× zxing-cpp's time). "
              f"Decoded by khaibao only: {totals['k_only']}; by zxing-cpp only: {totals['z_only']}.")
    if args.json_summary:
        with open(args.json_summary, "a") as fh:
            fh.write(json.dumps(dict(folder=args.folder, stream_sequences=len(seqs), **totals)) + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/khaibao", help="the khaibao CLI")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--best", action="store_true",
                    help="each frame's fastest run instead of the median, for both decoders")
    ap.add_argument("--json-summary", help="append one JSON line per folder to this file")
    sub = ap.add_subparsers(dest="mode", required=True)
    a = sub.add_parser("frames")
    a.add_argument("folders", nargs="+")
    a.add_argument("--stream", action="store_true", help="khaibao reads each folder as one stream")
    b = sub.add_parser("stream")
    b.add_argument("folder")
    args = ap.parse_args(argv)
    if zxingcpp is None:
        print("zxing-cpp is not installed (pip install zxing-cpp): khaibao rows only", file=sys.stderr)
    (frames_mode if args.mode == "frames" else stream_mode)(args)


if __name__ == "__main__":
    main()
