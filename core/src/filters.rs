//! Docker's `filters` query parameter, typed: a JSON object of filter name → values
//! (`{"label":["a=b"],"status":["running"]}`), which list, prune and events endpoints take as a
//! string. One builder per kind of object offers the filters the daemon knows for it; each also
//! takes any other filter by name ([`ContainerFilters::add`] …), for filters newer than this crate.
//!
//! ```
//! use docker_engine_client::filters::ContainerFilters;
//! let filters = ContainerFilters::new().label("app=web").status("running");
//! assert_eq!(filters.to_string(), r#"{"label":["app=web"],"status":["running"]}"#);
//! // Generated calls take it where they take `filters`:
//! // client.container_list().filters(&filters)
//! ```

use std::collections::BTreeMap;
use std::fmt;

/// Filter name → values: what every typed builder wraps.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters {
    map: BTreeMap<String, Vec<String>>,
}

impl Filters {
    /// No filters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `value` under `name` (values of one name are OR-ed by the daemon, names AND-ed).
    pub fn add(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.map.entry(name.into()).or_default().push(value.into());
        self
    }

    /// Parses the CLI's `name=value` form (`label=a=b` is `label` → `a=b`).
    pub fn add_pair(self, pair: &str) -> Result<Self, String> {
        match pair.split_once('=') {
            Some((name, value)) if !name.is_empty() => Ok(self.add(name, value)),
            _ => Err(format!("bad filter {pair:?}: expected name=value")),
        }
    }

    /// No filter set.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The values under `name`.
    pub fn get(&self, name: &str) -> &[String] {
        self.map.get(name).map_or(&[], Vec::as_slice)
    }
}

impl fmt::Display for Filters {
    /// The JSON the daemon reads.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let json = serde_json::to_string(&self.map).map_err(|_| fmt::Error)?;
        f.write_str(&json)
    }
}

impl From<&Filters> for String {
    fn from(filters: &Filters) -> String {
        filters.to_string()
    }
}

impl From<Filters> for String {
    fn from(filters: Filters) -> String {
        filters.to_string()
    }
}

/// A timestamp filter value: Unix seconds, or anything the daemon parses (`10m`, RFC 3339).
fn time(value: impl fmt::Display) -> String {
    value.to_string()
}

