//! Docker host strings (`DOCKER_HOST`, a context's endpoint), parsed as the docker CLI does.
//!
//! `unix://`, `tcp://`/`http://`/`https://` and `ssh://` are connected to; `npipe://` (Windows
//! named pipes) and `fd://` (the daemon's socket activation) are recognised and refused with what
//! to use instead.

use std::fmt;
use std::path::PathBuf;

use crate::error::ConfigError;

/// The default host when nothing else is configured.
pub(crate) const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

/// Where the daemon listens.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Host {
    /// A unix socket: `unix:///var/run/docker.sock`. A relative path (`unix://docker.sock`) is
    /// taken as the CLI takes it, relative to the working directory when connecting.
    Unix(PathBuf),
    /// TCP: `tcp://host:port`, `http://host:port` (plain) or `https://host:port` (TLS), with an
    /// optional path prefix (`tcp://host:2375/prefix`: requests go to `/prefix/v1.NN/...`, as
    /// the Go client sends them to a daemon behind a path-routing proxy).
    Tcp {
        /// Host name or IP address (IPv6 without brackets).
        host: String,
        /// Port (2375 by default, 2376 with TLS).
        port: u16,
        /// `https://` was given: TLS is required.
        https: bool,
        /// The path prefix, `""` or `/prefix` (no trailing slash).
        path: String,
    },
    /// SSH: `ssh://[user@]host[:port][/path]`, reached as the docker CLI does, through the
    /// system `ssh` running `docker system dial-stdio` on the remote host (with
    /// `--host unix://<path>` when a path is given).
    Ssh {
        /// The login name (`-l`); without one, ssh's own default (`~/.ssh/config`, the local user).
        user: Option<String>,
        /// Host name, `~/.ssh/config` alias or IP address (IPv6 without brackets).
        host: String,
        /// The port (`-p`); without one, ssh's own default.
        port: Option<u16>,
        /// The daemon's socket on the remote host; without one, the remote docker CLI's default.
        path: Option<String>,
    },
}

impl Host {
    /// Parses a host string. `npipe://` and `fd://` are recognised and refused with a clear
    /// error; a bare `host:port` is TCP, as for the CLI. An `ssh://` URL takes no password, query
    /// or fragment (as the CLI's).
    pub fn parse(value: &str) -> Result<Host, ConfigError> {
        let invalid = |reason: &str| ConfigError::InvalidHost {
            value: value.to_string(),
            reason: reason.to_string(),
        };
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Err(invalid("it is empty"));
        }
        let (scheme, rest) = match trimmed.split_once("://") {
            Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
            None => ("tcp".to_string(), trimmed),
        };
        match scheme.as_str() {
            // As the CLI's `parseSimpleProtoAddr`: empty is the default socket; a relative path
            // stays relative.
            "unix" => {
                if rest.contains("://") {
                    return Err(invalid("a unix socket path cannot hold another URL"));
                }
                if rest.contains('\0') {
                    return Err(invalid("a unix socket path cannot hold a NUL byte"));
                }
                match rest {
                    "" => Ok(Host::Unix(PathBuf::from(&DEFAULT_HOST["unix://".len()..]))),
                    path => Ok(Host::Unix(PathBuf::from(path))),
                }
            }
            // As the CLI's `ParseTCPAddr`: the path is kept (a prefix for every request).
            "tcp" | "http" | "https" => {
                let https = scheme == "https";
                let (authority, path) = match rest.find('/') {
                    Some(at) => rest.split_at(at),
                    None => (rest, ""),
                };
                let path = path.trim_end_matches('/');
                if let Some(bad) = path.chars().find(|c| {
                    !c.is_ascii()
                        || c.is_ascii_control()
                        || c.is_whitespace()
                        || "?#\\".contains(*c)
                }) {
                    return Err(invalid(&format!("{bad:?} cannot be part of a path prefix")));
                }
                let (host, port) = split_host_port(authority).map_err(|r| invalid(&r))?;
                let port = port.unwrap_or(if https { 2376 } else { 2375 });
                Ok(Host::Tcp {
                    host,
                    port,
                    https,
                    path: path.to_string(),
                })
            }
            // The value is quoted without a password it may carry.
            "ssh" => parse_ssh(rest).map_err(|reason| ConfigError::InvalidHost {
                value: format!("{scheme}://{}", without_password(rest)),
                reason,
            }),
            "npipe" => Err(ConfigError::UnsupportedScheme {
                value: value.to_string(),
                scheme: "npipe",
                hint: "named pipes are Windows-only and this crate does not connect to them; expose the daemon on tcp://localhost:2375 (or use ssh://) instead",
            }),
            "fd" => Err(ConfigError::UnsupportedScheme {
                value: value.to_string(),
                scheme: "fd",
                hint: "socket activation is for the daemon's side; use the unix socket it listens on",
            }),
            other => Err(invalid(&format!(
                "unknown scheme {other:?} (expected unix, tcp, http, https or ssh)"
            ))),
        }
    }
}

