//! The wire form of the generated types' key sets (the codegen's `key-sets` pass): Docker writes a
//! set of strings (`ExposedPorts`, `Volumes`) as an object mapping each one to `{}`
//! (`{"80/tcp": {}}`); the generated field is an `Option<BTreeSet<String>>` of the keys, and its
//! `#[serde(with)]` is this module.

use std::collections::{BTreeMap, BTreeSet};

use serde::de::IgnoredAny;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `{}`.
struct Empty;

impl Serialize for Empty {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_map(Some(0))?.end()
    }
}

/// Writes the set as an object of its keys, each mapped to `{}` (in the set's order).
pub fn serialize<S: Serializer>(
    set: &Option<BTreeSet<String>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let Some(set) = set else {
        return serializer.serialize_none();
    };
    let mut map = serializer.serialize_map(Some(set.len()))?;
    for key in set {
        map.serialize_entry(key, &Empty)?;
    }
    map.end()
}

/// Reads an object's keys (its values, `{}` from the daemon, are not looked at); `null` is `None`.
pub fn deserialize<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<BTreeSet<String>>, D::Error> {
    let map = Option::<BTreeMap<String, IgnoredAny>>::deserialize(deserializer)?;
    Ok(map.map(|m| m.into_keys().collect()))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Config {
        #[serde(
            rename = "ExposedPorts",
            skip_serializing_if = "Option::is_none",
            default,
            with = "super"
        )]
        exposed_ports: Option<BTreeSet<String>>,
    }

    #[test]
    fn a_set_is_an_object_of_empty_objects() {
        let config = Config {
            exposed_ports: Some(["80/tcp".to_string(), "53/udp".to_string()].into()),
        };
        let json = serde_json::to_value(&config).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"ExposedPorts": {"53/udp": {}, "80/tcp": {}}})
        );
        assert_eq!(serde_json::from_value::<Config>(json).unwrap(), config);
    }

    #[test]
    fn absent_null_and_empty() {
        let none = Config {
            exposed_ports: None,
        };
        assert_eq!(serde_json::to_string(&none).unwrap(), "{}");
        assert_eq!(serde_json::from_str::<Config>("{}").unwrap(), none);
        assert_eq!(
            serde_json::from_str::<Config>(r#"{"ExposedPorts": null}"#).unwrap(),
            none
        );
        let empty: Config = serde_json::from_str(r#"{"ExposedPorts": {}}"#).unwrap();
        assert_eq!(empty.exposed_ports, Some(BTreeSet::new()));
        assert_eq!(
            serde_json::to_string(&empty).unwrap(),
            r#"{"ExposedPorts":{}}"#
        );
    }
}