macro_rules! filter_builders {
    ($(
        $(#[$doc:meta])*
        $ty:ident {
            $( $(#[$mdoc:meta])* $method:ident $(($arg:ident: $argty:ty => $conv:expr))? = $key:literal ;)*
        }
    )*) => {$(
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq)]
        pub struct $ty(Filters);

        impl $ty {
            /// No filters.
            pub fn new() -> Self {
                Self::default()
            }

            /// Any filter by name, e.g. one newer than this crate.
            pub fn add(self, name: impl Into<String>, value: impl Into<String>) -> Self {
                Self(self.0.add(name, value))
            }

            /// The untyped filters.
            pub fn into_inner(self) -> Filters {
                self.0
            }

            $(
                $(#[$mdoc])*
                pub fn $method(self, value: filter_builders!(@ty $($argty)?)) -> Self {
                    $( let $arg = value; let value = $conv; )?
                    Self(self.0.add($key, value))
                }
            )*
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<&$ty> for String {
            fn from(filters: &$ty) -> String {
                filters.to_string()
            }
        }

        impl From<$ty> for String {
            fn from(filters: $ty) -> String {
                filters.to_string()
            }
        }
    )*};
    (@ty) => { impl Into<String> };
    (@ty $t:ty) => { $t };
}

filter_builders! {
    /// `container_list` and `container_prune` (`until`, `label` only).
    ContainerFilters {
        /// Created from this image (or a descendant).
        ancestor = "ancestor";
        /// Created before this container (id or name).
        before = "before";
        /// Created after this container (id or name).
        since = "since";
        /// Exposes this port (`80`, `8000-8080/tcp`).
        expose = "expose";
        /// Publishes this port.
        publish = "publish";
        /// Exited with this code.
        exited(code: i64 => code.to_string()) = "exited";
        /// `starting`, `healthy`, `unhealthy`, `none`.
        health = "health";
        /// Its id (or a prefix).
        id = "id";
        /// `default`, `process`, `hyperv` (Windows).
        isolation = "isolation";
        /// Is a Swarm task's container.
        is_task(task: bool => task.to_string()) = "is-task";
        /// Has label `key` or `key=value`.
        label = "label";
        /// Its name (or a part of it).
        name = "name";
        /// Connected to this network.
        network = "network";
        /// `created`, `restarting`, `running`, `removing`, `paused`, `exited`, `dead`.
        status = "status";
        /// Mounts this volume or path.
        volume = "volume";
        /// Created before this time (prune only).
        until(t: impl fmt::Display => time(t)) = "until";
    }

    /// `image_list` and `image_prune` (`dangling`, `label`, `until`).
    ImageFilters {
        /// Created before this image.
        before = "before";
        /// Created after this image.
        since = "since";
        /// Untagged (`true`) or tagged (`false`).
        dangling(d: bool => d.to_string()) = "dangling";
        /// Has label `key` or `key=value`.
        label = "label";
        /// Matches this reference (`busybox`, `busybox:*`, `*/app`).
        reference = "reference";
        /// Created before this time (prune only).
        until(t: impl fmt::Display => time(t)) = "until";
    }

    /// `network_list` and `network_prune` (`until`, `label`).
    NetworkFilters {
        /// `true`: in use by a container (or a service); `false`: not.
        dangling(d: bool => d.to_string()) = "dangling";
        /// Its driver.
        driver = "driver";
        /// Its id (or a prefix).
        id = "id";
        /// Has label `key` or `key=value`.
        label = "label";
        /// Its name (or a part of it).
        name = "name";
        /// `swarm`, `global`, `local`.
        scope = "scope";
        /// `custom` or `builtin`.
        kind = "type";
        /// Created before this time (prune only).
        until(t: impl fmt::Display => time(t)) = "until";
    }

    /// `volume_list` and `volume_prune` (`label`, `all`).
    VolumeFilters {
        /// Prune named volumes too, not only anonymous ones (`volume_prune`, API 1.42 and
        /// later; before 1.42 prune takes every unused volume and refuses this filter).
        all(a: bool => a.to_string()) = "all";
        /// Not used by any container.
        dangling(d: bool => d.to_string()) = "dangling";
        /// Its driver.
        driver = "driver";
        /// Has label `key` or `key=value`.
        label = "label";
        /// Its name (or a part of it).
        name = "name";
    }

    /// `system_events`.
    EventFilters {
        /// `container`, `image`, `volume`, `network`, `daemon`, `plugin`, `node`, `service`,
        /// `secret`, `config`.
        kind = "type";
        /// The action (`create`, `start`, `die`, `pull`, ...).
        event = "event";
        /// A container, by id or name.
        container = "container";
        /// An image, by name or id.
        image = "image";
        /// Has label `key` or `key=value`.
        label = "label";
        /// A network.
        network = "network";
        /// A volume.
        volume = "volume";
        /// A daemon.
        daemon = "daemon";
        /// A plugin.
        plugin = "plugin";
        /// A Swarm node.
        node = "node";
        /// A Swarm service.
        service = "service";
        /// A Swarm secret.
        secret = "secret";
        /// A Swarm config.
        config = "config";
        /// `local` or `swarm`.
        scope = "scope";
    }

    /// `service_list`.
    ServiceFilters {
        /// Its id (or a prefix).
        id = "id";
        /// Has label `key` or `key=value`.
        label = "label";
        /// `replicated`, `global`, `replicated-job`, `global-job`.
        mode = "mode";
        /// Its name (or a part of it).
        name = "name";
    }

    /// `task_list`.
    TaskFilters {
        /// `running`, `shutdown`, `accepted`.
        desired_state = "desired-state";
        /// Its id.
        id = "id";
        /// Has label `key` or `key=value`.
        label = "label";
        /// Its name.
        name = "name";
        /// On this node.
        node = "node";
        /// Of this service.
        service = "service";
    }

    /// `node_list`.
    NodeFilters {
        /// Its id.
        id = "id";
        /// Has engine label `key` or `key=value`.
        label = "label";
        /// Has node label `key` or `key=value`.
        node_label = "node.label";
        /// `accepted` or `pending`.
        membership = "membership";
        /// Its name.
        name = "name";
        /// `manager` or `worker`.
        role = "role";
    }

    /// `secret_list`.
    SecretFilters {
        /// Its id.
        id = "id";
        /// Has label `key` or `key=value`.
        label = "label";
        /// Its name.
        name = "name";
        /// Its driver.
        driver = "driver";
    }

    /// `config_list`.
    ConfigFilters {
        /// Its id.
        id = "id";
        /// Has label `key` or `key=value`.
        label = "label";
        /// Its name.
        name = "name";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_serialise_to_dockers_json() {
        let f = ContainerFilters::new()
            .label("a=b")
            .label("c")
            .status("exited")
            .exited(137)
            .is_task(false)
            .until("10m");
        assert_eq!(
            f.to_string(),
            r#"{"exited":["137"],"is-task":["false"],"label":["a=b","c"],"status":["exited"],"until":["10m"]}"#
        );
        assert_eq!(
            ImageFilters::new()
                .dangling(true)
                .reference("busybox:*")
                .to_string(),
            r#"{"dangling":["true"],"reference":["busybox:*"]}"#
        );
        assert_eq!(
            EventFilters::new()
                .kind("container")
                .event("die")
                .to_string(),
            r#"{"event":["die"],"type":["container"]}"#
        );
        assert_eq!(Filters::new().to_string(), "{}");
        let s: String = (&NodeFilters::new().node_label("zone=a")).into();
        assert_eq!(s, r#"{"node.label":["zone=a"]}"#);
    }

    #[test]
    fn cli_pairs() {
        let f = Filters::new().add_pair("label=a=b").unwrap();
        assert_eq!(f.get("label"), ["a=b"]);
        assert!(Filters::new().add_pair("nonsense").is_err());
        assert!(Filters::new().add_pair("=x").is_err());
    }
}
