//! Where Docker's spec files come from and how they are trusted: `spec/manifest.yaml` pins every
//! API version (and the license that covers the files) by sha256.
//!
//! Both programs that read specs use this module: `build.rs`, which must refuse a truncated or
//! changed file with one line before the generator sees it, and `cargo xtask spec sync|package`,
//! which copies them in and checks a package is complete. Keeping the checks here means a
//! consumer's build and the project's CI apply exactly the same rules.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The environment variable a consumer sets to a folder of `v1.NN.yaml` files when the crate's
/// own `spec/` folder has none (a git dependency or a vendored tree).
pub const SPECS_ENV: &str = "DOCKER_ENGINE_API_SPECS";

/// The manifest's file name, in the crate's `spec/` folder.
pub const MANIFEST_FILE: &str = "manifest.yaml";

/// The parsed `spec/manifest.yaml`.
#[derive(Debug, Deserialize)]
pub struct Manifest {
    /// Where the specs come from.
    pub upstream: Upstream,
    /// Docker's license for the spec files, shipped beside them.
    pub license: PinnedFile,
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

/// A file other than a spec that travels with the specs (the license).
#[derive(Debug, Deserialize, Clone)]
pub struct PinnedFile {
    /// Its name in `spec/` (and in a folder of specs).
    pub file: String,
    /// Pinned download URL.
    pub url: String,
    /// Expected sha256, lowercase hex.
    pub sha256: String,
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
    /// Reads the manifest at `path`.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses a manifest's text.
    pub fn parse(text: &str) -> Result<Self, String> {
        serde_norway::from_str(text).map_err(|e| e.to_string())
    }

    /// The entry of API version `1.NN`.
    pub fn entry(&self, version: &str) -> Option<&SpecEntry> {
        self.specs.iter().find(|s| s.version == version)
    }

    /// Every file the manifest pins, each spec and then the license: what `spec/` holds when
    /// synced, and what the package ships beside the manifest.
    pub fn pinned_files(&self) -> impl Iterator<Item = PinnedFile> + '_ {
        self.specs
            .iter()
            .map(|s| PinnedFile {
                file: s.file_name(),
                url: s.url.clone(),
                sha256: s.sha256.clone(),
            })
            .chain([self.license.clone()])
    }

    /// The URL of `v{version}.yaml` at the pinned commit.
    pub fn url_for(&self, version: &str) -> String {
        format!(
            "https://raw.githubusercontent.com/{}/{}/api/docs/v{version}.yaml",
            self.upstream.repository, self.upstream.commit
        )
    }
}

/// Lowercase hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use fmt::Write as _;
    hmac_sha256::Hash::hash(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Where a build reads its specs from, for messages that tell the user what to do.
#[derive(Debug, Clone)]
pub enum SpecDir {
    /// The crate's own `spec/` folder (synced in a checkout, shipped in a package).
    Crate(PathBuf),
    /// A folder named by [`SPECS_ENV`].
    Env(PathBuf),
}

impl SpecDir {
    /// Picks the folder: [`SPECS_ENV`] when it is set and not empty (`env_value`), else
    /// `crate_spec_dir`. A relative or missing folder in the variable is an error.
    pub fn choose(crate_spec_dir: &Path, env_value: Option<&str>) -> Result<Self, String> {
        match env_value.map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(SpecDir::Crate(crate_spec_dir.to_path_buf())),
            Some(value) => {
                let path = PathBuf::from(value);
                if !path.is_absolute() {
                    return Err(format!(
                        "{SPECS_ENV}={value} is not an absolute path (cargo runs build scripts in \
                         the package's own folder): give an absolute one"
                    ));
                }
                if !path.is_dir() {
                    return Err(format!("{SPECS_ENV}={value}: no such folder"));
                }
                Ok(SpecDir::Env(path))
            }
        }
    }

    /// The folder itself.
    pub fn path(&self) -> &Path {
        match self {
            SpecDir::Crate(p) | SpecDir::Env(p) => p,
        }
    }

    /// Reads `entry`'s spec and checks its sha256: the file's text, or one line naming the file
    /// and the way out.
    pub fn read(&self, entry: &SpecEntry) -> Result<String, String> {
        let path = self.path().join(entry.file_name());
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(match self {
                    SpecDir::Crate(_) => format!(
                        "spec/{} is missing: in a checkout of the repository run `cargo xtask spec \
                         sync` (add `--from DIR` for a local copy); for a git dependency or a \
                         vendored tree, set {SPECS_ENV} to an absolute folder holding Docker's \
                         v1.NN.yaml specs",
                        entry.file_name()
                    ),
                    SpecDir::Env(dir) => format!(
                        "{SPECS_ENV}={}: it has no {}; point it at a folder of Docker's Engine \
                         API specs (v1.NN.yaml), or unset it to use the crate's own spec/",
                        dir.display(),
                        entry.file_name()
                    ),
                });
            }
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let actual = sha256_hex(&bytes);
        if actual != entry.sha256 {
            return Err(format!(
                "{}: sha256 {actual} is not the manifest's {} (a truncated, changed or other \
                 version's file): {}",
                path.display(),
                entry.sha256,
                match self {
                    SpecDir::Crate(_) => "re-run `cargo xtask spec sync`",
                    SpecDir::Env(_) => "replace it with the pinned file, or unset the variable",
                }
            ));
        }
        String::from_utf8(bytes).map_err(|_| format!("{}: not UTF-8", path.display()))
    }
}

