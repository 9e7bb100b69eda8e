//! The test sshd that `.ci/setup` starts on 127.0.0.1:2222: its users (`dockertest` reaches the
//! docker socket, `dockertest-nodocker` has no `docker` on its PATH), the keys made at setup, and
//! the ssh options that use them without touching anyone's `~/.ssh`.

use std::path::{Path, PathBuf};

use super::daemon::require;

/// Where `.ci/setup` keeps the sshd's config and the keys.
pub const SSH_STATE: &str = "/var/lib/docker-engine-client-ci/ssh";

/// The test sshd's address.
pub const SSHD: &str = "127.0.0.1:2222";

/// A key file of the setup (`client_key`, `wrong_key`).
pub fn ssh_key(name: &str) -> PathBuf {
    Path::new(SSH_STATE).join(name)
}

/// Whether the test sshd answers and its keys are readable; skips, or fails under `CI=true`,
/// when not.
pub fn require_sshd() -> Option<()> {
    let up = std::net::TcpStream::connect_timeout(
        &SSHD.parse().unwrap(),
        std::time::Duration::from_secs(2),
    )
    .is_ok();
    let keys = std::fs::File::open(ssh_key("client_key")).is_ok()
        && Path::new(SSH_STATE).join("known_hosts").exists();
    require(
        (up && keys).then_some(()),
        "the test sshd on 127.0.0.1:2222 and its keys (.ci/setup)",
    )
}

/// ssh options for the test sshd with key `key`: no user or system ssh config, only this key,
/// the setup's known_hosts (checked strictly), never a prompt. `marker` is sent as an
/// environment variable (the server ignores it) so a test can find its own ssh processes.
pub fn ssh_options(key: &str, marker: &str) -> Vec<String> {
    let key = ssh_key(key);
    [
        "-F",
        "/dev/null",
        "-i",
        key.to_str().unwrap(),
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "IdentityAgent=none",
        "-o",
        &format!("UserKnownHostsFile={SSH_STATE}/known_hosts"),
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        "BatchMode=yes",
        "-o",
        &format!("SetEnv=DEC_TEST_MARKER={marker}"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// How many `ssh` processes this test process runs whose command line holds `marker`.
pub fn ssh_processes(marker: &str) -> usize {
    let me = std::process::id().to_string();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .flatten()
        .filter(|entry| {
            let dir = entry.path();
            let Ok(cmdline) = std::fs::read(dir.join("cmdline")) else {
                return false;
            };
            let args: Vec<String> = cmdline
                .split(|b| *b == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            let is_ssh = args
                .first()
                .is_some_and(|a| a == "ssh" || a.ends_with("/ssh"));
            let ours = args.iter().any(|a| a.ends_with(&format!("={marker}")));
            // Field 4 of stat is the parent's pid (the command name, field 2, is in parentheses).
            let parent = std::fs::read_to_string(dir.join("stat"))
                .ok()
                .and_then(|stat| {
                    let after = stat.rsplit_once(')')?.1.to_string();
                    after.split_whitespace().nth(1).map(str::to_string)
                });
            is_ssh && ours && parent.as_deref() == Some(me.as_str())
        })
        .count()
}
