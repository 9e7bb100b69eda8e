//! [`Inspection`]: what this layer reads of `GET /containers/{id}/json`, the same in every API
//! version (state, ports, networks, labels). The whole answer, typed, is
//! [`Container::inspect_as`](super::Container::inspect_as) with a version's type.

use std::collections::BTreeMap;

use serde::Deserialize;

/// A container's name, state, published ports, networks and labels.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Inspection {
    /// The container's id.
    #[serde(rename = "Id")]
    pub id: String,
    /// Its name, with the daemon's leading `/`.
    #[serde(rename = "Name", default)]
    pub name: String,
    /// The image it was created from, as given.
    #[serde(rename = "Config", default)]
    pub config: Config,
    /// Running, exited, healthy.
    #[serde(rename = "State", default)]
    pub state: State,
    /// Published ports and networks.
    #[serde(rename = "NetworkSettings", default)]
    pub network_settings: NetworkSettings,
}

/// What the container was created with.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Config {
    /// The image, as given at create.
    #[serde(rename = "Image", default)]
    pub image: String,
    /// Whether it has a TTY.
    #[serde(rename = "Tty", default)]
    pub tty: bool,
    /// Its labels.
    #[serde(rename = "Labels", default, deserialize_with = "null_as_default")]
    pub labels: BTreeMap<String, String>,
}

/// A container's state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct State {
    /// `created`, `running`, `paused`, `restarting`, `removing`, `exited`, `dead`.
    #[serde(rename = "Status", default)]
    pub status: String,
    /// Whether it runs.
    #[serde(rename = "Running", default)]
    pub running: bool,
    /// Its exit code, once it exited.
    #[serde(rename = "ExitCode", default)]
    pub exit_code: i64,
    /// Its healthcheck's status (`starting`, `healthy`, `unhealthy`), when it has one.
    #[serde(rename = "Health", default, deserialize_with = "health_status")]
    pub health: Option<String>,
}

/// Published ports and networks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct NetworkSettings {
    /// By container port (`8080/tcp`): the host addresses it is published on.
    #[serde(rename = "Ports", default, deserialize_with = "null_as_default")]
    pub ports: BTreeMap<String, Option<Vec<PortBinding>>>,
    /// By network name: the container's address there.
    #[serde(rename = "Networks", default, deserialize_with = "null_as_default")]
    pub networks: BTreeMap<String, Endpoint>,
}

/// A host address a port is published on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct PortBinding {
    /// The host address (`0.0.0.0`, `127.0.0.1`, `::`).
    #[serde(rename = "HostIp", default)]
    pub host_ip: String,
    /// The host port, as the daemon writes it (a number in a string).
    #[serde(rename = "HostPort", default)]
    pub host_port: String,
}

/// The container on one network.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Endpoint {
    /// Its IPv4 address there (empty when it has none).
    #[serde(rename = "IPAddress", default)]
    pub ip_address: String,
    /// Its aliases there.
    #[serde(rename = "Aliases", default, deserialize_with = "null_as_default")]
    pub aliases: Vec<String>,
}

impl Inspection {
    /// The name without the daemon's leading `/`.
    pub fn short_name(&self) -> &str {
        self.name.strip_prefix('/').unwrap_or(&self.name)
    }
}

/// `null` read as the type's default (the daemon writes `null` for empty maps and lists).
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// `State.Health.Status`, when there is a `Health`.
fn health_status<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    struct Health {
        #[serde(rename = "Status", default)]
        status: String,
    }
    Ok(Option::<Health>::deserialize(deserializer)?.map(|h| h.status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inspection_reads_what_the_daemon_writes() {
        let json = r#"{"Id":"abc","Name":"/web","Config":{"Image":"httpd","Tty":false,"Labels":null},
            "State":{"Status":"running","Running":true,"ExitCode":0,"Health":{"Status":"starting","Log":[]}},
            "NetworkSettings":{"Ports":{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"32768"}],"443/tcp":null},
            "Networks":{"bridge":{"IPAddress":"172.17.0.2","Aliases":null}}}}"#;
        let i: Inspection = serde_json::from_str(json).unwrap();
        assert_eq!(i.short_name(), "web");
        assert_eq!(i.state.health.as_deref(), Some("starting"));
        assert_eq!(
            i.network_settings.ports["80/tcp"].as_ref().unwrap()[0].host_port,
            "32768"
        );
        assert_eq!(i.network_settings.ports["443/tcp"], None);
        assert_eq!(
            i.network_settings.networks["bridge"].ip_address,
            "172.17.0.2"
        );
        assert!(i.config.labels.is_empty());
        // Without a healthcheck, no health.
        let i: Inspection =
            serde_json::from_str(r#"{"Id":"a","State":{"Running":false,"ExitCode":3}}"#).unwrap();
        assert_eq!((i.state.health, i.state.exit_code), (None, 3));
    }
}
