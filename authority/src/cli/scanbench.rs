//! `khaibao scan --bench`: decodes every sample image below a folder with `core::scan` and
//! prints one JSON line per image (`file`, `payloads_hex`, `micros`, `panicked`, plus the
//! `pass` that found the code), the `cmd` protocol of the shared QR benchmark harness
//! (`../shared/bench/qr/README.md`). Without `--bench` it prints the text of each code.
//!
//! Loading, grayscale conversion (ITU-R 601 weights, as the harness's Pillow rows use) and
//! rotation happen outside the timed region; each image gets one warm-up decode, then the
//! median of `--repeat` timed decodes is reported.
//!
//! `--stream` feeds the images, in name order, to one stream [`Scanner`] as a camera would
//! (a sample whose `.txt` is empty is a frame without a code): each line is one frame, its
//! time that frame's scan, its payloads the codes the scanner reported on it. With
//! `--repeat N` the whole sequence runs N times, each time through a new scanner, after one
//! warm-up run; each frame's time is its median and its payloads those of the first run.
//! `--best` reports the fastest run instead of the median, in both modes.

use khaibao_core::encoding::codec::hex;
use khaibao_core::scan::{self, Frame, ScanOptions, ScannedCode, Scanner};
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Why a scan run stopped.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("--rotate takes 0, 90, 180 or 270")]
    Rotate,
    #[error("unknown stage {0}")]
    Stage(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Core(#[from] khaibao_core::Error),
}

/// Options of the `scan` subcommand.
#[derive(clap::Args)]
pub struct ScanArgs {
    #[arg(long)]
    pub bench: bool,
    #[arg(long, default_value_t = 1)]
    pub repeat: u32,
    /// Rotate each image clockwise by 0, 90, 180 or 270 degrees before decoding.
    #[arg(long, default_value_t = 0)]
    pub rotate: u32,
    /// Pipeline stages to switch off (comma-separated), to measure what each pays.
    #[arg(long)]
    pub without: Vec<String>,
    /// Time budget per frame in milliseconds (default: the library's).
    #[arg(long)]
    pub budget_ms: Option<u64>,
    /// Feed the images, in name order, to one stream scanner (a camera's frames).
    #[arg(long)]
    pub stream: bool,
    /// Report each frame's fastest timed run instead of the median (a loaded machine
    /// only ever slows a run down).
    #[arg(long)]
    pub best: bool,
    pub path: PathBuf,
}

const IMAGE_EXTENSIONS: [&str; 9] = [
    "png", "jpg", "jpeg", "webp", "gif", "bmp", "pgm", "tif", "tiff",
];

/// Runs the subcommand.
pub fn run(args: &ScanArgs) -> Result<(), ScanError> {
    let options = options(args)?;
    if !matches!(args.rotate, 0 | 90 | 180 | 270) {
        return Err(ScanError::Rotate);
    }
    let files = if args.path.is_dir() {
        let mut files = Vec::new();
        walk(&args.path, &mut files)?;
        files.sort();
        files.retain(|f| !args.bench || has_expected(f));
        files
    } else {
        vec![args.path.clone()]
    };
    if args.stream {
        return stream(args, &options, &files);
    }
    let mut out = std::io::stdout().lock();
    for file in files {
        let Some(luma) = load(&file, args.rotate) else {
            eprintln!("khaibao: cannot read {}", file.display());
            continue;
        };
        let frame = Frame::new(luma.as_raw(), luma.width(), luma.height(), luma.width())?;
        let (outcome, micros) = timed(&frame, &options, args.repeat.max(1), args.best)?;
        let pass = outcome.pass.unwrap_or("none");
        writeln!(out, "{}", line(args, &file, &outcome.codes, micros, pass))?;
    }
    Ok(())
}

/// One output line: the harness's JSON with `--bench`, else the file and each code's text.
fn line(args: &ScanArgs, file: &Path, codes: &[ScannedCode], micros: u128, pass: &str) -> String {
    if args.bench {
        let hexes: Vec<String> = codes
            .iter()
            .map(|c| format!("\"{}\"", hex(&c.bytes)))
            .collect();
        format!(
            "{{\"file\": \"{}\", \"payloads_hex\": [{}], \"micros\": {micros}, \"panicked\": false, \"pass\": \"{pass}\"}}",
            json_escape(&file.to_string_lossy()),
            hexes.join(", "),
        )
    } else {
        let texts: Vec<String> = codes
            .iter()
            .map(|c| c.text.clone().unwrap_or_else(|| hex(&c.bytes)))
            .collect();
        format!("{}\t{}", file.display(), texts.join("\t"))
    }
}

/// `--stream`: the files as one camera stream; see the module documentation.
fn stream(args: &ScanArgs, options: &ScanOptions, files: &[PathBuf]) -> Result<(), ScanError> {
    let mut frames = Vec::with_capacity(files.len());
    for file in files {
        match load(file, args.rotate) {
            Some(luma) => frames.push((file, luma)),
            None => eprintln!("khaibao: cannot read {}", file.display()),
        }
    }
    let runs = args.repeat.max(1) as usize;
    let mut times = vec![Vec::with_capacity(runs); frames.len()];
    let mut reported = vec![Vec::new(); frames.len()];
    let mut stats = None;
    // One warm-up run, then the timed ones.
    for run in 0..=runs {
        let mut scanner = Scanner::with_options(*options);
        for (i, (_, luma)) in frames.iter().enumerate() {
            let frame = Frame::new(luma.as_raw(), luma.width(), luma.height(), luma.width())?;
            let t = Instant::now();
            let codes = scanner.scan(&frame, None)?;
            let micros = t.elapsed().as_micros();
            if run > 0 {
                times[i].push(micros);
            }
            if run == 1 {
                reported[i] = codes;
            }
        }
        stats.get_or_insert(scanner.stats());
    }
    let mut out = std::io::stdout().lock();
    for (((file, _), t), codes) in frames.iter().zip(times).zip(reported) {
        let pass = if codes.is_empty() { "none" } else { "stream" };
        writeln!(
            out,
            "{}",
            line(args, file, &codes, pick(t, args.best), pass)
        )?;
    }
    if let Some(s) = stats {
        eprintln!(
            "khaibao: {} frames, {} cheap passes, {} on a code's region, {} expensive passes, {} codes reported",
            s.frames, s.cheap_passes, s.focus_passes, s.deep_passes, s.reported
        );
    }
    Ok(())
}

fn options(args: &ScanArgs) -> Result<ScanOptions, ScanError> {
    let mut o = ScanOptions::default();
    for stage in args.without.iter().flat_map(|s| s.split(',')) {
        match stage {
            "downscale" => o.downscale = false,
            "adaptive" => o.adaptive = false,
            "inverted" => o.inverted = false,
            "full-resolution" => o.full_resolution = false,
            "native" => o.native = false,
            "contrast" => o.contrast = false,
            "upscale" => o.upscale = false,
            "budget" => o.budget = None,
            "rxing" => o.rxing = false,
            "try-harder" => o.try_harder = false,
            "rxing-first" => o.rxing_first = false,
            "rxing-downscale" => o.rxing_downscale = false,
            "rxing-contrast" => o.rxing_contrast = false,
            "rxing-smoothed" => o.rxing_smoothed = false,
            other => return Err(ScanError::Stage(other.to_owned())),
        }
    }
    if let Some(ms) = args.budget_ms {
        o.budget = Some(std::time::Duration::from_millis(ms));
    }
    Ok(o)
}

/// One warm-up decode, then the median (or with `best` the fastest) of `repeat` timed
/// decodes.
fn timed(
    frame: &Frame<'_>,
    options: &ScanOptions,
    repeat: u32,
    best: bool,
) -> Result<(scan::ScanOutcome, u128), ScanError> {
    let mut outcome = scan::scan_frame_with(frame, None, options)?;
    let mut times = Vec::with_capacity(repeat as usize);
    for _ in 0..repeat {
        let t = Instant::now();
        outcome = scan::scan_frame_with(frame, None, options)?;
        times.push(t.elapsed().as_micros());
    }
    Ok((outcome, pick(times, best)))
}

/// The median of `times`, or with `best` the smallest; `times` is not empty.
fn pick(mut times: Vec<u128>, best: bool) -> u128 {
    times.sort_unstable();
    if best {
        times[0]
    } else {
        times[times.len() / 2]
    }
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, files)?;
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        {
            files.push(path);
        }
    }
    Ok(())
}

fn has_expected(image: &Path) -> bool {
    image.with_extension("txt").exists() || image.with_extension("bin").exists()
}

/// Loads an image as 8-bit luma with ITU-R 601 weights and rotates it clockwise.
fn load(path: &Path, rotate: u32) -> Option<image::GrayImage> {
    let rgb = image::ImageReader::open(path)
        .ok()?
        .with_guessed_format()
        .ok()?
        .decode()
        .ok()?
        .to_rgb8();
    let luma = image::GrayImage::from_fn(rgb.width(), rgb.height(), |x, y| {
        let [r, g, b] = rgb.get_pixel(x, y).0;
        let y = (299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b) + 500) / 1000;
        image::Luma([y as u8])
    });
    Some(match rotate {
        90 => image::imageops::rotate90(&luma),
        180 => image::imageops::rotate180(&luma),
        270 => image::imageops::rotate270(&luma),
        _ => luma,
    })
}

fn json_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}
