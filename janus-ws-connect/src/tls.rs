//! [`TlsSettings`]: whom to trust for `wss://`, and the rustls configuration made from it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

use crate::error::{ConnectError, SocketError, TlsRootError};

/// A PEM document of trusted root certificates, given as its bytes or as a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PemSource {
    /// The PEM text itself.
    Bytes(Vec<u8>),
    /// A file holding PEM text (read when connecting).
    File(PathBuf),
}

impl From<Vec<u8>> for PemSource {
    fn from(bytes: Vec<u8>) -> Self {
        PemSource::Bytes(bytes)
    }
}

impl From<&[u8]> for PemSource {
    fn from(bytes: &[u8]) -> Self {
        PemSource::Bytes(bytes.to_vec())
    }
}

impl From<String> for PemSource {
    fn from(text: String) -> Self {
        PemSource::Bytes(text.into_bytes())
    }
}

impl From<PathBuf> for PemSource {
    fn from(path: PathBuf) -> Self {
        PemSource::File(path)
    }
}

impl From<&Path> for PemSource {
    fn from(path: &Path) -> Self {
        PemSource::File(path.to_path_buf())
    }
}

impl From<&PathBuf> for PemSource {
    fn from(path: &PathBuf) -> Self {
        PemSource::File(path.clone())
    }
}

impl fmt::Display for PemSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PemSource::Bytes(_) => f.write_str("PEM bytes"),
            PemSource::File(path) => write!(f, "{}", path.display()),
        }
    }
}

impl PemSource {
    /// The certificates in it (at least one).
    fn certificates(&self) -> Result<Vec<CertificateDer<'static>>, ConnectError> {
        let certs: Result<Vec<_>, _> = match self {
            PemSource::Bytes(bytes) => CertificateDer::pem_slice_iter(bytes).collect(),
            PemSource::File(path) => {
                CertificateDer::pem_file_iter(path).and_then(|certs| certs.collect())
            }
        };
        let certs = certs.map_err(|e| self.bad(TlsRootError::Pem(e)))?;
        if certs.is_empty() {
            return Err(self.bad(TlsRootError::NoCertificate));
        }
        Ok(certs)
    }

    fn bad(&self, problem: TlsRootError) -> ConnectError {
        ConnectError::TlsRoot {
            origin: self.to_string(),
            problem,
        }
    }
}

/// Whom to trust for `wss://`: the `webpki-roots` (Mozilla) roots unless turned off, plus
/// extra PEM roots; or a whole rustls configuration of the caller's.
///
/// ```
/// use janus_ws_connect::TlsSettings;
///
/// let mut tls = TlsSettings::default();
/// tls.webpki_roots = false;
/// assert!(tls.client_config().is_ok()); // trusts nobody, but valid
/// tls.roots.push(b"not PEM".as_slice().into());
/// assert!(tls.client_config().is_err());
/// ```
#[derive(Clone)]
pub struct TlsSettings {
    /// Extra trusted roots.
    pub roots: Vec<PemSource>,
    /// Whether the `webpki-roots` (Mozilla) roots are trusted too (default `true`).
    pub webpki_roots: bool,
    /// A complete rustls configuration used as is; the two settings above are then ignored.
    pub config: Option<Arc<rustls::ClientConfig>>,
}

impl Default for TlsSettings {
    fn default() -> Self {
        Self {
            roots: Vec::new(),
            webpki_roots: true,
            config: None,
        }
    }
}

impl fmt::Debug for TlsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsSettings")
            .field("roots", &self.roots)
            .field("webpki_roots", &self.webpki_roots)
            .field("config", &self.config.as_ref().map(|_| "custom"))
            .finish()
    }
}

impl TlsSettings {
    /// The rustls configuration: the caller's, or one with the `ring` provider trusting the
    /// roots these settings name. Fails with [`ConnectError::TlsRoot`] when a PEM cannot be
    /// read, holds no certificate, or holds one rustls cannot use.
    pub fn client_config(&self) -> Result<Arc<rustls::ClientConfig>, ConnectError> {
        if let Some(config) = &self.config {
            return Ok(config.clone());
        }
        let mut roots = RootCertStore::empty();
        if self.webpki_roots {
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        for source in &self.roots {
            for cert in source.certificates()? {
                roots
                    .add(cert)
                    .map_err(|e| source.bad(TlsRootError::Unusable(e)))?;
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(SocketError::Tls)?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Arc::new(config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unusable_roots_are_named_in_the_error() {
        let missing = PathBuf::from("/nonexistent/ca.pem");
        let cases: [(PemSource, &str); 3] = [
            (b"no certificate here".as_slice().into(), "PEM bytes"),
            (missing.clone().into(), "/nonexistent/ca.pem"),
            (
                b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
                    .as_slice()
                    .into(),
                "PEM bytes",
            ),
        ];
        for (source, name) in cases {
            let tls = TlsSettings {
                roots: vec![source],
                ..TlsSettings::default()
            };
            match tls.client_config() {
                Err(ConnectError::TlsRoot { origin, .. }) => assert_eq!(origin, name),
                other => panic!("{name}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_callers_config_is_used_as_is() {
        let mine = TlsSettings::default().client_config().unwrap();
        let tls = TlsSettings {
            roots: vec![b"ignored".as_slice().into()],
            config: Some(mine.clone()),
            ..TlsSettings::default()
        };
        assert!(Arc::ptr_eq(&tls.client_config().unwrap(), &mine));
    }
}
