//! [`Wait`]: what "ready" means for a container: a log line, an HTTP answer, a port that
//! accepts, a healthy healthcheck, an exit, a command that succeeds, or all of these. Each has a
//! deadline; a container that exits while waited on fails the wait at once; every failure quotes
//! the container's last log lines.
//!
//! A log wait follows the log stream from the container's start (no polling, and a line written
//! before the wait began counts). The others probe, at first every few milliseconds, backing off
//! to [`MAX_INTERVAL`], and check (every [`RUNNING_CHECK`] at most) that the container still
//! runs.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::io::AsyncReadExt;

use super::inspect::Inspection;
use super::lines::{Lines, last_lines};
use super::port::{IntoPort, Port};
use super::{Handle, exec};
use crate::error::{ConfigError, ContainerError, Error};
use crate::stream::StdStream;

/// A wait's deadline unless [`Wait::timeout`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The longest pause between two probes (a probe is a local connection: cheap).
const MAX_INTERVAL: Duration = Duration::from_millis(20);

/// How often, at most, a probing wait asks the daemon whether the container still runs.
const RUNNING_CHECK: Duration = Duration::from_millis(100);

/// After a port accepts, how long the connection must stay open to count: Docker's userland
/// proxy accepts on the host port before anything listens in the container, then closes the
/// connection when it cannot reach it.
const ACCEPT_SETTLE: Duration = Duration::from_millis(20);

type LinePredicate = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// What makes a container ready, and how long to wait for it.
///
/// ```no_run
/// # async fn demo() -> Result<(), docker_engine_client::Error> {
/// use std::time::Duration;
/// use docker_engine_client::{Docker, container::Wait, run::Run, v1_55};
/// let client: v1_55::Client = Docker::from_env()?.client().await?;
/// let db = Run::new("postgres:17", Vec::<String>::new())
///     .env("POSTGRES_PASSWORD", "secret")
///     .publish(5432)
///     .wait_for(Wait::log("database system is ready to accept connections").times(2))
///     .wait_for(Wait::port(5432).timeout(Duration::from_secs(30)))
///     .detach(&client)
///     .await?;
/// let port = db.host_port(5432).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Wait {
    strategy: Strategy,
    timeout: Duration,
}

#[derive(Clone)]
enum Strategy {
    Log {
        matcher: Matcher,
        times: usize,
        streams: LogStreams,
    },
    Http {
        port: Result<Port, (String, String)>,
        path: String,
        status: u16,
    },
    Port(Result<Port, (String, String)>),
    Healthy,
    Exit(i64),
    Exec(Vec<String>),
    All(Vec<Wait>),
}

#[derive(Clone)]
enum Matcher {
    Contains(String),
    Predicate(LinePredicate),
}

/// Which of a container's streams a log wait reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogStreams {
    /// Both (and a TTY's one stream).
    #[default]
    Both,
    /// Standard output only.
    Stdout,
    /// Standard error only.
    Stderr,
}

impl LogStreams {
    fn reads(self, stream: StdStream) -> bool {
        match self {
            LogStreams::Both => true,
            LogStreams::Stdout => stream != StdStream::Stderr,
            LogStreams::Stderr => stream == StdStream::Stderr,
        }
    }
}

/// A port given to a wait, checked when the wait runs (the constructors cannot fail).
fn deferred(port: impl IntoPort) -> Result<Port, (String, String)> {
    port.into_port().map_err(|e| match e {
        Error::Config(ConfigError::InvalidPort { value, reason }) => (value, reason),
        other => (String::new(), other.to_string()),
    })
}

fn checked(port: &Result<Port, (String, String)>) -> Result<Port, Error> {
    port.clone().map_err(|(value, reason)| {
        ConfigError::InvalidPort {
            value: value.clone(),
            reason: reason.clone(),
        }
        .into()
    })
}

