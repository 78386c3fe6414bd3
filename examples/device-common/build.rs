//! Rebuild when a setting changes, and bake the TLS CA certificate
//! (`TINYIM_TLS_CA`, a DER file) into the firmware when one is given.

use std::path::PathBuf;

fn main() {
    for var in [
        "TINYIM_WIFI_SSID",
        "TINYIM_WIFI_PASSWORD",
        "TINYIM_SERVER",
        "TINYIM_USER",
        "TINYIM_USER_SIG",
        "TINYIM_PEER",
        "TINYIM_TLS_NAME",
        "TINYIM_TLS_CA",
    ] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    // Without a CA the firmware still builds; its TLS handshakes then fail,
    // as a placeholder UserSig fails its login.
    let ca = match std::env::var_os("TINYIM_TLS_CA") {
        Some(path) => {
            println!("cargo:rerun-if-changed={}", PathBuf::from(&path).display());
            std::fs::read(&path)
                .unwrap_or_else(|e| panic!("TINYIM_TLS_CA={}: {e}", PathBuf::from(&path).display()))
        }
        None => Vec::new(),
    };
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("tls_ca.der"), ca).expect("OUT_DIR is writable");
}
