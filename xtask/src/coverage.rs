//! `cargo xtask coverage --daemon legacy|modern`: which operations of the API version a test
//! daemon speaks (Engine 20.10: 1.41; Engine 28.5: 1.51) the integration tests called
//! successfully against it. The tests record each request's operation, status and the version
//! in its path from the crate's `docker.request` tracing spans (`tests/support/coverage.rs`,
//! into `target/dec-coverage/`); this runs them, then lists every operation of that version's
//! spec as exercised or not, with the reason for those a single-node daemon without internet
//! cannot serve.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// The test daemons `.ci/setup` starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Daemon {
    /// Engine 20.10 on the default socket (API 1.41).
    Legacy,
    /// Engine 28.5 in a chroot (`.ci/modern-daemon`, API 1.51).
    Modern,
}

impl Daemon {
    /// The API version it speaks (the calls counted are the ones made in it).
    pub fn version(self) -> &'static str {
        match self {
            Daemon::Legacy => "1.41",
            Daemon::Modern => "1.51",
        }
    }

    /// Its `DOCKER_HOST`.
    pub fn host(self) -> &'static str {
        match self {
            Daemon::Legacy => "unix:///var/run/docker.sock",
            Daemon::Modern => "unix:///run/docker-modern/docker.sock",
        }
    }
}

/// Operations this machine cannot serve, and why.
const UNREACHABLE: &[(&str, &str)] = &[
    ("image_search", "searches Docker Hub: no internet"),
    (
        "session",
        "BuildKit's interactive session (HTTP/2 over a hijacked connection)",
    ),
    (
        "plugin_pull",
        "pulls a plugin image from a registry: none reachable offline",
    ),
    (
        "plugin_upgrade",
        "needs a pulled plugin and a newer one in a registry",
    ),
    (
        "plugin_push",
        "needs a plugin and a registry that takes plugins",
    ),
    ("swarm_join", "needs a second swarm node"),
    (
        "node_delete",
        "needs a second node (a swarm cannot delete its only manager)",
    ),
    (
        "swarm_unlock",
        "needs an autolocked swarm whose daemon restarted (locked)",
    ),
    (
        "get_plugin_privileges",
        "asks a registry for a plugin's privileges: none reachable offline",
    ),
    (
        "volume_update",
        "updates a cluster (CSI) volume: needs a CSI plugin in a swarm",
    ),
];

/// `cargo xtask coverage [--daemon legacy|modern] [--no-run]`.
pub fn coverage(root: &Path, daemon: Daemon, run_tests: bool) -> Result<(), String> {
    let version = daemon.version();
    let records = root.join("target/dec-coverage");
    if run_tests {
        let _ = std::fs::remove_dir_all(&records);
        let status = Command::new(env!("CARGO"))
            .current_dir(root)
            .args([
                "test",
                "--workspace",
                "--features",
                "docker-engine-client/tls,docker-engine-client/websocket,docker-engine-client/v1_41,docker-engine-client/v1_51",
                // The tests that need the daemon are #[ignore]d by default (visibly skipped).
                "--",
                "--include-ignored",
            ])
            .status()
            .map_err(|e| format!("cargo test: {e}"))?;
        if !status.success() {
            return Err(format!(
                "the tests failed ({status}); coverage not reported"
            ));
        }
    }
    let calls = read_records(&records, version)?;
    let spec = root.join(format!("spec/v{version}.yaml"));
    let yaml = std::fs::read_to_string(&spec).map_err(|e| {
        format!(
            "{}: {e}: run `cargo xtask spec sync --from ../shared/docker-engine-api`",
            spec.display()
        )
    })?;
    let doc = docker_engine_codegen::load::parse_yaml(version, &yaml).map_err(|e| e.to_string())?;
    let operations = spec_operations(&doc);
    let unreachable: BTreeMap<&str, &str> = UNREACHABLE.iter().copied().collect();

    let (mut exercised, mut missing) = (Vec::new(), Vec::new());
    for (name, route) in &operations {
        match calls.get(name.as_str()) {
            // 101: a hijacked attach or exec start switched protocols, as it should.
            Some(statuses) if statuses.iter().any(|s| (200..300).contains(s) || *s == 101) => {
                exercised.push((name, route, statuses));
            }
            seen => missing.push((name, route, seen)),
        }
    }
    println!("v{version} operations called successfully by the integration tests:\n");
    for (name, route, statuses) in &exercised {
        let statuses: Vec<String> = statuses.iter().map(u16::to_string).collect();
        println!("  ok   {name:<28} {route:<44} {}", statuses.join(","));
    }
    let reachable_missing: Vec<_> = missing
        .iter()
        .filter(|(name, _, _)| !unreachable.contains_key(name.as_str()))
        .collect();
    if !reachable_missing.is_empty() {
        println!("\nnot yet exercised:\n");
        for (name, route, seen) in &reachable_missing {
            let note = match seen {
                Some(statuses) => format!("called, never succeeded: {statuses:?}"),
                None => String::new(),
            };
            println!("  --   {name:<28} {route:<44} {note}");
        }
    }
    println!("\nnot reachable on a single-node daemon without internet:\n");
    for (name, route, _) in missing
        .iter()
        .filter(|(name, _, _)| unreachable.contains_key(name.as_str()))
    {
        println!(
            "  n/a  {name:<28} {route:<44} {}",
            unreachable[name.as_str()]
        );
    }
    let reachable = operations.len()
        - operations
            .keys()
            .filter(|n| unreachable.contains_key(n.as_str()))
            .count();
    if run_tests {
        println!("\n{}", leftovers(daemon));
    }
    println!(
        "\nv{version}: exercised {}/{} ({:.0}%; of {} reachable here)",
        exercised.len(),
        operations.len(),
        100.0 * exercised.len() as f64 / operations.len() as f64,
        reachable
    );
    Ok(())
}

