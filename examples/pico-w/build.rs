//! Linker setup for the RP2040, and the CYW43 NVRAM in the binary form the
//! driver wants (the lines of `nvram_rp2040.txt` joined with NUL bytes).

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    fs::write(out.join("memory.x"), include_bytes!("memory.x")).unwrap();

    let text = fs::read_to_string("nvram_rp2040.txt").unwrap();
    let mut nvram = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        nvram.extend_from_slice(line.as_bytes());
        nvram.push(0);
    }
    nvram.push(0);
    fs::write(out.join("nvram_rp2040.bin"), nvram).unwrap();

    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-changed=nvram_rp2040.txt");
    println!("cargo:rustc-link-arg-bins=--nmagic");
    println!("cargo:rustc-link-arg-bins=-Tlink.x");
    println!("cargo:rustc-link-arg-bins=-Tlink-rp.x");
    println!("cargo:rustc-link-arg-bins=-Tdefmt.x");
}
