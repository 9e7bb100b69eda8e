//! `config.json` of the docker CLI's config directory, read in one place for everything this
//! crate takes from it: the current context (connecting) and the credentials (`auths`,
//! `credsStore`, `credHelpers`).
//!
//! The file holds secrets, so a parse error names the file and a position, never a value of it.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::ConfigError;

/// The parts of `config.json` this crate reads.
#[derive(Deserialize, Default, Debug)]
pub(crate) struct ConfigFile {
    /// `currentContext`.
    #[serde(rename = "currentContext", default)]
    pub(crate) current_context: Option<String>,
    /// `auths`: registry → credentials.
    #[serde(default)]
    pub(crate) auths: BTreeMap<String, AuthEntry>,
    /// `credsStore`: the credential helper for every registry.
    #[serde(rename = "credsStore", default)]
    pub(crate) creds_store: Option<String>,
    /// `credHelpers`: a credential helper per registry.
    #[serde(rename = "credHelpers", default)]
    pub(crate) cred_helpers: BTreeMap<String, String>,
}

/// One `auths` entry.
#[derive(Deserialize, Default)]
pub(crate) struct AuthEntry {
    #[serde(default)]
    pub(crate) auth: Option<String>,
    #[serde(default)]
    pub(crate) username: Option<String>,
    #[serde(default)]
    pub(crate) password: Option<String>,
    #[serde(default)]
    pub(crate) email: Option<String>,
    #[serde(default)]
    pub(crate) identitytoken: Option<String>,
    #[serde(default)]
    pub(crate) registrytoken: Option<String>,
}

/// Secrets stay out of `Debug`.
impl std::fmt::Debug for AuthEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuthEntry { .. }")
    }
}

impl ConfigFile {
    /// Reads `path`; a missing file is the defaults (as the CLI).
    pub(crate) fn read(path: &Path) -> Result<ConfigFile, ConfigError> {
        let text = match std::fs::read(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ConfigFile::default()),
            Err(e) => {
                return Err(ConfigError::ConfigFile {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                });
            }
        };
        serde_json::from_slice(&text).map_err(|e| ConfigError::ConfigFile {
            path: path.to_path_buf(),
            // Position only: serde's message may quote a value, and values here are secrets.
            reason: format!("not valid JSON (line {}, column {})", e.line(), e.column()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_never_quote_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(&path, r#"{"auths": {"r": {"auth": 98765}}, "x": "s3cret"}"#).unwrap();
        let err = ConfigFile::read(&path).unwrap_err().to_string();
        assert!(err.contains("line 1, column"), "{err}");
        assert!(!err.contains("s3cret") && !err.contains("98765"), "{err}");
        assert_eq!(
            ConfigFile::read(&dir.path().join("absent.json"))
                .unwrap()
                .current_context,
            None
        );
    }
}
