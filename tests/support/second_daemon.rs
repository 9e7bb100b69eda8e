//! A second `dockerd` of the test's own, for what must not happen to the shared daemon: TLS
//! settings, being killed and started again. It runs in a network namespace of its own (a
//! second daemon in the host's namespace would take down the first one's `docker0` bridge:
//! dockerd removes it at start-up when told `--bridge none`), with its own data and exec roots
//! under /var/tmp and the vfs storage driver; it is reached through its unix socket, which lives
//! on the shared filesystem.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use docker_engine_client::Docker;

use super::daemon::{is_root, require, which};

/// A second daemon: started, killed, started again, and stopped (with everything it started)
/// when dropped.
pub struct SecondDaemon {
    root: tempfile::TempDir,
    script: String,
    child: Option<Child>,
}

impl SecondDaemon {
    /// Starts one whose `dockerd` also gets `dockerd_args`; `then` is shell run beside it in the
    /// namespace (e.g. a `socat` joining a TCP port to a unix socket). `{root}` in either is
    /// replaced by the daemon's folder. `None` (or a failure under `CI=true`) without root or the
    /// tools.
    pub async fn start(dockerd_args: &str, then: &str) -> Option<Self> {
        let tools = ["dockerd", "unshare", "ip"]
            .iter()
            .all(|t| which(t).is_some());
        require(
            (tools && is_root()).then_some(()),
            "root with dockerd, unshare and ip (to start a second daemon)",
        )?;
        let root = tempfile::Builder::new()
            .prefix("dec-dockerd-")
            .tempdir_in("/var/tmp")
            .unwrap();
        let dir = root.path().display().to_string();
        let script = format!(
            "ip link set lo up || exit 1\n\
             dockerd --data-root {dir}/data --exec-root {dir}/exec --pidfile {dir}/docker.pid \
             -H unix://{dir}/docker.sock {dockerd_args} \
             --bridge none --iptables=false --ip-masq=false --storage-driver vfs &\n\
             {then}\n\
             wait\n"
        )
        .replace("{root}", &dir);
        let mut daemon = Self {
            root,
            script,
            child: None,
        };
        daemon.spawn().await;
        Some(daemon)
    }

    /// `unix://` of its socket.
    pub fn host(&self) -> String {
        format!("unix://{}", self.socket().display())
    }

    /// Its socket.
    pub fn socket(&self) -> PathBuf {
        self.path("docker.sock")
    }

    /// A file in its folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    /// What it logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.path("dockerd.log")).unwrap_or_default()
    }

    /// Kills `dockerd` at once (SIGKILL), and the containerd it started: its connections are
    /// cut mid-stream, as in a crash of the machine's Docker service.
    pub fn kill(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.path("docker.pid")) {
            let _ = Command::new("kill").args(["-9", pid.trim()]).status();
        }
        // Its containerd (`--config <root>/exec/containerd/...`): a new dockerd starts its own.
        let exec_root = self.path("exec").display().to_string();
        let _ = Command::new("pkill")
            .args(["-9", "-f", &exec_root])
            .status();
        // Gone (not only signalled), and its pid file with it: a dockerd that finds the file and
        // the pid still there waits for that containerd and gives up.
        let deadline = Instant::now() + Duration::from_secs(10);
        while Command::new("pgrep")
            .args(["-f", &exec_root])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = std::fs::remove_file(self.path("exec/containerd/containerd.pid"));
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_file(self.path("docker.pid"));
    }

    /// Starts it again (after [`SecondDaemon::kill`]) and waits until it answers.
    pub async fn restart(&mut self) {
        self.kill();
        self.spawn().await;
    }

    async fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.path("dockerd.log"))
            .unwrap();
        let child = Command::new("unshare")
            .args(["--net", "--", "sh", "-c", &self.script])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
        // Ready when it answers on its socket (a connection of its own: no pool is warmed).
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let probe = Docker::connect(&self.host()).unwrap();
            if probe
                .negotiate(docker_engine_client::ApiVersion::new(1, 41))
                .await
                .is_ok()
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the second dockerd did not start:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Drop for SecondDaemon {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.path("docker.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
        if let Some(child) = self.child.as_mut() {
            let deadline = Instant::now() + Duration::from_secs(20);
            while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        // What it left running (its containerd and shims, a socat): every such process names
        // the daemon's folder on its command line.
        let _ = Command::new("pkill")
            .args(["-9", "-f", &self.root.path().display().to_string()])
            .status();
        // dockerd bind-mounts its data root on itself (shared mount namespace): unmount what is
        // mounted under the folder, deepest first, then remove it.
        let root = self.root.path().display().to_string();
        let mut mounts: Vec<String> = std::fs::read_to_string("/proc/self/mounts")
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_whitespace().nth(1).map(str::to_string))
            .filter(|m| m.starts_with(&root))
            .collect();
        mounts.sort_by_key(|m| std::cmp::Reverse(m.len()));
        for mount in mounts {
            let _ = Command::new("umount").args(["-l", &mount]).status();
        }
        let _ = Command::new("rm").args(["-rf", &root]).status();
    }
}
