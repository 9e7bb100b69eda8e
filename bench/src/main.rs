//! Round trips per second of `GET /_ping` and `GET /containers/json` against one daemon over its
//! unix socket, sequentially and with 64 requests in flight, for: this crate, bollard 0.21, and a
//! bare hyper 1.x client (hyper-util's pooled client with hyperlocal's unix connector: the floor).
//! Each figure is the median of several rounds, all clients measured in the same run,
//! interleaved, so machine noise hits them alike.

mod decode;
mod waits;

use std::future::Future;
use std::time::{Duration, Instant};

use futures_util::stream::{FuturesUnordered, StreamExt};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;

const SOCKET: &str = "/var/run/docker.sock";
const ROUNDS: usize = 7;
const SEQUENTIAL: usize = 400;
const CONCURRENT: usize = 2_000;
const IN_FLIGHT: usize = 64;

type Hyper = hyper_util::client::legacy::Client<hyperlocal::UnixConnector, Empty<Bytes>>;

/// The bare hyper client: hyper-util's pooled legacy client on hyperlocal's unix connector.
fn hyper_client() -> Hyper {
    hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build(hyperlocal::UnixConnector)
}

/// `GET path` on the daemon's socket with the bare hyper client: the whole body, as read (not
/// joined into one buffer, which a round-trip measurement would pay for).
async fn hyper_get(client: &Hyper, path: &str) -> http_body_util::Collected<Bytes> {
    let uri: hyper::Uri = hyperlocal::Uri::new(SOCKET, path).into();
    let response = client.get(uri).await.unwrap();
    assert!(response.status().is_success());
    response.into_body().collect().await.unwrap()
}

/// Requests per second: `total` calls of `call`, `in_flight` at a time (what each call returns is
/// dropped).
async fn rate<F, Fut>(total: usize, in_flight: usize, call: F) -> f64
where
    F: Fn() -> Fut,
    Fut: Future,
{
    let start = Instant::now();
    let mut running = FuturesUnordered::new();
    let mut started = 0;
    while started < total || !running.is_empty() {
        while started < total && running.len() < in_flight {
            running.push(call());
            started += 1;
        }
        running.next().await;
    }
    total as f64 / start.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `logs` runs on the runtime a program reading one stream would pick: one thread unless
    // `DEC_BENCH_THREADS=multi`; everything else on the multi-threaded runtime.
    let multi = !(args.get(1).is_some_and(|a| a == "logs" || a == "served")
        && std::env::var("DEC_BENCH_THREADS").map_or(true, |v| v != "multi"));
    let runtime = if multi {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    }
    .enable_all()
    .build()
    .unwrap();
    runtime.block_on(run(args));
}

