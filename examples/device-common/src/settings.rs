//! Settings baked in at build time from the environment. The defaults let the
//! firmware build in CI; a real device needs real values (see its README).

macro_rules! setting {
    ($name:ident, $var:literal, $default:literal) => {
        #[doc = concat!("`", $var, "` at build time (default `", $default, "`).")]
        pub const $name: &str = match option_env!($var) {
            Some(value) => value,
            None => $default,
        };
    };
}

setting!(WIFI_SSID, "TINYIM_WIFI_SSID", "tinyim");
setting!(WIFI_PASSWORD, "TINYIM_WIFI_PASSWORD", "tinyim-password");
setting!(SERVER, "TINYIM_SERVER", "192.168.1.10:7878");
setting!(USER, "TINYIM_USER", "device");
setting!(
    USER_SIG,
    "TINYIM_USER_SIG",
    "set-TINYIM_USER_SIG-at-build-time"
);
setting!(PEER, "TINYIM_PEER", "alice");
setting!(TLS_NAME, "TINYIM_TLS_NAME", "localhost");

/// The CA certificate (DER) the server's TLS certificate must be signed by:
/// the file `TINYIM_TLS_CA` named at build time (`tinyim-server
/// tls-dev-cert` writes one as `ca.der`); empty when none was given.
pub const TLS_CA_DER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/tls_ca.der"));
