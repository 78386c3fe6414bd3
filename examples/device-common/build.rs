//! Rebuild when a setting changes.

fn main() {
    for var in [
        "TINYIM_WIFI_SSID",
        "TINYIM_WIFI_PASSWORD",
        "TINYIM_SERVER",
        "TINYIM_USER",
        "TINYIM_USER_SIG",
        "TINYIM_PEER",
    ] {
        println!("cargo:rerun-if-env-changed={var}");
    }
}
