//! `.dockerignore` files, read and matched with the docker CLI's semantics rather than a glob
//! crate's.
//!
//! The docker CLI reads the file with moby's `ignorefile.ReadAll` and matches paths with moby's
//! `patternmatcher` (`New` + `MatchesOrParentMatches`). Those rules are not the ones glob crates
//! implement, and the differences change which files end up in a build context:
//!
//! * Patterns are normalised like Go's `filepath.Clean` (`foo/../bar` is `bar`, `./a//b/` is
//!   `a/b`), and a leading `/` is dropped.
//! * Only a line whose very first character is `#` is a comment; `  # x` is the pattern `# x`.
//! * A rule that matches a directory also matches everything under it, rules apply in order and the
//!   last one matching a path decides; `!` rules re-include.
//! * `{a,b}` is literal text: Go has no brace expansion.
//! * moby does not use `filepath.Match` to match. It checks the syntax with it, then turns the
//!   pattern into a Go regular expression, except in three shortcut cases that compare strings:
//!   a pattern without wildcards is compared for equality, `prefix**` is a byte-prefix test, and a
//!   pattern that *starts* with `**` and has no other wildcard is a byte-suffix test (so `**file`
//!   matches `myfile`, while `**/file*` does not match `myfile`).
//! * In the regular-expression case, `*` and `?` stay within one path segment, `**` (with the `/`
//!   after it, if any) matches any run of characters ending in `/`, or nothing; at the end of the
//!   pattern it matches any run of characters. Those runs cannot contain a newline (Go's `.`), and
//!   a `^` outside `[...]` is Go's start-of-text anchor. moby means to escape the characters that
//!   are special to regular expressions, but its table misses `|`, `{` and `}`: in this case only,
//!   `|` separates alternatives (`*.md|x` matches any path starting with a `.md` name, or ending
//!   with `x`) and `{n}`, `{n,}`, `{n,m}` after a character repeat it (`a{2}*` matches `aa…`).
//!   Other braces, such as `{a,b}`, stay literal.
//!
//! Some patterns are valid for `filepath.Match` but mean something else, or nothing, once moby has
//! turned them into a regular expression: `\` before a letter, digit or non-ASCII character (`\d`
//! is a digit class, `\b` a word boundary, `\y` an error), `*` or `?` inside `[...]`, `[:` inside
//! `[...]` (a POSIX class), and what Go's regexp engine rejects: reversed ranges such as `[z-a]`,
//! a repetition after `*`, `**` or `|`, or counts over 1000. moby only reports errors when it first
//! evaluates the pattern, mid-walk; [`DockerIgnore::parse`] rejects all of these up front with a
//! message naming the pattern, rather than silently matching differently.
//!
//! Matching never backtracks: each rule is a small automaton simulated over the path, so a check
//! costs O(path length × automaton size) time and O(automaton size) memory, whatever the pattern
//! (`*a*a*a*a*b`, many `**`, ...). The automaton has about one state per pattern character, plus
//! the copies a `{n,m}` repetition makes; [`DockerIgnore::parse`] refuses a pattern that would
//! need more than 100 000 elements.

/// The longest line docker reads: Go's `bufio.Scanner` fails on a line of 64 KiB or more.
const MAX_LINE: usize = 64 * 1024;

/// The most automaton elements one pattern may compile to (Go allows somewhat more, but only
/// `{n,m}` repetitions get near this).
const MAX_TOKENS: usize = 100_000;

/// `.dockerignore` rules, read and matched as the docker CLI does.
#[derive(Debug, Clone, Default)]
pub struct DockerIgnore {
    rules: Vec<Rule>,
}

impl DockerIgnore {
    /// Parses the text of a `.dockerignore` file. Err: a message naming the bad pattern (one line).
    ///
    /// A UTF-8 BOM at the start is dropped; each line (`\n` or `\r\n` ended) is trimmed; blank
    /// lines and lines starting with `#` are skipped; a leading `!` makes an exception.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut rules = Vec::new();
        for (index, raw) in text.split('\n').enumerate() {
            let number = index + 1;
            if raw.len() >= MAX_LINE {
                return Err(format!(
                    "invalid .dockerignore: line {number} is {} bytes long; docker reads lines \
                     shorter than {MAX_LINE} bytes",
                    raw.len()
                ));
            }
            let mut line = raw.strip_suffix('\r').unwrap_or(raw);
            if index == 0 {
                line = line.strip_prefix('\u{feff}').unwrap_or(line);
            }
            // The comment test comes before trimming, as in `ignorefile.ReadAll`.
            if line.starts_with('#') {
                continue;
            }
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let entry = read_entry(line);
            match Rule::new(&entry) {
                Ok(Some(rule)) => rules.push(rule),
                Ok(None) => {}
                Err(reason) => {
                    return Err(format!(
                        "invalid .dockerignore pattern {} on line {number}: {reason}",
                        shown(line)
                    ));
                }
            }
        }
        Ok(Self { rules })
    }

    /// Whether `path` (relative, `/`-separated) is left out of the context.
    ///
    /// A rule matches a path when it matches the path or one of its parent directories; the last
    /// matching rule decides, and an exception (`!`) rule re-includes.
    pub fn excludes(&self, path: &str) -> bool {
        let parent = go_dir(path);
        let parent = (parent != ".").then_some(parent.as_str());
        let mut excluded = false;
        for rule in &self.rules {
            // A rule that agrees with the current verdict cannot change it.
            if rule.exception != excluded {
                continue;
            }
            if rule.matcher.matches_or_parent(path, parent) {
                excluded = !rule.exception;
            }
        }
        excluded
    }

    /// Whether some exception rule could re-include something under directory `dir` (relative,
    /// `/`-separated), so a walker must still go into `dir` although `dir` itself is excluded.
    ///
    /// Conservative: true whenever an exception rule may match some path below `dir` (or `dir`
    /// or one of its parents), without looking at the rules after it. `!dir/keep.txt` is true for
    /// `dir` and false for `other`; `!*.md` is false for any directory not itself named `*.md`;
    /// `!**/*.md` is true for every directory.
    pub fn may_reinclude_under(&self, dir: &str) -> bool {
        self.rules
            .iter()
            .filter(|rule| rule.exception)
            .any(|rule| rule.matcher.may_match_under(dir))
    }
}

