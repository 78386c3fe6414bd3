//! UserSig in Tencent's TLSSigAPIv2 format: mint (for development) and verify.
//!
//! A UserSig is JSON (`TLS.ver`, `TLS.identifier`, `TLS.sdkappid`, `TLS.time`,
//! `TLS.expire`, optional `TLS.userbuf`, `TLS.sig`), zlib-compressed, in
//! Tencent's base64 (standard alphabet with `+`->`*`, `/`->`-`, `=`->`_`).
//! `TLS.sig` is base64 of HMAC-SHA256, keyed with the app's secret key, over
//! the `TLS.*` fields written as `name:value\n` lines.

use std::fmt;
use std::io::Read;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use tinyim_core::wire::code;

/// Default lifetime of a minted UserSig: 180 days, as Tencent's packages.
pub const DEFAULT_EXPIRE_SECS: u64 = 180 * 86_400;

/// A compressed UserSig larger than this is refused before inflating.
const MAX_SIG_LEN: usize = 4096;
/// Inflated JSON larger than this is refused (no zip bombs).
const MAX_JSON_LEN: u64 = 4096;

/// The fields of a verified UserSig.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SigInfo {
    /// `TLS.sdkappid`.
    pub app_id: u64,
    /// `TLS.identifier`.
    pub user_id: String,
    /// `TLS.time`, unix seconds of issue.
    pub time: u64,
    /// `TLS.expire`, lifetime in seconds.
    pub expire: u64,
}

impl SigInfo {
    /// Unix seconds after which the UserSig is expired.
    pub fn expires_at(&self) -> u64 {
        self.time.saturating_add(self.expire)
    }
}

/// Why a UserSig was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigError {
    /// Not base64, not zlib, not JSON, or a field missing.
    Encoding,
    /// The HMAC does not match: wrong key or tampered fields.
    Signature,
    /// Issued for another SDKAppID.
    WrongApp,
    /// Issued for another user.
    WrongUser,
    /// Past `TLS.time + TLS.expire`.
    Expired,
}

impl SigError {
    /// The TIM error code for this refusal.
    pub fn code(self) -> u32 {
        match self {
            SigError::Encoding => code::USER_SIG_INVALID,
            SigError::Signature => code::USER_SIG_MISMATCH,
            SigError::WrongApp => code::USER_SIG_WRONG_APP,
            SigError::WrongUser => code::USER_SIG_WRONG_USER,
            SigError::Expired => code::USER_SIG_EXPIRED,
        }
    }
}

impl fmt::Display for SigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SigError::Encoding => "bad encoding",
            SigError::Signature => "bad signature",
            SigError::WrongApp => "wrong app id",
            SigError::WrongUser => "wrong user",
            SigError::Expired => "expired",
        })
    }
}

impl std::error::Error for SigError {}

fn hmac_input(user: &str, app_id: u64, time: u64, expire: u64, userbuf: Option<&str>) -> String {
    let mut s = format!(
        "TLS.identifier:{user}\nTLS.sdkappid:{app_id}\nTLS.time:{time}\nTLS.expire:{expire}\n"
    );
    if let Some(buf) = userbuf {
        s.push_str(&format!("TLS.userbuf:{buf}\n"));
    }
    s
}

fn mac(key: &str) -> Hmac<Sha256> {
    // HMAC takes keys of any length.
    Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC accepts any key length")
}

/// Mints a UserSig for `user`, issued at `now` (unix seconds), valid for `expire` seconds.
pub fn mint(app_id: u64, key: &str, user: &str, expire: u64, now: u64) -> String {
    let mut m = mac(key);
    m.update(hmac_input(user, app_id, now, expire, None).as_bytes());
    let sig = STANDARD.encode(m.finalize().into_bytes());
    let json = serde_json::json!({
        "TLS.ver": "2.0",
        "TLS.identifier": user,
        "TLS.sdkappid": app_id,
        "TLS.expire": expire,
        "TLS.time": now,
        "TLS.sig": sig,
    })
    .to_string();
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut z, json.as_bytes()).expect("writing to a Vec cannot fail");
    let compressed = z.finish().expect("writing to a Vec cannot fail");
    to_tencent_base64(&STANDARD.encode(compressed))
}

fn to_tencent_base64(b64: &str) -> String {
    b64.chars()
        .map(|c| match c {
            '+' => '*',
            '/' => '-',
            '=' => '_',
            c => c,
        })
        .collect()
}

fn from_tencent_base64(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '*' => '+',
            '-' => '/',
            '_' => '=',
            c => c,
        })
        .collect()
}

