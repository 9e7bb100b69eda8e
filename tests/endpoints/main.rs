//! Every endpoint group on both real daemons, each with the types of the version it speaks (one
//! module per daemon, the same test files in each): Engine 20.10 with the v1.41 types, Engine
//! 28.5 with the v1.51 types. One module per group and one test per behaviour: containers,
//! images, networks, volumes, system, plugins. Each test makes uniquely named objects and a
//! `support::Cleanup` removes them, so the tests run in parallel and leave the daemons as they
//! found them; `cargo xtask coverage --daemon legacy|modern` lists what these (and the other)
//! tests called on each.
//!
//! Request bodies with deep nesting are written as the JSON Docker documents and decoded into the
//! generated types, so a field the types get wrong fails here.
//!
//! They need the daemons: a plain `cargo test` lists them as ignored;
//! `cargo test --features docker-engine-client/v1_41,docker-engine-client/v1_51 -- --include-ignored`
//! runs them.

// The same files are each daemon's module on purpose: one set of tests, two versions' types.
#![allow(clippy::duplicate_mod)]

#[cfg(not(all(feature = "v1_41", feature = "v1_51", feature = "v1_55")))]
#[test]
#[ignore = "the endpoint tests use each daemon's own API version's types: --features v1_41,v1_51"]
fn needs_the_v1_41_and_v1_51_features() {}

#[cfg(all(feature = "v1_41", feature = "v1_51", feature = "v1_55"))]
#[path = "../support/mod.rs"]
mod support;

/// The test files, as modules of the daemon's module that invokes this (`legacy.rs`,
/// `modern.rs`), with that daemon's version's types as `api`.
#[cfg(all(feature = "v1_41", feature = "v1_51", feature = "v1_55"))]
macro_rules! endpoint_tests {
    ($which:ident, $version:ident) => {
        pub use docker_engine_client::$version as api;
        /// The daemon these tests talk to.
        pub const DAEMON: crate::support::Daemon = crate::support::Daemon::$which;

        #[path = "common.rs"]
        pub mod common;
        #[path = "containers.rs"]
        mod containers;
        #[path = "images.rs"]
        mod images;
        #[path = "networks.rs"]
        mod networks;
        #[path = "plugins.rs"]
        mod plugins;
        #[path = "system.rs"]
        mod system;
        #[path = "volumes.rs"]
        mod volumes;
    };
}

#[cfg(all(feature = "v1_41", feature = "v1_51", feature = "v1_55"))]
mod legacy;
#[cfg(all(feature = "v1_41", feature = "v1_51", feature = "v1_55"))]
mod modern;
