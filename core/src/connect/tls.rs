//! TLS to a daemon over TCP: what the user configured ([`TlsOptions`]) and, with the `tls`
//! feature, the rustls client configuration built from it (ring provider; CA and client
//! certificate from PEM files). No OpenSSL anywhere.

use std::path::PathBuf;

#[cfg(not(feature = "tls"))]
use crate::error::ConfigError;

/// TLS settings, as the docker CLI's `--tlsverify --tlscacert --tlscert --tlskey`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsOptions {
    /// CA certificate(s) the daemon's certificate must chain to (`ca.pem`). Without one, a
    /// verifying connection trusts the system's root certificates, as the docker CLI does.
    pub ca: Option<PathBuf>,
    /// Client certificate chain (`cert.pem`).
    pub cert: Option<PathBuf>,
    /// Client private key (`key.pem`).
    pub key: Option<PathBuf>,
    /// Verify the daemon's certificate. Turning this off is never implicit: the user must ask
    /// (`DOCKER_TLS` without `DOCKER_TLS_VERIFY`, a context's `SkipTLSVerify`, or
    /// [`TlsOptions::danger_accept_invalid_certs`]).
    pub verify: bool,
}

impl TlsOptions {
    /// Verifying TLS with the CLI's file names in `dir` (`ca.pem`, `cert.pem`, `key.pem`), as
    /// the CLI takes them: a file that does not exist is left out. Without `ca.pem` the system's
    /// root certificates are trusted; the client certificate is used when both of its files
    /// exist.
    pub fn from_dir(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        let existing = |name: &str| Some(dir.join(name)).filter(|p| p.exists());
        let (cert, key) = match (existing("cert.pem"), existing("key.pem")) {
            (Some(c), Some(k)) => (Some(c), Some(k)),
            _ => (None, None),
        };
        Self {
            ca: existing("ca.pem"),
            cert,
            key,
            verify: true,
        }
    }

    /// Accept any server certificate. Only for a daemon you reach over a network you trust.
    pub fn danger_accept_invalid_certs(mut self) -> Self {
        self.verify = false;
        self
    }
}

#[cfg(feature = "tls")]
pub(crate) use rustls_config::{client_config, proxy_config};

#[cfg(not(feature = "tls"))]
pub(crate) fn client_config(
    _: &TlsOptions,
    why: &super::builder::TlsSource,
) -> Result<std::convert::Infallible, ConfigError> {
    Err(ConfigError::TlsNotEnabled {
        why: why.to_string(),
    })
}

#[cfg(feature = "tls")]
mod rustls_config {
    use std::path::Path;
    use std::sync::Arc;

    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::crypto::WebPkiSupportedAlgorithms;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
    use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

    use super::TlsOptions;
    use crate::error::{Cause, ConfigError};

    /// rustls's ring provider, the crate's one crypto backend (no C toolchain, no cmake: what
    /// keeps `tls` cheap to build). rustls 0.23.48 deprecated it because ring has no
    /// post-quantum key exchange; the classical X25519 and ECDHE groups it offers are what a
    /// daemon's Go TLS stack accepts alongside its hybrid ones. Moving to aws-lc-rs is a choice
    /// for the whole crate, not for one call.
    #[allow(deprecated, reason = "ring is kept on purpose; see the doc comment")]
    fn ring_provider() -> rustls::crypto::CryptoProvider {
        rustls::crypto::ring::default_provider()
    }

