#!/usr/bin/env python3
"""Deterministic camera-frame generators for the scanner's stream benchmark.

Two corpora, each a pure function of its seed and count (given the numpy, OpenCV and segno
versions, recorded in ``corpus_info.json``):

``nocode``  frames that hold no QR code, as a phone camera sees them while the user is
            still aiming: smooth natural-image-like backgrounds (low-frequency fields,
            soft shapes), printed text, finder-like squares and fragments of other 2-D
            codes (clutter), checkerboards and stripes, then blur, sensor noise and JPEG.
            Each frame has an empty sibling ``.txt``: a frame without a code.

``stream``  sequences that simulate an approach: a venue-style code that starts outside
            the frame or too small and blurred to read, grows and sharpens frame by frame
            until it is readable, over a moving cluttered background. Each sequence is a
            folder ``seqNNN/`` of ``fNNN.png`` frames, each with a ``.txt`` holding the
            payload, or empty when the code is not in the frame yet. ``sequence.json``
            records each frame's module size, blur and noise (the frame where the code
            first becomes readable depends on the decoder: that is what is measured).

Usage:
    python3 bench/scan/gen_frames.py nocode --seed 5 --count 60 --out /tmp/nocode
    python3 bench/scan/gen_frames.py stream --seed 5 --count 8 --frames 30 --out /tmp/stream
"""

import argparse
import json
import math
import os
import sys

import cv2
import numpy as np
import segno

FRAME_SIZES = ((1280, 720), (640, 480))
FONTS = [cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_COMPLEX,
         cv2.FONT_HERSHEY_PLAIN, cv2.FONT_HERSHEY_TRIPLEX]
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def rand_str(rng, alphabet, n):
    return "".join(alphabet[i] for i in rng.integers(len(alphabet), size=n))


def smooth_field(rng, w, h, cells, amp):
    g = rng.uniform(-amp, amp, size=(cells[1], cells[0])).astype(np.float32)
    return cv2.resize(g, (w, h), interpolation=cv2.INTER_CUBIC)


def paste(bg, sprite, cx, cy, angle_deg, dark, light):
    """Rotates a binary sprite (1 = dark) and composites it at (cx, cy)."""
    h, w = sprite.shape
    diag = int(math.ceil(math.hypot(w, h))) + 2
    m = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), angle_deg, 1.0)
    m[0, 2] += diag / 2.0 - w / 2.0
    m[1, 2] += diag / 2.0 - h / 2.0
    spr = cv2.warpAffine(sprite.astype(np.float32), m, (diag, diag), flags=cv2.INTER_LINEAR)
    msk = cv2.warpAffine(np.ones_like(sprite, np.float32), m, (diag, diag), flags=cv2.INTER_LINEAR)
    x0, y0 = int(cx - diag / 2), int(cy - diag / 2)
    H, W = bg.shape
    xa, ya, xb, yb = max(0, x0), max(0, y0), min(W, x0 + diag), min(H, y0 + diag)
    if xa >= xb or ya >= yb:
        return
    s = spr[ya - y0:yb - y0, xa - x0:xb - x0]
    k = msk[ya - y0:yb - y0, xa - x0:xb - x0]
    bg[ya:yb, xa:xb] = bg[ya:yb, xa:xb] * (1 - k) + (light + (dark - light) * s) * k


def finder_sprite(mod):
    core = np.zeros((9, 9), np.uint8)
    core[1:8, 1:8] = 1
    core[2:7, 2:7] = 0
    core[3:6, 3:6] = 1
    return np.kron(core, np.ones((mod, mod), np.uint8))


