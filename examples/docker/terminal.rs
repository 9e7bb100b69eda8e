//! The local terminal of the example CLI's `-t`, as the docker CLI handles it: raw mode while
//! attached (so keys reach the container's TTY as typed, ctrl-c included), restored on every way
//! out (the session ending, an error, a panic, SIGINT/SIGTERM/SIGHUP); the terminal's size sent
//! to the container's (or exec's) TTY at the start and on every SIGWINCH; and the CLI's detach
//! keys, ctrl-p ctrl-q, which end the session and leave the container running.
//!
//! Kept apart from `docker.rs`, which copies the output: this file is the input side.

use std::future::Future;
use std::io::IsTerminal;
use std::sync::{Mutex, Once};
use std::time::Duration;

use docker_engine_client::Error;
use docker_engine_client::v1_55::Client;
use rustix::termios::{OptionalActions, Termios, tcgetattr, tcgetwinsize, tcsetattr};
use tokio::io::{AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The docker CLI's default detach keys: ctrl-p, ctrl-q.
const DETACH_KEYS: [u8; 2] = [0x10, 0x11];

/// Whose TTY the local terminal's size goes to.
pub enum Tty {
    /// A container's (`container_resize`).
    Container(Client, String),
    /// An exec's (`exec_resize`).
    Exec(Client, String),
}

/// An attached session's terminal handling; dropping it restores the terminal.
pub struct Session {
    raw: Option<RawMode>,
    resizing: Option<JoinHandle<()>>,
    detached: Option<oneshot::Receiver<()>>,
    detach_sender: Option<oneshot::Sender<()>>,
}

impl Session {
    /// Starts the terminal handling of a session with `tty` (the container's TTY is on) and
    /// `interactive` (stdin is forwarded): raw mode when both are on and stdin is a terminal,
    /// and size updates of `target` when `tty` is on and stdout is a terminal.
    pub fn start(tty: bool, interactive: bool, target: Tty) -> Result<Session, Error> {
        let raw = if tty && interactive {
            RawMode::enable().map_err(|e| Error::InvalidRequest {
                operation: "terminal",
                message: format!("cannot put the terminal in raw mode: {e}"),
            })?
        } else {
            None
        };
        let resizing =
            (tty && std::io::stdout().is_terminal()).then(|| tokio::spawn(follow_size(target)));
        let (sender, receiver) = oneshot::channel();
        Ok(Session {
            raw,
            resizing,
            detached: Some(receiver),
            detach_sender: Some(sender),
        })
    }

    /// Forwards this process's stdin to `to` until it ends, then closes `to`. In raw mode the
    /// detach keys are watched for: they are not sent, and they end the session
    /// ([`Session::until_detached`]).
    pub fn forward_stdin<W>(&mut self, mut to: W) -> JoinHandle<()>
    where
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let watch = self.raw.is_some();
        let detach = self.detach_sender.take();
        tokio::spawn(async move {
            let mut stdin = tokio::io::stdin();
            let mut keys = DetachKeys::default();
            let mut buf = vec![0u8; 4096];
            loop {
                let n = match stdin.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                let (pass, detached) = if watch {
                    keys.feed(&buf[..n])
                } else {
                    (buf[..n].to_vec(), false)
                };
                if !pass.is_empty()
                    && (to.write_all(&pass).await.is_err() || to.flush().await.is_err())
                {
                    return;
                }
                if detached {
                    if let Some(detach) = detach {
                        let _ = detach.send(());
                    }
                    return;
                }
            }
            let _ = to.shutdown().await;
        })
    }

    /// Runs `work` (copying the output) until it ends (`Some`), or until the detach keys are
    /// typed (`None`); either way the terminal is restored before this returns.
    pub async fn until_detached<T>(&mut self, work: impl Future<Output = T>) -> Option<T> {
        let detached = self.detached.take();
        let result = match detached {
            Some(detached) => {
                tokio::select! {
                    done = work => Some(done),
                    Ok(()) = detached => None,
                }
            }
            None => Some(work.await),
        };
        self.finish();
        result
    }

    /// Stops following the size and leaves raw mode (also done on drop).
    fn finish(&mut self) {
        if let Some(task) = self.resizing.take() {
            task.abort();
        }
        self.raw.take();
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Watches stdin for the detach keys, holding back a partial match until the next key shows
/// whether it is one.
#[derive(Default)]
struct DetachKeys {
    matched: usize,
}

impl DetachKeys {
    /// The bytes to pass on, and whether the keys were completed (what followed them is
    /// dropped: the session is over).
    fn feed(&mut self, input: &[u8]) -> (Vec<u8>, bool) {
        let mut pass = Vec::with_capacity(input.len() + self.matched);
        for &byte in input {
            if byte == DETACH_KEYS[self.matched] {
                self.matched += 1;
                if self.matched == DETACH_KEYS.len() {
                    self.matched = 0;
                    return (pass, true);
                }
                continue;
            }
            // Not the keys after all: what was held back goes on, then this byte (which may
            // start the keys again).
            pass.extend_from_slice(&DETACH_KEYS[..self.matched]);
            self.matched = usize::from(byte == DETACH_KEYS[0]);
            if self.matched == 0 {
                pass.push(byte);
            }
        }
        (pass, false)
    }
}

/// Sends the terminal's size now and after every SIGWINCH, until aborted.
async fn follow_size(target: Tty) {
    // Listening before the first read of the size, so no change in between is missed.
    let mut changes = signal(SignalKind::window_change()).ok();
    // The TTY may not be ready right after the start: a few tries, as the docker CLI makes.
    for attempt in 1..=10u64 {
        if send_size(&target).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10 * attempt)).await;
    }
    let Some(changes) = changes.as_mut() else {
        return;
    };
    while changes.recv().await.is_some() {
        let _ = send_size(&target).await;
    }
}

