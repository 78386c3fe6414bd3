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
