//! Registry credentials and their wire form: the `X-Registry-Auth` header (one registry) and the
//! `X-Registry-Config` header (several, for builds).
//!
//! The daemon decodes both as **base64url** (`base64.URLEncoding`: URL-safe alphabet, padded) JSON
//! and, when a header does not decode, silently goes on without credentials. The standard
//! alphabet would turn every password whose encoding holds `+` or `/` into an anonymous pull or
//! push, so the encoding lives here, once, and is tested against hand-computed vectors.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{DecodeError, Error};

/// Credentials for one registry: a username and password, an identity token (an OAuth refresh
/// token, as `POST /auth` may return), or a registry token (a bearer token sent as is); or none
/// ([`Credentials::anonymous`]).
///
/// `Debug` shows the username and server, never the password or a token.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    username: Option<String>,
    password: Option<String>,
    email: Option<String>,
    server_address: Option<String>,
    identity_token: Option<String>,
    registry_token: Option<String>,
}

/// Go's `registry.AuthConfig` as the daemon reads it: field names and order as Go's, empty fields
/// left out (`omitempty`).
#[derive(Serialize)]
struct Wire<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    password: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    serveraddress: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    identitytoken: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    registrytoken: Option<&'a str>,
}

impl Credentials {
    /// No credentials: the header still goes out (as `{}`), as the docker CLI sends it.
    pub fn anonymous() -> Self {
        Self::default()
    }

    /// A username and password.
    pub fn password(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            username: Some(username.into()),
            password: Some(password.into()),
            ..Self::default()
        }
    }

    /// An identity token (OAuth refresh token), e.g. from `POST /auth` or a credential helper.
    pub fn identity_token(token: impl Into<String>) -> Self {
        Self {
            identity_token: Some(token.into()),
            ..Self::default()
        }
    }

    /// A bearer token the daemon passes to the registry as is.
    pub fn registry_token(token: impl Into<String>) -> Self {
        Self {
            registry_token: Some(token.into()),
            ..Self::default()
        }
    }

    /// The same credentials naming the registry they are for (`serveraddress`), e.g.
    /// `127.0.0.1:5000` or `https://index.docker.io/v1/`.
    pub fn with_server_address(mut self, server: impl Into<String>) -> Self {
        self.server_address = Some(server.into());
        self
    }

    /// The same credentials with an identity token as well (the CLI keeps both when
    /// `config.json` has both).
    pub fn with_identity_token(mut self, token: impl Into<String>) -> Self {
        self.identity_token = Some(token.into());
        self
    }

    /// The same credentials with a registry token as well.
    pub fn with_registry_token(mut self, token: impl Into<String>) -> Self {
        self.registry_token = Some(token.into());
        self
    }

    /// The same credentials with an email address (legacy registries only).
    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// The username, if any.
    pub fn username(&self) -> Option<&str> {
        self.username.as_deref()
    }

    /// The registry these credentials name, if any.
    pub fn server_address(&self) -> Option<&str> {
        self.server_address.as_deref()
    }

    /// No username, password or token.
    pub fn is_anonymous(&self) -> bool {
        self.username.is_none()
            && self.password.is_none()
            && self.identity_token.is_none()
            && self.registry_token.is_none()
    }

    fn wire(&self) -> Wire<'_> {
        Wire {
            username: self.username.as_deref(),
            password: self.password.as_deref(),
            email: self.email.as_deref(),
            serveraddress: self.server_address.as_deref(),
            identitytoken: self.identity_token.as_deref(),
            registrytoken: self.registry_token.as_deref(),
        }
    }

    /// The `X-Registry-Auth` header's value: the JSON auth configuration, base64url-encoded with
    /// padding, exactly as the daemon decodes it.
    pub fn header_value(&self) -> String {
        URL_SAFE.encode(to_json(&self.wire()))
    }

    /// The credentials as a version's `types::AuthConfig` (the body of `POST /auth`), e.g.
    /// `client.system_auth().body(creds.to_body::<v1_41::types::AuthConfig>()?)`.
    pub fn to_body<T: DeserializeOwned>(&self) -> Result<T, Error> {
        let json = to_json(&self.wire());
        serde_json::from_slice(&json)
            .map_err(|e| DecodeError::new("system_auth", e.to_string(), b"<credentials>").into())
    }
}

/// Serialising maps and structs of strings cannot fail.
fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec())
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hidden = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &hidden(&self.password))
            .field("email", &self.email)
            .field("server_address", &self.server_address)
            .field("identity_token", &hidden(&self.identity_token))
            .field("registry_token", &hidden(&self.registry_token))
            .finish()
    }
}

/// Credentials for several registries, keyed by registry (`127.0.0.1:5000`,
/// `https://index.docker.io/v1/`): the `X-Registry-Config` header of a build, which may pull
/// `FROM` any of them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegistryConfig {
    registries: BTreeMap<String, Credentials>,
}

impl RegistryConfig {
    /// No registries.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the credentials for `registry`.
    pub fn insert(&mut self, registry: impl Into<String>, credentials: Credentials) {
        self.registries.insert(registry.into(), credentials);
    }

    /// The same map with `registry` added.
    pub fn with(mut self, registry: impl Into<String>, credentials: Credentials) -> Self {
        self.insert(registry, credentials);
        self
    }

    /// The credentials for `registry`, if any.
    pub fn get(&self, registry: &str) -> Option<&Credentials> {
        self.registries.get(registry)
    }

    /// How many registries.
    pub fn len(&self) -> usize {
        self.registries.len()
    }

