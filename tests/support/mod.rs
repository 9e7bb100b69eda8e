//! What the integration tests share, one file per concern; this index re-exports the helpers so
//! a test says `support::docker()`, `support::Cleanup`, `support::unique(..)`.
//!
//! - `daemon.rs`: the real daemon: finding it (a missing peer skips, or fails under `CI=true`),
//!   connecting, names no other test uses, reading whole bodies, docker CLI contexts.
//! - `images.rs`: a busybox root filesystem, imported as an image through the client.
//! - `cleanup.rs`: removing what a test made even when it panics; polling; `assert_not_found`.
//! - `registry.rs`: the test registry on 127.0.0.1:5000 (users, images of its own, push).
//! - `ssh.rs`: the test sshd on 127.0.0.1:2222 (users, keys, ssh options, counting ssh children).
//! - `proxy.rs`: a recording TCP proxy in front of the real daemon (what went over the wire).
//! - `second_daemon.rs`: a dockerd of the test's own in a network namespace (TLS, restarts).
//! - `coverage.rs`: records each request's operation and status for `cargo xtask coverage`.
//! - `fake_daemon.rs`: a scripted HTTP server (TCP or unix socket) in the test process, for the
//!   offline and hostile tests; they include it alone (`#[path]`), needing nothing else here.
//!
//! Tests that need a peer (the daemon, the registry, the test sshd, podman, root) are
//! `#[ignore]`d with the reason, so a plain `cargo test` lists them as ignored;
//! `-- --include-ignored` runs them.
#![allow(dead_code, unused_imports)]

pub mod cleanup;
pub mod coverage;
pub mod daemon;
pub mod images;
pub mod proxy;
pub mod registry;
pub mod second_daemon;
pub mod ssh;

pub use cleanup::{Cleanup, assert_not_found, eventually, on_own_connection};
pub use daemon::{
    Daemon, MODERN_SOCKET, daemon_socket, docker, docker_of, in_ci, is_root, json_items,
    output_text, read_all, require, socket_of, unique, which, write_context,
};
pub use images::{
    BusyboxFixture, busybox_rootfs_tar, busybox_rootfs_tar_with, import_busybox, import_rootfs,
};
pub use proxy::{ConnectProxy, RecordingProxy};
pub use registry::{
    REGISTRY, push, registry_credentials, registry_image, registry_image_content, registry_users,
    require_registry,
};
pub use second_daemon::SecondDaemon;
pub use ssh::{SSH_STATE, SSHD, require_sshd, ssh_key, ssh_options, ssh_processes};
