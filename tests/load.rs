//! Load and faults against real daemons, with figures: one `Docker` shared by many concurrent
//! requests and followed log streams on the shared daemon (0 errors; open file descriptors and
//! memory measured and bounded), and a second daemon of the test's own killed and started again
//! while streams are followed and requests are in flight (every stream ends with an error item,
//! every request ends, and the same `Docker` works once the daemon is back).
//!
//! Sizes come from `DEC_LOAD_REQUESTS`, `DEC_LOAD_STREAMS` and `DEC_LOAD_ROUNDS` (CI runs the
//! defaults; `cargo xtask load` runs larger ones). Each test prints one `load:` line of figures.
//! A test binary of its own, so no other test's descriptors or memory are counted; and its two
//! tests take turns ([`TURN`]): descriptors are counted per process, and the restart test's own
//! connections (50 followed event streams, 8 request loops, the second daemon's pipes) made the
//! first one's peak exceed one descriptor per request in flight whenever they overlapped.

#![cfg(feature = "v1_55")]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use docker_engine_client::stream::ByteStreamExt;
use docker_engine_client::v1_55::{Client, types};
use docker_engine_client::{Docker, Error};
use futures_util::StreamExt;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Held by each test of this binary for its whole run: the descriptor and memory figures of one
/// must not include the other's connections.
static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Open file descriptors of this process.
fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

/// Peak resident memory of this process, in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

