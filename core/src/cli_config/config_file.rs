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
        ConfigFile::parse(&text, path)
    }

    /// Parses the contents of `path`.
    fn parse(text: &[u8], path: &Path) -> Result<ConfigFile, ConfigError> {
        serde_json::from_slice(text).map_err(|e| ConfigError::ConfigFile {
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

    mod properties {
        use std::collections::BTreeMap;

        use proptest::prelude::*;

        use super::super::ConfigFile;

        /// Texts that are almost config.json: its keys and shapes, cut and spliced anywhere.
        fn almost_config() -> impl Strategy<Value = Vec<u8>> {
            let piece = prop::sample::select(vec![
                "{",
                "}",
                "[",
                "]",
                ":",
                ",",
                "\"",
                "\\",
                "\"auths\"",
                "\"auth\"",
                "\"currentContext\"",
                "\"credsStore\"",
                "\"credHelpers\"",
                "null",
                "1e999",
                "-0",
                "\"\\u0000\"",
                "\"\\ud800\"",
                " ",
                "\n",
                "\u{feff}",
                "é",
                "true",
            ]);
            prop::collection::vec(piece, 0..40).prop_map(|p| p.concat().into_bytes())
        }

        fn text() -> impl Strategy<Value = String> {
            prop_oneof![any::<String>(), "[ -~]{0,12}"]
        }

        proptest! {
            /// Any bytes: the defaults or an error, never a panic, and the error says only where
            /// (a line and a column), never what: the file holds secrets.
            #[test]
            fn any_bytes_are_read_or_refused_without_quoting_them(
                bytes in prop_oneof![any::<Vec<u8>>(), almost_config()],
            ) {
                let path = std::path::Path::new("/cfg/config.json");
                if let Err(e) = ConfigFile::parse(&bytes, path) {
                    let message = e.to_string();
                    let reason = message
                        .split_once("not valid JSON (line ")
                        .map(|(_, r)| r)
                        .unwrap_or_else(|| panic!("unexpected error {message}"));
                    prop_assert!(
                        reason.chars().all(|c| c.is_ascii_digit() || ", column)".contains(c)),
                        "{}", message
                    );
                }
            }

            /// What the CLI writes is read back as written, unknown fields ignored.
            #[test]
            fn a_written_config_is_read_back(
                context in proptest::option::of(text()),
                store in proptest::option::of(text()),
                helpers in prop::collection::btree_map(text(), text(), 0..4),
                auths in prop::collection::btree_map(text(), (proptest::option::of(text()), proptest::option::of(text())), 0..4),
                extra in text(),
            ) {
                let mut json = serde_json::json!({
                    "credHelpers": helpers,
                    "auths": auths.iter().map(|(k, (auth, user))| {
                        (k.clone(), serde_json::json!({"auth": auth, "username": user, "x-unknown": 1}))
                    }).collect::<BTreeMap<_, _>>(),
                    "psFormat": extra,
                });
                if let Some(c) = &context {
                    json["currentContext"] = c.clone().into();
                }
                if let Some(s) = &store {
                    json["credsStore"] = s.clone().into();
                }
                let bytes = serde_json::to_vec(&json).unwrap();
                let read = ConfigFile::parse(&bytes, std::path::Path::new("c")).unwrap();
                prop_assert_eq!(read.current_context, context);
                prop_assert_eq!(read.creds_store, store);
                prop_assert_eq!(read.cred_helpers, helpers);
                prop_assert_eq!(read.auths.len(), auths.len());
                for (key, (auth, user)) in auths {
                    let entry = &read.auths[&key];
                    prop_assert_eq!(&entry.auth, &auth);
                    prop_assert_eq!(&entry.username, &user);
                }
            }
        }
    }
}
