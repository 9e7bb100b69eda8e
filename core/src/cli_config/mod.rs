//! The docker CLI's configuration directory (`$DOCKER_CONFIG`, or `~/.docker`), read-only and
//! read as the CLI reads it: `config.json` (one reader for the current context and the
//! credentials) and the context store. Used by connecting (which endpoint, which TLS material)
//! and by registry authentication (which credentials).

use std::path::{Path, PathBuf};

mod config_file;
mod contexts;

pub(crate) use config_file::{AuthEntry, ConfigFile};
pub use contexts::ContextEndpoint;
#[cfg(test)]
pub(crate) use contexts::context_id;

use crate::error::ConfigError;

/// `$DOCKER_CONFIG`, or `$HOME/.docker`.
#[derive(Debug, Clone)]
pub struct ConfigDir {
    path: PathBuf,
}

impl ConfigDir {
    /// The directory the CLI would use, given an environment lookup.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Option<Self> {
        let path = match env("DOCKER_CONFIG").filter(|v| !v.is_empty()) {
            Some(dir) => PathBuf::from(dir),
            None => PathBuf::from(env("HOME").filter(|v| !v.is_empty())?).join(".docker"),
        };
        Some(Self { path })
    }

    /// A specific directory.
    pub fn at(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `config.json` in this directory.
    pub fn config_file(&self) -> PathBuf {
        self.path.join("config.json")
    }

    /// `currentContext` from `config.json`; `None` when the file or the key is absent.
    pub fn current_context(&self) -> Result<Option<String>, ConfigError> {
        let config = ConfigFile::read(&self.config_file())?;
        Ok(config.current_context.filter(|c| !c.is_empty()))
    }
}
