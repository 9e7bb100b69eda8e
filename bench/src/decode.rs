//! `decode`: typed decoding of what a daemon answers, in memory: the body of `GET /info` (one big
//! struct, ~70 fields) and of `GET /images/json?all=1` (a list of structs), fetched once from the
//! daemon, then decoded many times into this crate's v1.55 types (whose structs decode through
//! the generator's `compact-deserialize` impls), bollard's (serde's derive) and a
//! `serde_json::Value`. Median of 7 rounds, the three taking turns.

use std::time::Instant;

use http_body_util::BodyExt;

use crate::{Hyper, SOCKET, median};

const ROUNDS: usize = 7;

/// One body, decoded `times` times by each decoder.
struct Case {
    name: &'static str,
    body: Vec<u8>,
    times: usize,
}

pub async fn decode() {
    let hyper: Hyper =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build(hyperlocal::UnixConnector);
    let get = |path: &'static str| {
        let hyper = hyper.clone();
        async move {
            let uri: hyper::Uri = hyperlocal::Uri::new(SOCKET, path).into();
            let response = hyper.get(uri).await.unwrap();
            response.into_body().collect().await.unwrap().to_bytes().to_vec()
        }
    };
    // Fewer decodes under a profiler: `DEC_BENCH_DECODE_TIMES=200 valgrind --tool=callgrind ...`.
    let times = std::env::var("DEC_BENCH_DECODE_TIMES")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(20_000);
    let cases = [
        Case {
            name: "`GET /info` (SystemInfo)",
            body: get("/v1.41/info").await,
            times,
        },
        Case {
            name: "`GET /images/json?all=1` (Vec<ImageSummary>)",
            body: get("/v1.41/images/json?all=1").await,
            times,
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
                    0 => ours.push(per_decode(case, |b| {
                        if case.name.contains("info") {
                            drop(std::hint::black_box(
                                serde_json::from_slice::<
                                    docker_engine_client::v1_55::types::SystemInfo,
                                >(b)
                                .unwrap(),
                            ));
                        } else {
                            drop(std::hint::black_box(
                                serde_json::from_slice::<
                                    Vec<docker_engine_client::v1_55::types::ImageSummary>,
                                >(b)
                                .unwrap(),
                            ));
                        }
                    })),
                    1 => bollard.push(per_decode(case, |b| {
                        if case.name.contains("info") {
                            drop(std::hint::black_box(
                                serde_json::from_slice::<bollard::models::SystemInfo>(b).unwrap(),
                            ));
                        } else {
                            drop(std::hint::black_box(
                                serde_json::from_slice::<Vec<bollard::models::ImageSummary>>(b)
                                    .unwrap(),
                            ));
                        }
                    })),
                    _ => value.push(per_decode(case, |b| {
                        drop(std::hint::black_box(
                            serde_json::from_slice::<serde_json::Value>(b).unwrap(),
                        ));
                    })),
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

/// Microseconds per decode of `case.body` by `decode`, over `case.times` decodes.
fn per_decode(case: &Case, decode: impl Fn(&[u8])) -> f64 {
    let start = Instant::now();
    for _ in 0..case.times {
        decode(std::hint::black_box(&case.body));
    }
    start.elapsed().as_secs_f64() * 1e6 / case.times as f64
}
