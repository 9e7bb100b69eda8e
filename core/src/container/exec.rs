//! [`Exec`]: a command run in a running container, to its end: its exit code and collected
//! output, with input and environment. The streamed form is
//! [`stream::exec_start`](crate::stream::exec_start) (a hijacked connection, for interactive
//! use); this is the one-call form on top of it.

use futures_util::StreamExt;
use serde::Deserialize;
use tokio::io::AsyncWriteExt;

use super::Handle;
use crate::error::Error;
use crate::run::RunOutput;
use crate::stream::StdStream;
use crate::transport::segment;

/// A command to run in a container ([`Container::exec_with`](super::Container::exec_with)).
#[derive(Clone, Debug)]
pub struct Exec {
    cmd: Vec<String>,
    env: Vec<String>,
    stdin: Option<Vec<u8>>,
    working_dir: Option<String>,
    user: Option<String>,
}

impl Exec {
    /// Runs `cmd` (no shell: `["sh", "-c", "..."]` for one).
    pub fn new<I, S>(cmd: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Exec {
            cmd: cmd.into_iter().map(Into::into).collect(),
            env: Vec::new(),
            stdin: None,
            working_dir: None,
            user: None,
        }
    }

    /// Sets an environment variable.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push(format!("{key}={value}"));
        self
    }

    /// Feeds `input` to the command's stdin, then closes it.
    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(input.into());
        self
    }

    /// The working directory.
    pub fn working_dir(mut self, dir: impl Into<String>) -> Self {
        self.working_dir = Some(dir.into());
        self
    }

    /// The user (`name`, `uid`, `uid:gid`).
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// Creates, starts and collects the exec; its exit code once its output has ended.
    pub(crate) async fn run(&self, container: &Handle) -> Result<RunOutput, Error> {
        let requests = &container.requests;
        let mut body = serde_json::json!({
            "Cmd": self.cmd,
            "Env": self.env,
            "AttachStdin": self.stdin.is_some(),
            "AttachStdout": true,
            "AttachStderr": true,
            "Tty": false,
        });
        if let Some(dir) = &self.working_dir {
            body["WorkingDir"] = dir.as_str().into();
        }
        if let Some(user) = &self.user {
            body["User"] = user.as_str().into();
        }
        let create = requests
            .post(&format!("/containers/{}/exec", segment(&container.id)))
            .json(&body);
        let response = requests.send(create, "container_exec").await?;
        #[derive(Deserialize)]
        struct Created {
            #[serde(rename = "Id")]
            id: String,
        }
        let exec: Created = requests.json(response, "container_exec").await?;
        let mut hijacked =
            crate::stream::hijack::exec_start_with(requests, &exec.id, false).await?;
        let input = self.stdin.clone();
        let mut stdin = hijacked.stdin;
        let feed = async move {
            if let Some(input) = input {
                stdin.write_all(&input).await?;
                stdin.shutdown().await?;
            }
            Ok::<_, std::io::Error>(stdin)
        };
        let collect = async {
            let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
            while let Some(item) = hijacked.output.next().await {
                let item = item?;
                match item.stream {
                    StdStream::Stderr => stderr.extend_from_slice(&item.bytes),
                    _ => stdout.extend_from_slice(&item.bytes),
                }
            }
            Ok::<_, Error>((stdout, stderr))
        };
        let (fed, collected) = tokio::join!(feed, collect);
        let (stdout, stderr) = collected?;
        if let Err(e) = fed {
            // A command that exits without reading its input is not an error.
            tracing::debug!(target: crate::LOG_TARGET, error = %e, "writing the exec's stdin");
        }
        #[derive(Deserialize)]
        struct Inspected {
            #[serde(rename = "ExitCode")]
            exit_code: Option<i64>,
        }
        let inspect = requests.get(&format!("/exec/{}/json", segment(&exec.id)));
        let response = requests.send(inspect, "exec_inspect").await?;
        let inspected: Inspected = requests.json(response, "exec_inspect").await?;
        Ok(RunOutput {
            id: exec.id,
            exit_code: inspected.exit_code.unwrap_or(-1),
            stdout,
            stderr,
        })
    }
}