    /// No registries.
    pub fn is_empty(&self) -> bool {
        self.registries.is_empty()
    }

    /// The `X-Registry-Config` header's value: a JSON object of auth configurations by registry,
    /// base64url-encoded with padding, as the daemon decodes it.
    pub fn header_value(&self) -> String {
        let wire: BTreeMap<&str, Wire<'_>> = self
            .registries
            .iter()
            .map(|(k, v)| (k.as_str(), v.wire()))
            .collect();
        URL_SAFE.encode(to_json(&wire))
    }
}

impl FromIterator<(String, Credentials)> for RegistryConfig {
    fn from_iter<I: IntoIterator<Item = (String, Credentials)>>(iter: I) -> Self {
        Self {
            registries: iter.into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors computed outside this crate (Python's `base64.urlsafe_b64encode` of the JSON in
    // each comment: RFC 4648 §5, padded); the standard alphabet gives `+` for `-`, `/` for `_`.

    #[test]
    fn password_with_plus_in_standard_base64() {
        // {"username":"u","password":">>>"} — ">>>" is 0x3e3e3e, "Pj4-" in base64url.
        let creds = Credentials::password("u", ">>>");
        assert_eq!(
            creds.header_value(),
            "eyJ1c2VybmFtZSI6InUiLCJwYXNzd29yZCI6Ij4-PiJ9"
        );
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .encode(br#"{"username":"u","password":">>>"}"#),
            "eyJ1c2VybmFtZSI6InUiLCJwYXNzd29yZCI6Ij4+PiJ9"
        );
    }

    #[test]
    fn password_with_slash_and_padding() {
        // {"username":"u","password":"???"} → "Pz8_" where the standard alphabet has "Pz8/".
        let creds = Credentials::password("u", "???").with_server_address("h:1");
        let value = creds.header_value();
        assert_eq!(
            value,
            "eyJ1c2VybmFtZSI6InUiLCJwYXNzd29yZCI6Ij8_PyIsInNlcnZlcmFkZHJlc3MiOiJoOjEifQ=="
        );
        assert!(!value.contains('+') && !value.contains('/'));
    }

    #[test]
    fn anonymous_is_an_empty_object() {
        assert_eq!(Credentials::anonymous().header_value(), "e30=");
        assert!(Credentials::anonymous().is_anonymous());
    }

    #[test]
    fn tokens_use_the_daemons_field_names() {
        let id = Credentials::identity_token("tok").header_value();
        assert_eq!(
            URL_SAFE.decode(id).unwrap(),
            br#"{"identitytoken":"tok"}"#.to_vec()
        );
        let reg = Credentials::registry_token("rt").header_value();
        assert_eq!(
            URL_SAFE.decode(reg).unwrap(),
            br#"{"registrytoken":"rt"}"#.to_vec()
        );
    }

    #[test]
    fn registry_config_is_a_map_by_registry() {
        let config = RegistryConfig::new()
            .with("127.0.0.1:5000", Credentials::password("a", "b"))
            .with(
                "https://index.docker.io/v1/",
                Credentials::identity_token("t"),
            );
        // {"127.0.0.1:5000":{"username":"a","password":"b"},"https://index.docker.io/v1/":{"identitytoken":"t"}}
        assert_eq!(
            config.header_value(),
            "eyIxMjcuMC4wLjE6NTAwMCI6eyJ1c2VybmFtZSI6ImEiLCJwYXNzd29yZCI6ImIifSwiaHR0cHM6Ly9pbmRleC5kb2NrZXIuaW8vdjEvIjp7ImlkZW50aXR5dG9rZW4iOiJ0In19"
        );
    }

    #[test]
    fn debug_never_shows_secrets() {
        let creds = Credentials::password("alice", "hunter2-secret");
        let shown = format!("{creds:?}");
        assert!(
            shown.contains("alice") && !shown.contains("hunter2"),
            "{shown}"
        );
        let token = format!("{:?}", Credentials::identity_token("tok-secret"));
        assert!(!token.contains("tok-secret"), "{token}");
        let config = format!(
            "{:?}",
            RegistryConfig::new().with("r", Credentials::registry_token("rt-secret"))
        );
        assert!(!config.contains("rt-secret"), "{config}");
    }

    mod properties {
        use base64::Engine;
        use proptest::prelude::*;

        use super::*;

        /// What the daemon does with the header: Go's `base64.URLEncoding` (base64url, padded)
        /// and then JSON.
        fn as_the_daemon_decodes(header: &str) -> serde_json::Value {
            let json = base64::engine::general_purpose::URL_SAFE
                .decode(header)
                .expect("base64url with padding");
            serde_json::from_slice(&json).expect("JSON")
        }

        proptest! {
            /// Any username, password and server address survive the header exactly.
            #[test]
            fn credentials_round_trip(
                user in any::<String>(),
                password in any::<String>(),
                server in any::<String>(),
            ) {
                let header = Credentials::password(user.clone(), password.clone())
                    .with_server_address(server.clone())
                    .header_value();
                prop_assert!(!header.contains('+') && !header.contains('/'), "{}", header);
                let decoded = as_the_daemon_decodes(&header);
                prop_assert_eq!(decoded["username"].as_str(), Some(user.as_str()));
                prop_assert_eq!(decoded["password"].as_str(), Some(password.as_str()));
                prop_assert_eq!(decoded["serveraddress"].as_str(), Some(server.as_str()));
            }
        }
    }
}
