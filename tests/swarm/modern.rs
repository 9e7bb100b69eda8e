//! Engine 28.5 (API 1.51), with the v1.51 types, on ports beside the legacy daemon's.

pub use docker_engine_client::v1_51 as api;
/// The daemon.
pub const DAEMON: crate::support::Daemon = crate::support::Daemon::Modern;
/// Where its swarm listens.
pub const LISTEN: &str = "127.0.0.1:2378";
/// Its overlay traffic's UDP port (VXLAN).
pub const DATA_PATH_PORT: u16 = 4790;

#[path = "single_node.rs"]
mod single_node;
