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
use crate::wire::Body;

mod ignore;
pub use ignore::DockerIgnore;

/// A build context being streamed: pass it to `image_build().body(...)`.
pub struct BuildContext {
    body: Body,
}

/// Chunks in flight between the tar writer and the request (each at most 64 KiB).
const CHANNEL_CHUNKS: usize = 16;

impl BuildContext {
    /// The directory `dir`, minus what its `.dockerignore` excludes (the Dockerfile and
    /// `.dockerignore` themselves are always sent, as the CLI does). The tar is written on a
    /// thread of its own (a plain OS thread: no tokio runtime is needed to make a context) while
    /// the request sends it. Sockets, FIFOs and devices are left out, as the CLI leaves them out;
    /// a file that changes size while it is archived ends the body with an error naming it,
    /// never a corrupt tar.
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
        let receiver = spawn_writer(dir.clone(), ignore).map_err(|e| {
            bad(format!(
                "cannot start the thread that writes the build context: {e}"
            ))
        })?;
        let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
            receiver.recv().await.map(|item| (item, receiver))
        });
        Ok(Self {
            body: Body::wrap_stream(stream),
        })
    }
}

impl From<BuildContext> for Body {
    fn from(context: BuildContext) -> Self {
        context.body
    }
}

/// Starts the thread that writes `dir` as a tar into the returned channel (an `Err` item if it
/// fails midway).
fn spawn_writer(
    dir: PathBuf,
    ignore: DockerIgnore,
) -> std::io::Result<tokio::sync::mpsc::Receiver<std::io::Result<Bytes>>> {
    let (sender, receiver) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(CHANNEL_CHUNKS);
    std::thread::Builder::new()
        .name("dec-build-context".into())
        .spawn(move || {
            let writer = ChannelWriter {
                sender: sender.clone(),
            };
            if let Err(e) = write_tar(&dir, &ignore, writer) {
                let _ = sender.blocking_send(Err(e));
            }
        })?;
    Ok(receiver)
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
            } else if excluded {
                continue;
            } else if file_type.is_symlink() {
                builder.append_path_with_name(entry.path(), &path)?;
            } else if file_type.is_file() {
                append_file(&mut builder, &entry.path(), &path)?;
            } else {
                // A socket, FIFO or device: nothing a build can use, left out as by the CLI.
                tracing::debug!(target: crate::LOG_TARGET, path = %name, "left out of the build context: not a regular file");
            }
        }
    }
    builder
        .into_inner()?
        .into_inner()
        .map_err(|e| e.into_error())?;
    Ok(())
}

/// Appends the regular file at `full` as `name`, with exactly the size its header says.
fn append_file<W: std::io::Write>(
    builder: &mut tar::Builder<W>,
    full: &Path,
    name: &Path,
) -> std::io::Result<()> {
    let file = std::fs::File::open(full)?;
    let metadata = file.metadata()?;
    let mut header = tar::Header::new_gnu();
    header.set_metadata(&metadata);
    let reader = SizeChecked {
        file,
        left: metadata.len(),
        path: full.to_path_buf(),
    };
    builder.append_data(&mut header, name, reader)
}

/// A file's bytes, exactly as many as its tar header says. A file that grows or shrinks while it
/// is archived is an error: writing more or fewer bytes than the header announced would shift
/// every later entry and corrupt the whole archive.
struct SizeChecked {
    file: std::fs::File,
    left: u64,
    path: PathBuf,
}

impl std::io::Read for SizeChecked {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // All announced bytes are out: the file must end here.
            let mut one = [0u8; 1];
            return match self.file.read(&mut one)? {
                0 => Ok(0),
                _ => Err(self.changed("it grew")),
            };
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.file.read(&mut buf[..want])?;
        if n == 0 {
            return Err(self.changed("it shrank"));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

impl SizeChecked {
    fn changed(&self, how: &str) -> std::io::Error {
        std::io::Error::other(format!(
            "{} changed size while the build context was written ({how}); not sending a corrupt context",
            self.path.display()
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    /// Everything the writer thread sends, read without any tokio runtime.
    fn written(dir: &Path) -> std::io::Result<Vec<u8>> {
        let mut receiver = spawn_writer(dir.to_path_buf(), DockerIgnore::default()).unwrap();
        let mut all = Vec::new();
        while let Some(chunk) = receiver.blocking_recv() {
            all.extend_from_slice(&chunk?);
        }
        Ok(all)
    }

    fn names(tar_bytes: &[u8]) -> Vec<String> {
        tar::Archive::new(tar_bytes)
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect()
    }

    #[test]
    fn written_outside_a_runtime_without_sockets_fifos_or_devices() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Dockerfile"), "FROM scratch\n").unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/main.rs"), "fn main() {}\n").unwrap();
        let _socket = std::os::unix::net::UnixListener::bind(dir.path().join("app.sock")).unwrap();
        let fifo = std::process::Command::new("mkfifo")
            .arg(dir.path().join("pipe"))
            .status()
            .unwrap();
        assert!(fifo.success());
        std::os::unix::fs::symlink("src/main.rs", dir.path().join("link")).unwrap();
        // Made and read with no tokio runtime at all (no panic, no hang on the FIFO).
        let context = BuildContext::from_dir(dir.path());
        assert!(context.is_ok());
        let tar_bytes = written(dir.path()).unwrap();
        let mut names = names(&tar_bytes);
        names.sort();
        assert_eq!(names, ["Dockerfile", "link", "src", "src/main.rs"]);
    }

    #[test]
    fn a_file_that_changes_size_while_archived_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data");
        std::fs::write(&path, b"0123456789").unwrap();
        for (how, change) in [("grew", 15u64), ("shrank", 5)] {
            std::fs::write(&path, b"0123456789").unwrap();
            let file = std::fs::File::open(&path).unwrap();
            let size = file.metadata().unwrap().len();
            // The file changes between reading its size and copying it.
            let other = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
            other.set_len(change).unwrap();
            let mut reader = SizeChecked {
                file,
                left: size,
                path: path.clone(),
            };
            let mut sink = Vec::new();
            let err = reader.read_to_end(&mut sink).unwrap_err();
            assert!(
                err.to_string().contains("changed size") && err.to_string().contains(how),
                "{how}: {err}"
            );
        }
        // Unchanged: exactly its bytes.
        std::fs::write(&path, b"0123456789").unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let mut reader = SizeChecked {
            left: file.metadata().unwrap().len(),
            file,
            path: path.clone(),
        };
        let mut sink = Vec::new();
        reader.read_to_end(&mut sink).unwrap();
        assert_eq!(sink, b"0123456789");
    }
}
