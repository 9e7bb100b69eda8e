//! `decode`: typed decoding of what a daemon answers, in memory: the body of `GET /info` (one big
//! struct, ~70 fields) and of `GET /images/json?all=1` (a list of structs), fetched once from the
//! daemon, then decoded many times into this crate's v1.55 types (whose structs decode through
//! the generator's `compact-deserialize` impls), bollard's (serde's derive) and a
//! `serde_json::Value`. Median of 7 rounds, the three taking turns.

use std::hint::black_box;
use std::time::Instant;

use serde::de::DeserializeOwned;

use crate::{hyper_client, hyper_get, median};

const ROUNDS: usize = 7;

/// One body, and the types each client decodes it into.
struct Case {
    name: &'static str,
    body: Vec<u8>,
    ours: fn(&[u8]),
    bollard: fn(&[u8]),
}

/// Decodes `body` into a `T` (and drops it), failing the benchmark on a decoding error.
fn into<T: DeserializeOwned>(body: &[u8]) {
    drop(black_box(serde_json::from_slice::<T>(body).unwrap()));
}

pub async fn decode() {
    let hyper = hyper_client();
    // Fewer decodes under a profiler: `DEC_BENCH_DECODE_TIMES=200 valgrind --tool=callgrind ...`.
    let times = std::env::var("DEC_BENCH_DECODE_TIMES")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(20_000);
    let cases = [
        Case {
            name: "`GET /info` (SystemInfo)",
            body: hyper_get(&hyper, "/v1.41/info").await.to_bytes().to_vec(),
            ours: into::<docker_engine_client::v1_55::types::SystemInfo>,
            bollard: into::<bollard::models::SystemInfo>,
        },
        Case {
            name: "`GET /images/json?all=1` (Vec<ImageSummary>)",
            body: hyper_get(&hyper, "/v1.41/images/json?all=1")
                .await
                .to_bytes()
                .to_vec(),
            ours: into::<Vec<docker_engine_client::v1_55::types::ImageSummary>>,
            bollard: into::<Vec<bollard::models::ImageSummary>>,
        },
    ];
    println!(
        "| body | size | docker-engine-client | bollard 0.21 | serde_json::Value | ours / bollard |"
    );
    println!("|---|---|---|---|---|---|");
    for case in &cases {
        let (mut ours, mut bollard, mut value) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..ROUNDS {
            for turn in 0..3 {
                match (round + turn) % 3 {
                    0 => ours.push(per_decode(&case.body, times, case.ours)),
                    1 => bollard.push(per_decode(&case.body, times, case.bollard)),
                    _ => value.push(per_decode(&case.body, times, into::<serde_json::Value>)),
                }
            }
        }
        let (ours, bollard, value) = (median(ours), median(bollard), median(value));
        println!(
            "| {} | {} B | {ours:.2} µs | {bollard:.2} µs | {value:.2} µs | {:.2}× |",
            case.name,
            case.body.len(),
            ours / bollard
        );
    }
}

/// Microseconds per decode of `body` by `decode`, over `times` decodes.
fn per_decode(body: &[u8], times: usize, decode: fn(&[u8])) -> f64 {
    let start = Instant::now();
    for _ in 0..times {
        decode(black_box(body));
    }
    start.elapsed().as_secs_f64() * 1e6 / times as f64
}