impl Wait {
    fn new(strategy: Strategy) -> Self {
        Wait {
            strategy,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// A log line containing `text` (on stdout or stderr), written before or during the wait.
    pub fn log(text: impl Into<String>) -> Self {
        Wait::new(Strategy::Log {
            matcher: Matcher::Contains(text.into()),
            times: 1,
            streams: LogStreams::Both,
        })
    }

    /// A log line for which `predicate` holds (given the line without its newline, lossily
    /// decoded as UTF-8).
    pub fn log_matching(predicate: impl Fn(&str) -> bool + Send + Sync + 'static) -> Self {
        Wait::new(Strategy::Log {
            matcher: Matcher::Predicate(Arc::new(predicate)),
            times: 1,
            streams: LogStreams::Both,
        })
    }

    /// For a log wait: the `n`th matching line (postgres logs "ready" twice).
    pub fn times(mut self, n: usize) -> Self {
        if let Strategy::Log { times, .. } = &mut self.strategy {
            *times = n.max(1);
        }
        self
    }

    /// For a log wait: which streams to read.
    pub fn streams(mut self, which: LogStreams) -> Self {
        if let Strategy::Log { streams, .. } = &mut self.strategy {
            *streams = which;
        }
        self
    }

    /// An HTTP `GET path` to the container's published `port` answering 200 (see
    /// [`Wait::status`]), sent from this process to the host port.
    pub fn http(port: impl IntoPort, path: impl Into<String>) -> Self {
        Wait::new(Strategy::Http {
            port: deferred(port),
            path: path.into(),
            status: 200,
        })
    }

    /// For an HTTP wait: the status that means ready.
    pub fn status(mut self, code: u16) -> Self {
        if let Strategy::Http { status, .. } = &mut self.strategy {
            *status = code;
        }
        self
    }

    /// The container's published `port` accepting TCP connections on its host port (and keeping
    /// them open: see the module docs).
    pub fn port(port: impl IntoPort) -> Self {
        Wait::new(Strategy::Port(deferred(port)))
    }

    /// The container's healthcheck (the image's, or the run's) reporting healthy.
    pub fn healthy() -> Self {
        Wait::new(Strategy::Healthy)
    }

    /// The container exiting with `code`; another code is an error.
    pub fn exit(code: i64) -> Self {
        Wait::new(Strategy::Exit(code))
    }

    /// `cmd` run in the container (an exec) exiting 0.
    pub fn exec<I, S>(cmd: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Wait::new(Strategy::Exec(cmd.into_iter().map(Into::into).collect()))
    }

    /// Every one of `waits`, at the same time, each with its own deadline.
    pub fn all(waits: impl IntoIterator<Item = Wait>) -> Self {
        Wait::new(Strategy::All(waits.into_iter().collect()))
    }

    /// The deadline ([`DEFAULT_TIMEOUT`] unless set). For [`Wait::all`], the deadline of the
    /// whole.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Waits on `container`: within the deadline, or a [`ContainerError`] quoting its last lines.
    pub(crate) fn run<'a>(
        &'a self,
        container: &'a Handle,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<(), Error>> + Send + 'a>> {
        Box::pin(async move {
            let waited = tokio::time::timeout(self.timeout, self.strategy.run(container)).await;
            match waited {
                Ok(result) => result,
                Err(_) => Err(ContainerError::WaitTimeout {
                    container: container.label(),
                    strategy: self.to_string(),
                    waited: self.timeout,
                    last_lines: last_lines(&container.requests, &container.id, container.tty).await,
                }
                .into()),
            }
        })
    }
}

impl fmt::Display for Wait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.strategy {
            Strategy::Log { matcher, times, .. } => {
                match matcher {
                    Matcher::Contains(text) => write!(f, "log line {text:?}")?,
                    Matcher::Predicate(_) => f.write_str("a matching log line")?,
                }
                if *times > 1 {
                    write!(f, " ({times} times)")?;
                }
                Ok(())
            }
            Strategy::Http { port, path, status } => {
                let port = port
                    .as_ref()
                    .map_or_else(|(v, _)| v.clone(), Port::to_string);
                write!(f, "HTTP {status} from {port} {path}")
            }
            Strategy::Port(port) => {
                let port = port
                    .as_ref()
                    .map_or_else(|(v, _)| v.clone(), Port::to_string);
                write!(f, "port {port}")
            }
            Strategy::Healthy => f.write_str("healthy"),
            Strategy::Exit(code) => write!(f, "exit code {code}"),
            Strategy::Exec(cmd) => write!(f, "exec {cmd:?} exiting 0"),
            Strategy::All(waits) => {
                let each: Vec<String> = waits.iter().map(Wait::to_string).collect();
                write!(f, "all of [{}]", each.join(", "))
            }
        }
    }
}