async fn run(args: Vec<String>) {
    if args.len() == 4 && args[1] == "count" {
        return count(&args[2], args[3].parse().unwrap()).await;
    }
    if args.len() == 2 && args[1] == "demux" {
        return demux_in_memory();
    }
    if args.len() == 2 && args[1] == "json" {
        return json_chunking().await;
    }
    if args.len() >= 3 && args[1] == "json-case" {
        return json_case(&args[2..]).await;
    }
    if args.len() == 4 && args[1] == "logs" {
        return logs(&args[2], &args[3]).await;
    }
    if args.len() == 2 && args[1] == "served" {
        return served().await;
    }
    if args.len() == 2 && args[1] == "decode" {
        return decode::decode().await;
    }
    if args.len() == 2 && args[1] == "waits" {
        return waits::waits(SOCKET).await;
    }
    let docker = docker_engine_client::Docker::connect(&format!("unix://{SOCKET}")).unwrap();
    let ours: docker_engine_client::v1_55::Client = docker.client().await.unwrap();
    let bollard =
        bollard::Docker::connect_with_unix(SOCKET, 120, bollard::API_DEFAULT_VERSION).unwrap();
    let bollard = bollard.negotiate_version().await.unwrap();
    let hyper = hyper_client();
    let version = docker_engine_client::ApiClient::api_version(&ours).unwrap();
    let list_path = format!("/v{version}/containers/json");

    let cases: [(&str, usize, usize); 4] = [
        ("/_ping, sequential", SEQUENTIAL, 1),
        ("/_ping, 64 in flight", CONCURRENT, IN_FLIGHT),
        ("/containers/json, sequential", SEQUENTIAL, 1),
        ("/containers/json, 64 in flight", CONCURRENT, IN_FLIGHT),
    ];
    println!(
        "| request | docker-engine-client | bollard 0.21 | bare hyper | ours / bollard | ours / hyper |"
    );
    println!("|---|---|---|---|---|---|");
    for (name, total, in_flight) in cases {
        let ping = name.starts_with("/_ping");
        let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
        // Warm the pools.
        for _ in 0..50 {
            ours.system_ping().send().await.unwrap();
            bollard.ping().await.unwrap();
            hyper_get(&hyper, "/_ping").await;
        }
        for round in 0..ROUNDS {
            // Each client goes first, second and third in turn: whoever runs first after a
            // pause meets a colder machine.
            for turn in 0..3 {
                match (round + turn) % 3 {
                    0 => a.push(
                        rate(total, in_flight, || async {
                            if ping {
                                let r = ours.system_ping().send().await.unwrap();
                                let mut s = r.into_inner().into_inner();
                                while s.next().await.is_some() {}
                            } else {
                                ours.container_list().send().await.unwrap();
                            }
                        })
                        .await,
                    ),
                    1 => b.push(
                        rate(total, in_flight, || async {
                            if ping {
                                bollard.ping().await.unwrap();
                            } else {
                                bollard
                                    .list_containers(
                                        None::<bollard::query_parameters::ListContainersOptions>,
                                    )
                                    .await
                                    .unwrap();
                            }
                        })
                        .await,
                    ),
                    _ => c.push(
                        rate(total, in_flight, || {
                            hyper_get(&hyper, if ping { "/_ping" } else { &list_path })
                        })
                        .await,
                    ),
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let (a, b, c) = (median(a), median(b), median(c));
        println!(
            "| {name} | {a:.0}/s | {b:.0}/s | {c:.0}/s | {:.2}× | {:.2}× |",
            a / b,
            a / c
        );
    }
}

/// `count CLIENT N`: N sequential pings with one client, for instruction counts under
/// `valgrind --tool=callgrind` (deterministic, unlike wall time on a shared machine).
async fn count(which: &str, n: usize) {
    let docker = docker_engine_client::Docker::connect(&format!("unix://{SOCKET}")).unwrap();
    let ours: docker_engine_client::v1_55::Client = docker.client().await.unwrap();
    let raw = docker_engine_client::http_client_builder()
        .unix_socket(SOCKET)
        .build();
    let bollard =
        bollard::Docker::connect_with_unix(SOCKET, 120, bollard::API_DEFAULT_VERSION).unwrap();
    let hyper = hyper_client();
    for _ in 0..n {
        match which {
            "ours" => {
                let mut s = ours
                    .system_ping()
                    .send()
                    .await
                    .unwrap()
                    .into_inner()
                    .into_inner();
                while s.next().await.is_some() {}
            }
            "http" => {
                raw.get("http://docker/_ping")
                    .send()
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap();
            }
            "bollard" => {
                bollard.ping().await.unwrap();
            }
            _ => drop(hyper_get(&hyper, "/_ping").await),
        }
    }
}

/// `demux`: this crate's demultiplexer over 1 GiB of in-memory stdcopy frames (4 KiB to 1 MiB
/// payloads, stdout and stderr), fed in 64 KiB chunks as a socket would; median of 5 rounds.
/// (bollard's decoder is crate-private, so bollard is compared end to end, in `logs`.)
fn demux_in_memory() {
    use docker_engine_client::stream::{Demuxer, Framing};
    let body = Bytes::from(frames(1 << 30));
    let mut rates = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let mut demuxer = Demuxer::new(Framing::Multiplexed);
        let mut total = 0usize;
        let mut offset = 0;
        while offset < body.len() {
            let end = (offset + 65536).min(body.len());
            let mut chunk = body.slice(offset..end);
            offset = end;
            while let Some(item) = demuxer.next_item(&mut chunk) {
                total += item.unwrap().bytes.len();
            }
        }
        demuxer.finish().unwrap();
        let secs = start.elapsed().as_secs_f64();
        std::hint::black_box(total);
        rates.push(body.len() as f64 / secs / 1e9);
    }
    println!(
        "demux 1 GiB in memory: {:.1} GB/s (median of 5)",
        median(rates)
    );
}

/// `json`: the JSON message decoder's cost against how a message is chunked: one 16 MiB message
/// parsed by serde_json alone, decoded from one chunk and from 64 KiB, 1 KiB and 1-byte chunks,
/// and the time an endless line (no newline, no end) takes to be refused at the 16 MiB cap in
/// 1 KiB chunks. Each case runs in a process of its own (`json-case`), so that one case's
/// allocations do not shape the next one's; median of 15 rounds each.
async fn json_chunking() {
    let exe = std::env::current_exe().unwrap();
    let case = |args: &[&str]| -> f64 {
        let out = std::process::Command::new(&exe)
            .arg("json-case")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    };
    let parse = case(&["parse"]);
    println!("json 16 MiB message, serde_json::from_slice alone: {parse:.1} ms");
    let whole = case(&["chunks", "0"]);
    println!(
        "json 16 MiB message, decoded from one chunk: {whole:.1} ms ({:.2}× from_slice)",
        whole / parse
    );
    for (label, size) in [
        ("64 KiB chunks", "65536"),
        ("1 KiB chunks", "1024"),
        ("1-byte chunks", "1"),
    ] {
        let ms = case(&["chunks", size]);
        println!(
            "json 16 MiB message, {label}: {ms:.1} ms ({:.2}× one chunk, {:.2}× from_slice)",
            ms / whole,
            ms / parse
        );
    }
    let endless = case(&["endless"]);
    println!("json endless line in 1 KiB chunks: refused at the 16 MiB cap after {endless:.1} ms");
}

/// One case of `json`, in its own process: prints the median milliseconds of 15 rounds.
async fn json_case(args: &[String]) {
    use docker_engine_client::stream::{BodyStream, JsonStream, MAX_MESSAGE};
    use futures_util::StreamExt;
    let message = Bytes::from(format!(
        "{{\"status\":\"{}\"}}\n",
        "x".repeat(MAX_MESSAGE - 64)
    ));
    let mut times = Vec::new();
    for _ in 0..15 {
        let ms = match args {
            [case] if case == "parse" => {
                let start = Instant::now();
                let value: serde_json::Value = serde_json::from_slice(&message).unwrap();
                let ms = start.elapsed().as_secs_f64() * 1e3;
                std::hint::black_box(value);
                ms
            }
            [case, size] if case == "chunks" => {
                let size = match size.parse().unwrap() {
                    0 => message.len(),
                    n => n,
                };
                let chunks: Vec<_> = (0..message.len())
                    .step_by(size)
                    .map(|i| Ok(message.slice(i..(i + size).min(message.len()))))
                    .collect();
                let body: BodyStream = Box::pin(futures_util::stream::iter(chunks));
                let start = Instant::now();
                let mut stream = JsonStream::<_, serde_json::Value>::new(body);
                let value = stream.next().await.unwrap().unwrap();
                let ms = start.elapsed().as_secs_f64() * 1e3;
                std::hint::black_box(value);
                ms
            }
            [case] if case == "endless" => {
                let chunk = Bytes::from(vec![b'x'; 1024]);
                let mut first = true;
                let endless: BodyStream = Box::pin(futures_util::stream::repeat_with(move || {
                    if std::mem::take(&mut first) {
                        Ok(Bytes::from_static(b"{\"status\":\""))
                    } else {
                        Ok(chunk.clone())
                    }
                }));
                let start = Instant::now();
                let mut stream = JsonStream::<_, serde_json::Value>::new(endless);
                let item = stream.next().await.unwrap();
                assert!(item.is_err(), "an endless line is refused");
                start.elapsed().as_secs_f64() * 1e3
            }
            _ => panic!("json-case parse | chunks SIZE | endless"),
        };
        times.push(ms);
    }
    println!("{}", median(times));
}

/// Whole stdcopy frames (4 KiB to 1 MiB payloads, alternating stdout and stderr), about `len`
/// bytes.
fn frames(len: usize) -> Vec<u8> {
    let mut body = Vec::with_capacity(len + (1 << 20) + 8);
    let mut size = 4096usize;
    let mut stream = 1u8;
    while body.len() < len {
        body.extend_from_slice(&[stream, 0, 0, 0]);
        body.extend_from_slice(&(size as u32).to_be_bytes());
        body.extend(std::iter::repeat_n(b'x', size));
        size = if size >= (1 << 20) { 4096 } else { size * 2 };
        stream = 3 - stream;
    }
    body
}

/// `served`: 1 GiB of multiplexed container output served from memory over a unix socket by a
/// minimal HTTP server in this process (a 64 MiB block of frames sent 16 times, as fast as the
/// socket takes it), read as a `logs` response: by this crate as plain chunks (the transport's
/// floor) and demultiplexed, and by bollard; median GB/s of 5 rounds each, interleaved. The same
/// server, transport and runtime for all: the differences are body handling and demultiplexing.
async fn served() {
    use std::io::{BufRead, Write};
    let block = std::sync::Arc::new(frames(64 << 20));
    let repeats = 16usize;
    let total_len = block.len() * repeats;
    let dir = std::env::temp_dir().join(format!("dec-bench-served-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let socket = dir.join("docker.sock");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let server_block = block.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let block = server_block.clone();
            std::thread::spawn(move || {
                let mut reader = std::io::BufReader::new(conn.try_clone().unwrap());
                loop {
                    // One request (no body) per response; keep-alive.
                    let mut line = String::new();
                    let mut got_request = false;
                    while reader.read_line(&mut line).unwrap_or(0) > 0 {
                        got_request = true;
                        if line == "\r\n" {
                            break;
                        }
                        line.clear();
                    }
                    if !got_request {
                        return;
                    }
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nApi-Version: 1.41\r\nContent-Length: {total_len}\r\n\r\n"
                    );
                    if conn.write_all(head.as_bytes()).is_err() {
                        return;
                    }
                    for _ in 0..repeats {
                        if conn.write_all(&block).is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    let socket = socket.to_str().unwrap().to_string();
    let docker = docker_engine_client::Docker::connect(&format!("unix://{socket}")).unwrap();
    let ours: docker_engine_client::v1_55::Client =
        docker.client_with_version("1.41".parse().unwrap()).unwrap();
    let bollard =
        bollard::Docker::connect_with_unix(&socket, 600, bollard::API_DEFAULT_VERSION).unwrap();
    let (mut raw_rates, mut ours_rates, mut bollard_rates) = (Vec::new(), Vec::new(), Vec::new());
    let gbps = |start: Instant| total_len as f64 / start.elapsed().as_secs_f64() / 1e9;
    for _ in 0..5 {
        use docker_engine_client::stream::ByteStreamExt;
        let request = || {
            ours.container_logs()
                .id("served")
                .stdout(true)
                .stderr(true)
                .send()
        };
        // The floor: the body's chunks, not demultiplexed.
        let start = Instant::now();
        let mut body = request().await.unwrap().into_body();
        let mut total = 0usize;
        while let Some(chunk) = body.next().await {
            total += chunk.unwrap().len();
        }
        assert_eq!(total, total_len);
        raw_rates.push(gbps(start));

        let start = Instant::now();
        let mut output = request().await.unwrap().into_output(false);
        let mut ours_total = 0usize;
        while let Some(item) = output.next().await {
            ours_total += item.unwrap().bytes.len();
        }
        ours_rates.push(gbps(start));

        let start = Instant::now();
        let options = bollard::query_parameters::LogsOptionsBuilder::new()
            .stdout(true)
            .stderr(true)
            .build();
        let mut output = bollard.logs("served", Some(options));
        let mut bollard_total = 0usize;
        while let Some(item) = output.next().await {
            bollard_total += item.unwrap().into_bytes().len();
        }
        bollard_rates.push(gbps(start));
        assert_eq!(
            ours_total, bollard_total,
            "both clients read the same payload"
        );
    }
    let (r, o, b) = (median(raw_rates), median(ours_rates), median(bollard_rates));
    println!("| transport | ours, demultiplexed | bollard | ours / bollard |\n|---|---|---|---|");
    println!(
        "| {r:.2} GB/s | {o:.2} GB/s | {b:.2} GB/s | {:.2}× |",
        o / b
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `logs CLIENT CONTAINER`: reads the container's whole log (stdout) with one client, printing
/// bytes, seconds and the process's peak RSS.
async fn logs(which: &str, container: &str) {
    let start = Instant::now();
    let mut total = 0usize;
    match which {
        "ours" => {
            use docker_engine_client::stream::ByteStreamExt;
            let docker =
                docker_engine_client::Docker::connect(&format!("unix://{SOCKET}")).unwrap();
            let client: docker_engine_client::v1_55::Client = docker.client().await.unwrap();
            let logs = client
                .container_logs()
                .id(container)
                .stdout(true)
                .send()
                .await
                .unwrap();
            let mut output = logs.into_output(false);
            while let Some(item) = output.next().await {
                total += item.unwrap().bytes.len();
            }
        }
        _ => {
            let docker =
                bollard::Docker::connect_with_unix(SOCKET, 600, bollard::API_DEFAULT_VERSION)
                    .unwrap();
            let docker = docker.negotiate_version().await.unwrap();
            let options = bollard::query_parameters::LogsOptionsBuilder::new()
                .stdout(true)
                .build();
            let mut output = docker.logs(container, Some(options));
            while let Some(item) = output.next().await {
                total += item.unwrap().into_bytes().len();
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let hwm = status
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .unwrap_or("VmHWM: ?")
        .split_whitespace()
        .nth(1)
        .unwrap_or("?")
        .to_string();
    println!("{which} {total} {secs:.3} {hwm}");
}
