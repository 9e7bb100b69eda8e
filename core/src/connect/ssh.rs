//! `ssh://` hosts, as the docker CLI reaches them: the system `ssh` runs `docker system
//! dial-stdio` on the remote host and HTTP goes over its stdin and stdout. The system `ssh` is
//! used (not an SSH library) so that `~/.ssh/config`, agents, jump hosts and known hosts work as
//! they do for the CLI.
//!
//! The HTTP client cannot be given a connector of its own, so an [`SshForwarder`] stands in
//! front of it: a private unix socket (in a fresh `0700` directory, removed on drop) that the
//! HTTP client connects to as to any daemon socket. Each connection accepted there starts one
//! `ssh` and relays bytes both ways. Pooling, several requests in flight (several `ssh`
//! processes), hijacked attach/exec and streams are therefore the HTTP client's own; an idle
//! connection the pool drops ends its `ssh`.
//!
//! The forwarder runs on a thread of its own with a single-threaded runtime: a [`Docker`] can be
//! built outside any runtime and used from several, and its `ssh` children do not depend on a
//! caller's runtime staying up. When the HTTP client shuts down its writing side (a hijacked
//! stdin's end), ssh's stdin is closed, which the remote `dial-stdio` passes on to the daemon,
//! and the answer still comes back. When the client drops the connection (the pool let it go, a
//! stream or hijacked connection was dropped), its `ssh` is killed and reaped, whether or not the
//! remote side is still talking; so is every one when the forwarder is dropped, with the last
//! [`Docker`] clone and client using it.
//!
//! When `ssh` ends without an answer (host unreachable, authentication refused, no `docker` on
//! the remote host), the HTTP client only sees its connection close. The forwarder keeps how ssh
//! ended and the last [`STDERR_LIMIT`] bytes of its stderr, and the request's error
//! ([`TransportError::Ssh`](crate::TransportError::Ssh)) quotes them; a connection that fails
//! is closed only once that is recorded, so the error never races it.
//!
//! [`Docker`]: super::Docker

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::net::UnixStream;
use tokio::process::Command;
use tokio_util::sync::CancellationToken;

use crate::error::{Cause, ConfigError};
use crate::transport::{DialFailure, Dialer};

/// The most of ssh's stderr kept for an error message (its end, where the reason is).
pub(crate) const STDERR_LIMIT: usize = 4 * 1024;

/// How long a recorded failure explains later transport failures: long enough for the requests
/// that were waiting on it, short enough not to blame ssh for an unrelated failure much later.
const FAILURE_RECENT: Duration = Duration::from_secs(30);

/// How long ssh is given to exit once its stdout closed, before it is killed.
const EXIT_GRACE: Duration = Duration::from_secs(3);

/// The `ssh` command line for one destination.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SshCommand {
    /// The program, `ssh`.
    pub(crate) program: String,
    /// Its arguments: options, `--`, the host, the remote command.
    pub(crate) args: Vec<String>,
}

impl SshCommand {
    /// The command the docker CLI runs for `ssh://[user@]host[:port][/path]`: `-l user`,
    /// `-p port`, the caller's `options`, a connect timeout unless the options set one, `-T`
    /// (no terminal) unless given, then `-- host` and the remote command (quoted for the remote
    /// shell).
    pub(crate) fn new(
        user: Option<&str>,
        host: &str,
        port: Option<u16>,
        path: Option<&str>,
        options: &[String],
        connect_timeout: Duration,
    ) -> Self {
        let mut args = Vec::new();
        if let Some(user) = user {
            args.extend(["-l".to_string(), user.to_string()]);
        }
        if let Some(port) = port {
            args.extend(["-p".to_string(), port.to_string()]);
        }
        args.extend(options.iter().cloned());
        if !options.iter().any(|o| o.contains("ConnectTimeout")) {
            // ssh takes whole seconds; at least one.
            let seconds = connect_timeout.as_secs_f64().ceil().max(1.0) as u64;
            args.extend(["-o".to_string(), format!("ConnectTimeout={seconds}")]);
        }
        if !options.iter().any(|o| o == "-T") {
            args.push("-T".to_string());
        }
        args.extend(["--".to_string(), host.to_string()]);
        let remote = match path {
            Some(path) => format!(
                "docker {} system dial-stdio",
                shell_quote(&format!("--host=unix://{path}"))
            ),
            None => "docker system dial-stdio".to_string(),
        };
        args.push(remote);
        SshCommand {
            program: "ssh".to_string(),
            args,
        }
    }
}

