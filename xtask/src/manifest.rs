//! `spec/manifest.toml`: which API versions the crate is generated from, where each spec comes
//! from, and its sha256.

use std::path::Path;

use serde::Deserialize;

/// The parsed manifest.
#[derive(Debug, Deserialize)]
pub struct Manifest {
    /// Where the specs come from.
    pub upstream: Upstream,
    /// One entry per API version, oldest first.
    #[serde(rename = "spec")]
    pub specs: Vec<SpecEntry>,
}

/// The upstream repository and the commit the URLs are pinned to.
#[derive(Debug, Deserialize)]
pub struct Upstream {
    /// `owner/name`.
    pub repository: String,
    /// Commit the URLs are pinned to.
    pub commit: String,
}

/// One API version's spec.
#[derive(Debug, Deserialize, Clone)]
pub struct SpecEntry {
    /// `1.NN`.
    pub version: String,
    /// Pinned download URL.
    pub url: String,
    /// Expected sha256 of the file, lowercase hex.
    pub sha256: String,
}

impl SpecEntry {
    /// `v1.NN.yaml`.
    pub fn file_name(&self) -> String {
        format!("v{}.yaml", self.version)
    }

    /// `v1_NN`, the cargo feature and module name.
    pub fn feature(&self) -> String {
        format!("v{}", self.version.replace('.', "_"))
    }
}

impl Manifest {
    /// Reads `spec/manifest.toml` under `root`.
    pub fn load(root: &Path) -> Result<Self, String> {
        let path = root.join("spec/manifest.toml");
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The URL of `v{version}.yaml` at the pinned commit.
    pub fn url_for(&self, version: &str) -> String {
        format!(
            "https://raw.githubusercontent.com/{}/{}/api/docs/v{version}.yaml",
            self.upstream.repository, self.upstream.commit
        )
    }
}