/// One line of the file, as `ignorefile.ReadAll` hands it on: `!` kept in front, the rest cleaned,
/// a leading `/` dropped. `line` is already trimmed and not empty.
fn read_entry(line: &str) -> String {
    let (exception, pattern) = match line.strip_prefix('!') {
        Some(rest) => (true, rest.trim()),
        None => (false, line),
    };
    let mut pattern = pattern.to_owned();
    if !pattern.is_empty() {
        pattern = clean(&pattern);
        if pattern.len() > 1 && pattern.starts_with('/') {
            pattern.remove(0);
        }
    }
    if exception {
        pattern.insert(0, '!');
    }
    pattern
}

/// The line as shown in an error: quoted, escaped, and cut short if long.
fn shown(line: &str) -> String {
    const MAX: usize = 120;
    if line.chars().count() <= MAX {
        format!("{line:?}")
    } else {
        let head: String = line.chars().take(MAX).collect();
        format!("{head:?}…")
    }
}

/// Lexical path clean-up with Go's `filepath.Clean` rules (Unix): `//` and `.` segments go, `..`
/// removes the segment before it (at the root it is dropped, in a relative path it is kept when
/// nothing is left to remove), and an empty result is `.` (or `/`).
fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_owned();
    }
    let rooted = path.starts_with('/');
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                if segments.last().is_some_and(|last| *last != "..") {
                    segments.pop();
                } else if !rooted {
                    segments.push("..");
                }
            }
            other => segments.push(other),
        }
    }
    let joined = segments.join("/");
    if rooted {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".to_owned()
    } else {
        joined
    }
}

/// The parent directory the way Go's `filepath.Dir` gives it: everything up to the last `/`,
/// cleaned (`.` when there is no `/`).
fn go_dir(path: &str) -> String {
    match path.rfind('/') {
        Some(slash) => clean(&path[..=slash]),
        None => ".".to_owned(),
    }
}

/// One `.dockerignore` rule.
#[derive(Debug, Clone)]
struct Rule {
    /// A `!` rule: a match re-includes.
    exception: bool,
    matcher: Matcher,
}

impl Rule {
    /// A rule from one `ignorefile.ReadAll` entry, checked and compiled as `patternmatcher.New`
    /// does (trimmed and cleaned again, with the `!` still in front). `None`: nothing to match.
    fn new(entry: &str) -> Result<Option<Self>, String> {
        let pattern = entry.trim();
        if pattern.is_empty() {
            return Ok(None);
        }
        let pattern = clean(pattern);
        let (exception, pattern) = match pattern.strip_prefix('!') {
            Some("") => return Err("`!` must be followed by a pattern".to_owned()),
            Some(rest) => (true, rest),
            None => (false, pattern.as_str()),
        };
        check_match_syntax(pattern)?;
        Ok(Some(Self {
            exception,
            matcher: Matcher::compile(pattern)?,
        }))
    }
}

/// How a pattern is matched; moby picks one of these per pattern.
#[derive(Debug, Clone)]
enum Matcher {
    /// No wildcard: the path must be this text.
    Exact(String),
    /// `text**`: the path must start with these bytes (the pattern without its final `**`).
    Prefix(Vec<u8>),
    /// `**text` with no other wildcard: the path must end with these bytes (the pattern without
    /// its first two bytes), or be them without their leading `/`.
    Suffix(Vec<u8>),
    /// Everything else: what moby's regular expression accepts.
    Program(Program),
}

impl Matcher {
    /// Classifies and compiles a cleaned pattern (no `!`) whose `filepath.Match` syntax is valid,
    /// mirroring the scan moby makes to build its regular expression.
    fn compile(pattern: &str) -> Result<Self, String> {
        #[derive(PartialEq)]
        enum Kind {
            Exact,
            Prefix,
            Suffix,
            Program,
        }
        let chars: Vec<char> = pattern.chars().collect();
        // moby scans with Go's `text/scanner`, which skips a byte order mark at the very start.
        let mut at = usize::from(chars.first() == Some(&'\u{feff}'));
        let mut kind = Kind::Exact;
        let mut program = ProgramBuilder::new();
        let mut first = true;
        while let Some(&c) = chars.get(at) {
            at += 1;
            match c {
                '*' if chars.get(at) == Some(&'*') => {
                    at += 1;
                    if chars.get(at) == Some(&'/') {
                        at += 1;
                    }
                    if at == chars.len() {
                        if kind == Kind::Exact {
                            kind = Kind::Prefix;
                        } else {
                            program.repeat_op(Token::Many(Atom::NotNewline));
                            kind = Kind::Program;
                        }
                    } else {
                        program.repeat_op(Token::Dirs);
                        kind = Kind::Program;
                    }
                    if first {
                        kind = Kind::Suffix;
                    }
                }
                '*' => {
                    program.repeat_op(Token::Many(Atom::NotSlash));
                    kind = Kind::Program;
                }
                '?' => {
                    program.atom(Atom::NotSlash);
                    kind = Kind::Program;
                }
                '\\' => {
                    // A trailing `\` fails the syntax check before this.
                    let escaped = chars.get(at).copied().unwrap_or('\\');
                    at += 1;
                    program.atom(Atom::Char(escaped_char(escaped)?));
                    kind = Kind::Program;
                }
                '[' => {
                    let (class, next) = parse_class(&chars, at)?;
                    at = next;
                    program.atom(Atom::Class(class));
                    kind = Kind::Program;
                }
                ']' => {
                    program.atom(Atom::Char(']'));
                    kind = Kind::Program;
                }
                // Plain characters for moby, but not for the regular expression it builds.
                '^' => program.start(),
                '|' => program.bar(),
                '{' => match parse_repeat(&chars, at) {
                    Some((min, max, next)) => {
                        at = next;
                        program.repeat(min, max);
                    }
                    None => program.atom(Atom::Char('{')),
                },
                other => program.atom(Atom::Char(other)),
            }
            first = false;
        }
        let bytes = pattern.as_bytes();
        Ok(match kind {
            Kind::Exact => Self::Exact(pattern.to_owned()),
            Kind::Prefix => Self::Prefix(bytes[..bytes.len().saturating_sub(2)].to_vec()),
            Kind::Suffix => Self::Suffix(bytes.get(2..).unwrap_or_default().to_vec()),
            Kind::Program => Self::Program(program.finish()?),
        })
    }

