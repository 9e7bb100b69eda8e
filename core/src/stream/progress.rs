//! Progress messages of pulls, pushes, imports and builds, as one version-independent type: what
//! a progress bar needs (layer id, status, current/total bytes) and a build's output lines,
//! whatever API version the client speaks. Errors in the stream (`errorDetail`) are already
//! `Err` items of [`JsonStream`](super::JsonStream).

use serde::Deserialize;

/// One message of a pull, push, import or build stream.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Progress {
    /// The layer (or `latest`-like tag) the message is about, when it is about one.
    #[serde(default)]
    pub id: Option<String>,
    /// `Pulling fs layer`, `Downloading`, `Pushed`, `Status: Downloaded newer image for ...`.
    #[serde(default)]
    pub status: Option<String>,
    /// Bytes done and expected, for a progress bar.
    #[serde(rename = "progressDetail", default)]
    pub detail: Option<ProgressDetail>,
    /// A build's output (`Step 1/3 : FROM busybox`).
    #[serde(default)]
    pub stream: Option<String>,
    /// Extra data: a push's `{Tag, Digest, Size}`, a build's image `{ID}`.
    #[serde(default)]
    pub aux: Option<serde_json::Value>,
}

/// Bytes done and expected of one layer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ProgressDetail {
    /// Bytes done.
    #[serde(default)]
    pub current: Option<u64>,
    /// Bytes expected.
    #[serde(default)]
    pub total: Option<u64>,
}

impl Progress {
    /// `(current, total)` when the message carries both.
    pub fn bytes(&self) -> Option<(u64, u64)> {
        let detail = self.detail?;
        Some((detail.current?, detail.total?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_push_and_build_messages() {
        let pull: Progress = serde_json::from_str(
            r#"{"status":"Downloading","progressDetail":{"current":512,"total":2048},"progress":"[==>  ]","id":"cc0620e4ff27"}"#,
        )
        .unwrap();
        assert_eq!(pull.id.as_deref(), Some("cc0620e4ff27"));
        assert_eq!(pull.bytes(), Some((512, 2048)));
        let empty: Progress =
            serde_json::from_str(r#"{"status":"Pushed","progressDetail":{},"id":"x"}"#).unwrap();
        assert_eq!(empty.bytes(), None);
        let build: Progress = serde_json::from_str(r#"{"stream":"Step 1/2 : FROM a\n"}"#).unwrap();
        assert_eq!(build.stream.as_deref(), Some("Step 1/2 : FROM a\n"));
        let aux: Progress =
            serde_json::from_str(r#"{"aux":{"Tag":"1","Digest":"sha256:ab","Size":5}}"#).unwrap();
        assert_eq!(aux.aux.unwrap()["Digest"], "sha256:ab");
    }
}
