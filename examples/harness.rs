//! A test harness's program on the `container` layer: a web server on a random port, waited for
//! by HTTP and by its log line; an exec; a file copied in and read back; a second container
//! reaching the first by name over a network. All of it is removed as it drops, also on a panic.
//! Uses the local `busybox` image (`cargo xtask busybox`).
use docker_engine_client::container::{Network, Wait, cleanup_stale};
use docker_engine_client::{Docker, Error, run::Run, v1_55};

const SERVE: &str = "mkdir /www && echo hello >/www/index.html && echo ready && httpd -f -h /www";

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client: v1_55::Client = Docker::from_env()?.client().await?;
    cleanup_stale(&client).await?; // what crashed runs of this layer left behind
    let net = Network::create(&client, format!("harness-{}", std::process::id())).await?;
    let web = Run::new("busybox", ["sh", "-c", SERVE])
        .publish(80)
        .network(net.name())
        .wait_for(Wait::http(80, "/index.html"))
        .wait_for(Wait::log("ready"))
        .detach(&client)
        .await?;
    println!("{} serves on {}", web.name(), web.host_address(80).await?);
    let out = web
        .exec(["sh", "-c", "echo in the container; ls /www"])
        .await?;
    print!("exec, exit {}: {}", out.exit_code, out.stdout_text());
    web.copy_in("/www/note.txt", "copied in\n").await?;
    let note = web.read_file("/www/note.txt").await?;
    print!("read back: {}", String::from_utf8_lossy(&note));
    let peer = Run::new("busybox", ["sleep", "300"]);
    let peer = peer.network(net.name()).detach(&client).await?;
    let url = format!("http://{}/note.txt", web.name());
    let fetched = peer
        .exec(["sh", "-c", &format!("wget -q -O- {url}")])
        .await?;
    print!("{} fetched {url}: {}", peer.name(), fetched.stdout_text());
    Ok(()) // peer, web and the network are removed here, in that order
}
