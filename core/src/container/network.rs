//! [`Network`]: a user-defined network that containers join by name (and alias), removed when
//! its handle drops, like [`Container`](super::Container).

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

use super::Container;
use super::cleanup::{self, Kind};
use crate::error::Error;
use crate::transport::{ApiClient, Requests, segment};

/// A network this process created; removed on drop unless [`Network::keep`] is called.
///
/// ```no_run
/// # async fn demo() -> Result<(), docker_engine_client::Error> {
/// use docker_engine_client::{Docker, container::Network, run::Run, v1_55};
/// let client: v1_55::Client = Docker::from_env()?.client().await?;
/// let net = Network::create(&client, "app-net").await?;
/// let db = Run::new("redis:7", Vec::<String>::new())
///     .network(net.name())
///     .network_alias("cache")
///     .detach(&client)
///     .await?;
/// // Other containers on `app-net` reach it as `cache:6379`.
/// # Ok(()) }
/// ```
pub struct Network<C: ApiClient> {
    client: C,
    requests: Requests,
    id: String,
    name: String,
    armed: bool,
}

/// A network to create: its name, labels, and whether it is internal.
#[derive(Clone, Debug)]
pub struct NetworkSpec {
    name: String,
    labels: BTreeMap<String, String>,
    internal: bool,
}

impl NetworkSpec {
    /// A bridge network named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        NetworkSpec {
            name: name.into(),
            labels: BTreeMap::new(),
            internal: false,
        }
    }

    /// Adds a label.
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.insert(key.into(), value.into());
        self
    }

    /// No route out of the network (containers reach each other only).
    pub fn internal(mut self, internal: bool) -> Self {
        self.internal = internal;
        self
    }

    /// Creates the network.
    pub async fn create<C: ApiClient>(&self, client: &C) -> Result<Network<C>, Error> {
        let requests = Requests::new(client);
        let mut labels = self.labels.clone();
        labels.extend(cleanup::labels().map(|(k, v)| (k.to_string(), v)));
        let body = serde_json::json!({
            "Name": self.name,
            "Labels": labels,
            "Internal": self.internal,
            // Refused by name when it exists (the default from 1.44; asked for before).
            "CheckDuplicate": true,
        });
        let create = requests.post("/networks/create").json(&body);
        let response = requests.send(create, "network_create").await?;
        #[derive(Deserialize)]
        struct Created {
            #[serde(rename = "Id")]
            id: String,
        }
        let created: Created = requests.json(response, "network_create").await?;
        Ok(Network {
            client: client.clone(),
            requests,
            id: created.id,
            name: self.name.clone(),
            armed: true,
        })
    }
}

impl<C: ApiClient> Network<C> {
    /// Creates a bridge network named `name` ([`NetworkSpec`] for labels or an internal one).
    pub async fn create(client: &C, name: impl Into<String>) -> Result<Network<C>, Error> {
        NetworkSpec::new(name).create(client).await
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The client it was created with.
    pub fn client(&self) -> &C {
        &self.client
    }

    /// Connects a running container, reachable there by its name and by `aliases`.
    pub async fn connect<D: ApiClient, I, S>(
        &self,
        container: &Container<D>,
        aliases: I,
    ) -> Result<(), Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let aliases: Vec<String> = aliases.into_iter().map(Into::into).collect();
        let body = serde_json::json!({
            "Container": container.id(),
            "EndpointConfig": { "Aliases": aliases },
        });
        let connect = self
            .requests
            .post(&format!("/networks/{}/connect", segment(&self.id)))
            .json(&body);
        self.requests
            .send(connect, "network_connect")
            .await
            .map(drop)
    }

    /// Removes the network now (its containers must have left it).
    pub async fn remove(mut self) -> Result<(), Error> {
        self.armed = false;
        cleanup::remove(&self.requests, Kind::Network, &self.id).await
    }

    /// Keeps the network after the handle drops; its id.
    pub fn keep(mut self) -> String {
        self.armed = false;
        std::mem::take(&mut self.id)
    }
}

impl<C: ApiClient> fmt::Debug for Network<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Network")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("removed_on_drop", &self.armed)
            .finish()
    }
}

/// Removes the network, waiting for it: containers dropped before it have left it.
impl<C: ApiClient> Drop for Network<C> {
    fn drop(&mut self) {
        if self.armed {
            cleanup::remove_on_drop(&self.requests, Kind::Network, &self.id);
        }
    }
}
