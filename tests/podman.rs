//! Podman serves Docker's API (`podman system service`): the same client, negotiated, lists and
//! inspects against it. Podman answers with its own enum values and nulls; the types take them.

#![cfg(feature = "v1_55")]

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use docker_engine_client::{ApiClient, Docker, v1_55};

struct PodmanService {
    child: std::process::Child,
    socket: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl PodmanService {
    fn start() -> Option<Self> {
        let found = Command::new("podman")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        support::require(found.then_some(()), "podman")?;
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("podman.sock");
        let child = Command::new("podman")
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
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while !socket.exists() {
            assert!(
                Instant::now() < deadline,
                "podman system service did not create its socket"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(Self {
            child,
            socket,
            _dir: dir,
        })
    }
}

impl Drop for PodmanService {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
#[ignore = "needs podman (podman system service): cargo test -- --include-ignored (CI runs them)"]
async fn podman_speaks_docker_api() {
    let Some(podman) = PodmanService::start() else {
        return;
    };
    let docker = Docker::connect(&format!("unix://{}", podman.socket.display())).unwrap();
    let client: v1_55::Client = docker.client().await.unwrap();
    let speaking = client.api_version().unwrap();
    assert!(
        speaking >= docker_engine_client::ApiVersion::OLDEST_SUPPORTED,
        "{speaking}"
    );

    let version = client.system_version().send().await.unwrap().into_inner();
    let components: Vec<String> = version
        .components
        .unwrap_or_default()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert!(
        components
            .iter()
            .any(|c| c.to_lowercase().contains("podman")),
        "{components:?}"
    );

    let info = client.system_info().send().await.unwrap().into_inner();
    assert!(info.ncpu.is_some_and(|n| n > 0), "{info:?}");

    client.container_list().all(true).send().await.unwrap();
    client.image_list().send().await.unwrap();
}
