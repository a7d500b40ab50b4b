//! Writes the fuzz targets' seed corpora: `cargo run -p khaibao-tests --example fuzz_seeds
//! -- DIR` creates `DIR/<target>/<seed>` files made by the round-trip code (see
//! `khaibao_tests::fuzz_fixture::seeds`). `fuzz/run.sh` runs it when a corpus is missing.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: fuzz_seeds DIR");
        return ExitCode::from(2);
    };
    let seeds = match khaibao_tests::fuzz_fixture::seeds() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("making seeds failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    for (target, name, bytes) in seeds {
        let folder = dir.join(target);
        let written = std::fs::create_dir_all(&folder)
            .and_then(|()| std::fs::write(folder.join(&name), &bytes));
        if let Err(e) = written {
            eprintln!("writing {target}/{name}: {e}");
            return ExitCode::FAILURE;
        }
        println!("{target}/{name}: {} bytes", bytes.len());
    }
    ExitCode::SUCCESS
}
