//! The scanner of JSON message streams: where each top-level value starts and ends, found
//! without parsing it, so that serde_json parses each complete value once, on exactly its bytes.
//!
//! Why a scanner of its own: a value can arrive split over any number of chunks, and only a
//! scanner that keeps its state between chunks can look at each byte once. It is a push-down
//! automaton over JSON's structure (inside a string or not, after a backslash or not, a stack of
//! open objects and arrays, which token may come next); it checks where tokens may come, and that
//! strings hold no control character, not what tokens hold (numbers, literals and escapes are
//! serde_json's to check, on the complete value).
//!
//! Each state has its job: skipping whitespace between values, skipping the rest of a line after
//! a malformed value, and, inside a value, finding the end of a string, of a number or literal,
//! or of the object or array (the next token, and how deep the brackets are). The depth is
//! bounded, so the bracket stack stays small while an over-limit value is skipped.

use std::ops::ControlFlow;

use super::RS;

/// The deepest nesting scanned under a limit. A value that deep is over the limit already (each
/// bracket is a byte), so this only bounds the bracket stack (`max / 8` bytes) while the rest of an
/// over-limit value is skipped: deeper than this, the scanner skips to the end of the line instead.
fn max_depth(limit: usize) -> usize {
    limit.saturating_mul(4)
}

/// Whitespace between tokens (RS too, as `application/json-seq` puts it before each value).
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t' | RS)
}

/// A byte that ends a number or literal (without being part of it).
fn ends_scalar(b: u8) -> bool {
    is_space(b) || matches!(b, b'{' | b'}' | b'[' | b']' | b'"' | b',' | b':')
}

/// Where the scanner is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Between values, skipping whitespace.
    Between,
    /// After a malformed value: skipping to the end of the line.
    Resync,
    /// At the first byte of a top-level value (not consumed yet).
    Start,
    /// In a top-level number or literal: it ends before a delimiter, or with the body.
    TopScalar,
    /// In a string (an object's key when `key`), just after a backslash when `escape`.
    Str { key: bool, escape: bool },
    /// In a number or literal inside an object or array.
    Scalar,
    /// Inside an object or array, between tokens.
    Expect(Expect),
}

/// What may come next inside an object or array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// After `{`: a key or `}`.
    FirstKey,
    /// After `,` in an object: a key.
    Key,
    /// After a key: `:`.
    Colon,
    /// After `[`: a value or `]`.
    FirstValue,
    /// After `:`, or `,` in an array: a value.
    Value,
    /// After a value: `,` or the closing bracket.
    Next,
}

/// What [`Scanner::scan`] found; offsets are into the bytes it was given.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Event {
    /// It consumed every byte.
    More,
    /// A value starts at this offset (the bytes before it are whitespace).
    Begin(usize),
    /// The current value ends just before this offset.
    End(usize),
    /// The current value is malformed, as the byte just before `error_end` shows; the scanner
    /// goes on at `resume` (`error_end`, or the bad byte itself when it starts a new line).
    Malformed { error_end: usize, resume: usize },
}

/// What the end of the body makes of the current value ([`Scanner::end_of_body`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum BodyEnd {
    /// There is no current value.
    Outside,
    /// The current value is a top-level number or literal, which ends with the body.
    Complete,
    /// The current value is cut short.
    Cut,
}

/// One step of [`Scanner::scan`]: go on at this offset, or stop with this event.
type Step = ControlFlow<Event, usize>;

/// Finds where top-level JSON values end, looking at each byte once, across chunks.
#[derive(Debug)]
pub(super) struct Scanner {
    state: State,
    /// The kinds of the open objects and arrays, one bit each (set: object), `depth` of them.
    kinds: Vec<u64>,
    depth: usize,
    /// More open brackets than this is malformed (it bounds `kinds` while a value is skipped).
    max_depth: usize,
    /// A newline passed since the current value's last token.
    new_line: bool,
    /// The current value holds an RS as whitespace.
    rs_inside: bool,
}

impl Scanner {
    /// A scanner for values of at most `limit` bytes.
    pub(super) fn new(limit: usize) -> Self {
        Self {
            state: State::Between,
            kinds: Vec::new(),
            depth: 0,
            max_depth: max_depth(limit),
            new_line: false,
            rs_inside: false,
        }
    }

    /// Scans for values of at most `limit` bytes from now on.
    pub(super) fn set_limit(&mut self, limit: usize) {
        self.max_depth = max_depth(limit);
    }

    /// Inside a value (its bytes are to be kept).
    pub(super) fn in_value(&self) -> bool {
        !matches!(self.state, State::Between | State::Resync)
    }