/// `value` as one word for a POSIX shell (the remote side runs ssh's command through one).
fn shell_quote(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_=./:@%+,".contains(c));
    if plain {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

/// What every connection of one forwarder shares: the command, and the last failure of its
/// `ssh` processes.
#[derive(Debug)]
struct Shared {
    command: SshCommand,
    failure: Mutex<Option<(Instant, DialFailure)>>,
}

impl Shared {
    fn record(&self, failure: DialFailure) {
        tracing::warn!(target: crate::LOG_TARGET,
            status = %failure.status,
            stderr = %failure.stderr,
            "ssh to the Docker daemon failed"
        );
        *self.failure.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), failure));
    }

    fn clear(&self) {
        *self.failure.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// The private socket in front of `ssh`, and the thread serving it. Dropping it kills every
/// `ssh` it started and removes the socket's directory.
#[derive(Debug)]
pub(crate) struct SshForwarder {
    socket: PathBuf,
    dir: PathBuf,
    shared: Arc<Shared>,
    shutdown: CancellationToken,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl SshForwarder {
    /// Binds the private socket and starts serving it.
    pub(crate) fn start(command: SshCommand) -> Result<SshForwarder, ConfigError> {
        let failed = |what: &str, e: std::io::Error| ConfigError::HttpClient {
            reason: format!("ssh forwarder: {what}: {e}"),
            source: Some(Cause::new(e)),
        };
        let dir = private_dir().map_err(|e| failed("cannot create its directory", e))?;
        let socket = dir.join("docker.sock");
        let started = (|| {
            let listener = std::os::unix::net::UnixListener::bind(&socket)
                .map_err(|e| failed("cannot bind its socket", e))?;
            listener
                .set_nonblocking(true)
                .map_err(|e| failed("cannot bind its socket", e))?;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| failed("cannot start its runtime", e))?;
            let shared = Arc::new(Shared {
                command,
                failure: Mutex::new(None),
            });
            let shutdown = CancellationToken::new();
            let thread = {
                let (shared, shutdown) = (shared.clone(), shutdown.clone());
                std::thread::Builder::new()
                    .name("docker-ssh-forwarder".into())
                    .spawn(move || runtime.block_on(serve(listener, shared, shutdown)))
                    .map_err(|e| failed("cannot start its thread", e))?
            };
            Ok((shared, shutdown, thread))
        })();
        match started {
            Ok((shared, shutdown, thread)) => Ok(SshForwarder {
                socket,
                dir,
                shared,
                shutdown,
                thread: Mutex::new(Some(thread)),
            }),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                Err(e)
            }
        }
    }

    /// The socket the HTTP client connects to.
    pub(crate) fn socket(&self) -> &Path {
        &self.socket
    }
}

impl Dialer for SshForwarder {
    fn recent_failure(&self) -> Option<DialFailure> {
        let failure = self
            .shared
            .failure
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match &*failure {
            Some((at, failure)) if at.elapsed() < FAILURE_RECENT => Some(failure.clone()),
            _ => None,
        }
    }
}

