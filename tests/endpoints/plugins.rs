//! Plugins, without a registry: list; create one from a local rootfs (busybox and a small socket
//! server), inspect it, set its settings; enable, disable and remove it.

use std::sync::OnceLock;

use super::api::{Client, types};
use serde_json::json;

use super::common::connect;
use crate::support;

/// A static program that listens on the plugin socket (`/run/docker/plugins/dec.sock`, which the
/// daemon dials when enabling), compiled (once per test process) by the toolchain that builds
/// these tests: busybox has no unix-socket server.
fn plugin_server() -> &'static [u8] {
    static SERVER: OnceLock<Vec<u8>> = OnceLock::new();
    SERVER.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("plugin.rs");
        std::fs::write(
            &source,
            r#"
use std::os::unix::net::UnixListener;
fn main() {
    let dir = std::path::Path::new("/run/docker/plugins");
    let _ = std::fs::create_dir_all(dir);
    let listener = UnixListener::bind(dir.join("dec.sock")).expect("bind the plugin socket");
    let mut open = Vec::new();
    for conn in listener.incoming().flatten() {
        open.push(conn);
    }
}
"#,
        )
        .unwrap();
        let rustc = std::path::Path::new(env!("CARGO")).with_file_name("rustc");
        let binary = dir.path().join("dec-plugin");
        let out = std::process::Command::new(rustc)
            .args(["-O", "-C", "target-feature=+crt-static", "-o"])
            .arg(&binary)
            .arg(&source)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::read(binary).unwrap()
    })
}

/// Removes a plugin when dropped, on its own connection (the test's runtime may be gone).
struct RemovePlugin(String, String);

impl Drop for RemovePlugin {
    fn drop(&mut self) {
        let name = self.1.clone();
        support::on_own_connection(&self.0, |docker| async move {
            let client: Client = docker.client().await.unwrap();
            let _ = client.plugin_delete().name(&name).force(true).send().await;
        });
    }
}

/// Creates a volume plugin named `<unique>:latest` from a plugin context (config.json and a
/// rootfs), as `docker plugin create` sends it; the guard removes it.
async fn create_plugin(docker_host: &str, client: &Client) -> (String, RemovePlugin) {
    let config = json!({
        "Description": "docker-engine-client test plugin",
        "Documentation": "https://example.invalid",
        "Interface": {"Types": ["docker.volumedriver/1.0"], "Socket": "dec.sock"},
        "Entrypoint": ["/bin/dec-plugin"],
        "Network": {"Type": "host"},
        "Env": [{"Name": "DEBUG", "Description": "debug", "Settable": ["value"], "Value": "0"}]
    })
    .to_string();
    // Content of its own: the daemon refuses a second plugin with the same rootfs blob.
    let name = format!("{}:latest", support::unique("plugin"));
    let rootfs = support::busybox_rootfs_tar_with(&[("etc/plugin-name", name.as_bytes())]);
    let mut context = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(config.len() as u64);
    header.set_mode(0o644);
    context
        .append_data(&mut header, "config.json", config.as_bytes())
        .unwrap();
    let mut inner = tar::Archive::new(rootfs.as_slice());
    for entry in inner.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = format!("rootfs/{}", entry.path().unwrap().display());
        let mut header = entry.header().clone();
        if header.entry_type().is_symlink() {
            let target = entry.link_name().unwrap().unwrap().into_owned();
            context.append_link(&mut header, &path, target).unwrap();
        } else {
            context.append_data(&mut header, &path, &mut entry).unwrap();
        }
    }
    let server = plugin_server();
    let mut header = tar::Header::new_gnu();
    header.set_size(server.len() as u64);
    header.set_mode(0o755);
    context
        .append_data(&mut header, "rootfs/bin/dec-plugin", server)
        .unwrap();
    let context = context.into_inner().unwrap();
    client
        .plugin_create()
        .name(&name)
        .body(context)
        .send()
        .await
        .unwrap();
    let guard = RemovePlugin(docker_host.to_string(), name.clone());
    (name, guard)
}

async fn inspect(client: &Client, name: &str) -> types::Plugin {
    client
        .plugin_inspect()
        .name(name)
        .send()
        .await
        .unwrap()
        .into_inner()
}

fn env(plugin: &types::Plugin) -> Vec<String> {
    plugin.settings.env.clone().unwrap_or_default()
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn list_names_every_plugin() {
    let Some((_docker, client, _cleanup)) = connect().await else {
        return;
    };
    let plugins = client.plugin_list().send().await.unwrap().into_inner();
    assert!(plugins.iter().all(|p| !p.name.is_empty()));
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn create_from_a_local_rootfs_then_inspect_set_and_list() {
    let Some((docker, client, _cleanup)) = connect().await else {
        return;
    };
    let (name, _remove) = create_plugin(&docker.host().to_string(), &client).await;
    let plugin = inspect(&client, &name).await;
    assert_eq!(plugin.name, name);
    assert!(!plugin.enabled);
    assert!(
        env(&plugin).contains(&"DEBUG=0".to_string()),
        "{:?}",
        env(&plugin)
    );
    client
        .plugin_set()
        .name(&name)
        .body(vec!["DEBUG=1".to_string()])
        .send()
        .await
        .unwrap();
    let plugin = inspect(&client, &name).await;
    assert!(
        env(&plugin).contains(&"DEBUG=1".to_string()),
        "{:?}",
        env(&plugin)
    );
    let listed = client.plugin_list().send().await.unwrap().into_inner();
    assert!(listed.iter().any(|p| p.name == name));
}

#[tokio::test]
#[ignore = "needs a Docker daemon: cargo test -- --include-ignored (CI runs them)"]
async fn enable_then_disable_then_remove() {
    let Some((docker, client, _cleanup)) = connect().await else {
        return;
    };
    let (name, _remove) = create_plugin(&docker.host().to_string(), &client).await;
    // Enable: the daemon starts it and dials its socket; then disable.
    client
        .plugin_enable()
        .name(&name)
        .timeout(30)
        .send()
        .await
        .unwrap();
    assert!(inspect(&client, &name).await.enabled);
    client.plugin_disable().name(&name).send().await.unwrap();
    assert!(!inspect(&client, &name).await.enabled);

    client.plugin_delete().name(&name).send().await.unwrap();
    support::assert_not_found(client.plugin_inspect().name(&name).send().await);
}
