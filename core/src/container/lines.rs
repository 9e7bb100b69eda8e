//! Container output as lines: for waiting on a log line, and for quoting a container's last
//! lines in errors. Lines are bounded: a line longer than [`MAX_LINE`] is cut there (the rest is
//! the next line), so a container that never writes a newline costs bounded memory.

use futures_util::StreamExt;

use crate::error::Error;
use crate::stream::{BodyStream, Framing, OutputChunk, OutputStream, StdStream};
use crate::transport::{Requests, segment};

/// The longest line kept whole.
pub(crate) const MAX_LINE: usize = 64 * 1024;

/// How many lines errors quote.
pub(crate) const QUOTED_LINES: usize = 20;

/// The longest quoted line, in characters.
const QUOTED_WIDTH: usize = 400;

/// Splits one container's output into lines, per stream (stdout's and stderr's pieces may
/// interleave mid-line).
#[derive(Debug, Default)]
pub(crate) struct Lines {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl Lines {
    /// The lines `chunk` completes, each with its stream, without their `\n` (or `\r\n`).
    pub(crate) fn push(&mut self, chunk: &OutputChunk) -> Vec<(StdStream, Vec<u8>)> {
        let (stream, pending) = match chunk.stream {
            StdStream::Stderr => (StdStream::Stderr, &mut self.stderr),
            other => (other, &mut self.stdout),
        };
        let mut done = Vec::new();
        let mut rest: &[u8] = &chunk.bytes;
        while !rest.is_empty() {
            let room = MAX_LINE - pending.len();
            match memchr::memchr(b'\n', &rest[..rest.len().min(room)]) {
                Some(at) => {
                    pending.extend_from_slice(&rest[..at]);
                    rest = &rest[at + 1..];
                    done.push((stream, take_line(pending)));
                }
                None if rest.len() >= room => {
                    pending.extend_from_slice(&rest[..room]);
                    rest = &rest[room..];
                    done.push((stream, take_line(pending)));
                }
                None => {
                    pending.extend_from_slice(rest);
                    rest = &[];
                }
            }
        }
        done
    }

    /// The unfinished lines at the end of the output.
    pub(crate) fn finish(&mut self) -> Vec<(StdStream, Vec<u8>)> {
        let mut done = Vec::new();
        if !self.stdout.is_empty() {
            done.push((StdStream::Stdout, take_line(&mut self.stdout)));
        }
        if !self.stderr.is_empty() {
            done.push((StdStream::Stderr, take_line(&mut self.stderr)));
        }
        done
    }
}

/// The pending line, without a trailing `\r`; the buffer left empty.
fn take_line(pending: &mut Vec<u8>) -> Vec<u8> {
    let mut line = std::mem::take(pending);
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    line
}

/// A container's log, from its start: followed (the stream ends when the container stops), or
/// the last `tail` lines so far.
pub(crate) async fn logs(
    requests: &Requests,
    id: &str,
    tty: bool,
    follow: bool,
    tail: Option<usize>,
) -> Result<OutputStream<BodyStream>, Error> {
    let tail = tail.map_or_else(|| "all".to_string(), |n| n.to_string());
    let request = requests
        .get(&format!("/containers/{}/logs", segment(id)))
        .query(&[
            ("stdout", "1"),
            ("stderr", "1"),
            ("follow", if follow { "1" } else { "0" }),
            ("tail", tail.as_str()),
        ]);
    let response = requests.send(request, "container_logs").await?;
    let framing = Framing::from_headers(response.headers(), tty);
    Ok(OutputStream::new(
        crate::stream::body::body_of(response),
        framing,
    ))
}

/// The container's last lines (at most [`QUOTED_LINES`], each shortened), for error messages;
/// none when they cannot be read.
pub(crate) async fn last_lines(requests: &Requests, id: &str, tty: bool) -> Vec<String> {
    let Ok(mut output) = logs(requests, id, tty, false, Some(QUOTED_LINES)).await else {
        return Vec::new();
    };
    let mut lines = Lines::default();
    let mut found = Vec::new();
    while let Some(Ok(chunk)) = output.next().await {
        found.extend(lines.push(&chunk));
    }
    found.extend(lines.finish());
    let start = found.len().saturating_sub(QUOTED_LINES);
    found[start..]
        .iter()
        .map(|(_, line)| shorten(&String::from_utf8_lossy(line)))
        .collect()
}

/// A line cut to [`QUOTED_WIDTH`] characters.
fn shorten(line: &str) -> String {
    match line.char_indices().nth(QUOTED_WIDTH) {
        Some((end, _)) => format!("{}…", &line[..end]),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn chunk(stream: StdStream, bytes: &[u8]) -> OutputChunk {
        OutputChunk {
            stream,
            bytes: Bytes::copy_from_slice(bytes),
        }
    }

    #[test]
    fn lines_split_across_chunks_and_streams() {
        let mut lines = Lines::default();
        assert!(lines.push(&chunk(StdStream::Stdout, b"hel")).is_empty());
        assert_eq!(
            lines.push(&chunk(StdStream::Stderr, b"oops\r\nwa")),
            vec![(StdStream::Stderr, b"oops".to_vec())]
        );
        assert_eq!(
            lines.push(&chunk(StdStream::Stdout, b"lo\n\nready")),
            vec![
                (StdStream::Stdout, b"hello".to_vec()),
                (StdStream::Stdout, Vec::new())
            ]
        );
        assert_eq!(
            lines.finish(),
            vec![
                (StdStream::Stdout, b"ready".to_vec()),
                (StdStream::Stderr, b"wa".to_vec())
            ]
        );
    }

    #[test]
    fn a_line_without_end_is_cut_at_the_bound() {
        let mut lines = Lines::default();
        let long = vec![b'x'; MAX_LINE * 2 + 10];
        let done = lines.push(&chunk(StdStream::Stdout, &long));
        assert_eq!(done.len(), 2);
        assert!(done.iter().all(|(_, l)| l.len() == MAX_LINE));
        assert_eq!(lines.finish()[0].1.len(), 10);
    }

    #[test]
    fn quoted_lines_are_shortened() {
        assert_eq!(shorten("short"), "short");
        let long = "é".repeat(QUOTED_WIDTH + 5);
        assert_eq!(shorten(&long).chars().count(), QUOTED_WIDTH + 1);
    }
}
