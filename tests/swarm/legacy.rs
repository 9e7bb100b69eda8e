//! Engine 20.10 (API 1.41), with the v1.41 types, on the swarm's default ports.

pub use docker_engine_client::v1_41 as api;
/// The daemon.
pub const DAEMON: crate::support::Daemon = crate::support::Daemon::Legacy;
/// Where its swarm listens.
pub const LISTEN: &str = "127.0.0.1:2377";
/// Its overlay traffic's UDP port (VXLAN).
pub const DATA_PATH_PORT: u16 = 4789;

#[path = "single_node.rs"]
mod single_node;