/// Sends the terminal's current size (rows, columns) to `target`'s TTY.
async fn send_size(target: &Tty) -> Result<(), Error> {
    let Ok(size) = tcgetwinsize(std::io::stdout()) else {
        return Ok(());
    };
    if size.ws_row == 0 || size.ws_col == 0 {
        return Ok(());
    }
    let (h, w) = (i64::from(size.ws_row), i64::from(size.ws_col));
    match target {
        Tty::Container(client, id) => {
            client.container_resize().id(id).h(h).w(w).send().await?;
        }
        Tty::Exec(client, id) => {
            client.exec_resize().id(id).h(h).w(w).send().await?;
        }
    }
    Ok(())
}

/// The terminal's settings before raw mode, while it is on; restoring takes them out, so the
/// terminal is restored once whichever way out comes first.
static SAVED: Mutex<Option<Termios>> = Mutex::new(None);

/// Raw mode on stdin's terminal while this lives.
struct RawMode;

impl RawMode {
    /// Raw mode, when stdin is a terminal (`None` otherwise: nothing to do).
    fn enable() -> std::io::Result<Option<RawMode>> {
        let stdin = std::io::stdin();
        if !stdin.is_terminal() {
            return Ok(None);
        }
        let saved = tcgetattr(&stdin)?;
        let mut raw = saved.clone();
        raw.make_raw();
        *SAVED.lock().unwrap_or_else(|e| e.into_inner()) = Some(saved);
        restore_on_panic_and_signals();
        tcsetattr(&stdin, OptionalActions::Now, &raw)?;
        Ok(Some(RawMode))
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the terminal back as it was before raw mode (once; later calls do nothing).
fn restore() {
    let saved = SAVED.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(saved) = saved {
        let _ = tcsetattr(std::io::stdin(), OptionalActions::Now, &saved);
    }
}

/// A panic, SIGINT, SIGTERM or SIGHUP restores the terminal first (the signals then end the
/// process as they would have: status 128 + the signal's number). Installed once.
fn restore_on_panic_and_signals() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
        for (kind, number) in [
            (SignalKind::interrupt(), 2),
            (SignalKind::terminate(), 15),
            (SignalKind::hangup(), 1),
        ] {
            let Ok(mut incoming) = signal(kind) else {
                continue;
            };
            tokio::spawn(async move {
                if incoming.recv().await.is_some() {
                    restore();
                    std::process::exit(128 + number);
                }
            });
        }
    });
}