impl Drop for SshForwarder {
    fn drop(&mut self) {
        self.shutdown.cancel();
        let thread = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(thread) = thread {
            // Each connection kills its ssh and waits for it: quick.
            let _ = thread.join();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A fresh directory only this user can enter, for the forwarder's socket.
fn private_dir() -> std::io::Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let mut last = None;
    for _ in 0..16 {
        let name = format!(
            "docker-engine-client-ssh-{}-{}-{nanos:x}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let dir = std::env::temp_dir().join(name);
        match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free name")))
}

/// Accepts connections until shutdown; then waits for every connection to kill its ssh.
async fn serve(
    listener: std::os::unix::net::UnixListener,
    shared: Arc<Shared>,
    shutdown: CancellationToken,
) {
    let listener = match tokio::net::UnixListener::from_std(listener) {
        Ok(listener) => listener,
        Err(e) => {
            shared.record(DialFailure {
                status: "the forwarder could not start".into(),
                stderr: e.to_string(),
            });
            return;
        }
    };
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(relay(stream, shared.clone(), shutdown.clone()));
                }
                Err(e) => {
                    tracing::warn!(target: crate::LOG_TARGET, error = %e, "ssh forwarder: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            // Reap finished connections as they end.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    while connections.join_next().await.is_some() {}
}

/// One connection: one `ssh`, bytes relayed both ways until either side closes.
async fn relay(stream: UnixStream, shared: Arc<Shared>, shutdown: CancellationToken) {
    let command = &shared.command;
    tracing::debug!(target: crate::LOG_TARGET, args = ?command.args, "starting ssh");
    let spawned = Command::new(&command.program)
        .args(&command.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            shared.record(DialFailure {
                status: format!("{} could not be started", command.program),
                stderr: e.to_string(),
            });
            return; // the stream is dropped: the HTTP client sees its connection close
        }
    };
    let (Some(stdin), Some(mut stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return; // all three were asked for as pipes
    };
    let stderr = tokio::spawn(tail(stderr, STDERR_LIMIT));
    // A second handle on the client's socket, registered on its own, to learn when the client
    // has closed it entirely (not only its writing side) without touching the readiness the
    // relay's writes depend on.
    let watch = watcher(&stream);
    let (mut from_client, mut to_client) = stream.into_split();
    let relayed = {
        let upstream = async {
            // Owned here: ssh sees its stdin's end only when the pipe is closed (dropped; a
            // child's stdin has no shutdown of its own).
            let mut stdin = stdin;
            let copied = tokio::io::copy(&mut from_client, &mut stdin).await;
            drop(stdin);
            match (copied, &watch) {
                // The HTTP client closed its writing side (a hijacked stdin's end, or the whole
                // connection): ssh's stdin is closed, which the remote side passes on, and its
                // answer still comes. Done when the client has dropped the connection.
                (Ok(_), Some(watch)) => hung_up(watch).await,
                // Writing to ssh failed (it is ending: its stdout's end says why), or the
                // connection cannot be watched (the answer's end or a failed write ends it).
                _ => std::future::pending().await,
            }
        };
        let downstream = answer(&mut stdout, &mut to_client, &shared);
        tokio::pin!(upstream, downstream);
        tokio::select! {
            _ = shutdown.cancelled() => {
                let _ = child.kill().await;
                return;
            }
            // The HTTP client dropped the connection: nobody reads the answer any more.
            _ = &mut upstream => {
                let _ = child.kill().await;
                return;
            }
            relayed = &mut downstream => relayed,
        }
    };
    let relayed = match relayed {
        Ok(relayed) => relayed,
        // Writing to the HTTP client failed: it is gone, and so is this connection.
        Err(_) => {
            let _ = child.kill().await;
            return;
        }
    };
    // ssh closed its stdout: it has ended or is ending. Record why before the HTTP client sees
    // the connection close, so that its error finds the reason.
    let status = match tokio::time::timeout(EXIT_GRACE, child.wait()).await {
        Ok(Ok(status)) => Some(status),
        _ => {
            let _ = child.kill().await;
            None
        }
    };
    let stderr = match tokio::time::timeout(EXIT_GRACE, stderr).await {
        Ok(Ok(tail)) => tail,
        _ => String::new(),
    };
    let succeeded = status.is_some_and(|s| s.success());
    if !succeeded || relayed == 0 {
        let status = match status {
            Some(status) => status.to_string(),
            None => "did not exit; killed".to_string(),
        };
        let stderr = if stderr.is_empty() {
            "(nothing on stderr)".to_string()
        } else {
            stderr
        };
        shared.record(DialFailure { status, stderr });
    }
    drop(to_client);
}

/// A handle of its own on `stream`'s socket, for [`hung_up`].
fn watcher(stream: &UnixStream) -> Option<UnixStream> {
    use std::os::fd::AsFd;
    let fd = stream.as_fd().try_clone_to_owned().ok()?;
    let std = std::os::unix::net::UnixStream::from(fd);
    UnixStream::from_std(std).ok()
}

/// Returns once the peer has closed the socket entirely (a hang-up; a peer that only shut down
/// its writing side is still there).
async fn hung_up(watch: &UnixStream) {
    use tokio::io::Interest;
    loop {
        match watch.ready(Interest::WRITABLE).await {
            Ok(ready) if ready.is_write_closed() => return,
            // Writable: forget that (on this handle only) and wait for the next change.
            Ok(_) => {
                let _ = watch.try_io(Interest::WRITABLE, || {
                    Err::<(), _>(std::io::ErrorKind::WouldBlock.into())
                });
            }
            Err(_) => return,
        }
    }
}

/// Copies ssh's stdout to the HTTP client; the bytes copied. The first bytes prove this ssh
/// works, so an earlier failure no longer explains later errors.
async fn answer(
    from: &mut (impl AsyncRead + Unpin),
    to: &mut (impl tokio::io::AsyncWrite + Unpin),
    shared: &Shared,
) -> std::io::Result<u64> {
    use tokio::io::AsyncWriteExt;
    let mut buffer = vec![0u8; 64 * 1024];
    let mut copied = 0u64;
    loop {
        let n = from.read(&mut buffer).await?;
        if n == 0 {
            to.flush().await?;
            return Ok(copied);
        }
        if copied == 0 {
            shared.clear();
        }
        to.write_all(&buffer[..n]).await?;
        copied += n as u64;
    }
}

/// Reads `from` to its end, keeping its last `limit` bytes, as text (trimmed; `…` first when
/// the start was left out).
async fn tail(mut from: impl AsyncRead + Unpin, limit: usize) -> String {
    let mut kept: Vec<u8> = Vec::new();
    let mut cut = false;
    let mut chunk = [0u8; 1024];
    loop {
        match from.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                kept.extend_from_slice(&chunk[..n]);
                if kept.len() > 2 * limit {
                    kept.drain(..kept.len() - limit);
                    cut = true;
                }
            }
        }
    }
    if kept.len() > limit {
        kept.drain(..kept.len() - limit);
        cut = true;
    }
    let text = String::from_utf8_lossy(&kept);
    let text = text.trim();
    if cut {
        format!("…{text}")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncWriteExt;

    use super::*;

    fn args(command: &SshCommand) -> Vec<&str> {
        command.args.iter().map(String::as_str).collect()
    }

    #[test]
    fn command_lines_follow_the_cli() {
        let plain = SshCommand::new(None, "host", None, None, &[], Duration::from_secs(30));
        assert_eq!(
            args(&plain),
            [
                "-o",
                "ConnectTimeout=30",
                "-T",
                "--",
                "host",
                "docker system dial-stdio"
            ]
        );
        let options = vec![
            "-i".to_string(),
            "/keys/id".to_string(),
            "-o".to_string(),
            "ConnectTimeout=5".to_string(),
            "-T".to_string(),
        ];
        let full = SshCommand::new(
            Some("me"),
            "-oProxyCommand=evil",
            Some(2222),
            Some("/run/user/1000/docker's.sock"),
            &options,
            Duration::from_millis(1500),
        );
        assert_eq!(
            args(&full),
            [
                "-l",
                "me",
                "-p",
                "2222",
                "-i",
                "/keys/id",
                "-o",
                "ConnectTimeout=5",
                "-T",
                "--",
                "-oProxyCommand=evil",
                r"docker '--host=unix:///run/user/1000/docker'\''s.sock' system dial-stdio"
            ]
        );
        let timeout = SshCommand::new(None, "h", None, None, &[], Duration::from_millis(1500));
        assert!(args(&timeout).contains(&"ConnectTimeout=2"));
        let path = SshCommand::new(None, "h", None, Some("/x.sock"), &[], Duration::ZERO);
        assert_eq!(
            path.args.last().unwrap(),
            "docker --host=unix:///x.sock system dial-stdio"
        );
    }

    #[tokio::test]
    async fn stderr_is_bounded_to_its_end() {
        let long: Vec<u8> = (0..100_000).map(|i| b'a' + (i % 26) as u8).collect();
        let mut text = long.clone();
        text.extend_from_slice(b"\nPermission denied (publickey).\n");
        let kept = tail(&text[..], 64).await;
        assert!(kept.starts_with('…'), "{kept}");
        assert!(kept.ends_with("Permission denied (publickey)."), "{kept}");
        assert!(kept.len() <= 64 + '…'.len_utf8(), "{}", kept.len());
        assert_eq!(tail(&b"  short\n"[..], 64).await, "short");
    }

    /// A program that fails at once is recorded with its status and stderr before the
    /// connection closes; the socket's directory is private and removed on drop.
    #[tokio::test]
    async fn a_failing_program_is_recorded_before_the_connection_closes() {
        let forwarder = SshForwarder::start(SshCommand {
            program: "sh".into(),
            args: vec!["-c".into(), "echo 'no route to host' >&2; exit 255".into()],
        })
        .unwrap();
        let dir = forwarder.socket().parent().unwrap().to_path_buf();
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        let mut stream = UnixStream::connect(forwarder.socket()).await.unwrap();
        stream
            .write_all(b"GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n")
            .await
            .unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        assert!(answer.is_empty());
        let failure = forwarder
            .recent_failure()
            .expect("recorded before the close");
        assert_eq!(failure.stderr, "no route to host");
        assert!(failure.status.contains("255"), "{}", failure.status);
        drop(forwarder);
        assert!(!dir.exists());
    }

    /// A program that relays (here `cat`, an echo) is a working connection; dropping the
    /// forwarder kills it.
    #[tokio::test]
    async fn bytes_are_relayed_both_ways() {
        let forwarder = SshForwarder::start(SshCommand {
            program: "cat".into(),
            args: vec![],
        })
        .unwrap();
        let mut stream = UnixStream::connect(forwarder.socket()).await.unwrap();
        stream.write_all(b"ping").await.unwrap();
        let mut echoed = [0u8; 4];
        stream.read_exact(&mut echoed).await.unwrap();
        assert_eq!(&echoed, b"ping");
        drop(forwarder);
        let mut rest = Vec::new();
        let _ = stream.read_to_end(&mut rest).await;
        assert!(rest.is_empty());
    }
}
