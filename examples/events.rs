//! Events of one type within a time window: `since`/`until` make the stream end by itself
//! (without `until` it follows until dropped).
//!
//! `cargo run --example events [-- TYPE SECONDS [CONTAINER]]` (default: `container` events of the
//! last 60 s)

use std::time::{SystemTime, UNIX_EPOCH};

use docker_engine_client::filters::EventFilters;
use docker_engine_client::stream::ByteStreamExt;
use docker_engine_client::{Docker, v1_55};
use futures_util::StreamExt;

#[tokio::main]
async fn main() -> Result<(), docker_engine_client::Error> {
    let mut args = std::env::args().skip(1);
    let kind = args.next().unwrap_or_else(|| "container".into());
    let window: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(60);
    let container = args.next();
    // Unix time with nanoseconds: whole seconds would leave out this second's events.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let at = |d: std::time::Duration| format!("{}.{:09}", d.as_secs(), d.subsec_nanos());

    let client: v1_55::Client = Docker::from_env()?.client().await?;
    let events = client
        .system_events()
        .filters(match &container {
            Some(c) => EventFilters::new().kind(&kind).container(c),
            None => EventFilters::new().kind(&kind),
        })
        .since(at(
            now.saturating_sub(std::time::Duration::from_secs(window))
        ))
        .until(at(now))
        .send()
        .await?;
    let mut events = events.into_json::<v1_55::types::EventMessage>();
    let mut count = 0;
    while let Some(event) = events.next().await {
        let event = event?;
        let actor = event.actor.and_then(|a| a.id).unwrap_or_default();
        println!(
            "{} {} {actor}",
            event.time.unwrap_or(0),
            event.action.unwrap_or_default()
        );
        count += 1;
    }
    println!("{count} {kind} events in the last {window} s");
    Ok(())
}
