//! TLS to the server: which certificates the client trusts and the name it
//! expects the server's certificate to carry.

use std::fmt;
use std::sync::Arc;

use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

/// How the client reaches the server over TLS (TLS 1.3 or 1.2, rustls with
/// the ring provider). Set it in [`crate::Options::tls`].
#[derive(Clone)]
pub struct Tls {
    pub(crate) connector: TlsConnector,
    pub(crate) server_name: ServerName<'static>,
}

/// Why a [`Tls`] could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsError {
    /// The PEM text held no usable certificate.
    NoCertificate,
    /// A certificate could not be parsed or trusted.
    BadCertificate(String),
    /// The server name is neither a DNS name nor an IP address.
    BadServerName(String),
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsError::NoCertificate => f.write_str("no certificate in the PEM text"),
            TlsError::BadCertificate(e) => write!(f, "unusable certificate: {e}"),
            TlsError::BadServerName(name) => write!(f, "not a server name: {name:?}"),
        }
    }
}

impl std::error::Error for TlsError {}

impl Tls {
    /// Trusts the certificate authorities in `ca_pem` (PEM text, one or
    /// more certificates) and only them; the server's certificate must be
    /// valid for `server_name` (a DNS name or an IP address).
    pub fn with_ca_pem(ca_pem: &[u8], server_name: &str) -> Result<Tls, TlsError> {
        let mut roots = RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(ca_pem) {
            let cert = cert.map_err(|e| TlsError::BadCertificate(e.to_string()))?;
            roots
                .add(cert)
                .map_err(|e| TlsError::BadCertificate(e.to_string()))?;
        }
        if roots.is_empty() {
            return Err(TlsError::NoCertificate);
        }
        let server_name = ServerName::try_from(server_name.to_owned())
            .map_err(|_| TlsError::BadServerName(server_name.to_owned()))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::BadCertificate(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Tls {
            connector: TlsConnector::from(Arc::new(config)),
            server_name,
        })
    }
}

impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tls")
            .field("server_name", &self.server_name)
            .finish_non_exhaustive()
    }
}
