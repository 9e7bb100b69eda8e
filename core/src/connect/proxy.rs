//! Which proxy a TCP daemon is reached through, chosen as Go's `ProxyFromEnvironment` does for
//! the docker CLI: `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY` (or their lowercase forms), never for
//! `localhost` or loopback addresses, never for unix sockets (those never get here). reqwest's own
//! reading of the environment is off: it would proxy `tcp://localhost:2375`.

use crate::error::{Cause, ConfigError};

/// The proxy settings of an environment, as Go's `ProxyFromEnvironment` reads them:
/// `HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY` (or their lowercase forms).
#[derive(Clone, Debug, Default)]
pub(crate) struct ProxyEnv {
    http: Option<String>,
    https: Option<String>,
    no_proxy: Option<String>,
}

impl ProxyEnv {
    pub(crate) fn read(env: &dyn Fn(&str) -> Option<String>) -> Self {
        let any = |upper: &str, lower: &str| {
            env(upper)
                .filter(|v| !v.is_empty())
                .or_else(|| env(lower).filter(|v| !v.is_empty()))
        };
        Self {
            http: any("HTTP_PROXY", "http_proxy"),
            https: any("HTTPS_PROXY", "https_proxy"),
            no_proxy: any("NO_PROXY", "no_proxy"),
        }
    }

    /// The proxy for a TCP daemon at `host` (`https` when TLS is used): none for `localhost` and
    /// loopback addresses (as Go, whatever `NO_PROXY` says), else the scheme's proxy, which
    /// `NO_PROXY` can still exclude.
    pub(crate) fn proxy_for(
        &self,
        host: &str,
        https: bool,
    ) -> Result<Option<reqwest::Proxy>, ConfigError> {
        if is_loopback(host) {
            return Ok(None);
        }
        let Some(url) = (if https { &self.https } else { &self.http }) else {
            return Ok(None);
        };
        let proxy = reqwest::Proxy::all(url.as_str()).map_err(|e| ConfigError::HttpClient {
            reason: format!(
                "proxy {}: {}",
                if https { "HTTPS_PROXY" } else { "HTTP_PROXY" },
                crate::error::error_chain(&e)
            ),
            source: Some(Cause::new(e)),
        })?;
        let no_proxy = self
            .no_proxy
            .as_deref()
            .and_then(reqwest::NoProxy::from_string);
        Ok(Some(proxy.no_proxy(no_proxy)))
    }
}

/// `localhost` or a loopback IP (`127.0.0.0/8`, `::1`): never proxied.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_never_proxied() {
        for host in [
            "localhost",
            "LOCALHOST",
            "127.0.0.1",
            "127.1.2.3",
            "::1",
            "[::1]",
        ] {
            assert!(is_loopback(host), "{host}");
        }
        for host in ["docker.example", "10.0.0.5", "::2", "localhost.example"] {
            assert!(!is_loopback(host), "{host}");
        }
        let env = ProxyEnv {
            http: Some("http://127.0.0.1:3128".into()),
            https: None,
            no_proxy: None,
        };
        assert!(env.proxy_for("127.0.0.1", false).unwrap().is_none());
        assert!(env.proxy_for("docker.example", false).unwrap().is_some());
        assert!(
            env.proxy_for("docker.example", true).unwrap().is_none(),
            "no HTTPS_PROXY"
        );
    }
}