impl fmt::Debug for Wait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("strategy", &self.to_string())
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Strategy {
    async fn run(&self, container: &Handle) -> Result<(), Error> {
        match self {
            Strategy::Log {
                matcher,
                times,
                streams,
            } => wait_for_line(container, matcher, *times, *streams, self).await,
            Strategy::Http { port, path, status } => {
                let port = checked(port)?;
                let address = container.host_address(&port).await?;
                poll(container, self, || http_answers(&address, path, *status)).await
            }
            Strategy::Port(port) => {
                let port = checked(port)?;
                let address = container.host_address(&port).await?;
                poll(container, self, || accepts(&address)).await
            }
            Strategy::Healthy => {
                poll(container, self, || async {
                    let state = container.inspect().await?;
                    match state.state.health.as_deref() {
                        Some(status) => Ok(status == "healthy"),
                        None => Err(ContainerError::NoHealthcheck {
                            container: container.label(),
                        }
                        .into()),
                    }
                })
                .await
            }
            Strategy::Exit(expected) => {
                let exit_code = container.wait_exit().await?;
                if exit_code == *expected {
                    return Ok(());
                }
                Err(ContainerError::ExitCode {
                    container: container.label(),
                    expected: *expected,
                    exit_code,
                    last_lines: last_lines(&container.requests, &container.id, container.tty).await,
                }
                .into())
            }
            Strategy::Exec(cmd) => {
                let exec = exec::Exec::new(cmd.clone());
                poll(container, self, || async {
                    match exec.run(container).await {
                        Ok(output) => Ok(output.exit_code == 0),
                        // Not running (yet, or any more): the state check between probes says.
                        Err(e) if e.is_conflict() => Ok(false),
                        Err(e) => Err(e),
                    }
                })
                .await
            }
            Strategy::All(waits) => {
                futures_util::future::try_join_all(waits.iter().map(|w| w.run(container))).await?;
                Ok(())
            }
        }
    }

    fn describe(&self) -> String {
        Wait {
            strategy: self.clone(),
            timeout: DEFAULT_TIMEOUT,
        }
        .to_string()
    }
}

/// Follows the container's log from its start until the `times`th line that matches.
async fn wait_for_line(
    container: &Handle,
    matcher: &Matcher,
    times: usize,
    streams: LogStreams,
    strategy: &Strategy,
) -> Result<(), Error> {
    let mut output = super::lines::logs(
        &container.requests,
        &container.id,
        container.tty,
        true,
        None,
    )
    .await?;
    let mut lines = Lines::default();
    let mut seen = 0;
    let mut matches = |found: Vec<(StdStream, Vec<u8>)>| {
        for (stream, line) in found {
            if streams.reads(stream) && matcher.matches(&String::from_utf8_lossy(&line)) {
                seen += 1;
                if seen >= times {
                    return true;
                }
            }
        }
        false
    };
    while let Some(chunk) = output.next().await {
        if matches(lines.push(&chunk?)) {
            return Ok(());
        }
    }
    if matches(lines.finish()) {
        return Ok(());
    }
    // The log ends when the container stops.
    Err(container.exited_error(&strategy.describe()).await)
}

impl Matcher {
    fn matches(&self, line: &str) -> bool {
        match self {
            Matcher::Contains(text) => line.contains(text.as_str()),
            Matcher::Predicate(predicate) => predicate(line),
        }
    }
}