/// `user:password@host/...` as `user:xxxxx@host/...`, for messages.
fn without_password(rest: &str) -> String {
    let end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{user}:xxxxx@{host}{path}")
        }
        _ => rest.to_string(),
    }
}

/// `[user@]host[:port][/path]` of an `ssh://` URL.
fn parse_ssh(rest: &str) -> Result<Host, String> {
    if let Some(bad) = rest.chars().find(|c| *c == '?' || *c == '#') {
        let what = if bad == '?' {
            "query parameters"
        } else {
            "fragments"
        };
        return Err(format!("an ssh:// host takes no {what}"));
    }
    if let Some(bad) = rest.chars().find(|c| c.is_control()) {
        return Err(format!("{bad:?} cannot be part of an ssh:// host"));
    }
    let (authority, path) = match rest.find('/') {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, ""),
    };
    let (user, host_port) = match authority.rsplit_once('@') {
        Some((user, host_port)) => {
            if user.contains(':') {
                return Err("an ssh:// host takes no password (use keys or an agent)".into());
            }
            if user.is_empty() {
                return Err("empty user name before @".into());
            }
            if let Some(bad) = user
                .chars()
                .find(|c| c.is_whitespace() || "@/\\[]".contains(*c))
            {
                return Err(format!("{bad:?} cannot be part of a user name"));
            }
            (Some(user.to_string()), host_port)
        }
        None => (None, authority),
    };
    let (host, port) = split_host_port(host_port)?;
    // As the CLI: a path of only slashes is no path (the remote default socket).
    let path = (!path.trim_matches('/').is_empty()).then(|| path.to_string());
    Ok(Host::Ssh {
        user,
        host,
        port,
        path,
    })
}

fn split_host_port(authority: &str) -> Result<(String, Option<u16>), String> {
    // `host:` with nothing after the colon takes the default port, as the CLI's `ParseTCPAddr`.
    let port = |p: &str| -> Result<Option<u16>, String> {
        if p.is_empty() {
            return Ok(None);
        }
        p.parse::<u16>()
            .map(Some)
            .map_err(|_| format!("invalid port {p:?}"))
    };
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or("unclosed [ in an IPv6 address")?;
        if host.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("{host:?} in brackets is not an IPv6 address"));
        }
        return match after.strip_prefix(':') {
            Some(p) => Ok((host.to_string(), port(p)?)),
            None if after.is_empty() => Ok((host.to_string(), None)),
            None => Err(format!("unexpected {after:?} after the IPv6 address")),
        };
    }
    if authority.is_empty() {
        return Err("no host name".into());
    }
    // An IPv6 address without brackets (`::1`) is taken whole, with the default port.
    if authority.parse::<std::net::Ipv6Addr>().is_ok() {
        return Ok((authority.to_string(), None));
    }
    let (host, p) = match authority.rsplit_once(':') {
        Some((host, _)) if host.contains(':') => {
            return Err("too many colons (an IPv6 address needs brackets: [::1]:2375)".into());
        }
        Some((host, p)) => (host, port(p)?),
        None => (authority, None),
    };
    if host.is_empty() {
        return Err("no host name".into());
    }
    if let Some(bad) = host
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "[]@?#\\".contains(*c))
    {
        return Err(format!("{bad:?} cannot be part of a host name"));
    }
    Ok((host.to_string(), p))
}