/// Samples the open descriptors every 10 ms until stopped; the highest count seen.
fn fd_sampler() -> (Arc<AtomicBool>, tokio::task::JoinHandle<usize>) {
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    let task = tokio::spawn(async move {
        let mut peak = 0;
        while !stopped.load(Ordering::Relaxed) {
            peak = peak.max(open_fds());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        peak.max(open_fds())
    });
    (stop, task)
}

/// A container printing a line every 20 ms until removed.
async fn ticking_container(client: &Client, cleanup: &support::Cleanup, image: &str) -> String {
    let body = types::ContainerCreateBody {
        image: Some(image.to_string()),
        cmd: Some(vec![
            "sh".into(),
            "-c".into(),
            "while true; do echo tick; sleep 0.02; done".into(),
        ]),
        network_disabled: Some(true),
        ..Default::default()
    };
    cleanup.run(client, body).await
}

/// Follows a container's logs until `stop`; the bytes it received, or the first error.
async fn follow_logs(client: Client, id: String, stop: Arc<AtomicBool>) -> Result<usize, Error> {
    let logs = client
        .container_logs()
        .id(&id)
        .stdout(true)
        .follow(true)
        .tail("1")
        .send()
        .await?;
    let mut output = logs.into_output(false);
    let mut bytes = 0;
    while !stop.load(Ordering::Relaxed) {
        match tokio::time::timeout(Duration::from_millis(200), output.next()).await {
            Ok(Some(item)) => bytes += item?.bytes.len(),
            Ok(None) => break,
            Err(_) => {} // nothing within 200 ms: look at `stop` again
        }
    }
    Ok(bytes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the daemon"]
async fn one_docker_serves_concurrent_requests_and_followed_log_streams() {
    let _turn = TURN.lock().await;
    let Some(support::BusyboxFixture {
        client,
        cleanup,
        image,
        ..
    }) = support::BusyboxFixture::new("load").await
    else {
        return;
    };
    let requests = setting("DEC_LOAD_REQUESTS", 1000);
    let streams = setting("DEC_LOAD_STREAMS", 50);
    let rounds = setting("DEC_LOAD_ROUNDS", 1);
    let id = ticking_container(&client, &cleanup, &image).await;
    // One request of each kind first: the pool and the negotiation are warm, the baseline is.
    client.system_ping().send().await.unwrap();
    let baseline = open_fds();
    let (stop_sampling, sampler) = fd_sampler();

    let stop_streams = Arc::new(AtomicBool::new(false));
    let followers: Vec<_> = (0..streams)
        .map(|_| {
            tokio::spawn(follow_logs(
                client.clone(),
                id.clone(),
                stop_streams.clone(),
            ))
        })
        .collect();
    let started = Instant::now();
    let errors = Arc::new(AtomicUsize::new(0));
    let mut first_error = None;
    for _ in 0..rounds {
        let results: Vec<Result<(), Error>> = futures_util::stream::iter(0..requests)
            .map(|i| {
                let client = client.clone();
                let id = id.clone();
                async move {
                    match i % 3 {
                        0 => client.system_ping().send().await.map(drop),
                        1 => client.container_list().all(true).send().await.map(drop),
                        _ => client.container_inspect().id(&id).send().await.map(drop),
                    }
                }
            })
            .buffer_unordered(requests)
            .collect()
            .await;
        for result in results {
            if let Err(e) = result {
                errors.fetch_add(1, Ordering::Relaxed);
                first_error.get_or_insert(e.to_string());
            }
        }
    }
    let elapsed = started.elapsed();
    stop_streams.store(true, Ordering::Relaxed);
    let mut stream_errors = Vec::new();
    let mut quiet_streams = 0;
    for follower in followers {
        match follower.await.unwrap() {
            Ok(0) => quiet_streams += 1,
            Ok(_) => {}
            Err(e) => stream_errors.push(e.to_string()),
        }
    }
    stop_sampling.store(true, Ordering::Relaxed);
    let peak = sampler.await.unwrap();
    // Idle pooled connections beyond the pool's cap are closed; streams closed theirs.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = open_fds();
    let total = requests * rounds;
    eprintln!(
        "load: {total} requests ({requests} at once, {rounds} rounds) in {:.2} s ({:.0}/s), \
         {} errors; {streams} followed log streams, {} errors; open fds: {baseline} before, \
         peak {peak}, {after} after; peak RSS {} MiB",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        errors.load(Ordering::Relaxed),
        stream_errors.len(),
        peak_rss_kib() / 1024,
    );
    assert_eq!(
        errors.load(Ordering::Relaxed),
        0,
        "request errors, first: {first_error:?}"
    );
    assert!(stream_errors.is_empty(), "stream errors: {stream_errors:?}");
    assert_eq!(quiet_streams, 0, "every followed stream saw output");
    // One connection per request in flight and per stream: every request starts its own connect
    // at once (hyper-util's pool races a checkout against a connect, and a connect that loses
    // is kept as an idle connection, not a second one), each stream has a connection of its
    // own. 16 for the runtime and the sampler's own reads of /proc/self/fd.
    assert!(
        peak <= baseline + requests + streams + 16,
        "peak {peak} open descriptors for {requests} requests and {streams} streams"
    );
    // Afterwards, at most the pool's idle connections remain.
    assert!(
        after <= baseline + 128 + 4,
        "{after} open descriptors after the load, {baseline} before"
    );
    assert!(
        peak_rss_kib() < 256 * 1024,
        "peak RSS {} MiB",
        peak_rss_kib() / 1024
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root with dockerd, unshare and ip, to start a second daemon: cargo test -- --include-ignored (CI runs them)"]
async fn a_daemon_killed_and_restarted_under_load_ends_every_stream_and_the_pool_recovers() {
    let _turn = TURN.lock().await;
    let Some(mut daemon) = support::SecondDaemon::start("", "").await else {
        return;
    };
    let streams = setting("DEC_LOAD_STREAMS", 50).min(100);
    let docker = Docker::connect(&daemon.host()).unwrap();
    let client: Client = docker.client().await.unwrap();

    // Followed event streams (a daemon of its own has no image to run; events follow forever).
    let ended = Arc::new(AtomicUsize::new(0));
    let followers: Vec<_> = (0..streams)
        .map(|_| {
            let client = client.clone();
            let ended = ended.clone();
            tokio::spawn(async move {
                let events = client.system_events().send().await?;
                let mut messages = events.into_json::<types::EventMessage>();
                let mut last = None;
                while let Some(item) = messages.next().await {
                    last = Some(item.map(drop));
                }
                ended.fetch_add(1, Ordering::Relaxed);
                Ok::<_, Error>(last)
            })
        })
        .collect();
    // Requests in flight all along: 8 at a time, each bounded so a hang is seen as one.
    let stop = Arc::new(AtomicBool::new(false));
    let (ok, failed, hung) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let load: Vec<_> = (0..8)
        .map(|i| {
            let (client, stop) = (client.clone(), stop.clone());
            let (ok, failed, hung) = (ok.clone(), failed.clone(), hung.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let call = async {
                        if i % 2 == 0 {
                            client.system_info().send().await.map(drop)
                        } else {
                            client.container_list().all(true).send().await.map(drop)
                        }
                    };
                    match tokio::time::timeout(Duration::from_secs(30), call).await {
                        Ok(Ok(())) => ok.fetch_add(1, Ordering::Relaxed),
                        Ok(Err(_)) => {
                            // Refused at once while the daemon is down: do not spin the runtime.
                            tokio::time::sleep(Duration::from_millis(10)).await;
                            failed.fetch_add(1, Ordering::Relaxed)
                        }
                        Err(_) => hung.fetch_add(1, Ordering::Relaxed),
                    };
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before_kill = ok.load(Ordering::Relaxed);
    daemon.kill();
    let killed = Instant::now();

    // Every stream ends, with an error item, promptly.
    let mut clean_ends = 0;
    for follower in followers {
        let outcome = tokio::time::timeout(Duration::from_secs(30), follower)
            .await
            .expect("a followed stream did not end after the daemon was killed")
            .unwrap();
        match outcome {
            Ok(Some(Err(_))) => {}
            Ok(other) => {
                clean_ends += 1;
                eprintln!("a stream ended without an error item: {other:?}");
            }
            Err(e) => panic!("a stream failed to start: {e}"),
        }
    }
    let streams_ended_in = killed.elapsed();
    assert_eq!(clean_ends, 0, "streams that ended as if complete");
    // Requests keep failing (not hanging) while the daemon is down.
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    for task in load {
        tokio::time::timeout(Duration::from_secs(40), task)
            .await
            .expect("a request did not end")
            .unwrap();
    }
    assert_eq!(hung.load(Ordering::Relaxed), 0, "requests that hung");
    assert!(before_kill > 0, "requests succeeded before the kill");
    assert!(
        failed.load(Ordering::Relaxed) > 0,
        "requests failed while down"
    );

    // Back: the same Docker's next call succeeds (its pool held connections to the dead daemon).
    let restart = Instant::now();
    daemon.restart().await;
    let back_in = restart.elapsed();
    client
        .system_ping()
        .send()
        .await
        .unwrap_or_else(|e| panic!("the first call after the restart: {e}\n{}", daemon.log()));
    let info = client.system_info().send().await.unwrap();
    assert!(info.into_inner().id.is_some());
    eprintln!(
        "load: daemon killed under load: {streams} followed streams all ended with an error item \
         within {:.2} s; requests: {} ok, {} failed, {} hung; restarted in {:.1} s, first call \
         after it succeeded on the same Docker",
        streams_ended_in.as_secs_f64(),
        ok.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed),
        hung.load(Ordering::Relaxed),
        back_in.as_secs_f64(),
    );
}