    /// Whether the pattern matches `path` itself.
    fn matches(&self, path: &str) -> bool {
        let path = path.as_bytes();
        match self {
            Self::Exact(text) => path == text.as_bytes(),
            Self::Prefix(prefix) => path.starts_with(prefix),
            Self::Suffix(suffix) => {
                path.ends_with(suffix) || suffix.first() == Some(&b'/') && path == &suffix[1..]
            }
            Self::Program(program) => program.accepts(path_str(path)),
        }
    }

    /// Whether the pattern matches `path` or one of its parents. `parent`: `go_dir(path)`, `None`
    /// when that is `.`; its parents are its prefixes that end before a `/`.
    fn matches_or_parent(&self, path: &str, parent: Option<&str>) -> bool {
        if self.matches(path) {
            return true;
        }
        let Some(parent) = parent else {
            return false;
        };
        match self {
            Self::Program(program) => program.accepts_a_parent(parent),
            _ => {
                parent
                    .match_indices('/')
                    .any(|(slash, _)| self.matches(&parent[..slash]))
                    || self.matches(parent)
            }
        }
    }

    /// Whether the pattern could match something below directory `dir`: a path `dir/...`, or
    /// `dir` or one of its parents (which covers everything below).
    fn may_match_under(&self, dir: &str) -> bool {
        if dir.is_empty() || dir == "." {
            return true;
        }
        let parent = go_dir(dir);
        if self.matches_or_parent(dir, (parent != ".").then_some(parent.as_str())) {
            return true;
        }
        let under = format!("{dir}/");
        let under = under.as_bytes();
        match self {
            Self::Exact(text) => text.len() > under.len() && text.as_bytes().starts_with(under),
            Self::Prefix(prefix) => prefix.starts_with(under) || under.starts_with(prefix),
            // `dir/` + the suffix itself always ends with the suffix.
            Self::Suffix(_) => true,
            Self::Program(program) => program.may_accept_after(path_str(under)),
        }
    }
}

/// Bytes that came from a `&str` (or a `&str` plus `/`) back as a `&str`.
fn path_str(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// What one step of the automaton can read.
#[derive(Debug, Clone)]
enum Atom {
    /// This character.
    Char(char),
    /// A character from (or, negated, not from) a `[...]` class; it may be `/`.
    Class(Class),
    /// A character other than `/` (`[^/]`).
    NotSlash,
    /// A character other than a newline (Go's `.`).
    NotNewline,
    /// Any character.
    Any,
}

impl Atom {
    fn matches(&self, c: char) -> bool {
        match self {
            Self::Char(x) => c == *x,
            Self::Class(class) => class.matches(c),
            Self::NotSlash => c != '/',
            Self::NotNewline => c != '\n',
            Self::Any => true,
        }
    }
}

/// One element of moby's regular expression.
#[derive(Debug, Clone)]
enum Token {
    /// One character (`?`, a literal, a class).
    One(Atom),
    /// Nothing or one character (from a `{n,m}` repetition).
    Opt(Atom),
    /// Any run of characters (`*`, a final `**`, an unanchored end).
    Many(Atom),
    /// `**` before more pattern: nothing, or a run of characters other than a newline ending in
    /// `/`.
    Dirs,
    /// `^`: only at the start of the path.
    Start,
}

/// A `[...]` character class.
#[derive(Debug, Clone)]
struct Class {
    negated: bool,
    ranges: Vec<(char, char)>,
}

impl Class {
    fn matches(&self, c: char) -> bool {
        self.ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != self.negated
    }
}

/// What the last element added to a [`ProgramBuilder`] was, for a following `{n,m}`.
#[derive(PartialEq)]
enum Last {
    /// One character: it can be repeated.
    Atom,
    /// A `^`: it can be repeated (any count but zero leaves it as it is; zero removes it).
    Start,
    /// A repetition: repeating it again is an error for Go.
    Repeat,
    /// Nothing since a `|`: an error for Go.
    Bar,
}

/// Builds a [`Program`] from the parts of moby's regular expression, in order.
struct ProgramBuilder {
    branches: Vec<Vec<Token>>,
    last: Last,
    /// Tokens so far, all branches.
    size: usize,
    /// The first error, reported only if the pattern turns out to need the program.
    error: Option<String>,
}

impl ProgramBuilder {
    /// moby's expression starts with `^`.
    fn new() -> Self {
        Self {
            branches: vec![vec![Token::Start]],
            last: Last::Start,
            size: 1,
            error: None,
        }
    }

    fn push(&mut self, token: Token) {
        if let Some(branch) = self.branches.last_mut() {
            branch.push(token);
            self.size += 1;
        }
    }

    fn atom(&mut self, atom: Atom) {
        self.push(Token::One(atom));
        self.last = Last::Atom;
    }

    fn start(&mut self) {
        self.push(Token::Start);
        self.last = Last::Start;
    }

    /// `*` or `**`, which moby writes as a repetition.
    fn repeat_op(&mut self, token: Token) {
        self.push(token);
        self.last = Last::Repeat;
    }

    fn bar(&mut self) {
        self.branches.push(Vec::new());
        self.last = Last::Bar;
    }

    /// A `{min,max}` (`max` None: unbounded) applying to the last element.
    fn repeat(&mut self, min: u32, max: Option<u32>) {
        let fail = |this: &mut Self, why: &str| {
            this.error.get_or_insert_with(|| {
                format!("`{{` repetition {why} (docker passes `{{`, `}}` and `|` to Go's regular expressions unescaped)")
            });
        };
        if min > 1000 || max.is_some_and(|max| max > 1000 || max < min) {
            return fail(self, "with a count over 1000 or reversed");
        }
        match self.last {
            Last::Repeat => return fail(self, "after `*`, `**` or another repetition"),
            Last::Bar => return fail(self, "with nothing before it"),
            Last::Atom | Last::Start => {}
        }
        self.last = Last::Repeat;
        let Some(branch) = self.branches.last_mut() else {
            return;
        };
        let Some(token) = branch.pop() else {
            return;
        };
        let atom = match token {
            Token::One(atom) => atom,
            Token::Start => {
                if min > 0 {
                    branch.push(Token::Start);
                }
                return;
            }
            // `Last` says the last token is one of the above.
            other => {
                branch.push(other);
                return;
            }
        };
        let copies = match max {
            Some(max) => max as usize,
            None => min as usize + 1,
        };
        if self.size + copies > MAX_TOKENS {
            branch.push(Token::One(atom));
            return fail(self, "making the pattern too large");
        }
        self.size = self.size - 1 + copies;
        for _ in 0..min {
            branch.push(Token::One(atom.clone()));
        }
        match max {
            Some(max) => {
                for _ in min..max {
                    branch.push(Token::Opt(atom.clone()));
                }
            }
            None => branch.push(Token::Many(atom)),
        }
    }

    /// The program: a branch starts anywhere unless it starts with `^` (the first one does, unless
    /// a `{0}` took moby's `^` away), and branches other than the last end anywhere: moby's `$`
    /// anchors only the last.
    fn finish(self) -> Result<Program, String> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let count = self.branches.len();
        let mut size = 0;
        let mut branches = Vec::with_capacity(count);
        for (index, mut tokens) in self.branches.into_iter().enumerate() {
            if !matches!(tokens.first(), Some(Token::Start)) {
                tokens.insert(0, Token::Many(Atom::Any));
            }
            if index + 1 < count {
                tokens.push(Token::Many(Atom::Any));
            }
            size += tokens.len();
            branches.push(Branch { tokens });
        }
        if size > MAX_TOKENS {
            return Err(format!(
                "the pattern needs more than {MAX_TOKENS} automaton elements"
            ));
        }
        Ok(Program { branches })
    }
}