fn number(v: &Value, name: &str) -> Result<u64, SigError> {
    match v.get(name) {
        Some(Value::Number(n)) => n.as_u64().ok_or(SigError::Encoding),
        // Some generators write numbers as strings.
        Some(Value::String(s)) => s.parse().map_err(|_| SigError::Encoding),
        _ => Err(SigError::Encoding),
    }
}

fn string<'a>(v: &'a Value, name: &str) -> Result<&'a str, SigError> {
    v.get(name)
        .and_then(Value::as_str)
        .ok_or(SigError::Encoding)
}

/// Decodes a UserSig without checking anything but its form.
pub fn decode(sig: &str) -> Result<(SigInfo, Value), SigError> {
    if sig.len() > MAX_SIG_LEN {
        return Err(SigError::Encoding);
    }
    let compressed = STANDARD
        .decode(from_tencent_base64(sig.trim()))
        .map_err(|_| SigError::Encoding)?;
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(&compressed[..])
        .take(MAX_JSON_LEN + 1)
        .read_to_end(&mut json)
        .map_err(|_| SigError::Encoding)?;
    if json.len() as u64 > MAX_JSON_LEN {
        return Err(SigError::Encoding);
    }
    let v: Value = serde_json::from_slice(&json).map_err(|_| SigError::Encoding)?;
    let info = SigInfo {
        app_id: number(&v, "TLS.sdkappid")?,
        user_id: string(&v, "TLS.identifier")?.to_owned(),
        time: number(&v, "TLS.time")?,
        expire: number(&v, "TLS.expire")?,
    };
    Ok((info, v))
}

/// Verifies `sig` for `user` of app `app_id` at `now` (unix seconds).
///
/// The signature is checked first, so nothing about the fields is revealed to
/// someone without the key; then app id, user id and expiry, in that order.
pub fn verify(
    app_id: u64,
    key: &str,
    user: &str,
    sig: &str,
    now: u64,
) -> Result<SigInfo, SigError> {
    let (info, v) = decode(sig)?;
    let given = STANDARD
        .decode(string(&v, "TLS.sig")?)
        .map_err(|_| SigError::Encoding)?;
    let userbuf = v.get("TLS.userbuf").and_then(Value::as_str);
    let mut m = mac(key);
    m.update(hmac_input(&info.user_id, info.app_id, info.time, info.expire, userbuf).as_bytes());
    m.verify_slice(&given).map_err(|_| SigError::Signature)?;
    if info.app_id != app_id {
        return Err(SigError::WrongApp);
    }
    if info.user_id != user {
        return Err(SigError::WrongUser);
    }
    if now > info.expires_at() {
        return Err(SigError::Expired);
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: u64 = 1_400_000_000;
    const KEY: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";

    #[test]
    fn minted_sig_verifies_and_every_refusal_has_its_reason() {
        let sig = mint(APP, KEY, "alice", 100, 1_000);
        let info = verify(APP, KEY, "alice", &sig, 1_050).unwrap();
        assert_eq!(
            (info.user_id.as_str(), info.time, info.expire),
            ("alice", 1_000, 100)
        );
        // Expired only when now > time + expire.
        assert!(verify(APP, KEY, "alice", &sig, 1_100).is_ok());
        assert_eq!(
            verify(APP, KEY, "alice", &sig, 1_101),
            Err(SigError::Expired)
        );
        assert_eq!(
            verify(APP, KEY, "bob", &sig, 1_050),
            Err(SigError::WrongUser)
        );
        assert_eq!(
            verify(APP + 1, KEY, "alice", &sig, 1_050),
            Err(SigError::WrongApp)
        );
        assert_eq!(
            verify(APP, "other key", "alice", &sig, 1_050),
            Err(SigError::Signature)
        );
        assert_eq!(
            verify(APP, KEY, "alice", "not a sig!", 1_050),
            Err(SigError::Encoding)
        );
        assert_eq!(
            verify(APP, KEY, "alice", &"A".repeat(10_000), 1_050),
            Err(SigError::Encoding)
        );
    }

    #[test]
    fn tampered_fields_fail_the_signature() {
        let sig = mint(APP, KEY, "alice", 100, 1_000);
        let (_, mut v) = decode(&sig).unwrap();
        v["TLS.expire"] = serde_json::json!(1_000_000);
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::none());
        std::io::Write::write_all(&mut z, v.to_string().as_bytes()).unwrap();
        let forged = to_tencent_base64(&STANDARD.encode(z.finish().unwrap()));
        assert_eq!(
            verify(APP, KEY, "alice", &forged, 5_000),
            Err(SigError::Signature)
        );
    }
}
