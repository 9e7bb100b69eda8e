//! Finding the daemon when no host is configured and the default socket is missing: sockets made
//! under a temporary HOME and XDG_RUNTIME_DIR where Docker Desktop, Colima, rootless Docker and
//! Podman put theirs (a forwarder to the real daemon, `podman system service`), the first that
//! answers `/_ping` wins, the opt-out, and the error listing every place tried. The environment
//! is given through `from_env_with` and the default socket is a path of the test's, so the tests
//! run in parallel without touching the process's environment.

#![cfg(feature = "v1_55")]

mod support;

use std::collections::HashMap;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use docker_engine_client::{Docker, DockerBuilder, Error, Host, TransportError, v1_55};

/// A temporary HOME and XDG_RUNTIME_DIR, and a default socket path that does not exist.
struct Places {
    home: tempfile::TempDir,
    runtime: tempfile::TempDir,
    missing_default: PathBuf,
}

impl Places {
    fn new() -> Self {
        let home = tempfile::tempdir().unwrap();
        let runtime = tempfile::tempdir().unwrap();
        let missing_default = runtime.path().join("default-is-missing/docker.sock");
        Places {
            home,
            runtime,
            missing_default,
        }
    }

    /// `relative` under HOME, its directories made.
    fn in_home(&self, relative: &str) -> PathBuf {
        let path = self.home.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        path
    }

    /// `relative` under XDG_RUNTIME_DIR, its directories made.
    fn in_runtime(&self, relative: &str) -> PathBuf {
        let path = self.runtime.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        path
    }

    /// A builder from an environment with only HOME and XDG_RUNTIME_DIR (and `extra`).
    fn builder(&self, extra: &[(&str, &str)]) -> Result<DockerBuilder, Error> {
        let mut vars: HashMap<String, String> = HashMap::new();
        vars.insert("HOME".into(), self.home.path().display().to_string());
        vars.insert(
            "XDG_RUNTIME_DIR".into(),
            self.runtime.path().display().to_string(),
        );
        for (k, v) in extra {
            vars.insert(k.to_string(), v.to_string());
        }
        Ok(DockerBuilder::from_env_with(&|key| vars.get(key).cloned())?
            .default_socket_for_tests(&self.missing_default))
    }
}

/// A unix socket at `path` that relays every connection to the daemon's socket (on threads, so
/// it answers while `build` probes synchronously). Dropping it removes the socket file; its
/// accepting thread then waits unused until the test process ends.
struct Forwarder {
    path: PathBuf,
}

impl Forwarder {
    fn start(path: &Path, daemon: &Path) -> Forwarder {
        let listener = UnixListener::bind(path).unwrap();
        let daemon = daemon.to_path_buf();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { break };
                let Ok(upstream) = UnixStream::connect(&daemon) else {
                    continue;
                };
                let pipe = |mut from: UnixStream, mut to: UnixStream| {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Write);
                    });
                };
                pipe(client.try_clone().unwrap(), upstream.try_clone().unwrap());
                pipe(upstream, client);
            }
        });
        Forwarder {
            path: path.to_path_buf(),
        }
    }
}

