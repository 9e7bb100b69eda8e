//! Files in and out of containers: the `X-Docker-Container-Path-Stat` header that
//! `GET`/`HEAD /containers/{id}/archive` answer with (base64 of a JSON object), decoded.
//! The archives themselves are tar streams: the generated `put_container_archive` takes any
//! `Body` (a file, a stream) and `container_archive` returns a byte stream, so nothing
//! is buffered whole.

use base64::Engine as _;

use crate::error::DecodeError;
use crate::wire::ResponseValue;

/// The header carrying a path's stat.
pub const PATH_STAT_HEADER: &str = "X-Docker-Container-Path-Stat";

/// What the daemon says about a path in a container.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[non_exhaustive]
pub struct PathStat {
    /// Base name.
    pub name: String,
    /// Size in bytes.
    pub size: i64,
    /// Go's `os.FileMode` bits (type bits high, permissions low).
    pub mode: u32,
    /// Modification time (RFC 3339).
    pub mtime: String,
    /// Target of a symbolic link (empty otherwise).
    #[serde(rename = "linkTarget", default)]
    pub link_target: String,
}

impl PathStat {
    /// Whether the path is a directory (Go's `ModeDir` bit).
    pub fn is_dir(&self) -> bool {
        self.mode & (1 << 31) != 0
    }

    /// The permission bits.
    pub fn permissions(&self) -> u32 {
        self.mode & 0o777
    }
}

/// Decodes the path stat of a `container_archive` or `container_archive_info` response.
pub fn path_stat<T>(response: &ResponseValue<T>) -> Result<PathStat, DecodeError> {
    const OPERATION: &str = "container_archive";
    let error =
        |message: String, value: &str| DecodeError::new(OPERATION, message, value.as_bytes());
    let value = response
        .headers()
        .get(PATH_STAT_HEADER)
        .ok_or_else(|| error(format!("no {PATH_STAT_HEADER} header"), ""))?
        .to_str()
        .map_err(|e| error(e.to_string(), ""))?;
    decode_path_stat(value).map_err(|m| error(m, value))
}

fn decode_path_stat(value: &str) -> Result<PathStat, String> {
    let json = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .map_err(|e| format!("{PATH_STAT_HEADER} is not base64: {e}"))?;
    serde_json::from_slice(&json)
        .map_err(|e| format!("{PATH_STAT_HEADER} is not the expected JSON: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_daemons_header() {
        // base64 of {"name":"hosts","size":174,"mode":420,"mtime":"2026-11-22T10:00:00Z","linkTarget":""}
        let header = base64::engine::general_purpose::STANDARD
            .encode(br#"{"name":"hosts","size":174,"mode":420,"mtime":"2026-11-22T10:00:00Z","linkTarget":""}"#);
        let stat = decode_path_stat(&header).unwrap();
        assert_eq!(
            (
                stat.name.as_str(),
                stat.size,
                stat.permissions(),
                stat.is_dir()
            ),
            ("hosts", 174, 0o644, false)
        );
        let dir = decode_path_stat(&base64::engine::general_purpose::STANDARD.encode(
            br#"{"name":"tmp","size":4096,"mode":2147484159,"mtime":"2026-11-22T10:00:00Z","linkTarget":""}"#,
        ))
        .unwrap();
        assert!(dir.is_dir());
        assert!(
            decode_path_stat("not base64!")
                .unwrap_err()
                .contains("not base64")
        );
        assert!(
            decode_path_stat("e30=")
                .unwrap_err()
                .contains("not the expected JSON"),
            "{{}} lacks fields"
        );
    }
}
