//! [`Port`]: a container's port as the daemon keys it (`8080/tcp`), from a number or a string,
//! so every method that takes a port takes `8080`, `"8080"`, `"8080/tcp"` or `"53/udp"`.

use std::fmt;

use crate::error::{ConfigError, Error};

/// A container port and its protocol. `8080` and `"8080"` are TCP.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Port {
    number: u16,
    protocol: Protocol,
}

/// A port's protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Protocol {
    /// TCP (the default).
    Tcp,
    /// UDP.
    Udp,
    /// SCTP.
    Sctp,
}

impl Protocol {
    fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Sctp => "sctp",
        }
    }
}

impl Port {
    /// A TCP port.
    pub const fn tcp(number: u16) -> Self {
        Port {
            number,
            protocol: Protocol::Tcp,
        }
    }

    /// A UDP port.
    pub const fn udp(number: u16) -> Self {
        Port {
            number,
            protocol: Protocol::Udp,
        }
    }

    /// The port number.
    pub fn number(&self) -> u16 {
        self.number
    }

    /// The protocol.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// `8080/tcp`, `53/udp`: a port as given, or an error naming what is wrong with it.
    pub fn parse(value: &str) -> Result<Self, Error> {
        let invalid = |reason: &str| -> Error {
            ConfigError::InvalidPort {
                value: value.to_string(),
                reason: reason.to_string(),
            }
            .into()
        };
        let (number, protocol) = match value.split_once('/') {
            Some((number, protocol)) => (number, protocol),
            None => (value, "tcp"),
        };
        let protocol = match protocol.to_ascii_lowercase().as_str() {
            "tcp" => Protocol::Tcp,
            "udp" => Protocol::Udp,
            "sctp" => Protocol::Sctp,
            _ => return Err(invalid("the protocol is tcp, udp or sctp")),
        };
        let number: u16 = number
            .trim()
            .parse()
            .map_err(|_| invalid("the port is a number from 1 to 65535"))?;
        if number == 0 {
            return Err(invalid("the port is a number from 1 to 65535"));
        }
        Ok(Port { number, protocol })
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.number, self.protocol.as_str())
    }
}

/// Anything that names a port: a `u16` (TCP), a [`Port`], or a string (`"8080/tcp"`), checked
/// where it is used.
pub trait IntoPort {
    /// The port, or why the value is not one.
    fn into_port(self) -> Result<Port, Error>;
}

impl IntoPort for Port {
    fn into_port(self) -> Result<Port, Error> {
        Ok(self)
    }
}

impl IntoPort for &Port {
    fn into_port(self) -> Result<Port, Error> {
        Ok(self.clone())
    }
}

impl IntoPort for u16 {
    fn into_port(self) -> Result<Port, Error> {
        Port::parse(&self.to_string())
    }
}

impl IntoPort for &str {
    fn into_port(self) -> Result<Port, Error> {
        Port::parse(self)
    }
}

impl IntoPort for String {
    fn into_port(self) -> Result<Port, Error> {
        Port::parse(&self)
    }
}

impl IntoPort for &String {
    fn into_port(self) -> Result<Port, Error> {
        Port::parse(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_from_numbers_and_strings() {
        assert_eq!(8080.into_port().unwrap().to_string(), "8080/tcp");
        assert_eq!("8080".into_port().unwrap(), Port::tcp(8080));
        assert_eq!("53/udp".into_port().unwrap(), Port::udp(53));
        assert_eq!("53/UDP".into_port().unwrap().to_string(), "53/udp");
        assert_eq!("9/sctp".into_port().unwrap().protocol(), Protocol::Sctp);
        for bad in ["", "0", "65536", "http", "80/icmp", "80/", "/tcp", "-1"] {
            let err = bad.into_port().unwrap_err().to_string();
            assert!(err.contains(&format!("{bad:?}")), "{bad:?}: {err}");
        }
    }
}
