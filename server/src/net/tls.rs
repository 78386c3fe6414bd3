//! TLS for client connections: the server's certificate chain and key from
//! PEM files, TLS 1.3 and 1.2 through rustls (with the ring provider).

use std::io;
use std::path::Path;
use std::sync::Arc;

use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};

/// A TLS configuration serving the chain in `cert` (PEM, leaf first) with
/// the private key in `key` (PEM: PKCS#8, PKCS#1 or SEC1).
pub fn server_config(cert: &Path, key: &Path) -> io::Result<Arc<ServerConfig>> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| invalid(cert, e))?;
    if chain.is_empty() {
        return Err(invalid(cert, "no certificate in the file"));
    }
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| invalid(key, e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|e| invalid(key, e))?;
    Ok(Arc::new(config))
}

fn invalid(path: &Path, e: impl std::fmt::Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{}: {e}", path.display()),
    )
}

/// A certificate authority made on this machine and a server certificate it
/// signed (ECDSA P-256), for trying TLS out and for tests: clients trust
/// `ca_pem` (or `ca_der` on a device), the server serves `cert_pem` with
/// `key_pem`. Not for production: whoever holds the files can impersonate
/// the server.
pub struct DevCertificates {
    /// The CA certificate, PEM.
    pub ca_pem: String,
    /// The CA certificate, DER (what embedded-tls takes).
    pub ca_der: Vec<u8>,
    /// The server certificate, PEM.
    pub cert_pem: String,
    /// The server certificate's private key, PEM (PKCS#8).
    pub key_pem: String,
}

impl DevCertificates {
    /// A new CA and a server certificate valid for `names` (DNS names or IP
    /// addresses).
    pub fn generate(names: &[String]) -> Result<DevCertificates, rcgen::Error> {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
        let ca_key = KeyPair::generate()?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "tinyim development CA");
        let ca = ca_params.self_signed(&ca_key)?;
        let key = KeyPair::generate()?;
        let cert = CertificateParams::new(names.to_vec())?.signed_by(&key, &ca, &ca_key)?;
        Ok(DevCertificates {
            ca_pem: ca.pem(),
            ca_der: ca.der().to_vec(),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }

    /// Writes `ca.pem`, `ca.der`, `cert.pem` and `key.pem` into `dir`.
    pub fn write_to(&self, dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("ca.pem"), &self.ca_pem)?;
        std::fs::write(dir.join("ca.der"), &self.ca_der)?;
        std::fs::write(dir.join("cert.pem"), &self.cert_pem)?;
        std::fs::write(dir.join("key.pem"), &self.key_pem)
    }
}
