//! The real daemon: finding it (a missing peer skips the test, or fails it under `CI=true`),
//! connecting to it, names no other test (or earlier run) uses on it, reading whole response
//! bodies, and docker CLI contexts pointing at it.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use docker_engine_client::Docker;

use super::coverage;

/// Whether this run must not skip (CI starts every peer the tests need).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Skips (returns `None`) when a peer is missing, except under `CI=true`, where it fails.
///
/// The tests that call this are `#[ignore]`d with the peer they need, so a plain `cargo test`
/// reports them as ignored; this is for a run that includes them (`-- --include-ignored`).
pub fn require<T>(found: Option<T>, what: &str) -> Option<T> {
    if found.is_none() {
        if in_ci() {
            panic!("CI=true but {what} is missing: CI must provide it");
        }
        eprintln!("skipped: {what} is missing");
    }
    found
}

/// The two real daemons `.ci/setup` starts, each tested with its own API version's types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Daemon {
    /// Engine 20.10 (API 1.41), from the machine's packages: `DOCKER_HOST` or the default
    /// socket.
    Legacy,
    /// Engine 28.5 (API 1.51), from Debian's unstable suite in a chroot
    /// (`.ci/modern-daemon`): `DEC_MODERN_HOST` or its socket.
    Modern,
}

tokio::task_local! {
    /// The daemon the running test talks to, for the tests written once and run on both
    /// ([`on_both_daemons!`](crate::on_both_daemons)): `docker()`, `daemon_socket()` and what
    /// is built on them follow it. Outside such a test, [`Daemon::Legacy`].
    static CURRENT: Daemon;
}

/// The daemon the running test talks to.
pub fn current() -> Daemon {
    CURRENT.try_with(|d| *d).unwrap_or(Daemon::Legacy)
}

/// Runs `test` with `daemon` as [`current`].
pub async fn on<F: std::future::Future>(daemon: Daemon, test: F) -> F::Output {
    CURRENT.scope(daemon, test).await
}

/// Runs each named `async fn` (no arguments) as two tests, `legacy::NAME` and `modern::NAME`,
/// each with its daemon as the current one: the daemon's own answers, the client negotiating
/// its version (1.41 and 1.51 with the default v1.55 types).
#[macro_export]
macro_rules! on_both_daemons {
    ($($test:ident),* $(,)?) => {
        /// The tests of this file on Engine 20.10 (API 1.41).
        mod legacy {
            $(
                #[tokio::test]
                #[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
                async fn $test() {
                    $crate::support::daemon::on($crate::support::Daemon::Legacy, super::$test()).await
                }
            )*
        }
        /// The tests of this file on Engine 28.5 (API 1.51).
        mod modern {
            $(
                #[tokio::test]
                #[ignore = "needs the modern daemon (Engine 28.5, .ci/modern-daemon): cargo test -- --include-ignored (CI runs them)"]
                async fn $test() {
                    $crate::support::daemon::on($crate::support::Daemon::Modern, super::$test()).await
                }
            )*
        }
    };
}

/// Where `.ci/modern-daemon` puts the modern daemon's socket.
pub const MODERN_SOCKET: &str = "/run/docker-modern/docker.sock";

impl Daemon {
    /// Its unix socket.
    pub fn socket(self) -> PathBuf {
        let (variable, default) = match self {
            Daemon::Legacy => ("DOCKER_HOST", "/var/run/docker.sock"),
            Daemon::Modern => ("DEC_MODERN_HOST", MODERN_SOCKET),
        };
        match std::env::var(variable) {
            Ok(host) if host.starts_with("unix://") => PathBuf::from(&host["unix://".len()..]),
            _ => PathBuf::from(default),
        }
    }

    /// The API version it speaks.
    pub fn api_version(self) -> &'static str {
        match self {
            Daemon::Legacy => "1.41",
            Daemon::Modern => "1.51",
        }
    }

    /// What `require` names when it is missing.
    fn describe(self) -> String {
        match self {
            Daemon::Legacy => format!("the Docker daemon's socket {}", self.socket().display()),
            Daemon::Modern => format!(
                "the modern Docker daemon (Engine 28.5, `bash .ci/modern-daemon`) at {}",
                self.socket().display()
            ),
        }
    }
}

/// The current daemon's unix socket (the legacy one's: `DOCKER_HOST` or the default path).
pub fn daemon_socket() -> Option<PathBuf> {
    socket_of(current())
}

/// `daemon`'s socket, if it is there (a missing one skips, or fails under `CI=true`).
pub fn socket_of(daemon: Daemon) -> Option<PathBuf> {
    let path = daemon.socket();
    require(path.exists().then_some(path), &daemon.describe())
}

/// A connection to the current daemon over its unix socket (and the coverage recorder
/// installed).
pub fn docker() -> Option<Docker> {
    docker_of(current())
}

/// A connection to `daemon` over its unix socket (and the coverage recorder installed).
pub fn docker_of(daemon: Daemon) -> Option<Docker> {
    let socket = socket_of(daemon)?;
    coverage::install();
    Some(Docker::connect(&format!("unix://{}", socket.display())).unwrap())
}

/// A program on `PATH`, if there is one.
pub fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| std::path::Path::new(d).join(name))
        .find(|p| p.exists())
}

/// Whether the tests run as root (needed to start a second daemon).
pub fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Writes a docker CLI context named `name` with docker endpoint `host` into the config dir
/// `dir`; returns the folder its TLS material goes in.
pub fn write_context(dir: &std::path::Path, name: &str, host: &str) -> PathBuf {
    let id: String = hmac_sha256::Hash::hash(name.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let meta = dir.join("contexts/meta").join(&id);
    std::fs::create_dir_all(&meta).unwrap();
    let doc = serde_json::json!({"Name": name, "Metadata": {}, "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": false}}});
    std::fs::write(meta.join("meta.json"), doc.to_string()).unwrap();
    dir.join("contexts/tls").join(&id).join("docker")
}

/// A name no other test (or earlier run) uses.
pub fn unique(prefix: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("dec-{prefix}-{}-{nanos}", std::process::id())
}

/// Reads a whole (small) streamed body, for checking it.
pub async fn read_all(body: docker_engine_client::stream::BodyStream) -> Vec<u8> {
    use futures_util::TryStreamExt;
    body.try_fold(Vec::new(), |mut all, chunk| async move {
        all.extend_from_slice(&chunk);
        Ok(all)
    })
    .await
    .unwrap()
}

/// Reads container output to its end: (stdout, stderr, console) as text.
pub async fn output_text(
    output: impl futures_core::Stream<
        Item = Result<docker_engine_client::stream::OutputChunk, docker_engine_client::StreamError>,
    > + Unpin,
) -> (String, String, String) {
    use docker_engine_client::stream::StdStream;
    use futures_util::TryStreamExt;
    let items: Vec<_> = output.try_collect().await.unwrap();
    let mut parts = (String::new(), String::new(), String::new());
    for item in items {
        let text = String::from_utf8_lossy(&item.bytes);
        match item.stream {
            StdStream::Stdout => parts.0.push_str(&text),
            StdStream::Stderr => parts.1.push_str(&text),
            _ => parts.2.push_str(&text),
        }
    }
    parts
}

/// Reads a JSON message stream to its end: the items, or the first error.
pub async fn json_items<T: serde::de::DeserializeOwned>(
    response: impl docker_engine_client::stream::ByteStreamExt,
) -> Result<Vec<T>, docker_engine_client::Error> {
    use futures_util::TryStreamExt;
    Ok(response.into_json::<T>().try_collect().await?)
}
