//! Makes a local `busybox` image without the internet: Debian's static busybox (`/bin/busybox`,
//! package busybox-static) and a link per applet, in a tar made with the `tar` crate, imported
//! through the client's own image import (`POST /images/create?fromSrc=-`).
//!
//! `cargo run --example import_busybox [-- REFERENCE]` (default `busybox:latest`); also
//! `cargo xtask busybox`.

use docker_engine_client::stream::{ByteStreamExt, Progress};
use docker_engine_client::{Docker, v1_55};
use futures_util::TryStreamExt;

/// The applets linked to `/bin/busybox` (the examples and the README use these).
const APPLETS: &[&str] = &[
    "sh", "cat", "echo", "sleep", "ls", "true", "false", "env", "printf", "yes", "head", "id",
    "wc", "tail", "date", "pwd", "hostname", "stty", "top", "ps",
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let reference = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "busybox:latest".into());
    let (repo, tag) = reference.rsplit_once(':').unwrap_or((&reference, "latest"));
    let busybox = std::fs::read("/bin/busybox")
        .map_err(|e| format!("/bin/busybox: {e} (install Debian's busybox-static)"))?;

    let mut tar = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(busybox.len() as u64);
    header.set_mode(0o755);
    tar.append_data(&mut header, "bin/busybox", busybox.as_slice())?;
    for applet in APPLETS {
        let mut link = tar::Header::new_gnu();
        link.set_entry_type(tar::EntryType::Symlink);
        link.set_size(0);
        link.set_mode(0o777);
        tar.append_link(&mut link, format!("bin/{applet}"), "busybox")?;
    }
    for dir in ["tmp", "etc", "root"] {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Directory);
        header.set_mode(if dir == "tmp" { 0o1777 } else { 0o755 });
        header.set_size(0);
        tar.append_data(&mut header, format!("{dir}/"), std::io::empty())?;
    }
    let rootfs = tar.into_inner()?;

    let client: v1_55::Client = Docker::from_env()?.client().await?;
    let progress = client
        .image_create()
        .from_src("-")
        .repo(repo)
        .tag(tag)
        .body(rootfs)
        .send()
        .await?;
    // The import's messages; the last one is the new image's id.
    let messages: Vec<Progress> = progress.into_json().try_collect().await?;
    let id = messages
        .iter()
        .rev()
        .find_map(|m| m.status.clone())
        .unwrap_or_default();
    println!("imported {repo}:{tag} {id}");
    Ok(())
}