/// What the tests left on the daemon: every object they make is named `dec-…` (`unique()`), and
/// the swarm is left. Asked with the docker CLI.
fn leftovers(daemon: Daemon) -> String {
    let docker = || {
        let mut command = Command::new("docker");
        command.env("DOCKER_HOST", daemon.host());
        command
    };
    let list = |args: &[&str]| -> Vec<String> {
        docker()
            .args(args)
            .output()
            .map(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .filter(|l| l.contains("dec-"))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut left = Vec::new();
    for (what, args) in [
        ("containers", &["ps", "-a", "--format", "{{.Names}}"][..]),
        (
            "images",
            &["images", "--format", "{{.Repository}}:{{.Tag}}"],
        ),
        ("networks", &["network", "ls", "--format", "{{.Name}}"]),
        ("volumes", &["volume", "ls", "--format", "{{.Name}}"]),
        ("plugins", &["plugin", "ls", "--format", "{{.Name}}"]),
    ] {
        let names = list(args);
        if !names.is_empty() {
            left.push(format!("{what}: {}", names.join(", ")));
        }
    }
    let swarm = docker()
        .args(["info", "--format", "{{.Swarm.LocalNodeState}}"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    if swarm != "inactive" {
        left.push(format!("swarm: {swarm}"));
    }
    if left.is_empty() {
        "daemon left clean: no dec-* containers, images, networks, volumes or plugins; no swarm"
            .to_string()
    } else {
        format!("daemon NOT left clean: {}", left.join("; "))
    }
}

/// `operation → statuses seen` in API `version`, from every test process's record file.
fn read_records(dir: &Path, version: &str) -> Result<BTreeMap<String, BTreeSet<u16>>, String> {
    let mut calls: BTreeMap<String, BTreeSet<u16>> = BTreeMap::new();
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e} (run the tests first)", dir.display()))?;
    for entry in entries.flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for line in text.lines() {
            let mut fields = line.split_whitespace();
            let (Some(op), Some(status), Some(spoken)) =
                (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            if spoken != version {
                continue;
            }
            let set = calls.entry(op.to_string()).or_default();
            if let Ok(status) = status.parse() {
                set.insert(status);
            }
        }
    }
    Ok(calls)
}

/// The spec's operations as the generated method names (`ContainerList` → `container_list`),
/// with their `METHOD /path`.
fn spec_operations(doc: &serde_json::Value) -> BTreeMap<String, String> {
    let mut operations = BTreeMap::new();
    let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) else {
        return operations;
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            if let Some(id) = op.get("operationId").and_then(|v| v.as_str()) {
                operations.insert(snake(id), format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    operations
}

/// `ImageGetAll` → `image_get_all`, as progenitor names methods.
fn snake(id: &str) -> String {
    let mut out = String::new();
    for (i, c) in id.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids_become_method_names() {
        assert_eq!(snake("ContainerList"), "container_list");
        assert_eq!(snake("ImageGetAll"), "image_get_all");
        assert_eq!(snake("GetPluginPrivileges"), "get_plugin_privileges");
        assert_eq!(snake("SystemPingHead"), "system_ping_head");
    }
}
