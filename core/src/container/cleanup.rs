//! Cleanup that survives failures: every container and network this layer creates carries
//! labels naming this process, is removed when its handle drops (also while a panic unwinds,
//! inside a runtime or not), and [`cleanup_stale`] removes what earlier processes left behind
//! when they were killed before their handles could drop.
//!
//! A drop cannot `.await`, so removal runs on a thread of its own with a small runtime, and the
//! drop waits for it (boundedly). Its requests go on connections of their own: the pool's
//! connections are driven by tasks of the runtime that opened them, which may be the very one
//! blocked in this drop.

use std::sync::OnceLock;
use std::time::Duration;

use serde::Deserialize;

use crate::error::Error;
use crate::transport::{ApiClient, Requests, segment};

/// The label naming the process that created an object: `machine/boot/pid/start`.
pub const PROCESS_LABEL: &str = "dev.docker-engine-client.process";

/// The label naming this layer's session (one per process, random).
pub const SESSION_LABEL: &str = "dev.docker-engine-client.session";

/// How long a drop waits for its removal.
const DROP_DEADLINE: Duration = Duration::from_secs(30);

/// This process's session id: random, the same for every object it creates.
pub fn session_id() -> &'static str {
    static SESSION: OnceLock<String> = OnceLock::new();
    SESSION.get_or_init(|| format!("{:016x}", crate::random::u64()))
}

/// The labels every object of this layer carries.
pub(crate) fn labels() -> [(&'static str, String); 2] {
    [
        (SESSION_LABEL, session_id().to_string()),
        (PROCESS_LABEL, Process::current().label()),
    ]
}

/// What removes an object of this layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A container, forced, with its anonymous volumes.
    Container,
    /// A network.
    Network,
}

/// Removes `id`; an object already gone is removed.
pub(crate) async fn remove(requests: &Requests, kind: Kind, id: &str) -> Result<(), Error> {
    let request = match kind {
        Kind::Container => requests
            .delete(&format!("/containers/{}", segment(id)))
            .query(&[("force", "1"), ("v", "1")]),
        Kind::Network => requests.delete(&format!("/networks/{}", segment(id))),
    };
    let operation = match kind {
        Kind::Container => "container_delete",
        Kind::Network => "network_delete",
    };
    match requests.send(request, operation).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(e),
    }
}

/// Removes `id` from a `Drop`: waits (at most [`DROP_DEADLINE`]) for a removal on a thread of its
/// own; a failure is logged. A client whose requests cannot go on connections of their own
/// (made by hand, through a proxy, with a total timeout), dropped on a single-threaded runtime,
/// hands the removal to that runtime instead: it happens if the runtime goes on, and
/// [`cleanup_stale`] finds the object otherwise.
pub(crate) fn remove_on_drop(requests: &Requests, kind: Kind, id: &str) {
    let requests = requests.on_own_connections();
    let id = id.to_string();
    if !requests.state().opens_own_connections()
        && let Ok(handle) = tokio::runtime::Handle::try_current()
        && handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::CurrentThread
    {
        handle.spawn(async move {
            if let Err(e) = remove(&requests, kind, &id).await {
                tracing::warn!(target: crate::LOG_TARGET, id, error = %e, "could not remove on drop");
            }
        });
        return;
    }
    let (done, outcome) = std::sync::mpsc::channel();
    let log_id = id.clone();
    let spawned = std::thread::Builder::new()
        .name("docker-cleanup".into())
        .spawn(move || {
            let result = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime
                    .block_on(remove(&requests, kind, &id))
                    .map_err(|e| e.to_string()),
                Err(e) => Err(format!("no runtime for the removal: {e}")),
            };
            let _ = done.send(result);
        });
    if let Err(e) = spawned {
        tracing::warn!(target: crate::LOG_TARGET, id = log_id, error = %e, "could not start the removal on drop");
        return;
    }
    match outcome.recv_timeout(DROP_DEADLINE) {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            tracing::warn!(target: crate::LOG_TARGET, id = log_id, error = %e, "could not remove on drop")
        }
        Err(_) => tracing::warn!(target: crate::LOG_TARGET,
            id = log_id,
            "removal on drop did not finish within {DROP_DEADLINE:?}"
        ),
    }
}

/// What [`cleanup_stale`] removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Cleaned {
    /// The containers' ids.
    pub containers: Vec<String>,
    /// The networks' ids.
    pub networks: Vec<String>,
}