def background(rng, w, h, kind):
    """A reflectance field in [0, 1] of one of the no-code kinds."""
    bg = np.full((h, w), rng.uniform(0.25, 0.75), np.float32)
    bg += smooth_field(rng, w, h, (int(rng.integers(3, 9)), int(rng.integers(2, 7))), 0.2)
    for _ in range(int(rng.integers(2, 8))):  # desk edges, objects, walls
        val = float(rng.uniform(0.05, 0.95))
        if rng.random() < 0.5:
            p1 = (int(rng.integers(-w // 4, w)), int(rng.integers(-h // 4, h)))
            p2 = (p1[0] + int(rng.integers(w // 8, w // 2)), p1[1] + int(rng.integers(h // 8, h // 2)))
            cv2.rectangle(bg, p1, p2, val, -1, lineType=cv2.LINE_AA)
        else:
            c = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            cv2.circle(bg, c, int(rng.integers(h // 10, h // 3)), val, -1, lineType=cv2.LINE_AA)
    bg = cv2.GaussianBlur(bg, (0, 0), float(rng.uniform(1.0, 6.0)))
    if kind == "texture":  # fine natural texture (fabric, foliage, gravel)
        for octave in (8, 24, 64, 160):
            bg += smooth_field(rng, w, h, (octave, max(2, octave * h // w)), 0.25 / math.sqrt(octave / 8))
    if kind in ("text", "clutter"):
        for _ in range(int(rng.integers(8, 30))):
            txt = rand_str(rng, ALNUM + "  -:/.", int(rng.integers(4, 30)))
            org = (int(rng.integers(-20, w - 40)), int(rng.integers(10, h)))
            val = float(rng.uniform(0.0, 0.3)) if rng.random() < 0.7 else float(rng.uniform(0.7, 1.0))
            ink = np.zeros((h, w), np.uint8)
            cv2.putText(ink, txt, org, FONTS[rng.integers(len(FONTS))], float(rng.uniform(0.4, 2.5)),
                        255, int(rng.integers(1, 4)), lineType=cv2.LINE_AA)
            a = ink.astype(np.float32) / 255.0
            bg = bg * (1.0 - a) + val * a
    if kind in ("shapes", "clutter"):
        for _ in range(int(rng.integers(20, 60))):
            val = float(rng.uniform(0.02, 0.98))
            p1 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            r = rng.random()
            if r < 0.4:
                p2 = (p1[0] + int(rng.integers(-w // 6, w // 6)), p1[1] + int(rng.integers(-h // 6, h // 6)))
                cv2.rectangle(bg, p1, p2, val, int(rng.choice([-1, 1, 2, 3])), lineType=cv2.LINE_AA)
            elif r < 0.7:
                p2 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
                cv2.line(bg, p1, p2, val, int(rng.integers(1, 7)), lineType=cv2.LINE_AA)
            else:
                cv2.circle(bg, p1, int(rng.integers(3, h // 8)), val, int(rng.choice([-1, 1, 2, 4])),
                           lineType=cv2.LINE_AA)
    if kind in ("finders", "clutter"):
        # Finder-like squares (one or two, never three of one size: no code can form) and
        # fragments of other 2-D codes.
        for _ in range(int(rng.integers(1, 3))):
            mod = int(rng.integers(2, 9))
            paste(bg, finder_sprite(mod), rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0, 360),
                  rng.uniform(0.02, 0.15), rng.uniform(0.75, 0.95))
        for _ in range(int(rng.integers(2, 6))):
            k = int(rng.integers(8, 22))
            mod = int(rng.integers(2, 8))
            spr = np.kron((rng.random((k, k)) < 0.5).astype(np.uint8), np.ones((mod, mod), np.uint8))
            paste(bg, spr, rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0, 360),
                  rng.uniform(0.02, 0.15), rng.uniform(0.75, 0.95))
    if kind == "pattern":  # checkerboards, stripes (tiles, blinds, shelves)
        for _ in range(int(rng.integers(1, 4))):
            cell = int(rng.integers(3, 20))
            n = int(rng.integers(6, 30))
            if rng.random() < 0.5:
                spr = np.kron((np.indices((n, n)).sum(axis=0) % 2).astype(np.uint8),
                              np.ones((cell, cell), np.uint8))
            else:
                spr = np.kron((np.arange(n) % 2).astype(np.uint8)[None, :].repeat(n, axis=0),
                              np.ones((cell, cell), np.uint8))
            paste(bg, spr, rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0, 360),
                  rng.uniform(0.05, 0.3), rng.uniform(0.6, 0.95))
    return np.clip(bg, 0.0, 1.0)


def camera(rng, refl, blur_sigma, read_noise, jpeg_quality):
    """Light, optics, sensor noise and compression: reflectance to an 8-bit frame."""
    h, w = refl.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ang = rng.uniform(0, 2 * math.pi)
    diag = math.hypot(w, h)
    d = (xx - w / 2) * math.cos(ang) + (yy - h / 2) * math.sin(ang)
    lo = rng.uniform(0.6, 0.95)
    light = lo + (1 - lo) * np.clip(d / diag + 0.5, 0.0, 1.0)
    img = 255.0 * rng.uniform(0.9, 1.1) * light * refl
    if blur_sigma > 0:
        img = cv2.GaussianBlur(img, (0, 0), blur_sigma)
    sd = np.sqrt(read_noise * read_noise + 0.01 * np.clip(img, 0, None))
    img = img + rng.standard_normal(img.shape).astype(np.float32) * sd
    out = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    if jpeg_quality:
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(jpeg_quality)])
        assert ok
        out = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    return out


NOCODE_KINDS = ("plain", "texture", "text", "shapes", "finders", "pattern", "clutter")


def gen_nocode(args):
    os.makedirs(args.out, exist_ok=True)
    rows = []
    for i in range(args.count):
        rng = np.random.default_rng([args.seed, 2, i])
        kind = NOCODE_KINDS[i % len(NOCODE_KINDS)]
        w, h = FRAME_SIZES[0] if rng.random() < 0.5 else FRAME_SIZES[1]
        refl = background(rng, w, h, kind)
        blur = float(rng.choice([0.4, 0.8, 1.5, 3.0]))
        noise = float(rng.uniform(0.5, 6.0))
        quality = int(rng.integers(40, 92)) if rng.random() < 0.6 else 0
        img = camera(rng, refl, blur, noise, quality)
        stem = f"n{args.seed}-{i:04d}_{kind}_{w}x{h}"
        assert cv2.imwrite(os.path.join(args.out, stem + ".png"), img, [cv2.IMWRITE_PNG_COMPRESSION, 9])
        open(os.path.join(args.out, stem + ".txt"), "wb").close()
        rows.append(dict(file=stem + ".png", kind=kind, blur=blur, noise=round(noise, 2), jpeg=quality))
        print(f"[{i + 1}/{args.count}] {stem}", file=sys.stderr)
    info(args, "nocode", rows)


def venue_payload(rng):
    """A payload shaped like a venue check-in code: a URL with a signed token."""
    token = rand_str(rng, ALNUM + "-_", int(rng.integers(60, 140)))
    return f"https://khaibao.example.vn/v/{rand_str(rng, ALNUM, 8)}#{token}"


def render_code(refl, matrix, module, cx, cy, angle, quiet=4):
    """Composites a QR matrix (1 = dark), `module` px per module, centred at (cx, cy)."""
    n = matrix.shape[0] + 2 * quiet
    grid = np.zeros((n, n), np.float32)
    grid[quiet:quiet + matrix.shape[0], quiet:quiet + matrix.shape[1]] = matrix
    ss = 4  # supersampled rendering, box-filtered down
    src = np.kron(0.9 - 0.84 * grid, np.ones((ss, ss), np.float32))
    scale = module / ss
    m = cv2.getRotationMatrix2D((n * ss / 2.0, n * ss / 2.0), angle, scale)
    m[0, 2] += cx - n * ss / 2.0
    m[1, 2] += cy - n * ss / 2.0
    h, w = refl.shape
    warped = cv2.warpAffine(src, m, (w, h), flags=cv2.INTER_AREA, borderValue=0)
    mask = cv2.warpAffine(np.ones_like(src), m, (w, h), flags=cv2.INTER_AREA, borderValue=0)
    return refl * (1 - mask) + warped * mask


def gen_stream(args):
    os.makedirs(args.out, exist_ok=True)
    seqs = []
    for s in range(args.count):
        rng = np.random.default_rng([args.seed, 3, s])
        w, h = FRAME_SIZES[s % 2]
        payload = venue_payload(rng)
        qr = segno.make_qr(payload, error="m", boost_error=False)
        matrix = np.array([list(row) for row in qr.matrix], dtype=np.uint8)
        big = np.clip(background(rng, w + 200, h + 200, "clutter" if s % 3 == 0 else "shapes"), 0, 1)
        # The approach: no code for the first frames, then a code that grows from about one
        # pixel per module to a readable size while the defocus fades.
        enter = int(rng.integers(3, args.frames // 3))
        final_module = rng.uniform(3.0, min(7.0, 0.7 * min(w, h) / (matrix.shape[0] + 8)))
        angle = rng.uniform(-20, 20)
        cx0, cy0 = rng.uniform(0.3 * w, 0.7 * w), rng.uniform(0.3 * h, 0.7 * h)
        folder = os.path.join(args.out, f"seq{s:03d}")
        os.makedirs(folder, exist_ok=True)
        frames = []
        for f in range(args.frames):
            fr = np.random.default_rng([args.seed, 4, s, f])
            dx, dy = int(100 + 60 * math.sin(f / 5.0 + s)), int(100 + 60 * math.cos(f / 7.0 + s))
            refl = big[dy:dy + h, dx:dx + w].copy()
            t = (f - enter) / max(1, args.frames - enter - 4)
            has_code = f >= enter
            module, blur = 0.0, float(fr.uniform(0.4, 0.8))
            if has_code:
                t = min(1.0, t)
                module = 0.8 + (final_module - 0.8) * t
                blur = max(0.4, (1.0 - t) * 0.9 * module + 0.4)
                refl = render_code(refl, matrix, module, cx0 + 10 * math.sin(f / 3.0),
                                   cy0 + 8 * math.cos(f / 4.0), angle + 3 * math.sin(f / 6.0))
            noise = float(fr.uniform(1.0, 4.0))
            img = camera(fr, refl, blur, noise, int(fr.integers(70, 92)))
            stem = f"f{f:03d}"
            assert cv2.imwrite(os.path.join(folder, stem + ".png"), img, [cv2.IMWRITE_PNG_COMPRESSION, 6])
            with open(os.path.join(folder, stem + ".txt"), "wb") as fh:
                fh.write(payload.encode("ascii") if has_code else b"")
            frames.append(dict(file=stem + ".png", code=has_code, module_px=round(module, 3),
                               blur_sigma=round(blur, 3), noise=round(noise, 2)))
        with open(os.path.join(folder, "sequence.json"), "w") as fh:
            json.dump(dict(width=w, height=h, enter=enter, frames=frames), fh, indent=1)
            fh.write("\n")
        seqs.append(dict(folder=f"seq{s:03d}", width=w, height=h, enter=enter))
        print(f"[{s + 1}/{args.count}] seq{s:03d}", file=sys.stderr)
    info(args, "stream", seqs)


def info(args, kind, rows):
    data = dict(generator="gen_frames.py", kind=kind, seed=args.seed, count=args.count, items=rows,
                versions=dict(numpy=np.__version__, opencv=cv2.__version__, segno=segno.__version__,
                              python=sys.version.split()[0]))
    with open(os.path.join(args.out, "corpus_info.json"), "w") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
        fh.write("\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="corpus", required=True)
    a = sub.add_parser("nocode", help="frames without a code")
    a.add_argument("--seed", type=int, required=True)
    a.add_argument("--count", type=int, default=60)
    a.add_argument("--out", required=True)
    b = sub.add_parser("stream", help="approach sequences")
    b.add_argument("--seed", type=int, required=True)
    b.add_argument("--count", type=int, default=8, help="sequences")
    b.add_argument("--frames", type=int, default=30, help="frames per sequence")
    b.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    (gen_nocode if args.corpus == "nocode" else gen_stream)(args)


if __name__ == "__main__":
    main()
