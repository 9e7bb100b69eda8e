//! The docker CLI's context store, read-only: `contexts/meta/<sha256 of the name>/meta.json` for a
//! context's docker endpoint, its TLS material in `contexts/tls/<sha256>/docker/`.

use serde::Deserialize;

use super::ConfigDir;
use crate::TlsOptions;
use crate::error::ConfigError;

/// The docker endpoint of a context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextEndpoint {
    /// The context's name.
    pub name: String,
    /// Its `Host`, e.g. `tcp://10.0.0.5:2376`.
    pub host: String,
    /// TLS settings, when the context has TLS material or asks to skip verification.
    pub tls: Option<TlsOptions>,
}

#[derive(Deserialize)]
struct Meta {
    #[serde(rename = "Endpoints", default)]
    endpoints: std::collections::HashMap<String, MetaEndpoint>,
}

#[derive(Deserialize)]
struct MetaEndpoint {
    #[serde(rename = "Host", default)]
    host: Option<String>,
    #[serde(rename = "SkipTLSVerify", default)]
    skip_tls_verify: bool,
}

impl ConfigDir {
    /// The docker endpoint of context `name`.
    pub fn context(&self, name: &str) -> Result<ContextEndpoint, ConfigError> {
        let id = context_id(name);
        let error = |reason: String| ConfigError::Context {
            name: name.to_string(),
            reason,
        };
        let meta_path = self.path.join("contexts/meta").join(&id).join("meta.json");
        let text = std::fs::read(&meta_path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                error(format!("not found (no {})", meta_path.display()))
            }
            _ => error(format!("{}: {e}", meta_path.display())),
        })?;
        let meta: Meta = serde_json::from_slice(&text)
            .map_err(|e| error(format!("{}: not valid JSON: {e}", meta_path.display())))?;
        let endpoint = meta
            .endpoints
            .get("docker")
            .ok_or_else(|| error("it has no docker endpoint".into()))?;
        let host = endpoint
            .host
            .clone()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| error("its docker endpoint has no Host".into()))?;
        let tls_dir = self.path.join("contexts/tls").join(&id).join("docker");
        let tls = if tls_dir.join("ca.pem").exists() || tls_dir.join("cert.pem").exists() {
            // Without ca.pem, the system's roots (as the CLI).
            let mut tls = TlsOptions::from_dir(&tls_dir);
            tls.verify = !endpoint.skip_tls_verify;
            Some(tls)
        } else if endpoint.skip_tls_verify {
            Some(TlsOptions {
                ca: None,
                cert: None,
                key: None,
                verify: false,
            })
        } else {
            None
        };
        Ok(ContextEndpoint {
            name: name.to_string(),
            host,
            tls,
        })
    }
}

/// The docker CLI's id of context `name`, its folder's name: the name's sha256, in hex.
pub(crate) fn context_id(name: &str) -> String {
    hmac_sha256::Hash::hash(name.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_ids_are_sha256_of_the_name() {
        // The docker CLI's id for a context named "default".
        assert_eq!(
            context_id("default"),
            "37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f"
        );
    }
}