    /// Builds the rustls configuration for `options`.
    pub(crate) fn client_config(
        options: &TlsOptions,
        _why: &super::super::builder::TlsSource,
    ) -> Result<ClientConfig, ConfigError> {
        let provider = Arc::new(ring_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| ConfigError::HttpClient {
                reason: e.to_string(),
                source: Some(Cause::new(e)),
            })?;
        let builder = if options.verify {
            let mut roots = RootCertStore::empty();
            match options.ca.as_deref() {
                Some(ca) => {
                    for cert in certificates(ca)? {
                        roots.add(cert).map_err(|e| file_error(ca, e))?;
                    }
                }
                None => system_roots(&mut roots)?,
            }
            builder.with_root_certificates(roots)
        } else {
            let algorithms = provider.signature_verification_algorithms;
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(algorithms)))
        };
        match (&options.cert, &options.key) {
            (Some(cert), Some(key)) => builder
                .with_client_auth_cert(certificates(cert)?, private_key(key)?)
                .map_err(|e| file_error(key, e)),
            (None, None) => Ok(builder.with_no_client_auth()),
            (Some(path), None) | (None, Some(path)) => Err(ConfigError::TlsFile {
                path: path.clone(),
                reason: "a client certificate needs both cert.pem and key.pem".into(),
                source: None,
            }),
        }
    }

    /// TLS to an `https://` proxy: the system's roots, no client certificate (as Go's transport).
    pub(crate) fn proxy_config() -> Result<ClientConfig, ConfigError> {
        let mut roots = RootCertStore::empty();
        system_roots(&mut roots)?;
        Ok(
            ClientConfig::builder_with_provider(Arc::new(ring_provider()))
                .with_safe_default_protocol_versions()
                .map_err(|e| ConfigError::HttpClient {
                    reason: e.to_string(),
                    source: Some(Cause::new(e)),
                })?
                .with_root_certificates(roots)
                .with_no_client_auth(),
        )
    }

    /// The system's trusted roots (`SSL_CERT_FILE`/`SSL_CERT_DIR` or the distribution's bundle),
    /// as Go's `x509.SystemCertPool` when no CA is given. Certificates the store holds but rustls
    /// cannot use are skipped; none at all is an error naming the remedy.
    fn system_roots(roots: &mut RootCertStore) -> Result<(), ConfigError> {
        let found = rustls_native_certs::load_native_certs();
        let (added, _ignored) = roots.add_parsable_certificates(found.certs);
        if added == 0 {
            let why = match found.errors.first() {
                Some(e) => format!(": {e}"),
                None => String::new(),
            };
            return Err(ConfigError::TlsFile {
                path: "ca.pem".into(),
                reason: format!(
                    "no CA certificate was given and the system has no usable root certificates{why}; \
                     put the daemon's CA in ca.pem (DOCKER_CERT_PATH) or set SSL_CERT_FILE"
                ),
                source: None,
            });
        }
        Ok(())
    }

    /// A file's failure, with the I/O, PEM or TLS error kept as the source.
    fn file_error(path: &Path, e: impl std::error::Error + Send + Sync + 'static) -> ConfigError {
        ConfigError::TlsFile {
            path: path.to_path_buf(),
            reason: e.to_string(),
            source: Some(Cause::new(e)),
        }
    }

    /// A file that has no usable content (no error underneath).
    fn unusable(path: &Path, reason: &str) -> ConfigError {
        ConfigError::TlsFile {
            path: path.to_path_buf(),
            reason: reason.to_string(),
            source: None,
        }
    }

    fn read(path: &Path) -> Result<Vec<u8>, ConfigError> {
        std::fs::read(path).map_err(|e| file_error(path, e))
    }

    fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, ConfigError> {
        let pem = read(path)?;
        let certs = rustls_pemfile::certs(&mut pem.as_slice())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| file_error(path, e))?;
        if certs.is_empty() {
            return Err(unusable(path, "no PEM certificate in it"));
        }
        Ok(certs)
    }

    fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>, ConfigError> {
        let pem = read(path)?;
        rustls_pemfile::private_key(&mut pem.as_slice())
            .map_err(|e| file_error(path, e))?
            .ok_or_else(|| unusable(path, "no PEM private key in it"))
    }

    /// Accepts any server certificate but still checks the handshake signatures.
    #[derive(Debug)]
    struct AcceptAnyCertificate(WebPkiSupportedAlgorithms);

    impl ServerCertVerifier for AcceptAnyCertificate {
        fn verify_server_cert(
            &self,
            _end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp_response: &[u8],
            _now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.supported_schemes()
        }
    }
}
