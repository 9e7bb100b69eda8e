//! The docker CLI's credential helpers (`docker-credential-<name>`), read-only: `get` with the
//! server on stdin, answering `{"ServerURL","Username","Secret"}`, and `list`, answering a map of
//! server → username. A helper that is missing, fails, hangs (it is killed after a timeout) or
//! prints garbage gives an [`AuthError`] naming the helper and never its output on success, which
//! holds the secret.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Duration;

use serde::Deserialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::Credentials;
use crate::error::AuthError;

/// What a helper may print: more is refused, not buffered.
const MAX_REPLY: u64 = 1 << 20;

/// The message helpers print (exit code 1) for a server they hold nothing for.
const NOT_FOUND: &str = "credentials not found in native keychain";

/// Username helpers give for an identity token (the CLI's `tokenUsername`).
const TOKEN_USERNAME: &str = "<token>";

/// A credential helper, by its suffix: `pass` runs `docker-credential-pass`.
#[derive(Debug, Clone)]
pub(crate) struct Helper {
    program: String,
    timeout: Duration,
}

#[derive(Deserialize)]
struct Reply {
    #[serde(rename = "Username", default)]
    username: String,
    #[serde(rename = "Secret", default)]
    secret: String,
}

impl Helper {
    pub(crate) fn new(name: &str, timeout: Duration) -> Self {
        Self {
            program: format!("docker-credential-{name}"),
            timeout,
        }
    }

    /// The credentials the helper holds for `server`; anonymous when it holds none.
    pub(crate) async fn get(&self, server: &str) -> Result<Credentials, AuthError> {
        let Some(out) = self.run("get", server).await? else {
            return Ok(Credentials::anonymous());
        };
        let reply: Reply = serde_json::from_slice(&out).map_err(|e| {
            // The output may hold the secret: say what was wrong, never what it was.
            self.error(format!(
                "its reply to `get` is not credentials JSON ({} bytes; {})",
                out.len(),
                category(&e)
            ))
        })?;
        let creds = if reply.username == TOKEN_USERNAME {
            Credentials::identity_token(reply.secret)
        } else if reply.username.is_empty() && reply.secret.is_empty() {
            Credentials::anonymous()
        } else {
            Credentials::password(reply.username, reply.secret)
        };
        Ok(creds.with_server_address(server))
    }

    /// The servers the helper holds credentials for (server → username).
    pub(crate) async fn list(&self) -> Result<BTreeMap<String, String>, AuthError> {
        let Some(out) = self.run("list", "").await? else {
            return Ok(BTreeMap::new());
        };
        serde_json::from_slice(&out).map_err(|e| {
            self.error(format!(
                "its reply to `list` is not a JSON object of servers ({})",
                category(&e)
            ))
        })
    }

    /// Runs `<program> <verb>` with `input` on stdin; `None` when the helper says it holds nothing.
    async fn run(&self, verb: &str, input: &str) -> Result<Option<Vec<u8>>, AuthError> {
        let mut child = tokio::process::Command::new(&self.program)
            .arg(verb)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                self.error(if e.kind() == std::io::ErrorKind::NotFound {
                    "not found on PATH".to_string()
                } else {
                    format!("cannot start it: {e}")
                })
            })?;
        let (Some(mut stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(self.error("its standard streams were not piped".to_string()));
        };
        let talk = async {
            // A helper that exits without reading its input is not an error by itself.
            let _ = stdin.write_all(input.as_bytes()).await;
            drop(stdin);
            let (mut out, mut err) = (Vec::new(), Vec::new());
            let (mut stdout, mut stderr) = (stdout.take(MAX_REPLY + 1), stderr.take(MAX_REPLY + 1));
            let (read_out, read_err) =
                tokio::join!(stdout.read_to_end(&mut out), stderr.read_to_end(&mut err),);
            read_out.and(read_err)?;
            let status = child.wait().await?;
            Ok::<_, std::io::Error>((status, out, err))
        };
        let (status, out, err) = tokio::time::timeout(self.timeout, talk)
            .await
            .map_err(|_| {
                self.error(format!(
                    "`{verb}` did not finish within {:?}; it was stopped",
                    self.timeout
                ))
            })?
            .map_err(|e| self.error(format!("talking to it failed: {e}")))?;
        if out.len() as u64 > MAX_REPLY {
            return Err(self.error(format!("its reply is longer than {MAX_REPLY} bytes")));
        }
        if status.success() {
            return Ok(Some(out));
        }
        let message = String::from_utf8_lossy(if out.is_empty() { &err } else { &out });
        let message = message.trim();
        if message == NOT_FOUND {
            return Ok(None);
        }
        // A failed helper prints an error message, not credentials.
        let shown: String = message.chars().take(200).collect();
        Err(self.error(format!("`{verb}` failed ({status}): {shown}")))
    }

    fn error(&self, reason: String) -> AuthError {
        AuthError::Helper {
            helper: self.program.clone(),
            reason,
        }
    }
}

/// What kind of JSON error, without the error's text (which may quote the secret).
fn category(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax => "malformed JSON",
        serde_json::error::Category::Data => "JSON of the wrong shape",
        serde_json::error::Category::Eof => "JSON cut short",
    }
}
