//! Engine API versions (`1.NN`): parsing, ordering, display. Used by every layer (connecting,
//! negotiation, the generated clients), so it stands on its own.

use std::fmt;
use std::str::FromStr;

use crate::error::ConfigError;

/// An Engine API version, `1.NN`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ApiVersion {
    major: u16,
    minor: u16,
}

impl ApiVersion {
    /// The oldest version this crate generates a client for.
    pub const OLDEST_SUPPORTED: ApiVersion = ApiVersion::new(1, 25);

    /// `major.minor`.
    pub const fn new(major: u16, minor: u16) -> Self {
        Self { major, minor }
    }

    /// The major version (1).
    pub const fn major(self) -> u16 {
        self.major
    }

    /// The minor version.
    pub const fn minor(self) -> u16 {
        self.minor
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl FromStr for ApiVersion {
    type Err = ConfigError;

    /// Parses `1.41` (a leading `v` is accepted).
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        let invalid = || ConfigError::InvalidApiVersion {
            value: s.to_string(),
        };
        let (major, minor) = s
            .trim()
            .trim_start_matches('v')
            .split_once('.')
            .ok_or_else(invalid)?;
        Ok(ApiVersion::new(
            major.parse().map_err(|_| invalid())?,
            minor.parse().map_err(|_| invalid())?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_order_numerically() {
        let v: ApiVersion = "1.41".parse().unwrap();
        assert_eq!(v, ApiVersion::new(1, 41));
        assert_eq!("v1.9".parse::<ApiVersion>().unwrap().to_string(), "1.9");
        assert!(
            ApiVersion::new(1, 9) < ApiVersion::new(1, 41),
            "1.9 is older than 1.41"
        );
        assert!("1".parse::<ApiVersion>().is_err() && "one.two".parse::<ApiVersion>().is_err());
    }
}
