//! Swarm on a single-node swarm of each real daemon (advertised on 127.0.0.1), each with its own
//! version's types (Engine 20.10 with v1.41, Engine 28.5 with v1.51): init, inspect, update
//! (autolock) and the unlock key; secrets and configs; a service with replicas, env, a secret and
//! a config mounted, its tasks running, its logs, a rolling update that scales it; nodes (labels,
//! availability); and leaving, which a guard does even when the test fails. A binary of its own:
//! the swarm is the daemon's. The two daemons' swarms take turns ([`TURN`]) and listen on ports
//! of their own: the daemons share the host's network.

// The same file is each daemon's module on purpose: one test, two versions' types.
#![allow(clippy::duplicate_mod)]

#[cfg(not(all(feature = "v1_41", feature = "v1_51", feature = "v1_55")))]
#[test]
#[ignore = "the Swarm tests use each daemon's own API version's types: --features v1_41,v1_51"]
fn needs_the_v1_41_and_v1_51_features() {}

#[cfg(all(feature = "v1_41", feature = "v1_51", feature = "v1_55"))]
#[path = "../support/mod.rs"]
mod support;

/// Held by each daemon's swarm test for its whole run.
#[cfg(all(feature = "v1_41", feature = "v1_51", feature = "v1_55"))]
static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[cfg(all(feature = "v1_41", feature = "v1_51", feature = "v1_55"))]
mod legacy;
#[cfg(all(feature = "v1_41", feature = "v1_51", feature = "v1_55"))]
mod modern;
