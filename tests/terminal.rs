//! The docker example's `-t`, used as a person would: the example runs in a tmux pane of a fixed
//! size (a tmux server of the test's own), keys are typed with `send-keys` and the screen read
//! with `capture-pane`. Checked: a shell prompt, raw mode while attached, `stty size` inside equal
//! to the pane's at the start and after a resize, an exec's TTY sized too, ctrl-p ctrl-q detaching
//! and leaving the container running, `exit` ending the session with the container's code, a
//! SIGTERM ending it, and the local terminal restored after each (`icanon echo` again).

#![cfg(feature = "v1_55")]

mod support;

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use docker_engine_client::v1_55::Client;

/// The prompt of the pane's own shell.
const OUTER: &str = "outer$";

/// The example CLI's binary, built by `cargo test` next to this test's own.
fn docker_example() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let path = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples/docker");
    assert!(
        path.exists(),
        "{} was not built: `cargo test` builds the examples unless targets are picked \
         (`--test terminal` alone does not; `cargo build --examples` first)",
        path.display()
    );
    path
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A tmux server of this test's own (its own socket, no configuration) with one session.
struct Tmux {
    socket: String,
    /// The socket's file, removed with the server (tmux leaves it behind).
    socket_path: Option<PathBuf>,
}

impl Tmux {
    /// Starts the server with a `width`×`height` window running `sh` with `env`; `None` (a skip,
    /// or a failure under `CI=true`) when tmux is missing.
    fn start(width: u16, height: u16, env: &[(&str, String)]) -> Option<Tmux> {
        let found = Command::new("tmux").arg("-V").output().ok();
        support::require(
            found.filter(|o| o.status.success()),
            "tmux (Debian's package, installed by .ci/setup)",
        )?;
        let mut tmux = Tmux {
            socket: support::unique("tmux"),
            socket_path: None,
        };
        let mut shell = String::from("env -u DOCKER_API_VERSION -u DOCKER_CONTEXT");
        for (key, value) in env {
            shell.push_str(&format!(" {key}='{value}'"));
        }
        shell.push_str(&format!(" PS1='{OUTER} ' /bin/sh"));
        let (w, h) = (width.to_string(), height.to_string());
        tmux.run(&["new-session", "-d", "-s", "t", "-x", &w, "-y", &h, &shell]);
        tmux.run(&["set-option", "-g", "status", "off"]);
        let path = tmux
            .run(&["display-message", "-p", "#{socket_path}"])
            .stdout;
        tmux.socket_path = Some(PathBuf::from(text(&path).trim()));
        tmux.wait_for("the pane's shell", |screen| screen.trim() == OUTER);
        Some(tmux)
    }

    fn run(&self, args: &[&str]) -> Output {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .env("TERM", "xterm-256color")
            .output()
            .unwrap();
        assert!(out.status.success(), "tmux {args:?}: {}", text(&out.stderr));
        out
    }

    /// Types `line` and Enter.
    fn type_line(&self, line: &str) {
        self.run(&["send-keys", "-t", "t", "-l", "--", line]);
        self.keys(&["Enter"]);
    }

    /// Types `line` and Enter for the pane's own shell, the line emptied first (ctrl-u): the
    /// terminal may have answered a query of the container's shell (busybox asks where the cursor
    /// is) just after the example let go of it.
    fn type_outer(&self, line: &str) {
        self.keys(&["C-u"]);
        self.type_line(line);
    }

    /// Presses keys by tmux's names (`C-p`).
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// What the pane shows.
    fn screen(&self) -> String {
        text(&self.run(&["capture-pane", "-p", "-t", "t"]).stdout)
    }

