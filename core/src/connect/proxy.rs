//! Which proxy a TCP daemon is reached through, chosen as Go's `ProxyFromEnvironment` does for
//! the docker CLI: `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY` (or their lowercase forms), never for
//! `localhost` or loopback addresses, never for unix sockets (those never get here). The URL and
//! `NO_PROXY` are read by hyper-util's proxy matcher. `http://` proxies, and `https://` ones with
//! the `tls` feature (TLS to the proxy, trusting the system's roots); not SOCKS (Go takes SOCKS5).

use hyper_util::client::proxy::matcher::Matcher;

use crate::error::ConfigError;
use crate::wire::Proxy;

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
    pub(crate) fn proxy_for(&self, host: &str, https: bool) -> Result<Option<Proxy>, ConfigError> {
        if is_loopback(host) {
            return Ok(None);
        }
        let (name, url) = if https {
            ("HTTPS_PROXY", &self.https)
        } else {
            ("HTTP_PROXY", &self.http)
        };
        let Some(url) = url else {
            return Ok(None);
        };
        let invalid = |reason: &str| ConfigError::HttpClient {
            reason: format!("proxy {name}: {reason}"),
            source: None,
        };
        let matcher = |no_proxy: &str| {
            Matcher::builder()
                .http(url.as_str())
                .https(url.as_str())
                .no(no_proxy)
                .build()
        };
        let scheme = if https { "https" } else { "http" };
        let daemon: http::Uri = format!("{scheme}://{}", crate::wire::authority(host, 1))
            .parse()
            .map_err(|_| invalid(&format!("{host:?} is not a host name")))?;
        let Some(intercept) =
            matcher(self.no_proxy.as_deref().unwrap_or_default()).intercept(&daemon)
        else {
            // Excluded by NO_PROXY, or a URL the matcher cannot read.
            return match matcher("").intercept(&daemon) {
                Some(_) => Ok(None),
                None => Err(invalid("not a proxy URL")),
            };
        };
        let uri = intercept.uri();
        let (port, secure) = match uri.scheme_str() {
            Some("http") => (80, false),
            Some("https") => (443, true),
            other => {
                return Err(invalid(&format!(
                    "{}:// proxies are not supported (http:// and https:// only)",
                    other.unwrap_or_default()
                )));
            }
        };
        #[cfg(feature = "tls")]
        let tls = match secure {
            true => Some(std::sync::Arc::new(
                super::proxy_config().map_err(|e| invalid(&format!("TLS to the proxy: {e}")))?,
            )),
            false => None,
        };
        #[cfg(not(feature = "tls"))]
        if secure {
            return Err(invalid("https:// proxies need the `tls` feature"));
        }
        let host = uri.host().ok_or_else(|| invalid("no host"))?;
        let authorization = intercept.basic_auth().cloned().map(|mut value| {
            value.set_sensitive(true);
            value
        });
        Ok(Some(Proxy {
            host: crate::wire::unbracketed(host).to_string(),
            port: uri.port_u16().unwrap_or(port),
            authorization,
            #[cfg(feature = "tls")]
            tls,
        }))
    }
}

/// `localhost` or a loopback IP (`127.0.0.0/8`, `::1`): never proxied.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || crate::wire::unbracketed(host)
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

    #[test]
    fn proxies_are_read_with_their_credentials_and_no_proxy() {
        let env = |http: &str, no_proxy: Option<&str>| ProxyEnv {
            http: Some(http.into()),
            https: None,
            no_proxy: no_proxy.map(Into::into),
        };
        let proxy = env("http://user:s3cret@proxy.test:3128", None)
            .proxy_for("docker.example", false)
            .unwrap()
            .unwrap();
        assert_eq!((proxy.host.as_str(), proxy.port), ("proxy.test", 3128));
        let auth = proxy.authorization.as_ref().unwrap();
        assert!(auth.is_sensitive());
        assert_eq!(auth, "Basic dXNlcjpzM2NyZXQ=");
        assert!(!format!("{proxy:?}").contains("s3cret"));
        // No scheme: http, port 80.
        let proxy = env("proxy.test", None)
            .proxy_for("docker.example", false)
            .unwrap()
            .unwrap();
        assert_eq!((proxy.host.as_str(), proxy.port), ("proxy.test", 80));
        // NO_PROXY: domains and their subdomains, addresses and networks.
        for (no_proxy, host) in [
            (".example", "docker.example"),
            ("example", "docker.example"),
            ("10.0.0.0/8", "10.1.2.3"),
            ("a.test, 10.0.0.5", "10.0.0.5"),
        ] {
            let proxy = env("http://proxy.test:3128", Some(no_proxy)).proxy_for(host, false);
            assert!(proxy.unwrap().is_none(), "{no_proxy} {host}");
        }
        // Unsupported and unreadable URLs are errors, not silence.
        #[cfg(not(feature = "tls"))]
        {
            let error = env("https://proxy.test", None)
                .proxy_for("docker.example", false)
                .unwrap_err();
            assert!(error.to_string().contains("`tls` feature"), "{error}");
        }
        for bad in ["socks5://proxy.test:1080", "http://"] {
            let error = env(bad, None)
                .proxy_for("docker.example", false)
                .unwrap_err();
            assert!(error.to_string().contains("HTTP_PROXY"), "{bad}: {error}");
        }
    }
}
