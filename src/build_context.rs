//! Build contexts: a directory as the tar stream `image_build` takes, honouring `.dockerignore`
//! as the docker CLI does, written while it is sent (bounded memory, no whole-file buffering).
//!
//! ```no_run
//! # async fn demo(client: docker_engine_client::v1_55::Client) -> Result<(), docker_engine_client::Error> {
//! use docker_engine_client::build_context::BuildContext;
//! let context = BuildContext::from_dir("./app")?;
//! let output = client.image_build().t("app:dev").body(context).send().await?;
//! # Ok(()) }
//! ```

use std::path::{Path, PathBuf};

use bytes::Bytes;

use crate::error::{ConfigError, Error};

mod ignore;
pub use ignore::DockerIgnore;

/// A build context being streamed: pass it to `image_build().body(...)`.
pub struct BuildContext {
    body: reqwest::Body,
}

/// Chunks in flight between the tar writer and the request (each at most 64 KiB).
const CHANNEL_CHUNKS: usize = 16;

impl BuildContext {
    /// The directory `dir`, minus what its `.dockerignore` excludes (the Dockerfile and
    /// `.dockerignore` themselves are always sent, as the CLI does). The tar is written on a
    /// thread of its own while the request sends it.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Self, Error> {
        let dir = dir.as_ref().to_path_buf();
        let bad = |reason: String| ConfigError::ConfigFile {
            path: dir.clone(),
            reason,
        };
        if !dir.is_dir() {
            return Err(bad("the build context is not a directory".into()).into());
        }
        let ignore = match std::fs::read_to_string(dir.join(".dockerignore")) {
            Ok(text) => DockerIgnore::parse(&text).map_err(bad)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => DockerIgnore::default(),
            Err(e) => return Err(bad(format!(".dockerignore: {e}")).into()),
        };
        let (sender, receiver) =
            tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(CHANNEL_CHUNKS);
        tokio::task::spawn_blocking(move || {
            let writer = ChannelWriter {
                sender: sender.clone(),
            };
            let result = write_tar(&dir, &ignore, writer);
            if let Err(e) = result {
                let _ = sender.blocking_send(Err(e));
            }
        });
        let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
            receiver.recv().await.map(|item| (item, receiver))
        });
        Ok(Self {
            body: reqwest::Body::wrap_stream(stream),
        })
    }
}

impl From<BuildContext> for reqwest::Body {
    fn from(context: BuildContext) -> Self {
        context.body
    }
}

/// Sends what the tar writer writes, in chunks, with back-pressure.
struct ChannelWriter {
    sender: tokio::sync::mpsc::Sender<std::io::Result<Bytes>>,
}

impl std::io::Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = buf.len().min(64 * 1024);
        self.sender
            .blocking_send(Ok(Bytes::copy_from_slice(&buf[..n])))
            .map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the build request ended")
            })?;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn write_tar(dir: &Path, ignore: &DockerIgnore, writer: ChannelWriter) -> std::io::Result<()> {
    let mut builder = tar::Builder::new(std::io::BufWriter::with_capacity(64 * 1024, writer));
    builder.follow_symlinks(false);
    let mut stack = vec![PathBuf::new()];
    while let Some(relative) = stack.pop() {
        let mut entries: Vec<_> =
            std::fs::read_dir(dir.join(&relative))?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = relative.join(entry.file_name());
            let name = path.to_string_lossy().replace('\\', "/");
            let always = name == "Dockerfile" || name == ".dockerignore";
            let file_type = entry.file_type()?;
            let excluded = !always && ignore.excludes(&name);
            if file_type.is_dir() {
                if !excluded {
                    builder.append_dir(&path, entry.path())?;
                }
                if !excluded || ignore.may_reinclude_under(&name) {
                    stack.push(path);
                }
            } else if !excluded {
                builder.append_path_with_name(entry.path(), &path)?;
            }
        }
    }
    builder
        .into_inner()?
        .into_inner()
        .map_err(|e| e.into_error())?;
    Ok(())
}