pub(crate) use crate::wire::authority;

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Unix(path) => write!(f, "unix://{}", path.display()),
            Host::Tcp {
                host,
                port,
                https,
                path,
            } => {
                let scheme = if *https { "https" } else { "tcp" };
                write!(f, "{scheme}://{}{path}", authority(host, *port))
            }
            Host::Ssh {
                user,
                host,
                port,
                path,
            } => {
                f.write_str("ssh://")?;
                if let Some(user) = user {
                    write!(f, "{user}@")?;
                }
                match port {
                    Some(port) => f.write_str(&authority(host, *port))?,
                    None if host.contains(':') => write!(f, "[{host}]")?,
                    None => f.write_str(host)?,
                }
                f.write_str(path.as_deref().unwrap_or(""))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_the_cli() {
        assert_eq!(
            Host::parse("unix:///var/run/docker.sock").unwrap(),
            Host::Unix("/var/run/docker.sock".into())
        );
        // An empty port is the default one (as the CLI's ParseTCPAddr).
        for (value, port) in [("tcp://example.com:", 2375), ("https://[::1]:", 2376)] {
            let Host::Tcp { port: parsed, .. } = Host::parse(value).unwrap() else {
                panic!("{value} is TCP")
            };
            assert_eq!(parsed, port, "{value}");
        }
        assert_eq!(
            Host::parse("tcp://127.0.0.1:2376").unwrap(),
            Host::Tcp {
                host: "127.0.0.1".into(),
                port: 2376,
                https: false,
                path: String::new()
            }
        );
        assert_eq!(
            Host::parse("tcp://example.com").unwrap(),
            Host::Tcp {
                host: "example.com".into(),
                port: 2375,
                https: false,
                path: String::new()
            }
        );
        assert_eq!(
            Host::parse("https://example.com").unwrap(),
            Host::Tcp {
                host: "example.com".into(),
                port: 2376,
                https: true,
                path: String::new()
            }
        );
        assert_eq!(
            Host::parse("localhost:2375").unwrap(),
            Host::Tcp {
                host: "localhost".into(),
                port: 2375,
                https: false,
                path: String::new()
            }
        );
        assert_eq!(
            Host::parse("tcp://[::1]:2375").unwrap(),
            Host::Tcp {
                host: "::1".into(),
                port: 2375,
                https: false,
                path: String::new()
            }
        );
        assert_eq!(
            Host::parse("tcp://[::1]:2375").unwrap().to_string(),
            "tcp://[::1]:2375"
        );
    }

    #[test]
    fn ssh_hosts_parse_like_the_cli() {
        let ssh =
            |user: Option<&str>, host: &str, port: Option<u16>, path: Option<&str>| Host::Ssh {
                user: user.map(Into::into),
                host: host.into(),
                port,
                path: path.map(Into::into),
            };
        for (value, expected) in [
            ("ssh://example.com", ssh(None, "example.com", None, None)),
            (
                "ssh://me@example.com",
                ssh(Some("me"), "example.com", None, None),
            ),
            (
                "ssh://me@example.com:2222",
                ssh(Some("me"), "example.com", Some(2222), None),
            ),
            // A path of only slashes is none, as in the CLI.
            ("ssh://example.com/", ssh(None, "example.com", None, None)),
            (
                "ssh://me@10.0.0.5:22/run/user/1000/docker.sock",
                ssh(
                    Some("me"),
                    "10.0.0.5",
                    Some(22),
                    Some("/run/user/1000/docker.sock"),
                ),
            ),
            ("ssh://[::1]:22", ssh(None, "::1", Some(22), None)),
            ("ssh://[::1]", ssh(None, "::1", None, None)),
            ("SSH://alias", ssh(None, "alias", None, None)),
        ] {
            let parsed = Host::parse(value).unwrap();
            assert_eq!(parsed, expected, "{value}");
            assert_eq!(Host::parse(&parsed.to_string()).unwrap(), parsed, "{value}");
        }
        assert_eq!(
            Host::parse("ssh://me@[::1]:2222/var/run/docker.sock")
                .unwrap()
                .to_string(),
            "ssh://me@[::1]:2222/var/run/docker.sock"
        );
    }

    #[test]
    fn paths_as_the_cli_takes_them() {
        // tcp://host:port/prefix keeps its prefix (trailing slashes dropped), as ParseTCPAddr.
        for (value, path, shown) in [
            (
                "tcp://10.0.0.1:2375/prefix",
                "/prefix",
                "tcp://10.0.0.1:2375/prefix",
            ),
            (
                "tcp://10.0.0.1:2375/a/b/",
                "/a/b",
                "tcp://10.0.0.1:2375/a/b",
            ),
            (
                "https://docker.example/proxy",
                "/proxy",
                "https://docker.example:2376/proxy",
            ),
            ("tcp://10.0.0.1:2375/", "", "tcp://10.0.0.1:2375"),
            ("tcp://10.0.0.1/", "", "tcp://10.0.0.1:2375"),
        ] {
            let host = Host::parse(value).unwrap();
            let Host::Tcp { path: parsed, .. } = &host else {
                panic!("{value} is TCP")
            };
            assert_eq!(parsed, path, "{value}");
            assert_eq!(host.to_string(), shown, "{value}");
        }
        // unix:// with nothing is the default socket; a relative path stays relative.
        assert_eq!(
            Host::parse("unix://").unwrap(),
            Host::Unix("/var/run/docker.sock".into())
        );
        assert_eq!(
            Host::parse("unix://run/docker.sock").unwrap(),
            Host::Unix("run/docker.sock".into())
        );
        assert_eq!(
            Host::parse("unix://./docker.sock").unwrap().to_string(),
            "unix://./docker.sock"
        );
    }

    #[test]
    fn bad_hosts_say_why() {
        for (host, needle) in [
            ("", "empty"),
            ("tcp://host:notaport", "invalid port"),
            ("tcp://host:99999", "invalid port"),
            ("tcp://:2375", "no host"),
            ("tcp://host:2375/a b", "path prefix"),
            ("tcp://host:2375/a?b", "path prefix"),
            ("unix://tcp://host", "another URL"),
            ("gopher://host", "unknown scheme"),
            ("ssh://user:secret@host", "no password"),
            ("ssh://user:secret@host", "user:xxxxx@host"),
            ("ssh://host?x=1", "no query"),
            ("ssh://host#frag", "no fragments"),
            ("ssh://@host", "empty user"),
            ("ssh://", "no host"),
            ("ssh://user@:22", "no host"),
            ("ssh://host:port", "invalid port"),
            (
                "npipe:////./pipe/docker_engine",
                "does not connect to npipe://",
            ),
            ("npipe:////./pipe/docker_engine", "Windows-only"),
        ] {
            let err = Host::parse(host).unwrap_err().to_string();
            assert!(err.contains(needle), "{host:?}: {err}");
            assert!(!err.contains("secret"), "{host:?}: {err}");
        }
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        proptest! {
            /// Any string parses or is refused with a message; never a panic.
            #[test]
            fn any_string_parses_or_is_refused(value in any::<String>()) {
                match Host::parse(&value) {
                    Ok(host) => {
                        // What parses prints as a host string that parses to the same host.
                        prop_assert_eq!(Host::parse(&host.to_string()).unwrap(), host);
                    }
                    Err(e) => prop_assert!(!e.to_string().is_empty()),
                }
            }

            /// ssh hosts of any user, name, port and path round-trip through their display.
            #[test]
            fn ssh_hosts_round_trip(
                user in proptest::option::of("[a-z_][a-z0-9_.-]{0,15}"),
                name in "[a-z][a-z0-9.-]{0,30}",
                port in proptest::option::of(any::<u16>()),
                path in proptest::option::of("/[a-z0-9 ./_'-]{0,30}[a-z0-9]"),
            ) {
                let host = Host::Ssh { user, host: name, port, path };
                prop_assert_eq!(Host::parse(&host.to_string()).unwrap(), host);
            }

            /// TCP hosts of any name and port round-trip through their display.
            #[test]
            fn tcp_hosts_round_trip(
                name in "[a-z][a-z0-9.-]{0,30}",
                port in any::<u16>(),
                https in any::<bool>(),
                path in "(/[a-z0-9._~%-]{1,8}){0,3}",
            ) {
                let host = Host::Tcp { host: name, port, https, path };
                prop_assert_eq!(Host::parse(&host.to_string()).unwrap(), host);
            }
        }
    }
}
