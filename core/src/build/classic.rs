//! The classic builder's progress, as the same events as BuildKit's: its output is text lines
//! (`Step 2/3 : RUN make`, ` ---> Using cache`, ` ---> Running in 1a2b`, the step's output,
//! ` ---> 3c4d`), sent in pieces (a line and its newline may come apart), so lines are put back
//! together first. A step starts at its `Step` line, is cached at `Using cache`, is done when the
//! next step starts (or at `Successfully built`, or the end), and everything else it prints is
//! its log: stderr is what the builder wraps in red (`ESC[91m` ... `ESC[0m`), shown without it.

use std::collections::VecDeque;

use bytes::Bytes;

use super::BuildEvent;
use super::trace::{LOG_TAIL, last_lines};
use crate::stream::StdStream;

/// The step running now.
#[derive(Debug)]
struct Step {
    vertex: String,
    name: String,
    cached: bool,
    tail: String,
}

/// Turns the classic builder's lines into events.
#[derive(Debug, Default)]
pub(crate) struct ClassicDecoder {
    current: Option<Step>,
    /// A line's start, until its newline comes (bounded like a step's tail).
    partial: String,
    /// Inside the builder's red (a step's stderr).
    red: bool,
}

/// How the classic builder marks a step's stderr.
const RED: &str = "\u{1b}[91m";
const RESET: &str = "\u{1b}[0m";

impl ClassicDecoder {
    /// One `stream` message: one or more lines, or part of one.
    pub(crate) fn text(&mut self, text: &str, out: &mut VecDeque<BuildEvent>) {
        self.partial.push_str(text);
        while let Some(end) = self.partial.find('\n') {
            let line: String = self.partial.drain(..=end).collect();
            self.line(&line, out);
        }
        if self.partial.len() > LOG_TAIL {
            let line = std::mem::take(&mut self.partial);
            self.line(&line, out);
        }
    }

    /// One whole line (with its newline, unless it is the last).
    fn line(&mut self, raw: &str, out: &mut VecDeque<BuildEvent>) {
        // Red from a `RED` until its `RESET`, which may be lines later.
        let stream = if self.red || raw.contains(RED) {
            StdStream::Stderr
        } else {
            StdStream::Stdout
        };
        match (raw.rfind(RED), raw.rfind(RESET)) {
            (Some(red), Some(reset)) => self.red = red > reset,
            (Some(_), None) => self.red = true,
            (None, Some(_)) => self.red = false,
            (None, None) => {}
        }
        let text = raw.replace(RED, "").replace(RESET, "");
        let trimmed = text.trim_end_matches('\n');
        if let Some(rest) = trimmed.strip_prefix("Step ")
            && let Some((counter, instruction)) = rest.split_once(" : ")
        {
            self.finish(out);
            let number = counter.split('/').next().unwrap_or(counter);
            let step = Step {
                vertex: format!("step {number}"),
                name: format!("[{counter}] {instruction}"),
                cached: false,
                tail: String::new(),
            };
            out.push_back(BuildEvent::Started {
                vertex: step.vertex.clone(),
                name: step.name.clone(),
            });
            self.current = Some(step);
            return;
        }
        if trimmed == " ---> Using cache"
            && let Some(step) = self.current.as_mut()
            && !step.cached
        {
            step.cached = true;
            out.push_back(BuildEvent::Cached {
                vertex: step.vertex.clone(),
                name: step.name.clone(),
            });
            return;
        }
        // The builder's own bookkeeping lines are not the step's output.
        if trimmed.is_empty()
            || trimmed.starts_with(" ---> ")
            || trimmed.starts_with("Removing intermediate container")
        {
            return;
        }
        if trimmed.starts_with("Successfully built ") || trimmed.starts_with("Successfully tagged ")
        {
            self.finish(out);
        }

        if let Some(step) = self.current.as_mut() {
            step.tail.push_str(&text);
            if step.tail.len() > LOG_TAIL {
                let cut = step.tail.len() - LOG_TAIL;
                let cut = (cut..step.tail.len())
                    .find(|i| step.tail.is_char_boundary(*i))
                    .unwrap_or(step.tail.len());
                step.tail.drain(..cut);
            }
        }
        out.push_back(BuildEvent::Log {
            vertex: self.current.as_ref().map(|s| s.vertex.clone()),
            stream,
            bytes: Bytes::from(text),
        });
    }