impl Drop for Forwarder {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn unix_path(docker: &Docker) -> PathBuf {
    match docker.host() {
        Host::Unix(path) => path.clone(),
        other => panic!("expected a unix socket, got {other}"),
    }
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn the_first_place_that_answers_ping_is_used() {
    let Some(daemon) = support::daemon_socket() else {
        return;
    };
    let places = Places::new();
    // Rootless Docker's place: a socket file whose listener is gone (refused).
    drop(UnixListener::bind(places.in_runtime("docker.sock")).unwrap());
    // Docker Desktop's: a listener that never answers (bounded by the probe's timeout).
    let _silent = UnixListener::bind(places.in_home(".docker/run/docker.sock")).unwrap();
    // Colima's and OrbStack's: the real daemon, forwarded. Colima comes first.
    let colima = places.in_home(".colima/default/docker.sock");
    let _colima = Forwarder::start(&colima, &daemon);
    let _orbstack = Forwarder::start(&places.in_home(".orbstack/run/docker.sock"), &daemon);

    let started = Instant::now();
    let docker = places.builder(&[]).unwrap().build().unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(unix_path(&docker), colima);
    let client: v1_55::Client = docker.client().await.unwrap();
    let version = client.system_version().send().await.unwrap().into_inner();
    assert!(version.api_version.is_some());

    // Docker Desktop's newer place, once it answers, comes before Colima's.
    let desktop = places.in_home(".docker/desktop/docker.sock");
    let _desktop = Forwarder::start(&desktop, &daemon);
    let docker = places.builder(&[]).unwrap().build().unwrap();
    assert_eq!(unix_path(&docker), desktop);
}

/// `podman system service` on Podman's rootless place, `$XDG_RUNTIME_DIR/podman/podman.sock`.
struct PodmanService(std::process::Child);

impl Drop for PodmanService {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
#[ignore = "needs podman (podman system service): cargo test -- --include-ignored (CI runs them)"]
async fn podman_is_found_on_its_path() {
    let found = Command::new("podman")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if support::require(found.then_some(()), "podman").is_none() {
        return;
    }
    let places = Places::new();
    let socket = places.in_runtime("podman/podman.sock");
    let _podman = PodmanService(
        Command::new("podman")
            .args([
                "system",
                "service",
                "--time=0",
                &format!("unix://{}", socket.display()),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while !socket.exists() {
        assert!(Instant::now() < deadline, "podman made no socket");
        std::thread::sleep(Duration::from_millis(100));
    }
    let docker = places.builder(&[]).unwrap().build().unwrap();
    assert_eq!(unix_path(&docker), socket);
    let client: v1_55::Client = docker.client().await.unwrap();
    let version = client.system_version().send().await.unwrap().into_inner();
    let components: Vec<String> = version
        .components
        .unwrap_or_default()
        .into_iter()
        .map(|c| c.name.to_lowercase())
        .collect();
    assert!(
        components.iter().any(|c| c.contains("podman")),
        "{components:?}"
    );
}

#[test]
fn when_nothing_answers_the_error_lists_every_place_tried() {
    let places = Places::new();
    drop(UnixListener::bind(places.in_home(".rd/docker.sock")).unwrap());
    let rootful_podman = Path::new("/run/podman/podman.sock");
    if rootful_podman.exists() {
        eprintln!("skipped: {} exists here", rootful_podman.display());
        return;
    }
    let error = places.builder(&[]).unwrap().build().unwrap_err();
    let Error::Transport(TransportError::NoDaemonFound { tried }) = &error else {
        panic!("expected NoDaemonFound, got {error:?}");
    };
    let home = places.home.path();
    let runtime = places.runtime.path();
    let expected = [
        places.missing_default.clone(),
        runtime.join("docker.sock"),
        home.join(".docker/run/docker.sock"),
        home.join(".docker/desktop/docker.sock"),
        home.join(".colima/default/docker.sock"),
        home.join(".orbstack/run/docker.sock"),
        home.join(".rd/docker.sock"),
        runtime.join("podman/podman.sock"),
        rootful_podman.to_path_buf(),
    ];
    let paths: Vec<&PathBuf> = tried.iter().map(|(path, _)| path).collect();
    assert_eq!(paths, expected.iter().collect::<Vec<_>>());
    let shown = error.to_string();
    for path in &expected {
        assert!(shown.contains(&path.display().to_string()), "{shown}");
    }
    assert!(shown.contains("does not exist"), "{shown}");
    assert!(shown.contains("refused"), "{shown}");
    assert!(
        shown.contains("DOCKER_HOST") && shown.contains("context"),
        "{shown}"
    );
}

#[test]
fn discovery_can_be_turned_off_and_never_overrides_a_host() {
    let places = Places::new();
    // Something that would answer if probed: a listener that says 200 to anything.
    let colima = places.in_home(".colima/default/docker.sock");
    let listener = UnixListener::bind(&colima).unwrap();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let mut buf = [0u8; 512];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK");
        }
    });
    // On by default: found.
    let docker = places.builder(&[]).unwrap().build().unwrap();
    assert_eq!(unix_path(&docker), colima);
    // Off: the default socket, missing or not.
    let docker = places
        .builder(&[])
        .unwrap()
        .discover(false)
        .build()
        .unwrap();
    assert_eq!(unix_path(&docker), places.missing_default);
    // DOCKER_HOST, or a host in code, is never second-guessed.
    let named = places.runtime.path().join("named.sock");
    let host = format!("unix://{}", named.display());
    let docker = places
        .builder(&[("DOCKER_HOST", &host)])
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(unix_path(&docker), named);
    let docker = places.builder(&[]).unwrap().host(&host).build().unwrap();
    assert_eq!(unix_path(&docker), named);
}