/// Checks that `dir` holds every spec of `manifest` and the license, each with its pinned
/// sha256: `Err` is one line per problem (for `cargo xtask package`, before cargo packs them).
pub fn check_complete(manifest: &Manifest, dir: &Path) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    for pinned in manifest.pinned_files() {
        let path = dir.join(&pinned.file);
        match std::fs::read(&path) {
            Err(e) => problems.push(format!("{}: {e}", path.display())),
            Ok(bytes) if sha256_hex(&bytes) != pinned.sha256 => problems.push(format!(
                "{}: sha256 differs from the manifest's {}",
                path.display(),
                pinned.sha256
            )),
            Ok(_) => {}
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"
upstream:
  repository: "moby/moby"
  commit: "abc"
license:
  file: "LICENSE"
  url: "https://example.invalid/LICENSE"
  sha256: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
spec:
  - version: "1.99"
    url: "https://example.invalid/v1.99.yaml"
    sha256: "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9"
"#;

    #[test]
    fn an_unquoted_version_stays_its_text() {
        // YAML would read `1.30` as the number 1.3; a string field takes the scalar as written.
        let m = Manifest::parse(&MANIFEST.replace("\"1.99\"", "1.30")).unwrap();
        assert_eq!(m.specs[0].version, "1.30");
    }

    #[test]
    fn hex_digest() {
        assert_eq!(
            sha256_hex(b"foo"),
            "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
        );
    }

    #[test]
    fn reads_pinned_and_refuses_changed_or_missing() {
        let m = Manifest::parse(MANIFEST).unwrap();
        let entry = m.entry("1.99").unwrap();
        let dir = std::env::temp_dir().join(format!("dec-specs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let source = SpecDir::Env(dir.clone());

        let missing = source.read(entry).unwrap_err();
        assert!(
            missing.contains("has no v1.99.yaml") && !missing.contains('\n'),
            "{missing}"
        );
        let crate_missing = SpecDir::Crate(dir.clone()).read(entry).unwrap_err();
        assert!(
            crate_missing.contains("cargo xtask spec sync") && crate_missing.contains(SPECS_ENV),
            "{crate_missing}"
        );

        std::fs::write(dir.join("v1.99.yaml"), b"ba").unwrap(); // truncated
        let short = source.read(entry).unwrap_err();
        assert!(short.contains("is not the manifest's"), "{short}");

        std::fs::write(dir.join("v1.99.yaml"), b"bar").unwrap();
        assert_eq!(source.read(entry).unwrap(), "bar");

        let problems = check_complete(&m, &dir).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}"); // the license only
        std::fs::write(dir.join("LICENSE"), b"foo").unwrap();
        check_complete(&m, &dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn env_folder_must_be_absolute_and_exist() {
        let here = Path::new("spec");
        assert!(matches!(SpecDir::choose(here, None), Ok(SpecDir::Crate(_))));
        assert!(matches!(
            SpecDir::choose(here, Some(" ")),
            Ok(SpecDir::Crate(_))
        ));
        let rel = SpecDir::choose(here, Some("../specs")).unwrap_err();
        assert!(rel.contains("not an absolute path"), "{rel}");
        let gone = SpecDir::choose(here, Some("/nonexistent/dec-specs")).unwrap_err();
        assert!(gone.contains("no such folder"), "{gone}");
    }
}
