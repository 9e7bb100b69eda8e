//! Finding the daemon when nothing names it: no `DOCKER_HOST`, no context, and no socket at the
//! default path. Rootless Docker, Docker Desktop, Colima, OrbStack, Rancher Desktop and Podman
//! put their sockets elsewhere; [`discover`] tries those places in a fixed order and takes the
//! first socket that answers `GET /_ping`.
//!
//! The probe runs in [`DockerBuilder::build`](super::DockerBuilder::build), synchronously, with
//! a plain unix stream and a one-line HTTP request, each attempt bounded by [`PROBE_TIMEOUT`]
//! (on a thread of its own, so even a connect that would block is bounded). So `build` stays a
//! plain function, [`Docker::host`](super::Docker::host) names the socket actually used, and
//! a program learns at once (with every place tried listed) that no daemon was found. It only
//! runs when the default socket is missing, where `build` would otherwise hand out a connection
//! that cannot work; a missing candidate costs one `stat`. Programs that must not guess turn it
//! off with [`DockerBuilder::discover(false)`](super::DockerBuilder::discover).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::TransportError;

/// How long one candidate socket is given to answer `/_ping`.
pub(crate) const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// The places common setups put the daemon's socket, in the order they are tried, from
/// `HOME` and `XDG_RUNTIME_DIR` (unset ones are left out).
pub(crate) fn candidates(home: Option<&Path>, runtime_dir: Option<&Path>) -> Vec<PathBuf> {
    let mut places = Vec::new();
    // Rootless Docker.
    if let Some(run) = runtime_dir {
        places.push(run.join("docker.sock"));
    }
    if let Some(home) = home {
        // Docker Desktop (Linux and macOS), Colima, OrbStack, Rancher Desktop.
        for relative in [
            ".docker/run/docker.sock",
            ".docker/desktop/docker.sock",
            ".colima/default/docker.sock",
            ".orbstack/run/docker.sock",
            ".rd/docker.sock",
        ] {
            places.push(home.join(relative));
        }
    }
    // Podman, rootless then rootful.
    if let Some(run) = runtime_dir {
        places.push(run.join("podman/podman.sock"));
    }
    places.push(PathBuf::from("/run/podman/podman.sock"));
    places
}

/// The first of `candidates` that answers `/_ping`, or every place tried (`default` first) with
/// what happened there.
pub(crate) fn discover(default: &Path, candidates: &[PathBuf]) -> Result<PathBuf, TransportError> {
    let mut tried = vec![(default.to_path_buf(), "does not exist".to_string())];
    for candidate in candidates {
        match probe(candidate, PROBE_TIMEOUT) {
            Ok(()) => {
                tracing::info!(target: crate::LOG_TARGET,
                    socket = %candidate.display(),
                    "the default Docker socket does not exist; using the daemon found here"
                );
                return Ok(candidate.clone());
            }
            Err(outcome) => {
                tracing::debug!(target: crate::LOG_TARGET, socket = %candidate.display(), %outcome, "no daemon here");
                tried.push((candidate.clone(), outcome));
            }
        }
    }
    Err(TransportError::NoDaemonFound { tried })
}

/// Whether the socket at `path` answers `GET /_ping` with `200` within `timeout`; else what
/// happened ("does not exist", "connection refused", "no answer within 2s", ...).
pub(crate) fn probe(path: &Path, timeout: Duration) -> Result<(), String> {
    if !path.exists() {
        return Err("does not exist".into());
    }
    let (send, receive) = std::sync::mpsc::channel();
    let owned = path.to_path_buf();
    // A thread of its own: a blocking connect (a full backlog) cannot hold `build` up; a thread
    // left behind ends with its read or write timeout.
    let spawned = std::thread::Builder::new()
        .name("docker-socket-probe".into())
        .spawn(move || {
            let _ = send.send(ping(&owned, timeout));
        });
    if let Err(e) = spawned {
        return Err(format!("cannot probe it: {e}"));
    }
    match receive.recv_timeout(timeout) {
        Ok(outcome) => outcome,
        Err(_) => Err(format!("no answer within {}s", timeout.as_secs_f32())),
    }
}

fn ping(path: &Path, timeout: Duration) -> Result<(), String> {
    let mut stream = std::os::unix::net::UnixStream::connect(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::ConnectionRefused => "connection refused (nothing listens)".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => format!("cannot connect: {e}"),
    })?;
    let no_answer = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
            format!("no answer within {}s", timeout.as_secs_f32())
        }
        _ => format!("no answer: {e}"),
    };
    stream.set_read_timeout(Some(timeout)).map_err(no_answer)?;
    stream.set_write_timeout(Some(timeout)).map_err(no_answer)?;
    stream
        .write_all(b"GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n")
        .map_err(no_answer)?;
    // The status line is all that is needed; at most this much is read.
    let mut head = [0u8; 64];
    let mut read = 0;
    while read < head.len() {
        match stream.read(&mut head[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) if read == 0 => return Err(no_answer(e)),
            Err(_) => break,
        }
        if head[..read].contains(&b'\n') {
            break;
        }
    }
    let line = String::from_utf8_lossy(&head[..read]);
    let line = line.lines().next().unwrap_or("").trim();
    if line.starts_with("HTTP/1.") && line.split_whitespace().nth(1) == Some("200") {
        Ok(())
    } else if line.is_empty() {
        Err("closed without an answer".into())
    } else {
        Err(format!("answered {line:?}, not a Docker API"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_in_order() {
        let places = candidates(Some(Path::new("/home/me")), Some(Path::new("/run/user/7")));
        let shown: Vec<String> = places.iter().map(|p| p.display().to_string()).collect();
        assert_eq!(
            shown,
            [
                "/run/user/7/docker.sock",
                "/home/me/.docker/run/docker.sock",
                "/home/me/.docker/desktop/docker.sock",
                "/home/me/.colima/default/docker.sock",
                "/home/me/.orbstack/run/docker.sock",
                "/home/me/.rd/docker.sock",
                "/run/user/7/podman/podman.sock",
                "/run/podman/podman.sock",
            ]
        );
        assert_eq!(
            candidates(None, None),
            [PathBuf::from("/run/podman/podman.sock")]
        );
    }

    #[test]
    fn probes_say_what_happened() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.sock");
        assert_eq!(
            probe(&missing, PROBE_TIMEOUT).unwrap_err(),
            "does not exist"
        );
        // A socket file left behind by a listener that is gone.
        let stale = dir.path().join("stale.sock");
        drop(std::os::unix::net::UnixListener::bind(&stale).unwrap());
        let refused = probe(&stale, PROBE_TIMEOUT).unwrap_err();
        assert!(refused.contains("refused"), "{refused}");
        // A listener that never answers: bounded by the timeout.
        let silent = dir.path().join("silent.sock");
        let _listener = std::os::unix::net::UnixListener::bind(&silent).unwrap();
        let started = std::time::Instant::now();
        let quiet = probe(&silent, Duration::from_millis(300)).unwrap_err();
        assert!(quiet.contains("no answer"), "{quiet}");
        assert!(started.elapsed() < Duration::from_secs(2));
        // Something that is not a Docker API.
        let other = dir.path().join("other.sock");
        let listener = std::os::unix::net::UnixListener::bind(&other).unwrap();
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut buf = [0u8; 256];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(b"SSH-2.0-OpenSSH\r\n");
        });
        let wrong = probe(&other, PROBE_TIMEOUT).unwrap_err();
        assert!(wrong.contains("not a Docker API"), "{wrong}");
    }
}