/// A `{n}`, `{n,}` or `{n,m}` (decimal, no leading zeros) whose `{` is just before `at`, as Go's
/// regexp parser reads one: the counts (`None`: unbounded) and the index after `}`. `None`: not a
/// repetition, so the `{` is a literal character.
fn parse_repeat(chars: &[char], at: usize) -> Option<(u32, Option<u32>, usize)> {
    let number = |mut at: usize| -> Option<(u32, usize)> {
        let start = at;
        while chars.get(at).is_some_and(char::is_ascii_digit) {
            at += 1;
        }
        let digits = chars.get(start..at)?;
        if digits.is_empty() || digits.len() > 1 && digits[0] == '0' {
            return None;
        }
        // Go gives up on values of 10^8 and more; anything over 1000 is an error anyway.
        let value = digits.iter().try_fold(0u32, |n, d| {
            let n = n.checked_mul(10)?.checked_add(d.to_digit(10)?)?;
            Some(n.min(100_000_000))
        })?;
        Some((value, at))
    };
    let (min, at) = number(at)?;
    match chars.get(at)? {
        '}' => Some((min, Some(min), at + 1)),
        ',' => match chars.get(at + 1)? {
            '}' => Some((min, None, at + 2)),
            _ => {
                let (max, at) = number(at + 1)?;
                (chars.get(at) == Some(&'}')).then_some((min, Some(max), at + 1))
            }
        },
        _ => None,
    }
}

/// The character after a `\`. moby passes `\c` to Go's regexp engine, where only ASCII
/// punctuation (and space, control characters, `_`) stands for itself.
fn escaped_char(c: char) -> Result<char, String> {
    if c.is_ascii() && !c.is_ascii_alphanumeric() {
        Ok(c)
    } else {
        Err(format!(
            "`\\{c}`: docker hands a backslash before a letter, digit or non-ASCII character to \
             Go's regular expressions, where it is a special sequence or an error; only \
             punctuation can be escaped"
        ))
    }
}

/// Parses a class whose `[` is just before `at`; returns it and the index after its `]`.
fn parse_class(chars: &[char], mut at: usize) -> Result<(Class, usize), String> {
    let unclosed = || "`[` without a matching `]`".to_owned();
    let negated = chars.get(at) == Some(&'^');
    if negated {
        at += 1;
    }
    let mut ranges = Vec::new();
    loop {
        match chars.get(at) {
            None => return Err(unclosed()),
            Some(']') if !ranges.is_empty() => return Ok((Class { negated, ranges }, at + 1)),
            Some('[') if chars.get(at + 1) == Some(&':') => {
                return Err("`[:` inside `[...]`: docker reads it as a POSIX class".to_owned());
            }
            _ => {}
        }
        let (lo, next) = class_char(chars, at)?;
        at = next;
        let mut hi = lo;
        if chars.get(at) == Some(&'-') && chars.get(at + 1).is_some_and(|c| *c != ']') {
            let (end, next) = class_char(chars, at + 1)?;
            hi = end;
            at = next;
        }
        if hi < lo {
            return Err(format!(
                "the range `{lo}-{hi}` is reversed (docker fails on it when matching)"
            ));
        }
        ranges.push((lo, hi));
    }
}

/// One character of a class, possibly escaped; returns it and the index after it.
fn class_char(chars: &[char], at: usize) -> Result<(char, usize), String> {
    match chars.get(at) {
        None => Err("`[` without a matching `]`".to_owned()),
        Some('\\') => match chars.get(at + 1) {
            Some(&c) => Ok((escaped_char(c)?, at + 2)),
            None => Err("`\\` at the end of the pattern".to_owned()),
        },
        Some('*' | '?') => Err(
            "`*` or `?` inside `[...]`: docker turns it into a regular expression there; \
             escape it (`\\*`) to mean the character"
                .to_owned(),
        ),
        Some(&c) => Ok((c, at + 1)),
    }
}

/// The syntax check moby makes with Go's `filepath.Match` (Unix): every `[` needs a non-empty
/// class closed by `]`, class members are not an unescaped `-` or `]`, a range has both ends,
/// and the pattern does not end with an unpaired `\`.
fn check_match_syntax(pattern: &str) -> Result<(), String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut at = 0;
    while at < chars.len() {
        while chars.get(at) == Some(&'*') {
            at += 1;
        }
        // A chunk runs to the next `*` outside `[...]`.
        let start = at;
        let mut in_class = false;
        while let Some(&c) = chars.get(at) {
            match c {
                '\\' if at + 1 < chars.len() => at += 1,
                '[' => in_class = true,
                ']' => in_class = false,
                '*' if !in_class => break,
                _ => {}
            }
            at += 1;
        }
        check_chunk(&chars[start..at])?;
    }
    Ok(())
}

