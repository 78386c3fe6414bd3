//! TLS 1.3 over any connector, with embedded-tls: the server's certificate
//! is checked against one trusted CA certificate and the server's name.
//!
//! The record buffers belong to the connector and each connection borrows
//! them while it is open, so the connector opens a fresh TLS session after
//! every disconnect.

use embedded_tls::pki::CertVerifier;
use embedded_tls::{
    Aes128GcmSha256, Certificate, CryptoProvider, CryptoRngCore, NoClock, TlsConfig, TlsConnection,
    TlsContext, TlsError, TlsVerifier,
};
use tinyim_driver::Connector;

/// Largest server certificate the verifier keeps while it checks the
/// handshake's signature (a P-256 leaf is about 500 bytes).
const MAX_SERVER_CERT: usize = 1024;

/// The record buffers of a [`TlsConnector`]: by default 16 640 bytes to read
/// (the largest record any TLS server may send) and 4 KB to write (at least
/// one handshake message). `const`-constructible, for a `ConstStaticCell`:
///
/// ```text
/// static RECORDS: ConstStaticCell<TlsRecords> = ConstStaticCell::new(TlsRecords::new());
/// let connector = TlsConnector::new(tcp, RECORDS.take(), "chat.example.com", CA_DER, rng);
/// ```
pub struct TlsRecords<const READ: usize = 16_640, const WRITE: usize = 4096> {
    read: [u8; READ],
    write: [u8; WRITE],
}

impl<const READ: usize, const WRITE: usize> TlsRecords<READ, WRITE> {
    /// Zeroed buffers.
    pub const fn new() -> Self {
        TlsRecords {
            read: [0; READ],
            write: [0; WRITE],
        }
    }
}

impl<const READ: usize, const WRITE: usize> Default for TlsRecords<READ, WRITE> {
    fn default() -> Self {
        Self::new()
    }
}

/// A connector whose connections are TLS sessions over `inner`'s, each
/// borrowing the connector's [`TlsRecords`] while it is open.
/// Certificates' validity times are not checked: a device often has no
/// calendar clock when it connects.
pub struct TlsConnector<'b, C, R> {
    inner: C,
    read_record: &'b mut [u8],
    write_record: &'b mut [u8],
    server_name: &'b str,
    ca_der: &'b [u8],
    rng: R,
}

impl<'b, C: Connector, R: CryptoRngCore> TlsConnector<'b, C, R> {
    /// TLS over `inner`'s connections to the server named `server_name`,
    /// whose certificate the CA certificate `ca_der` (DER) must have signed.
    pub fn new<const READ: usize, const WRITE: usize>(
        inner: C,
        records: &'b mut TlsRecords<READ, WRITE>,
        server_name: &'b str,
        ca_der: &'b [u8],
        rng: R,
    ) -> Self {
        TlsConnector {
            inner,
            read_record: &mut records.read,
            write_record: &mut records.write,
            server_name,
            ca_der,
            rng,
        }
    }
}

/// Why a TLS connection could not be opened.
#[derive(Debug)]
pub enum TlsConnectError<E> {
    /// The connection under TLS failed.
    Transport(E),
    /// The TLS handshake failed (an untrusted certificate among others).
    Tls(TlsError),
}

impl<E: core::fmt::Display> core::fmt::Display for TlsConnectError<E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            TlsConnectError::Transport(e) => write!(f, "{e}"),
            TlsConnectError::Tls(e) => write!(f, "TLS handshake failed: {e:?}"),
        }
    }
}

impl<'b, C: Connector, R: CryptoRngCore> Connector for TlsConnector<'b, C, R> {
    type Connection<'c>
        = TlsConnection<'c, C::Connection<'c>, Aes128GcmSha256>
    where
        Self: 'c;
    type Error = TlsConnectError<C::Error>;

    async fn connect(&mut self) -> Result<Self::Connection<'_>, Self::Error> {
        let TlsConnector {
            inner,
            read_record,
            write_record,
            server_name,
            ca_der,
            rng,
        } = self;
        let connection = inner.connect().await.map_err(TlsConnectError::Transport)?;
        let mut session = TlsConnection::new(connection, read_record, write_record);
        let config = TlsConfig::new().with_server_name(server_name);
        let provider = Verifying {
            rng,
            verifier: CertVerifier::new(Certificate::X509(*ca_der)),
        };
        session
            .open(TlsContext::new(&config, provider))
            .await
            .map_err(TlsConnectError::Tls)?;
        Ok(session)
    }
}

/// The randomness of a handshake and the check of the server's certificate.
struct Verifying<'a, R> {
    rng: R,
    verifier: CertVerifier<'a, Aes128GcmSha256, NoClock, MAX_SERVER_CERT>,
}

impl<R: CryptoRngCore> CryptoProvider for Verifying<'_, R> {
    type CipherSuite = Aes128GcmSha256;
    // No client certificate is sent, so nothing is signed.
    type Signature = [u8; 0];

    fn rng(&mut self) -> impl CryptoRngCore {
        &mut self.rng
    }

    fn verifier(&mut self) -> Result<&mut impl TlsVerifier<Aes128GcmSha256>, TlsError> {
        Ok(&mut self.verifier)
    }
}