    /// The current value holds an RS as whitespace (serde_json needs it turned into a newline).
    pub(super) fn rs_inside(&self) -> bool {
        self.rs_inside
    }

    /// The body ended: what that makes of the current value. The scanner is then between values.
    pub(super) fn end_of_body(&mut self) -> BodyEnd {
        let end = match self.state {
            State::Between | State::Resync => BodyEnd::Outside,
            State::TopScalar => BodyEnd::Complete,
            _ => BodyEnd::Cut,
        };
        self.state = State::Between;
        end
    }

    /// Scans `bytes`, which follow the bytes scanned before, up to the next event.
    pub(super) fn scan(&mut self, bytes: &[u8]) -> Event {
        let mut i = 0;
        while i < bytes.len() {
            let step = match self.state {
                State::Between => self.skip_space(bytes, i),
                State::Resync => self.skip_line(bytes, i),
                State::Start => self.start_value(bytes[i], i + 1),
                State::TopScalar => self.end_top_scalar(bytes, i),
                State::Scalar => self.end_scalar(bytes, i),
                State::Str { key, escape: true } => self.escaped(bytes[i], i + 1, key),
                State::Str { key, escape: false } => self.in_string(bytes, i, key),
                State::Expect(expect) => self.between_tokens(bytes[i], i + 1, expect),
            };
            match step {
                ControlFlow::Continue(next) => i = next,
                ControlFlow::Break(event) => return event,
            }
        }
        Event::More
    }

    /// Between values: skips whitespace up to the next value's first byte.
    fn skip_space(&mut self, bytes: &[u8], i: usize) -> Step {
        match bytes[i..].iter().position(|&b| !is_space(b)) {
            Some(k) => {
                self.state = State::Start;
                self.new_line = false;
                self.rs_inside = false;
                ControlFlow::Break(Event::Begin(i + k))
            }
            None => ControlFlow::Break(Event::More),
        }
    }

    /// After a malformed value: skips to the end of the line (or the next RS).
    fn skip_line(&mut self, bytes: &[u8], i: usize) -> Step {
        match bytes[i..].iter().position(|&b| b == b'\n' || b == RS) {
            Some(k) => {
                self.state = State::Between;
                ControlFlow::Continue(i + k + 1)
            }
            None => ControlFlow::Break(Event::More),
        }
    }

    /// The first byte `b` of a top-level value; `next` is the offset after it.
    fn start_value(&mut self, b: u8, next: usize) -> Step {
        self.state = match b {
            b'{' | b'[' => self.open(b == b'{'),
            b'"' => State::Str {
                key: false,
                escape: false,
            },
            // A value of its own, which serde_json will reject.
            b'}' | b']' | b',' | b':' => {
                self.state = State::Between;
                return ControlFlow::Break(Event::End(next));
            }
            _ => State::TopScalar,
        };
        ControlFlow::Continue(next)
    }

    /// In a top-level number or literal: the value ends at the first delimiter.
    fn end_top_scalar(&mut self, bytes: &[u8], i: usize) -> Step {
        match bytes[i..].iter().position(|&b| ends_scalar(b)) {
            Some(k) => {
                self.state = State::Between;
                ControlFlow::Break(Event::End(i + k))
            }
            None => ControlFlow::Break(Event::More),
        }
    }

    /// In a number or literal inside an object or array: it ends at the first delimiter.
    fn end_scalar(&mut self, bytes: &[u8], i: usize) -> Step {
        match bytes[i..].iter().position(|&b| ends_scalar(b)) {
            // The delimiter is scanned again, as what follows the value.
            Some(k) => {
                self.state = State::Expect(Expect::Next);
                ControlFlow::Continue(i + k)
            }
            None => ControlFlow::Break(Event::More),
        }
    }

    /// The byte `b` just after a backslash in a string; `next` is the offset after it.
    fn escaped(&mut self, b: u8, next: usize, key: bool) -> Step {
        if b < 0x20 {
            return ControlFlow::Break(self.malformed(next, b, false));
        }
        self.state = State::Str { key, escape: false };
        ControlFlow::Continue(next)
    }

    /// In a string: up to its closing quote, its next backslash, or a control character.
    fn in_string(&mut self, bytes: &[u8], i: usize, key: bool) -> Step {
        let Some(k) = find_in_string(&bytes[i..]) else {
            return ControlFlow::Break(Event::More);
        };
        let b = bytes[i + k];
        let next = i + k + 1;
        self.state = match b {
            b'"' if self.depth == 0 => {
                self.state = State::Between;
                return ControlFlow::Break(Event::End(next));
            }
            b'"' if key => State::Expect(Expect::Colon),
            b'"' => State::Expect(Expect::Next),
            b'\\' => State::Str { key, escape: true },
            // A control character: never valid in a string.
            _ => return ControlFlow::Break(self.malformed(next, b, false)),
        };
        ControlFlow::Continue(next)
    }