/// The `filepath.Match` syntax of one chunk (no `*` outside classes).
fn check_chunk(chunk: &[char]) -> Result<(), String> {
    let bad = |why: &str| Err(format!("syntax error in pattern ({why})"));
    let mut at = 0;
    while let Some(&c) = chunk.get(at) {
        match c {
            '[' => {
                at += 1;
                if chunk.get(at) == Some(&'^') {
                    at += 1;
                }
                let mut members = 0;
                loop {
                    if members > 0 && chunk.get(at) == Some(&']') {
                        at += 1;
                        break;
                    }
                    let Some(next) = class_member(chunk, at) else {
                        return bad("bad or unclosed `[...]`");
                    };
                    at = next;
                    if chunk.get(at) == Some(&'-') {
                        let Some(next) = class_member(chunk, at + 1) else {
                            return bad("bad range in `[...]`");
                        };
                        at = next;
                    }
                    members += 1;
                }
            }
            '\\' => {
                if at + 1 >= chunk.len() {
                    return bad("`\\` at the end");
                }
                at += 2;
            }
            _ => at += 1,
        }
    }
    Ok(())
}

/// `filepath.Match`'s class member check: the index after a member starting at `at`, which must
/// be followed by more of the class. `None`: a syntax error.
fn class_member(chunk: &[char], mut at: usize) -> Option<usize> {
    match chunk.get(at)? {
        '-' | ']' => return None,
        '\\' => at += 1,
        _ => {}
    }
    chunk.get(at)?;
    at += 1;
    (at < chunk.len()).then_some(at)
}

/// A compiled regular-expression pattern: it matches when one of its branches does (moby's
/// expression `^A|B|C$` has the branches `^A`, `B` and `C$`).
#[derive(Debug, Clone)]
struct Program {
    branches: Vec<Branch>,
}

impl Program {
    /// Whether the whole of `text` is accepted.
    fn accepts(&self, text: &str) -> bool {
        self.branches.iter().any(
            |branch| matches!(branch.run(text, false), Run::End(states) if states[branch.accept()]),
        )
    }

    /// Whether `text` or a prefix of it ending before a `/` is accepted.
    fn accepts_a_parent(&self, text: &str) -> bool {
        self.branches
            .iter()
            .any(|branch| match branch.run(text, true) {
                Run::Parent => true,
                Run::Dead => false,
                Run::End(states) => states[branch.accept()],
            })
    }

    /// Whether some non-empty continuation of `text` could be accepted.
    fn may_accept_after(&self, text: &str) -> bool {
        self.branches
            .iter()
            .any(|branch| branch.may_accept_after(text))
    }
}

/// A sequence of tokens, run as an automaton without backtracking.
///
/// States: for each token `k`, `2k` is "about to match token `k`" and `2k + 1` is "inside the
/// run of a `**` at `k`, waiting for its closing `/`"; `2n` (n tokens) accepts. Every transition
/// goes to the same or a later state, so one forward sweep computes the empty moves.
#[derive(Debug, Clone)]
struct Branch {
    tokens: Vec<Token>,
}

/// What running a [`Branch`] over some text ended with.
enum Run {
    /// A prefix ending before a `/` was accepted (only when asked for).
    Parent,
    /// No state left alive.
    Dead,
    /// The states after the whole text.
    End(Vec<bool>),
}

impl Branch {
    fn accept(&self) -> usize {
        2 * self.tokens.len()
    }

    /// Whether some non-empty continuation of `text` could be accepted. Atoms count as
    /// satisfiable: a yes may be a false alarm, a no is certain.
    fn may_accept_after(&self, text: &str) -> bool {
        let Run::End(states) = self.run(text, false) else {
            return false;
        };
        let mut reach = vec![false; states.len()];
        // One more character, whatever it is...
        for (k, token) in self.tokens.iter().enumerate() {
            if states[2 * k] {
                match token {
                    Token::One(_) | Token::Opt(_) => reach[2 * k + 2] = true,
                    Token::Many(_) => reach[2 * k] = true,
                    Token::Dirs => {
                        reach[2 * k + 1] = true;
                        reach[2 * k + 2] = true;
                    }
                    Token::Start => {}
                }
            }
            if states[2 * k + 1] {
                reach[2 * k + 1] = true;
                reach[2 * k + 2] = true;
            }
        }
        // ...then anything: every token but `^` (past the start) can be passed.
        for (k, token) in self.tokens.iter().enumerate() {
            if reach[2 * k] && !matches!(token, Token::Start) {
                reach[2 * k + 1] |= matches!(token, Token::Dirs);
                reach[2 * k + 2] = true;
            }
            if reach[2 * k + 1] {
                reach[2 * k + 2] = true;
            }
        }
        reach[self.accept()]
    }

    /// Simulates the automaton over `text`; with `parents`, stops at the first `/` before which
    /// the text so far is accepted.
    fn run(&self, text: &str, parents: bool) -> Run {
        let mut current = vec![false; self.accept() + 2];
        current[0] = true;
        self.close(&mut current, true);
        let mut next = vec![false; current.len()];
        for c in text.chars() {
            if parents && c == '/' && current[self.accept()] {
                return Run::Parent;
            }
            if !self.step(&current, &mut next, c) {
                return Run::Dead;
            }
            std::mem::swap(&mut current, &mut next);
        }
        Run::End(current)
    }

    /// Adds the states reachable without reading: past optional tokens and (at the start only)
    /// `^`.
    fn close(&self, states: &mut [bool], at_start: bool) {
        for (k, token) in self.tokens.iter().enumerate() {
            let skippable = match token {
                Token::Opt(_) | Token::Many(_) | Token::Dirs => true,
                Token::Start => at_start,
                Token::One(_) => false,
            };
            if states[2 * k] && skippable {
                states[2 * k + 2] = true;
            }
        }
    }

