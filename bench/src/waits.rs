//! `waits`: how long after a container is ready each wait strategy notices it.
//!
//! The moment a container becomes ready is taken from the daemon: the timestamp it gives the log
//! line the container writes when ready (`docker logs --timestamps`: the time the daemon read
//! the line, on this machine's clock), so no probe of ours is part of the reference. For
//! `Wait::log` the line is the ready signal itself; for `Wait::port` and `Wait::http` the line is
//! written just before `exec httpd`, so their figures include httpd's start (a millisecond or
//! two). The peer for the log wait is bollard following the same logs and stopping at the line
//! (what testcontainers' `WaitFor::message_on_stdout` does).

use std::time::{SystemTime, UNIX_EPOCH};

use docker_engine_client::container::{Container, Wait};
use docker_engine_client::run::Run;
use docker_engine_client::stream::ByteStreamExt;
use docker_engine_client::v1_55::Client;
use futures_util::StreamExt;

const ROUNDS: usize = 15;
const IMAGE: &str = "busybox:latest";

/// The daemon's timestamp of the first log line containing `text`, in seconds since the epoch.
async fn line_time(client: &Client, id: &str, text: &str) -> f64 {
    let logs = client
        .container_logs()
        .id(id)
        .stdout(true)
        .timestamps(true)
        .send()
        .await
        .unwrap();
    let mut output = logs.into_output(false);
    let mut all = Vec::new();
    while let Some(chunk) = output.next().await {
        all.extend_from_slice(&chunk.unwrap().bytes);
    }
    let all = String::from_utf8(all).unwrap();
    let line = all.lines().find(|l| l.contains(text)).unwrap();
    rfc3339_seconds(line.split(' ').next().unwrap())
}

/// `2026-12-05T18:42:12.339993292Z` as seconds since the epoch.
fn rfc3339_seconds(stamp: &str) -> f64 {
    let (date, time) = stamp.trim_end_matches('Z').split_once('T').unwrap();
    let mut d = date.split('-').map(|p| p.parse::<i64>().unwrap());
    let (y, m, day) = (d.next().unwrap(), d.next().unwrap(), d.next().unwrap());
    // Days from the civil date (H. Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let mut t = time.split(':');
    let (h, min) = (t.next().unwrap(), t.next().unwrap());
    let sec: f64 = t.next().unwrap().parse().unwrap();
    (days * 86_400 + h.parse::<i64>().unwrap() * 3_600 + min.parse::<i64>().unwrap() * 60) as f64
        + sec
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// A container that writes `ready` after half a second (detached without waits).
async fn writer(client: &Client, cmd: &str, publish: bool) -> Container<Client> {
    let mut run = Run::new(IMAGE, ["sh", "-c", cmd]);
    if publish {
        run = run.publish(8080);
    }
    run.detach(client).await.unwrap()
}

fn median_ms(mut v: Vec<f64>) -> String {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    format!(
        "median {:.1} ms (min {:.1}, max {:.1}, {} rounds)",
        v[v.len() / 2] * 1e3,
        v[0] * 1e3,
        v[v.len() - 1] * 1e3,
        v.len()
    )
}

pub async fn waits(socket: &str) {
    let docker = docker_engine_client::Docker::connect(&format!("unix://{socket}")).unwrap();
    let client: Client = docker.client().await.unwrap();
    let bollard = bollard::Docker::connect_with_unix(socket, 120, bollard::API_DEFAULT_VERSION)
        .unwrap()
        .negotiate_version()
        .await
        .unwrap();
    let log_cmd = "sleep 0.5; echo ready; exec sleep 300";
    let serve_cmd = "mkdir /www && echo hi >/www/index.html && sleep 0.5 && echo bind && \
                     exec httpd -f -p 8080 -h /www";
    let (mut ours, mut peer, mut port, mut http) = (vec![], vec![], vec![], vec![]);
    for round in 0..ROUNDS {
        // Alternate who goes first, so drift hits both alike.
        for turn in 0..2 {
            let c = writer(&client, log_cmd, false).await;
            if (round + turn) % 2 == 0 {
                c.wait_for(Wait::log("ready")).await.unwrap();
                ours.push(now() - line_time(&client, c.id(), "ready").await);
            } else {
                let options = bollard::query_parameters::LogsOptionsBuilder::new()
                    .stdout(true)
                    .follow(true)
                    .build();
                let mut logs = bollard.logs(c.id(), Some(options));
                while let Some(item) = logs.next().await {
                    if item.unwrap().into_bytes().windows(5).any(|w| w == b"ready") {
                        break;
                    }
                }
                peer.push(now() - line_time(&client, c.id(), "ready").await);
            }
        }
        let c = writer(&client, serve_cmd, true).await;
        c.wait_for(Wait::port(8080)).await.unwrap();
        port.push(now() - line_time(&client, c.id(), "bind").await);
        let c = writer(&client, serve_cmd, true).await;
        c.wait_for(Wait::http(8080, "/index.html")).await.unwrap();
        http.push(now() - line_time(&client, c.id(), "bind").await);
    }
    println!("ready line written -> wait returns (daemon's timestamp of the line to return):");
    println!("  Wait::log          {}", median_ms(ours));
    println!("  bollard logs follow {}", median_ms(peer));
    println!("httpd starting -> wait returns:");
    println!("  Wait::port         {}", median_ms(port));
    println!("  Wait::http         {}", median_ms(http));
}

#[cfg(test)]
mod tests {
    #[test]
    fn stamps() {
        assert_eq!(super::rfc3339_seconds("1970-01-01T00:00:01.5Z"), 1.5);
        assert_eq!(
            super::rfc3339_seconds("2026-12-05T18:42:12.25Z"),
            1_796_496_132.25
        );
    }
}