/// Removes the containers and networks this layer created in processes of this machine that are
/// gone (killed before their handles dropped). Objects of live processes, of other machines, or
/// whose creator cannot be told (no `/proc`) are left alone.
pub async fn cleanup_stale<C: ApiClient>(client: &C) -> Result<Cleaned, Error> {
    #[derive(Deserialize)]
    struct Labelled {
        #[serde(rename = "Id")]
        id: String,
        #[serde(rename = "Labels", default)]
        labels: Option<std::collections::HashMap<String, String>>,
    }
    let requests = Requests::new(client);
    let filters = serde_json::json!({ "label": [PROCESS_LABEL] }).to_string();
    let me = Process::current();
    let stale = |found: Vec<Labelled>| -> Vec<String> {
        found
            .into_iter()
            .filter(|o| {
                let label = o.labels.as_ref().and_then(|l| l.get(PROCESS_LABEL));
                label.is_some_and(|l| me.outlived(l))
            })
            .map(|o| o.id)
            .collect()
    };
    let list = requests
        .get("/containers/json")
        .query(&[("all", "1"), ("filters", filters.as_str())]);
    let response = requests.send(list, "container_list").await?;
    let containers = stale(requests.json(response, "container_list").await?);
    for id in &containers {
        remove(&requests, Kind::Container, id).await?;
    }
    let list = requests
        .get("/networks")
        .query(&[("filters", filters.as_str())]);
    let response = requests.send(list, "network_list").await?;
    let networks = stale(requests.json(response, "network_list").await?);
    for id in &networks {
        remove(&requests, Kind::Network, id).await?;
    }
    Ok(Cleaned {
        containers,
        networks,
    })
}

/// A process, as told apart on one machine across reboots and reused pids.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Process {
    /// `/etc/machine-id`, else the host name.
    machine: String,
    /// The kernel's boot id.
    boot: String,
    pid: u32,
    /// Its start time (clock ticks after boot), which tells a reused pid apart.
    start: String,
}

impl Process {
    /// This process.
    fn current() -> Process {
        let read = |path: &str| {
            std::fs::read_to_string(path)
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let mut machine = read("/etc/machine-id");
        if machine.is_empty() {
            machine = read("/proc/sys/kernel/hostname");
        }
        let pid = std::process::id();
        Process {
            machine,
            boot: read("/proc/sys/kernel/random/boot_id"),
            pid,
            start: start_time(pid).unwrap_or_default(),
        }
    }

    /// The label value: `machine/boot/pid/start`.
    fn label(&self) -> String {
        format!("{}/{}/{}/{}", self.machine, self.boot, self.pid, self.start)
    }

    fn from_label(label: &str) -> Option<Process> {
        let mut parts = label.split('/');
        let process = Process {
            machine: parts.next()?.to_string(),
            boot: parts.next()?.to_string(),
            pid: parts.next()?.parse().ok()?,
            start: parts.next()?.to_string(),
        };
        parts.next().is_none().then_some(process)
    }

    /// Whether the process a label names is gone and this process can tell: same machine, and
    /// it ran before this boot, or its pid now runs nothing or another process.
    fn outlived(&self, label: &str) -> bool {
        let Some(other) = Process::from_label(label) else {
            return false;
        };
        if self.machine.is_empty() || self.boot.is_empty() || other.machine != self.machine {
            return false;
        }
        if other.boot != self.boot {
            return true;
        }
        if other.pid == self.pid {
            return other.start != self.start;
        }
        match start_time(other.pid) {
            Some(start) => start != other.start,
            // Gone, if `/proc` is there to tell.
            None => std::path::Path::new("/proc/self/stat").exists(),
        }
    }
}

/// A process's start time from `/proc/<pid>/stat` (the 22nd field), `None` when it runs no
/// longer (or `/proc` is missing).
fn start_time(pid: u32) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after its end.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(19).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_names_this_process_and_reads_back() {
        let me = Process::current();
        let label = me.label();
        assert_eq!(Process::from_label(&label), Some(me.clone()));
        // This process is alive: its objects are not stale.
        assert!(!me.outlived(&label));
        assert!(!me.start.is_empty(), "{label}");
    }

    #[test]
    fn gone_processes_are_stale_others_are_not() {
        let me = Process::current();
        let other = |f: &dyn Fn(&mut Process)| {
            let mut p = me.clone();
            f(&mut p);
            p.label()
        };
        // Another boot of this machine: gone.
        assert!(me.outlived(&other(&|p| p.boot = "another-boot".into())));
        // This pid with another start time: a process that ran before, gone.
        assert!(me.outlived(&other(&|p| p.start = "1".into())));
        // A pid that runs nothing (above the kernel's maximum): gone.
        assert!(me.outlived(&other(&|p| p.pid = 4_194_305)));
        // Another machine, a live process (pid 1), a label that does not parse: kept.
        assert!(!me.outlived(&other(&|p| p.machine = "elsewhere".into())));
        let init = Process {
            pid: 1,
            start: start_time(1).unwrap(),
            ..me.clone()
        };
        assert!(!me.outlived(&init.label()));
        assert!(!me.outlived("not a label"));
        assert!(!me.outlived("a/b/c/d/e"));
    }
}
