//! Every endpoint group on the real daemon, with the types of the version it speaks (v1.41), one
//! module per group and one test per behaviour: containers, images, networks, volumes, system,
//! plugins. Each test makes uniquely named objects and a `support::Cleanup` removes them, so the
//! tests run in parallel and leave the daemon as they found it; `cargo xtask coverage` lists
//! what these (and the other) tests called.
//!
//! Request bodies with deep nesting are written as the JSON Docker documents and decoded into the
//! generated types, so a field the types get wrong fails here.
//!
//! They need a Docker daemon (Engine 20.10, API 1.41): a plain `cargo test` lists them as
//! ignored; `cargo test --features docker-engine-client/v1_41 -- --include-ignored` runs them.

#[cfg(not(all(feature = "v1_41", feature = "v1_55")))]
#[test]
#[ignore = "the endpoint tests use the daemon's own API version's types: --features v1_41"]
fn needs_the_v1_41_feature() {}

#[cfg(all(feature = "v1_41", feature = "v1_55"))]
#[path = "../support/mod.rs"]
mod support;

#[cfg(all(feature = "v1_41", feature = "v1_55"))]
mod common;
#[cfg(all(feature = "v1_41", feature = "v1_55"))]
mod containers;
#[cfg(all(feature = "v1_41", feature = "v1_55"))]
mod images;
#[cfg(all(feature = "v1_41", feature = "v1_55"))]
mod networks;
#[cfg(all(feature = "v1_41", feature = "v1_55"))]
mod plugins;
#[cfg(all(feature = "v1_41", feature = "v1_55"))]
mod system;
#[cfg(all(feature = "v1_41", feature = "v1_55"))]
mod volumes;
