//! Shared by the integration tests: finding the real daemon, unique names, a busybox image.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

/// The daemon's unix socket, from `DOCKER_HOST` (`unix://...`) or the default path.
///
/// Without a daemon the test is skipped, except under `CI=true`, where it fails: CI starts one.
pub fn daemon_socket() -> Option<PathBuf> {
    let path = match std::env::var("DOCKER_HOST") {
        Ok(host) if host.starts_with("unix://") => PathBuf::from(&host["unix://".len()..]),
        _ => PathBuf::from("/var/run/docker.sock"),
    };
    if path.exists() {
        return Some(path);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "CI=true but no Docker daemon socket at {}: CI must start dockerd",
            path.display()
        );
    }
    eprintln!("skipped: no Docker daemon socket at {}", path.display());
    None
}

/// A name no other test (or earlier run) uses.
pub fn unique(prefix: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("dec-{prefix}-{}-{nanos}", std::process::id())
}

/// Commands the busybox image links to `/bin/busybox`.
const APPLETS: &[&str] = &[
    "sh", "cat", "echo", "sleep", "ls", "true", "false", "env", "printf", "yes", "head", "dd",
    "wc", "tail",
];

/// An image tarball (a root filesystem) holding Debian's static busybox and its applet links.
pub fn busybox_rootfs_tar() -> Vec<u8> {
    let busybox =
        std::fs::read("/bin/busybox").expect("busybox-static is installed (/bin/busybox)");
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(busybox.len() as u64);
    header.set_mode(0o755);
    header.set_entry_type(tar::EntryType::Regular);
    builder
        .append_data(&mut header, "bin/busybox", busybox.as_slice())
        .unwrap();
    for applet in APPLETS {
        let mut link = tar::Header::new_gnu();
        link.set_entry_type(tar::EntryType::Symlink);
        link.set_size(0);
        link.set_mode(0o777);
        builder
            .append_link(&mut link, format!("bin/{applet}"), "busybox")
            .unwrap();
    }
    let mut tmp = tar::Header::new_gnu();
    tmp.set_entry_type(tar::EntryType::Directory);
    tmp.set_mode(0o1777);
    tmp.set_size(0);
    builder
        .append_data(&mut tmp, "tmp/", std::io::empty())
        .unwrap();
    builder.into_inner().unwrap()
}