    /// Reads `c`: fills `next` from `current`; false when no state is left.
    fn step(&self, current: &[bool], next: &mut [bool], c: char) -> bool {
        next.fill(false);
        for (k, token) in self.tokens.iter().enumerate() {
            let (here, after) = (2 * k, 2 * k + 2);
            if current[here] {
                match token {
                    Token::One(atom) | Token::Opt(atom) => next[after] |= atom.matches(c),
                    Token::Many(atom) => next[here] |= atom.matches(c),
                    Token::Dirs => {
                        next[here + 1] |= c != '\n';
                        next[after] |= c == '/';
                    }
                    Token::Start => {}
                }
            }
            if current[here + 1] {
                next[here + 1] |= c != '\n';
                next[after] |= c == '/';
            }
        }
        self.close(next, false);
        next.contains(&true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> DockerIgnore {
        DockerIgnore::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    /// (`.dockerignore` text, path, excluded?). Lines are `\n`-separated.
    const CASES: &[(&str, &str, bool)] = &[
        // moby's TestMatches, re-expressed.
        ("**", "file", true),
        ("**", "file/", true),
        ("**/", "file", true),
        ("**/", "file/", true),
        ("**", "/", true),
        ("**/", "/", true),
        ("**", "dir/file", true),
        ("**/", "dir/file", true),
        ("**", "dir/file/", true),
        ("**/", "dir/file/", true),
        ("**/**", "dir/file", true),
        ("**/**", "dir/file/", true),
        ("dir/**", "dir/file", true),
        ("dir/**", "dir/file/", true),
        ("dir/**", "dir/dir2/file", true),
        ("dir/**", "dir/dir2/file/", true),
        ("**/dir", "dir", true),
        ("**/dir", "dir/file", true),
        ("**/dir2/*", "dir/dir2/file", true),
        ("**/dir2/*", "dir/dir2/file/", true),
        ("**/dir2/**", "dir/dir2/dir3/file", true),
        ("**/dir2/**", "dir/dir2/dir3/file/", true),
        ("**file", "file", true),
        ("**file", "dir/file", true),
        ("**/file", "dir/file", true),
        ("**file", "dir/dir/file", true),
        ("**/file", "dir/dir/file", true),
        ("**/file*", "dir/dir/file", true),
        ("**/file*", "dir/dir/file.txt", true),
        ("**/file*txt", "dir/dir/file.txt", true),
        ("**/file*.txt", "dir/dir/file.txt", true),
        ("**/file*.txt*", "dir/dir/file.txt", true),
        ("**/**/*.txt", "dir/dir/file.txt", true),
        ("**/**/*.txt2", "dir/dir/file.txt", false),
        ("**/*.txt", "file.txt", true),
        ("**/**/*.txt", "file.txt", true),
        ("a**/*.txt", "a/file.txt", true),
        ("a**/*.txt", "a/dir/file.txt", true),
        ("a**/*.txt", "a/dir/dir/file.txt", true),
        ("a/*.txt", "a/dir/file.txt", false),
        ("a/*.txt", "a/file.txt", true),
        ("a/*.txt**", "a/file.txt", true),
        ("a[b-d]e", "ae", false),
        ("a[b-d]e", "ace", true),
        ("a[b-d]e", "aae", false),
        ("a[^b-d]e", "aze", true),
        (".*", ".foo", true),
        (".*", "foo", false),
        ("abc.def", "abcdef", false),
        ("abc.def", "abc.def", true),
        ("abc.def", "abcZdef", false),
        ("abc?def", "abcZdef", true),
        ("abc?def", "abcdef", false),
        (r"a\\", r"a\", true),
        ("**/foo/bar", "foo/bar", true),
        ("**/foo/bar", "dir/foo/bar", true),
        ("**/foo/bar", "dir/dir2/foo/bar", true),
        ("abc/**", "abc", false),
        ("abc/**", "abc/def", true),
        ("abc/**", "abc/def/ghi", true),
        ("**/.foo", ".foo", true),
        ("**/.foo", "bar.foo", false),
        ("a(b)c/def", "a(b)c/def", true),
        ("a(b)c/def", "a(b)c/xyz", false),
        ("a.|)$(}+{bc", "a.|)$(}+{bc", true),
        (
            "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
            "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
            true,
        ),
        (
            "dist/*.whl",
            "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
            true,
        ),
        (r"a\*b", "a*b", true),
        // moby's multi-pattern cases.
        ("**\n!util/docker/web", "util/docker/web/foo", false),
        (
            "**\n!util/docker/web\nutil/docker/web/foo",
            "util/docker/web/foo",
            true,
        ),
        (
            "**\n!dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
            "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
            false,
        ),
        (
            "**\n!dist/*.whl",
            "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
            false,
        ),
        // moby's single-purpose tests.
        ("*", "fileutils.go", true),
        ("*.go", "fileutils.go", true),
        ("!fileutils.go\n*.go", "fileutils.go", true),
        ("docs\n!docs/README.md", "docs/README.md", false),
        ("docs/\n!docs/README.md", "docs/README.md", false),
        ("docs/*\n!docs/README.md", "docs/README.md", false),
        ("*.go\n!fileutils.go", "fileutils.go", false),
        ("", "any/path/there", false),
        // Go's filepath.Match cases (the valid ones), as moby's TestMatch runs them.
        ("abc", "abc", true),
        ("*", "abc", true),
        ("*c", "abc", true),
        ("a*", "a", true),
        ("a*", "abc", true),
        ("a*", "ab/c", true),
        ("a*/b", "abc/b", true),
        ("a*/b", "a/c/b", false),
        ("a*b*c*d*e*/f", "axbxcxdxe/f", true),
        ("a*b*c*d*e*/f", "axbxcxdxexxx/f", true),
        ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false),
        ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", false),
        ("a*b?c*x", "abxbbxdbxebxczzx", true),
        ("a*b?c*x", "abxbbxdbxebxczzy", false),
        ("ab[c]", "abc", true),
        ("ab[b-d]", "abc", true),
        ("ab[e-g]", "abc", false),
        ("ab[^c]", "abc", false),
        ("ab[^b-d]", "abc", false),
        ("ab[^e-g]", "abc", true),
        (r"a\*b", "ab", false),
        ("a?b", "a☺b", true),
        ("a[^a]b", "a☺b", true),
        ("a???b", "a☺b", false),
        ("a[^a][^a][^a]b", "a☺b", false),
        ("[a-ζ]*", "α", true),
        ("*[a-ζ]", "A", false),
        ("a?b", "a/b", false),
        ("a*b", "a/b", false),
        (r"[\]a]", "]", true),
        (r"[\-]", "-", true),
        (r"[x\-]", "x", true),
        (r"[x\-]", "-", true),
        (r"[x\-]", "z", false),
        (r"[\-x]", "x", true),
        (r"[\-x]", "-", true),
        (r"[\-x]", "a", false),
        ("*x", "xxx", true),
        // Reading: BOM, comments, whitespace, `!`.
        ("\u{feff}secret", "secret", true),
        ("\u{feff}# comment\nkeep", "# comment", false),
        ("# comment", "# comment", false),
        ("  # not a comment", "# not a comment", true),
        ("  spaced.txt  \r\n", "spaced.txt", true),
        ("*.log\n  !  keep.log  ", "keep.log", false),
        ("*.log\n  !  keep.log  ", "other.log", true),
        ("\n\n\t\n", "x", false),
        // Cleaning like filepath.Clean, and the leading `/`.
        ("foo/../bar", "bar", true),
        ("foo/../bar", "foo", false),
        ("./a//b/", "a/b", true),
        ("./a//b/", "a/b/c", true),
        ("/build/", "build/out.bin", true),
        ("a/b/../../c", "c", true),
        ("../up", "../up", true),
        ("../up", "up", false),
        ("/", "x", false),
        (".", "x", false),
        ("/!literal", "literal", false),
        ("*\n/!literal", "literal", false),
        ("a /", "a", true),
        // Braces are literal.
        ("{a,b}.txt", "a.txt", false),
        ("{a,b}.txt", "{a,b}.txt", true),
        ("*.{js,ts}", "x.{js,ts}", true),
        ("*.{js,ts}", "x.js", false),
        // `**` shortcuts and corners.
        ("**file", "myfile", true),
        ("**/file*", "myfile", false),
        ("**/file", "myfile", false),
        ("abc**", "abc", true),
        ("abc**", "abcdef/x", true),
        ("a**b", "ab", true),
        ("a**b", "a/b", true),
        ("a**b", "ax/y/b", true),
        ("a**b", "axb", false),
        ("**/*.txt", "a\nb/c.txt", false),
        ("**/c.txt", "a\nb/c.txt", true),
        ("x/**/y", "x/y", true),
        ("x/**/y", "x/a/b/y", true),
        ("x/**/y", "xy", false),
        ("***", "a/b", true),
        // Parent directories, order, exceptions.
        ("logs", "logs/a/b.log", true),
        ("logs/*", "logs", false),
        ("*.md\n!README.md\nREADME.md", "README.md", true),
        ("*.md\n!README.md", "README.md", false),
        ("*.md\n!README.md", "CHANGES.md", true),
        ("*.key", "sub/secret.key", false),
        ("*/*.key", "sub/secret.key", true),
        ("dir\n!dir/keep\ndir/keep/drop", "dir/keep/x", false),
        ("dir\n!dir/keep\ndir/keep/drop", "dir/keep/drop/y", true),
        // A class may match `/`, and `^` outside a class anchors at the start.
        ("a[/]b", "a/b", true),
        ("*^b", "b", true),
        ("*^b", "a^b", false),
        ("a^b", "a^b", true),
        // moby leaves `|`, `{` and `}` unescaped: alternatives and repetitions, in the regular
        // expression case only.
        ("a|b", "a|b", true),
        ("a|b", "a", false),
        ("a{2}", "a{2}", true),
        ("*.md|x", "a.md", true),
        ("*.md|x", "a.mdown", true),
        ("*.md|x", "dir/box", true),
        ("*.md|x", "dir/y", false),
        ("x*|", "anything", true),
        ("a{2}*", "aab", true),
        ("a{2}*", "ab", false),
        ("?{2,3}", "abc", true),
        ("?{2,3}", "abcd", false),
        ("{0}*.txt", "a/b.txt", true),
        ("*.{1,2}", "x..", true),
        ("*.{1,2}", "x.{1,2}", false),
    ];

    #[test]
    fn the_table() {
        for &(text, path, expected) in CASES {
            assert_eq!(
                rules(text).excludes(path),
                expected,
                "rules {text:?}, path {path:?}"
            );
        }
    }

    #[test]
    fn bad_patterns_are_errors_naming_them() {
        let bad = [
            // filepath.Match syntax errors (from Go's and moby's tests).
            "[]a]",
            "[-]",
            "[x-]",
            "[-x]",
            "\\",
            "[a-b-c]",
            "[",
            "[^",
            "[^bc",
            "a[",
            "ok/*/a[",
            // An exception without a pattern.
            "!",
            "! ",
            "!/",
            // Valid for filepath.Match, but not as moby's regular expression.
            "[Local-Only]/",
            "[z-a]",
            r"foo\bar",
            r"\d",
            r"caf\é",
            "[*]",
            "a[?]",
            "[[:alpha:]]",
            "*{2}",
            "*|{2}",
            "?a{1001}",
            "?a{3,2}",
        ];
        for pattern in bad {
            let text = format!("fine\n{pattern}\n");
            let err = DockerIgnore::parse(&text).expect_err(pattern);
            assert!(!err.contains('\n'), "{err}");
            assert!(err.contains("line 2"), "{err}");
            let quoted = format!("{:?}", pattern.trim());
            assert!(err.contains(&quoted), "{err} should name {quoted}");
        }
        // An escaped `*` inside a class and escaped punctuation are fine.
        assert!(rules(r"[\*]").excludes("*"));
        assert!(rules(r"\#x").excludes("#x"));
    }

    #[test]
    fn a_line_of_64_kib_is_an_error() {
        let long = "a".repeat(MAX_LINE - 1);
        assert!(rules(&long).excludes(&long));
        let too_long = "a".repeat(MAX_LINE);
        assert!(
            DockerIgnore::parse(&too_long)
                .unwrap_err()
                .contains("line 1")
        );
    }

    #[test]
    fn pathological_patterns_stay_linear() {
        let path = "a".repeat(20_000);
        assert!(!rules("*a*a*a*a*a*a*a*a*a*a*a*a*b").excludes(&path));
        assert!(rules("*a*a*a*a*a*a*a*a*a*a*a*a*").excludes(&path));
        let deep = vec!["a"; 2_000].join("/");
        let stars = format!("{}b", "**/".repeat(200));
        assert!(!rules(&stars).excludes(&deep));
        assert!(rules(&format!("{}a", "**/".repeat(200))).excludes(&deep));
        let mixed = format!("{}/c", "*a**".repeat(100));
        assert!(!rules(&mixed).excludes(&deep));
        assert!(!rules(&stars).may_reinclude_under(&deep));
    }

    #[test]
    fn reinclusion_under_excluded_directories() {
        let ignore = rules("dir\nother\n!dir/keep.txt\n!*.md\n!d*/sub/x\n");
        assert!(ignore.may_reinclude_under("dir"));
        assert!(
            !ignore.may_reinclude_under("other"),
            "!*.md stays at the top"
        );
        assert!(ignore.may_reinclude_under("dx"), "d*/sub/x may be under dx");
        assert!(ignore.may_reinclude_under("dx/sub"));
        assert!(!ignore.may_reinclude_under("dx/other"));
        assert!(
            ignore.may_reinclude_under("dir/keep.txt/deeper"),
            "the exception matches a parent"
        );
        assert!(!ignore.may_reinclude_under("elsewhere"));
        assert!(rules("x\n!**/*.md").may_reinclude_under("x/y/z"));
        assert!(rules("x\n!**.md").may_reinclude_under("x"));
        assert!(rules("x\n!x**").may_reinclude_under("x"));
        assert!(!rules("x\n!y**").may_reinclude_under("x"));
        assert!(
            rules("x\n!x").may_reinclude_under("x/deep"),
            "matches a parent"
        );
        assert!(
            !rules("x\n!a*/^b").may_reinclude_under("ab"),
            "`^` past the start"
        );
        assert!(!rules("x\ny").may_reinclude_under("x"), "no exceptions");
        assert!(!DockerIgnore::default().may_reinclude_under("x"));
    }

    #[test]
    fn clean_follows_go() {
        for (raw, cleaned) in [
            ("", "."),
            (".", "."),
            ("..", ".."),
            ("../..", "../.."),
            ("a/..", "."),
            ("a/../..", ".."),
            ("/..", "/"),
            ("/../a", "/a"),
            ("//a//b//", "/a/b"),
            ("./a/./b/.", "a/b"),
            ("a/b/../../../c", "../c"),
        ] {
            assert_eq!(clean(raw), cleaned, "{raw:?}");
        }
        assert_eq!(go_dir("a/b/c"), "a/b");
        assert_eq!(go_dir("a"), ".");
        assert_eq!(go_dir("a//b/"), "a/b");
    }

    mod properties {
        use super::super::DockerIgnore;
        use proptest::prelude::*;

        /// Strings rich in the characters the parser cares about.
        fn tricky() -> impl Strategy<Value = String> {
            let pieces = prop_oneof![
                Just("*"),
                Just("**"),
                Just("?"),
                Just("["),
                Just("]"),
                Just("^"),
                Just("-"),
                Just("\\"),
                Just("/"),
                Just("!"),
                Just("#"),
                Just("."),
                Just(".."),
                Just(" "),
                Just("\n"),
                Just("\r"),
                Just("\u{feff}"),
                Just("a"),
                Just("b"),
                Just("é"),
                Just(":"),
            ];
            prop::collection::vec(pieces, 0..24).prop_map(|pieces| pieces.concat())
        }

        /// `.dockerignore` texts over a small alphabet, so that rules and paths meet.
        fn small_rules() -> impl Strategy<Value = String> {
            let piece = prop::sample::select(vec![
                "a", "b", "/", "*", "**", "?", "[ab]", "[^a]", "|", "{2}", "^", ".",
            ]);
            let line = (any::<bool>(), prop::collection::vec(piece, 1..6)).prop_map(
                |(exception, pieces)| {
                    format!("{}{}", if exception { "!" } else { "" }, pieces.concat())
                },
            );
            prop::collection::vec(line, 1..5).prop_map(|lines| lines.join("\n"))
        }

        fn small_path() -> impl Strategy<Value = String> {
            let segment = prop::sample::select(vec!["a", "b", "aa", "ab", "ba", "a.b"]);
            prop::collection::vec(segment, 1..4).prop_map(|segments| segments.join("/"))
        }

        fn plain_path() -> impl Strategy<Value = String> {
            prop::collection::vec("[a-z0-9_][a-z0-9._-]{0,7}", 1..4)
                .prop_map(|segments| segments.join("/"))
        }

        proptest! {
            #[test]
            fn never_panics(text in prop_oneof![any::<String>(), tricky()],
                            path in prop_oneof![any::<String>(), tricky()]) {
                if let Ok(ignore) = DockerIgnore::parse(&text) {
                    let _ = ignore.excludes(&path);
                    let _ = ignore.may_reinclude_under(&path);
                }
            }

            /// What the walker relies on: an excluded directory for which `may_reinclude_under`
            /// says no has nothing included below it.
            #[test]
            fn skipping_a_directory_is_safe(text in small_rules(), dir in small_path(), below in small_path()) {
                let Ok(ignore) = DockerIgnore::parse(&text) else {
                    return Ok(());
                };
                if ignore.excludes(&dir) && !ignore.may_reinclude_under(&dir) {
                    let path = format!("{dir}/{below}");
                    prop_assert!(ignore.excludes(&path), "{} not excluded", path);
                }
            }

            #[test]
            fn a_plain_pattern_matches_itself_and_its_children(pattern in plain_path(), child in "[a-z]{1,5}") {
                let ignore = DockerIgnore::parse(&pattern).unwrap();
                prop_assert!(ignore.excludes(&pattern));
                let below = format!("{pattern}/{child}");
                prop_assert!(ignore.excludes(&below));
                let longer = format!("{pattern}{child}");
                prop_assert!(!ignore.excludes(&longer));
                // Elsewhere: not excluded, unless "elsewhere" is below the pattern itself
                // (`j` and `j/j`, which `cargo xtask fuzz` found).
                let aside = format!("{child}/{pattern}");
                if !aside.starts_with(&format!("{pattern}/")) {
                    prop_assert!(!ignore.excludes(&aside));
                }
                if let Some((parent, _)) = pattern.rsplit_once('/') {
                    prop_assert!(!ignore.excludes(parent));
                }
            }
        }
    }
}