/// Probes until `probe` says ready; between probes, a container that is no longer running
/// fails the wait.
async fn poll<F, Fut>(container: &Handle, strategy: &Strategy, mut probe: F) -> Result<(), Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<bool, Error>>,
{
    let mut interval = Duration::from_millis(5);
    let mut checked: Option<tokio::time::Instant> = None;
    loop {
        if probe().await? {
            return Ok(());
        }
        if checked.is_none_or(|at| at.elapsed() >= RUNNING_CHECK) {
            checked = Some(tokio::time::Instant::now());
            if !container.inspect().await?.state.running {
                return Err(container.exited_error(&strategy.describe()).await);
            }
        }
        tokio::time::sleep(interval).await;
        interval = (interval * 2).min(MAX_INTERVAL);
    }
}

/// Whether a TCP connection to `address` is accepted and stays open for [`ACCEPT_SETTLE`].
async fn accepts(address: &str) -> Result<bool, Error> {
    let Ok(mut stream) = tokio::net::TcpStream::connect(address).await else {
        return Ok(false);
    };
    let mut byte = [0u8; 1];
    Ok(
        match tokio::time::timeout(ACCEPT_SETTLE, stream.read(&mut byte)).await {
            // Nothing said and still open: something listens behind the port.
            Err(_) => true,
            // A server that speaks first.
            Ok(Ok(n)) => n > 0,
            // Closed or reset: the proxy found nothing behind it.
            Ok(Err(_)) => false,
        },
    )
}

/// Whether `GET path` to `address` answers `status`.
#[allow(
    clippy::disallowed_methods,
    reason = "a probe of the container's own HTTP server, not a request to the daemon"
)]
async fn http_answers(address: &str, path: &str, status: u16) -> Result<bool, Error> {
    let Ok(stream) = tokio::net::TcpStream::connect(address).await else {
        return Ok(false);
    };
    let Ok((mut sender, connection)) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await
    else {
        return Ok(false);
    };
    let Ok(request) = http::Request::get(path)
        .header(http::header::HOST, address)
        .body(http_body_util::Empty::<bytes::Bytes>::new())
    else {
        return Ok(false);
    };
    let answered = async {
        tokio::pin!(connection);
        let response = sender.send_request(request);
        tokio::pin!(response);
        // This task drives the connection until the answer's head arrives.
        loop {
            tokio::select! {
                response = &mut response => return response.ok().map(|r| r.status().as_u16()),
                done = &mut connection => if done.is_err() { return None },
            }
        }
    };
    Ok(answered.await == Some(status))
}

impl Handle {
    /// The error for a container that is not running while `strategy` needs it to.
    pub(crate) async fn exited_error(&self, strategy: &str) -> Error {
        let exit_code = match self.inspect().await {
            Ok(Inspection { state, .. }) => state.exit_code,
            Err(e) => return e,
        };
        ContainerError::Exited {
            container: self.label(),
            strategy: strategy.to_string(),
            exit_code,
            last_lines: last_lines(&self.requests, &self.id, self.tty).await,
        }
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_describe_themselves() {
        assert_eq!(Wait::log("ready").to_string(), "log line \"ready\"");
        assert_eq!(
            Wait::log("ready").times(2).to_string(),
            "log line \"ready\" (2 times)"
        );
        assert_eq!(
            Wait::http("8080/tcp", "/health").status(204).to_string(),
            "HTTP 204 from 8080/tcp /health"
        );
        assert_eq!(Wait::port(5432).to_string(), "port 5432/tcp");
        assert_eq!(Wait::port("nope").to_string(), "port nope");
        assert_eq!(
            Wait::all([Wait::healthy(), Wait::exit(0)]).to_string(),
            "all of [healthy, exit code 0]"
        );
        assert_eq!(
            Wait::log("x").timeout(Duration::from_secs(1)).timeout,
            Duration::from_secs(1)
        );
    }

    #[test]
    fn log_streams_select_lines() {
        assert!(LogStreams::Both.reads(StdStream::Stderr));
        assert!(LogStreams::Stdout.reads(StdStream::Console));
        assert!(!LogStreams::Stdout.reads(StdStream::Stderr));
        assert!(!LogStreams::Stderr.reads(StdStream::Stdout));
    }
}
