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

/// The daemon's unix socket, from `DOCKER_HOST` (`unix://...`) or the default path.
pub fn daemon_socket() -> Option<PathBuf> {
    let path = match std::env::var("DOCKER_HOST") {
        Ok(host) if host.starts_with("unix://") => PathBuf::from(&host["unix://".len()..]),
        _ => PathBuf::from("/var/run/docker.sock"),
    };
    require(path.exists().then_some(path), "the Docker daemon's socket")
}

/// A connection to the local daemon over its unix socket (and the coverage recorder installed).
pub fn docker() -> Option<Docker> {
    let socket = daemon_socket()?;
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
    use sha2::Digest;
    let id: String = sha2::Sha256::digest(name.as_bytes())
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

/// Reads a JSON message stream to its end: the items, or the first error.
pub async fn json_items<T: serde::de::DeserializeOwned>(
    response: impl docker_engine_client::stream::ByteStreamExt,
) -> Result<Vec<T>, docker_engine_client::Error> {
    use futures_util::TryStreamExt;
    Ok(response.into_json::<T>().try_collect().await?)
}
