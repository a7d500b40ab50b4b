//! Link settings for the shared library.
//!
//! On Linux with glibc the cdylib is linked with packed relative relocations (DT_RELR,
//! glibc 2.36+): they take ~2 KB instead of ~300 KB of `.rela.dyn`. Android's loader only
//! reads DT_RELR from API 34, so Android and other targets keep the default.
//!
//! It is also linked with identical code folding (`--icf=all`, LLD): generic code that
//! compiles to the same machine code for different types is kept once (about 20 KB). Rust
//! makes no promise that distinct functions have distinct addresses. In the C code the only
//! folds (checked with `nm`: symbols sharing an address) are SQLite's `sqlite3ExprDelete` /
//! `sqlite3ExprDeleteGeneric`-style pairs and ring's `load_4`, whose addresses are never
//! compared.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-z,pack-relative-relocs");
        println!("cargo:rustc-cdylib-link-arg=-Wl,--icf=all");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