    /// Waits (20 s at most) until the screen satisfies `done`; the screen then.
    fn wait_for(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "no {what} after 20 s; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits for `text` on the screen.
    fn wait_for_text(&self, text: &str) -> String {
        self.wait_for(&format!("{text:?}"), |screen| screen.contains(text))
    }

    /// Waits for the container shell's prompt (`/ # `; the screen has no trailing spaces).
    fn wait_for_prompt(&self) {
        self.wait_for("a shell prompt", |screen| {
            screen.lines().any(|line| line == "/ #")
        });
    }

    /// Waits until the container's shell prompts on the last line written.
    fn wait_for_prompt_last(&self) {
        self.wait_for("a shell prompt on the last line", |screen| {
            screen.lines().rev().find(|line| !line.is_empty()) == Some("/ #")
        });
    }

    /// Waits until the example has ended: the pane's shell prompts again (on the last line
    /// written; after a detach it follows the container's prompt). Typing earlier would feed the
    /// example's stdin, still read until it exits.
    fn wait_for_outer_prompt(&self) {
        self.wait_for("the pane's shell prompt", |screen| {
            screen
                .lines()
                .rev()
                .find(|line| !line.is_empty())
                .is_some_and(|line| line.ends_with(OUTER))
        });
    }

    /// A cleared screen with the outer shell's prompt.
    fn clear(&self) {
        self.type_line(r"printf '\033[H\033[2J'");
        self.wait_for("a cleared screen", |screen| screen.trim() == OUTER);
    }

    /// The pane's size as `stty size` prints it: `rows columns`.
    fn pane_size(&self) -> String {
        let out = self.run(&[
            "display-message",
            "-p",
            "-t",
            "t",
            "#{pane_height} #{pane_width}",
        ]);
        text(&out.stdout).trim().to_string()
    }

    /// Resizes the window; returns once the pane's terminal has the new size (tmux applies it
    /// to the terminal a little later, which is when programs in the pane get their SIGWINCH).
    fn resize(&self, width: u16, height: u16) -> String {
        let (w, h) = (width.to_string(), height.to_string());
        self.run(&["resize-window", "-t", "t", "-x", &w, "-y", &h]);
        let size = self.pane_size();
        assert_eq!(size, format!("{height} {width}"));
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.stty(&["size"]).trim() != size {
            assert!(
                Instant::now() < deadline,
                "the pane's terminal is not {size}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        size
    }

    /// `stty ARGS` on the pane's terminal, from outside.
    fn stty(&self, args: &[&str]) -> String {
        let out = self.run(&["display-message", "-p", "-t", "t", "#{pane_tty}"]);
        let tty = text(&out.stdout).trim().to_string();
        let stty = Command::new("stty")
            .arg("-F")
            .arg(&tty)
            .args(args)
            .output()
            .unwrap();
        assert!(stty.status.success(), "{}", text(&stty.stderr));
        text(&stty.stdout)
    }

    /// The pane's terminal settings (`stty -a`), one word each.
    fn modes(&self) -> Vec<String> {
        self.stty(&["-a"])
            .split([' ', ';', '\n'])
            .map(str::to_string)
            .collect()
    }

    /// Runs `stty size` in the container's shell until it says `want` (the size is sent by a
    /// request of its own, which may land just after a command typed right away); 20 tries.
    fn inner_size_becomes(&self, label: &str, want: &str) {
        let mut seen = String::new();
        for attempt in 0..20 {
            let mark = format!("{label}-{attempt}: ");
            self.type_line(&format!("echo \"{mark}$(stty size)\""));
            // The output's line starts with the mark (the typed command's starts with the prompt).
            let screen = self.wait_for(&format!("{mark:?}"), |screen| {
                screen.lines().any(|line| line.starts_with(&mark))
            });
            seen = screen
                .lines()
                .find_map(|line| line.strip_prefix(&mark))
                .unwrap_or_default()
                .to_string();
            if seen == want {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("{label}: stty size inside says {seen:?}, the pane is {want:?}");
    }

    /// Waits until the pane's terminal is raw (the example attached) or cooked (restored).
    fn wait_for_mode(&self, raw: bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let want = if raw {
            ["-icanon", "-echo"]
        } else {
            ["icanon", "echo"]
        };
        loop {
            let modes = self.modes();
            if want.iter().all(|w| modes.iter().any(|m| m == w)) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the pane's terminal is not {want:?}: {modes:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The pid of the program the pane's shell runs (its one child, found in /proc).
    fn foreground_child(&self) -> String {
        let out = self.run(&["display-message", "-p", "-t", "t", "#{pane_pid}"]);
        let shell = text(&out.stdout).trim().to_string();
        let children: Vec<String> = std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(|entry| {
                let pid = entry.ok()?.file_name().into_string().ok()?;
                let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
                // `pid (comm) state ppid ...`; comm may hold spaces and parentheses.
                let ppid = stat.rsplit_once(')')?.1.split_whitespace().nth(1)?;
                (ppid == shell).then_some(pid)
            })
            .collect();
        assert_eq!(children.len(), 1, "the pane's shell runs {children:?}");
        children[0].clone()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
        if let Some(path) = &self.socket_path {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Whether container `name` is running (`None`: there is no such container).
fn running(runtime: &tokio::runtime::Runtime, client: &Client, name: &str) -> Option<bool> {
    runtime.block_on(async {
        match client.container_inspect().id(name).send().await {
            Ok(inspect) => Some(inspect.into_inner().state.and_then(|s| s.running) == Some(true)),
            Err(e) if e.is_not_found() => None,
            Err(e) => panic!("{e}"),
        }
    })
}

#[test]
#[ignore = "needs the daemon and tmux (.ci/setup)"]
fn the_example_with_t_is_a_real_terminal_in_tmux() {
    let Some(socket) = support::daemon_socket() else {
        return;
    };
    let Some(docker) = support::docker() else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client: Client = runtime.block_on(docker.client()).unwrap();
    let cleanup = support::Cleanup::new(&docker);
    let image = runtime.block_on(support::import_busybox(&client, &support::unique("tty")));
    cleanup.image(&image);
    let name = support::unique("tty");
    cleanup.container(&name);
    let host = format!("unix://{}", socket.display());
    let Some(tmux) = Tmux::start(80, 24, &[("DOCKER_HOST", host)]) else {
        return;
    };
    let example = docker_example();
    let example = example.display();
    tmux.wait_for_mode(false);

    // `run -it`: a shell prompt, the terminal raw while attached, the pane's size inside.
    tmux.type_line(&format!("{example} run -it --name {name} {image} sh"));
    tmux.wait_for_prompt();
    tmux.wait_for_mode(true);
    tmux.inner_size_becomes("size", &tmux.pane_size());

    // A resize of the window reaches the container's TTY.
    let resized = tmux.resize(100, 30);
    tmux.inner_size_becomes("resized", &resized);

    // ctrl-p ctrl-q: the example ends with 0, the container keeps running, the terminal is back.
    tmux.wait_for_prompt_last();
    tmux.keys(&["C-p", "C-q"]);
    tmux.wait_for_mode(false);
    tmux.wait_for_outer_prompt();
    tmux.type_outer("echo \"detached: $?\"");
    tmux.wait_for_text("detached: 0\n");
    assert_eq!(running(&runtime, &client, &name), Some(true));

    // `exec -it` into it: its own TTY gets the pane's size; `exit` ends it, the terminal is back.
    let exec_size = tmux.resize(90, 28);
    tmux.clear();
    tmux.type_line(&format!("{example} exec -it {name} sh"));
    tmux.wait_for_prompt();
    tmux.wait_for_mode(true);
    tmux.inner_size_becomes("exec-size", &exec_size);
    tmux.type_line("exit 4");
    tmux.wait_for_mode(false);
    tmux.wait_for_outer_prompt();
    tmux.type_outer("echo \"exec ended: $?\"");
    tmux.wait_for_text("exec ended: 4\n");
    assert_eq!(running(&runtime, &client, &name), Some(true));

    // `run --rm -it`: `exit` in the container's shell ends it (its code), the container is
    // removed and the terminal restored.
    let removed = support::unique("tty-rm");
    cleanup.container(&removed);
    tmux.clear();
    tmux.type_line(&format!(
        "{example} run --rm -it --name {removed} {image} sh"
    ));
    tmux.wait_for_prompt();
    tmux.wait_for_mode(true);
    tmux.type_line("exit 3");
    tmux.wait_for_mode(false);
    tmux.wait_for_outer_prompt();
    tmux.type_outer("echo \"run ended: $?\"");
    tmux.wait_for_text("run ended: 3\n");
    assert_eq!(running(&runtime, &client, &removed), None);

    // SIGTERM to the example while attached: the terminal is restored, the status is 128 + 15.
    tmux.clear();
    tmux.type_line(&format!("{example} exec -it {name} sh"));
    tmux.wait_for_prompt();
    tmux.wait_for_mode(true);
    let pid = tmux.foreground_child();
    let killed = Command::new("sh")
        .args(["-c", &format!("kill -TERM {pid}")])
        .status()
        .unwrap();
    assert!(killed.success());
    tmux.wait_for_mode(false);
    tmux.wait_for_outer_prompt();
    tmux.type_outer("echo \"terminated: $?\"");
    tmux.wait_for_text("terminated: 143\n");
}