    /// Inside an object or array, where `expect` says what may come: the byte `b` is whitespace
    /// or the next token; `next` is the offset after it.
    fn between_tokens(&mut self, b: u8, next: usize, expect: Expect) -> Step {
        if is_space(b) {
            self.new_line |= b == b'\n' || b == RS;
            self.rs_inside |= b == RS;
            return ControlFlow::Continue(next);
        }
        let after_new_line = std::mem::take(&mut self.new_line);
        match self.after_token(expect, b) {
            Some(State::Between) => {
                self.state = State::Between;
                ControlFlow::Break(Event::End(next))
            }
            Some(state) => {
                self.state = state;
                ControlFlow::Continue(next)
            }
            None => ControlFlow::Break(self.malformed(next, b, after_new_line)),
        }
    }

    /// The state after the token `b` where `expect` holds, with its bracket opened or closed
    /// (`Between` when that closes the value); `None` when `b` cannot come there, or opens one
    /// bracket too many.
    fn after_token(&mut self, expect: Expect, b: u8) -> Option<State> {
        let state = match (expect, b) {
            (Expect::FirstKey | Expect::Key, b'"') => State::Str {
                key: true,
                escape: false,
            },
            (Expect::Colon, b':') => State::Expect(Expect::Value),
            (Expect::FirstValue | Expect::Value, b'{' | b'[') => {
                if self.depth >= self.max_depth {
                    return None;
                }
                self.open(b == b'{')
            }
            (Expect::FirstValue | Expect::Value, b'"') => State::Str {
                key: false,
                escape: false,
            },
            (Expect::FirstValue | Expect::Value, b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => {
                State::Scalar
            }
            (Expect::Next, b',') if self.in_object() => State::Expect(Expect::Key),
            (Expect::Next, b',') => State::Expect(Expect::Value),
            (Expect::FirstKey, b'}') | (Expect::FirstValue, b']') => self.close(),
            (Expect::Next, b'}') if self.in_object() => self.close(),
            (Expect::Next, b']') if !self.in_object() => self.close(),
            _ => return None,
        };
        Some(state)
    }

    /// Opens an object or an array.
    fn open(&mut self, object: bool) -> State {
        let (word, bit) = (self.depth / 64, self.depth % 64);
        if word == self.kinds.len() {
            self.kinds.push(0);
        }
        if object {
            self.kinds[word] |= 1 << bit;
        } else {
            self.kinds[word] &= !(1 << bit);
        }
        self.depth += 1;
        State::Expect(if object {
            Expect::FirstKey
        } else {
            Expect::FirstValue
        })
    }

    /// The innermost open bracket is an object's.
    fn in_object(&self) -> bool {
        let d = self.depth - 1;
        (self.kinds[d / 64] >> (d % 64)) & 1 == 1
    }

    /// Closes the innermost object or array: `Between` when that ends the value.
    fn close(&mut self) -> State {
        self.depth -= 1;
        if self.depth == 0 {
            self.shrink();
            State::Between
        } else {
            State::Expect(Expect::Next)
        }
    }

    /// The current value is malformed at `bad`, just before `error_end`.
    fn malformed(&mut self, error_end: usize, bad: u8, after_new_line: bool) -> Event {
        self.depth = 0;
        self.shrink();
        let resume = if after_new_line {
            // The line before was cut short: this byte may start the next value.
            self.state = State::Between;
            error_end - 1
        } else {
            self.state = if bad == b'\n' || bad == RS {
                State::Between
            } else {
                State::Resync
            };
            error_end
        };
        Event::Malformed { error_end, resume }
    }

    /// Frees a bracket stack that a deeply nested value grew.
    fn shrink(&mut self) {
        if self.kinds.len() > 64 {
            self.kinds = Vec::new();
        }
    }
}

/// The first byte in a string's content that needs a look: a quote, a backslash, a control
/// character. Strings are most of a message's bytes, so both steps are vectorised: `memchr3`
/// finds the first quote, backslash or newline, then one branch-free pass over the bytes before
/// it checks for any other control character (rare: only in a malformed message).
fn find_in_string(bytes: &[u8]) -> Option<usize> {
    let stop = memchr::memchr3(b'"', b'\\', b'\n', bytes);
    let before = &bytes[..stop.unwrap_or(bytes.len())];
    let has_control = before.iter().fold(false, |any, &b| any | (b < 0x20));
    if has_control {
        before.iter().position(|&b| b < 0x20)
    } else {
        stop
    }
}