    /// The running step is done (the next one started, or the build ended).
    pub(crate) fn finish(&mut self, out: &mut VecDeque<BuildEvent>) {
        if !self.partial.is_empty() {
            let line = std::mem::take(&mut self.partial);
            self.line(&line, out);
        }
        if let Some(step) = self.current.take()
            && !step.cached
        {
            out.push_back(BuildEvent::Done {
                vertex: step.vertex,
                name: step.name,
                duration: None,
            });
        }
    }

    /// The build failed with `error`: the running step failed. Its name and last lines.
    pub(crate) fn fail(
        &mut self,
        error: &str,
        lines: usize,
        out: &mut VecDeque<BuildEvent>,
    ) -> Option<(String, Vec<String>)> {
        let step = self.current.take()?;
        out.push_back(BuildEvent::Failed {
            vertex: step.vertex,
            name: step.name.clone(),
            error: error.to_string(),
        });
        Some((step.name, last_lines(&step.tail, lines)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(lines: &[&str]) -> (ClassicDecoder, Vec<BuildEvent>) {
        let mut decoder = ClassicDecoder::default();
        let mut out = VecDeque::new();
        for line in lines {
            decoder.text(line, &mut out);
        }
        (decoder, out.into())
    }

    #[test]
    fn steps_cache_and_output() {
        let (mut decoder, events) = run(&[
            "Step 1/3 : FROM busybox",
            "\n",
            " ---> 5c47e93be506\n",
            "Step 2/3 : RUN echo hi\n",
            " ---> Using cache\n",
            " ---> 0a1b2c3d4e5f\n",
            "Step 3/3 : RUN echo there\n",
            " ---> Running in 9f8e7d6c\n",
            "\u{1b}[91mthere\n\u{1b}[0m",
            "Removing intermediate container 9f8e7d6c\n",
            "Successfully built 0a1b2c3d4e5f\n",
        ]);
        let mut out = VecDeque::new();
        decoder.finish(&mut out);
        let all: Vec<BuildEvent> = events.into_iter().chain(out).collect();
        let names: Vec<String> = all
            .iter()
            .map(|e| match e {
                BuildEvent::Started { name, .. } => format!("started {name}"),
                BuildEvent::Cached { name, .. } => format!("cached {name}"),
                BuildEvent::Done { name, .. } => format!("done {name}"),
                BuildEvent::Log { vertex, bytes, .. } => {
                    format!("{vertex:?}: {}", String::from_utf8_lossy(bytes))
                }
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            names,
            [
                "started [1/3] FROM busybox",
                "done [1/3] FROM busybox",
                "started [2/3] RUN echo hi",
                "cached [2/3] RUN echo hi",
                "started [3/3] RUN echo there",
                "Some(\"step 3\"): there\n",
                "done [3/3] RUN echo there",
                "None: Successfully built 0a1b2c3d4e5f\n",
            ]
        );
    }

    #[test]
    fn a_failed_step_quotes_its_last_lines() {
        let (mut decoder, _) = run(&[
            "Step 1/1 : RUN echo one; echo two; exit 3\n",
            " ---> Running in 9f8e7d6c\n",
            "one\n",
            "two\n",
        ]);
        let mut out = VecDeque::new();
        let (step, lines) = decoder
            .fail(
                "The command '/bin/sh -c ...' returned a non-zero code: 3",
                10,
                &mut out,
            )
            .unwrap();
        assert_eq!(step, "[1/1] RUN echo one; echo two; exit 3");
        assert_eq!(lines, ["one", "two"]);
        assert!(matches!(&out[0], BuildEvent::Failed { error, .. } if error.contains("code: 3")));
    }

    #[test]
    fn the_kept_tail_is_bounded() {
        let long = "é".repeat(3000);
        let (decoder, _) = run(&["Step 1/1 : RUN x\n", &long, "\n", &long, "\n"]);
        let tail = &decoder.current.as_ref().unwrap().tail;
        assert!(tail.len() <= LOG_TAIL, "{}", tail.len());
    }
}
