//! TLS to the server with the settings baked in at build time.

use static_cell::ConstStaticCell;
use tinyim_driver::Connector;
use tinyim_embassy::{TlsConnector, TlsRecords};

use crate::settings;

/// TLS 1.3 over `inner`'s connections to the server named
/// [`settings::TLS_NAME`], trusting [`settings::TLS_CA_DER`], with record
/// buffers in a static; `None` if called a second time.
pub fn over_tls<C: Connector, R: rand_core::RngCore + rand_core::CryptoRng>(
    inner: C,
    rng: R,
) -> Option<TlsConnector<'static, C, R>> {
    static RECORDS: ConstStaticCell<TlsRecords> = ConstStaticCell::new(TlsRecords::new());
    let records = RECORDS.try_take()?;
    Some(TlsConnector::new(
        inner,
        records,
        settings::TLS_NAME,
        settings::TLS_CA_DER,
        rng,
    ))
}
