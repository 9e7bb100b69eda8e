//! `docker build`'s output for the example: as `docker build --progress=plain` prints it (each
//! step numbered `#N` in the order it started, its name, its output lines, then `CACHED`,
//! `DONE 0.3s` or `ERROR`), or on a terminal one spinner per running step that ends as a
//! `DONE`/`CACHED` line.

use std::collections::HashMap;
use std::time::Duration;

use docker_engine_client::Error;
use docker_engine_client::build::{BuildEvent, BuildEvents};
use futures_util::TryStreamExt;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

/// Shows `events` until the build ends; the image id.
pub async fn show(mut events: BuildEvents, terminal: bool) -> Result<Option<String>, Error> {
    let mut printer = Printer::new(terminal);
    let mut image = None;
    let result = loop {
        match events.try_next().await {
            Ok(Some(BuildEvent::ImageId(id))) => {
                printer.line(&format!("writing image {id} done"));
                image = Some(id);
            }
            Ok(Some(event)) => printer.event(event),
            Ok(None) => break Ok(image),
            Err(e) => break Err(e),
        }
    };
    printer.finish();
    result
}

/// The steps seen so far, numbered in the order they started.
struct Printer {
    numbers: HashMap<String, usize>,
    terminal: Option<(MultiProgress, HashMap<usize, ProgressBar>)>,
}

impl Printer {
    fn new(terminal: bool) -> Self {
        Self {
            numbers: HashMap::new(),
            terminal: terminal.then(|| (MultiProgress::new(), HashMap::new())),
        }
    }

    /// The step's number (a new one for a step not seen yet).
    fn number(&mut self, vertex: &str) -> usize {
        let next = self.numbers.len() + 1;
        *self.numbers.entry(vertex.to_string()).or_insert(next)
    }

    fn line(&self, text: &str) {
        match &self.terminal {
            Some((multi, _)) => {
                let _ = multi.println(text);
            }
            None => println!("{text}"),
        }
    }

    fn event(&mut self, event: BuildEvent) {
        match event {
            BuildEvent::Started { vertex, name } => {
                let n = self.number(&vertex);
                match &mut self.terminal {
                    Some((multi, bars)) => {
                        let bar = multi.add(ProgressBar::new_spinner());
                        bar.set_style(
                            ProgressStyle::with_template("{spinner} #{prefix} {msg} {elapsed}")
                                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                        );
                        bar.set_prefix(n.to_string());
                        bar.set_message(name);
                        bar.enable_steady_tick(Duration::from_millis(100));
                        bars.insert(n, bar);
                    }
                    None => println!("#{n} {name}"),
                }
            }
            BuildEvent::Cached { vertex, name } => {
                let n = self.number(&vertex);
                self.end(n, &name, "CACHED".into());
            }
            BuildEvent::Done {
                vertex,
                name,
                duration,
            } => {
                let n = self.number(&vertex);
                let done = match duration {
                    Some(d) => format!("DONE {:.1}s", d.as_secs_f64()),
                    None => "DONE".into(),
                };
                self.end(n, &name, done);
            }
            BuildEvent::Failed {
                vertex,
                name,
                error,
            } => {
                let n = self.number(&vertex);
                self.end(n, &name, format!("ERROR: {error}"));
            }
            BuildEvent::Log { vertex, bytes, .. } => {
                let prefix = vertex.map(|v| format!("#{} ", self.number(&v)));
                let text = String::from_utf8_lossy(&bytes);
                for line in text.lines() {
                    self.line(&format!("{}{line}", prefix.as_deref().unwrap_or("")));
                }
            }
            BuildEvent::Warning { message, .. } => self.line(&format!("WARNING: {message}")),
            // Byte counts of transfers: the spinner's elapsed time stands for them.
            _ => {}
        }
    }

    /// Step `n` ended with `how` (`CACHED`, `DONE 0.3s`, `ERROR: ...`).
    fn end(&mut self, n: usize, name: &str, how: String) {
        match &mut self.terminal {
            Some((multi, bars)) => {
                if let Some(bar) = bars.remove(&n) {
                    bar.finish_and_clear();
                    multi.remove(&bar);
                }
                let _ = multi.println(format!("#{n} {name} {how}"));
            }
            None => println!("#{n} {how}"),
        }
    }

    fn finish(&mut self) {
        if let Some((_, bars)) = &mut self.terminal {
            for (_, bar) in bars.drain() {
                bar.finish_and_clear();
            }
        }
    }
}
