//! A small docker-like CLI over the library, to try the crate without writing code:
//!
//! ```text
//! cargo run --example docker -- run --rm busybox echo hello world
//! cargo run --example docker -- ps -a --filter status=exited
//! cargo run --example docker -- pull 127.0.0.1:5000/team/app:1
//! ```
//!
//! Same environment as the docker CLI: `DOCKER_HOST`, `DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH`,
//! `DOCKER_API_VERSION`, `DOCKER_CONFIG` (credentials for pull, push and build), `DOCKER_CONTEXT`.
//! Errors are one line on stderr and a non-zero exit; `run` and `exec` exit with the container's
//! code (125 when docker itself failed, 127/126 when the command cannot be found/run, as the
//! CLI).
//!
//! With `-t` the local terminal is the container's, as with the CLI (`terminal.rs`): raw mode
//! while attached, its size followed, and ctrl-p ctrl-q to detach.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use docker_engine_client::auth::CredentialStore;
use docker_engine_client::build::{Build, Builder};
use docker_engine_client::build_context::BuildContext;
use docker_engine_client::filters::Filters;
use docker_engine_client::run::Run;
use docker_engine_client::stream::{self, ByteStreamExt, JsonStream, Progress};
use docker_engine_client::v1_55::{Client, types};
use docker_engine_client::{ApiClient, Error};
use futures_util::{Stream, StreamExt, TryStreamExt};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

#[path = "docker/build.rs"]
mod build;
#[path = "docker/terminal.rs"]
mod terminal;

#[derive(Parser)]
#[command(name = "docker", about = "A docker-like CLI over docker-engine-client")]
struct Cli {
    /// Daemon socket to connect to (overrides DOCKER_HOST).
    #[arg(short = 'H', long, global = true)]
    host: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Client API version, negotiated version, server version.
    Version,
    /// System-wide information.
    Info,
    /// List containers.
    Ps {
        /// Show all containers (default shows just running).
        #[arg(short, long)]
        all: bool,
        /// Filter output (`name=value`), e.g. `status=exited`, `label=app=web`.
        #[arg(short, long = "filter")]
        filter: Vec<String>,
        /// Only show container ids.
        #[arg(short, long)]
        quiet: bool,
    },
    /// List images.
    Images {
        /// Filter output (`name=value`), e.g. `dangling=true`, `reference=busybox`.
        #[arg(short, long = "filter")]
        filter: Vec<String>,
        /// Only show image ids.
        #[arg(short, long)]
        quiet: bool,
    },
    /// Run a command in a new container.
    Run(RunArgs),
    /// Fetch a container's logs.
    Logs {
        /// Follow log output.
        #[arg(short, long)]
        follow: bool,
        /// The container.
        container: String,
    },
    /// Run a command in a running container.
    Exec {
        /// Keep stdin open and forward it.
        #[arg(short, long)]
        interactive: bool,
        /// Allocate a pseudo-TTY.
        #[arg(short, long)]
        tty: bool,
        /// The container.
        container: String,
        /// The command and its arguments.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
        cmd: Vec<String>,
    },
    /// Pull an image from a registry.
    Pull {
        /// The image.
        image: String,
    },
    /// Push an image to a registry.
    Push {
        /// The image.
        image: String,
    },
    /// Import a root filesystem tarball as an image.
    Import {
        /// The tarball (`-` for stdin).
        tarball: PathBuf,
        /// The image reference to create (`repo[:tag]`).
        reference: String,
    },
    /// Build an image from a directory (honouring `.dockerignore`), with BuildKit when the daemon
    /// announces it.
    Build(BuildArgs),
    /// Get real-time events from the server.
    Events {
        /// Filter output (`name=value`), e.g. `type=container`, `event=die`.
        #[arg(short, long = "filter")]
        filter: Vec<String>,
        /// Show events created since this timestamp (Unix seconds, RFC 3339, or `10m`).
        #[arg(long)]
        since: Option<String>,
        /// Stream events until this timestamp.
        #[arg(long)]
        until: Option<String>,
    },
    /// Remove containers.
    Rm {
        /// Force the removal of a running container.
        #[arg(short, long)]
        force: bool,
        /// The containers.
        #[arg(required = true)]
        containers: Vec<String>,
    },
    /// Remove images.
    Rmi {
        /// Force the removal.
        #[arg(short, long)]
        force: bool,
        /// The images.
        #[arg(required = true)]
        images: Vec<String>,
    },
}

/// `run`'s options (the subcommand's help is the variant's doc).
#[derive(Args)]
struct RunArgs {
    /// Remove the container when it exits.
    #[arg(long)]
    rm: bool,
    /// Keep stdin open and forward it.
    #[arg(short, long)]
    interactive: bool,
    /// Allocate a pseudo-TTY.
    #[arg(short, long)]
    tty: bool,
    /// Set environment variables (`KEY=VALUE`).
    #[arg(short, long = "env")]
    env: Vec<String>,
    /// Name the container.
    #[arg(long)]
    name: Option<String>,
    /// The image.
    image: String,
    /// The command and its arguments.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    cmd: Vec<String>,
}

/// `build`'s options (the subcommand's help is the variant's doc).
#[derive(Args)]
struct BuildArgs {
    /// Name and optionally a tag (`name:tag`); repeatable.
    #[arg(short = 't', long = "tag")]
    tag: Vec<String>,
    /// The Dockerfile, relative to the context.
    #[arg(short = 'f', long = "file")]
    file: Option<String>,
    /// The stage of a multi-stage Dockerfile to build.
    #[arg(long)]
    target: Option<String>,
    /// A build argument (`KEY=VALUE`).
    #[arg(long = "build-arg")]
    build_arg: Vec<String>,
    /// A label on the image (`KEY=VALUE`).
    #[arg(long)]
    label: Vec<String>,
    /// Do not use the cache.
    #[arg(long)]
    no_cache: bool,
    /// Use the classic builder even where the daemon announces BuildKit.
    #[arg(long)]
    classic: bool,
    /// The build context directory.
    dir: PathBuf,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `run` and `exec` exit with the container's code; docker's own failures are 125 there.
    let failure = match cli.command {
        Command::Run(_) | Command::Exec { .. } => 125,
        _ => 1,
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("docker: cannot start the async runtime: {e}");
            return ExitCode::from(failure);
        }
    };
    let code = match runtime.block_on(dispatch(cli)) {
        Ok(code) => u8::try_from(code).unwrap_or(1),
        Err(e) => {
            eprintln!("docker: {e}");
            start_failure_code(&e).unwrap_or(failure)
        }
    };
    // Exit without waiting for the runtime: a read of this process's stdin (forwarded to a
    // container) cannot be cancelled and would hold the shutdown until the next line.
    use std::io::Write;
    let _ = std::io::stdout().flush();
    std::process::exit(i32::from(code))
}

/// The CLI's exit codes for a command that could not start: 127 when it does not exist, 126
/// when it cannot be run.
fn start_failure_code(e: &Error) -> Option<u8> {
    let Error::Run(run) = e else { return None };
    if run.step != docker_engine_client::run::RunStep::Start {
        return None;
    }
    let message = run.source.to_string();
    if message.contains("executable file not found")
        || message.contains("no such file or directory")
    {
        Some(127)
    } else if message.contains("permission denied") {
        Some(126)
    } else {
        None
    }
}

/// Connects as the CLI would, then runs the command; the process's exit code.
async fn dispatch(cli: Cli) -> Result<i64, Error> {
    let mut builder = docker_engine_client::DockerBuilder::from_env()?;
    if let Some(host) = cli.host {
        builder = builder.host(host);
    }
    let docker = builder.build()?;
    let client: Client = docker.client().await?;
    let credentials = docker.credentials();
    match cli.command {
        Command::Version => version(&client).await,
        Command::Info => info(&client).await,
        Command::Ps { all, filter, quiet } => ps(&client, all, &filter, quiet).await,
        Command::Images { filter, quiet } => images(&client, &filter, quiet).await,
        Command::Run(args) => run(&client, credentials, args).await,
        Command::Logs { follow, container } => logs(&client, follow, &container).await,
        Command::Exec {
            interactive,
            tty,
            container,
            cmd,
        } => exec(&client, interactive, tty, &container, cmd).await,
        Command::Pull { image } => pull(&client, credentials, &image).await,
        Command::Push { image } => push(&client, credentials, &image).await,
        Command::Import { tarball, reference } => import(&client, &tarball, &reference).await,
        Command::Build(args) => build_image(&client, credentials, args).await,
        Command::Events {
            filter,
            since,
            until,
        } => events(&client, &filter, since, until).await,
        Command::Rm { force, containers } => rm(&client, force, containers).await,
        Command::Rmi { force, images } => rmi(&client, force, images).await,
    }
}

async fn version(client: &Client) -> Result<i64, Error> {
    let server = client.system_version().send().await?.into_inner();
    let negotiated = client.api_version().map_or("-".into(), |v| v.to_string());
    println!("Client:");
    println!(" API version:       {} (compiled)", Client::VERSION);
    println!(" Negotiated:        {negotiated}");
    println!("Server:");
    println!(" Version:           {}", server.version.unwrap_or_default());
    println!(
        " API version:       {} (minimum version {})",
        server.api_version.unwrap_or_default(),
        server.min_api_version.unwrap_or_default()
    );
    println!(
        " OS/Arch:           {}/{}",
        server.os.unwrap_or_default(),
        server.arch.unwrap_or_default()
    );
    Ok(0)
}

async fn info(client: &Client) -> Result<i64, Error> {
    let info = client.system_info().send().await?.into_inner();
    let n = |v: Option<i64>| v.unwrap_or(0);
    println!("Containers: {}", n(info.containers));
    println!(" Running: {}", n(info.containers_running));
    println!(" Paused: {}", n(info.containers_paused));
    println!(" Stopped: {}", n(info.containers_stopped));
    println!("Images: {}", n(info.images));
    println!(
        "Server Version: {}",
        info.server_version.unwrap_or_default()
    );
    println!("Storage Driver: {}", info.driver.unwrap_or_default());
    println!(
        "Logging Driver: {}",
        info.logging_driver.unwrap_or_default()
    );
    println!(
        "Kernel Version: {}",
        info.kernel_version.unwrap_or_default()
    );
    println!(
        "Operating System: {}",
        info.operating_system.unwrap_or_default()
    );
    println!("CPUs: {}", n(info.ncpu));
    println!("Total Memory: {}", size(n(info.mem_total)));
    println!("Name: {}", info.name.unwrap_or_default());
    Ok(0)
}

async fn ps(client: &Client, all: bool, filter: &[String], quiet: bool) -> Result<i64, Error> {
    let containers = client
        .container_list()
        .all(all)
        .filters(&parse_filters(filter)?)
        .send()
        .await?
        .into_inner();
    if !quiet {
        println!(
            "{:<12}   {:<20}   {:<22}   {:<14}   {:<24}   NAMES",
            "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS"
        );
    }
    for c in containers {
        let id: String = c.id.unwrap_or_default().chars().take(12).collect();
        if quiet {
            println!("{id}");
            continue;
        }
        let command = format!("\"{}\"", truncate(&c.command.unwrap_or_default(), 20));
        let names: Vec<String> = c
            .names
            .unwrap_or_default()
            .iter()
            .map(|n| n.trim_start_matches('/').to_string())
            .collect();
        println!(
            "{id:<12}   {:<20}   {command:<22}   {:<14}   {:<24}   {}",
            truncate(&c.image.unwrap_or_default(), 20),
            ago(c.created.unwrap_or(0)),
            c.status.unwrap_or_default(),
            names.join(",")
        );
    }
    Ok(0)
}

async fn images(client: &Client, filter: &[String], quiet: bool) -> Result<i64, Error> {
    let images = client
        .image_list()
        .filters(&parse_filters(filter)?)
        .send()
        .await?
        .into_inner();
    if !quiet {
        println!(
            "{:<40}   {:<12}   {:<12}   {:<14}   SIZE",
            "REPOSITORY", "TAG", "IMAGE ID", "CREATED"
        );
    }
    for image in images {
        let id: String = image
            .id
            .trim_start_matches("sha256:")
            .chars()
            .take(12)
            .collect();
        if quiet {
            println!("{id}");
            continue;
        }
        let tags = image.repo_tags.unwrap_or_default();
        let tags = if tags.is_empty() {
            vec!["<none>:<none>".to_string()]
        } else {
            tags
        };
        for tag in tags {
            let (repo, tag) = tag.rsplit_once(':').unwrap_or((&tag, "<none>"));
            println!(
                "{repo:<40}   {tag:<12}   {id:<12}   {:<14}   {}",
                ago(image.created),
                size(image.size)
            );
        }
    }
    Ok(0)
}

/// `run`: creates and starts the container, attaches the terminal to it, copies its output until
/// it exits (or the terminal detaches); the container's exit code.
async fn run(client: &Client, credentials: &CredentialStore, args: RunArgs) -> Result<i64, Error> {
    let (tty, interactive) = (args.tty, args.interactive);
    let run = run_options(args, credentials);
    let bars = Bars::new(std::io::stderr().is_terminal());
    let run = run.on_progress(move |p| bars.show(p));
    let mut running = run.start(client).await?;
    let tty_of = terminal::Tty::Container(client.clone(), running.id.clone());
    let mut terminal = terminal::Session::start(tty, interactive, tty_of)?;
    let stdin = running.stdin.take().map(|s| terminal.forward_stdin(s));
    // Detached (ctrl-p ctrl-q): the container keeps running; `docker run` says nothing.
    // (`--rm` is then not done: `Run` removes the container itself after its exit.)
    let Some(copied) = terminal
        .until_detached(stream::copy_output(
            &mut running.output,
            &mut stream::StdioWriter::stdout(),
            &mut stream::StdioWriter::stderr(),
        ))
        .await
    else {
        return Ok(0);
    };
    copied?;
    if let Some(task) = stdin {
        task.abort();
    }
    running.wait().await
}

/// `run`'s flags as a [`Run`] (the image pulled with `credentials` when it is missing).
fn run_options(args: RunArgs, credentials: &CredentialStore) -> Run {
    let mut run = Run::new(&args.image, args.cmd)
        .remove(args.rm)
        .interactive(args.interactive)
        .tty(args.tty)
        .credential_store(credentials.clone());
    for pair in &args.env {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        run = run.env(key, value);
    }
    if let Some(name) = args.name {
        run = run.name(name);
    }
    run
}

/// `logs`: the container's output, demultiplexed unless it has a TTY.
async fn logs(client: &Client, follow: bool, container: &str) -> Result<i64, Error> {
    let tty = client
        .container_inspect()
        .id(container)
        .send()
        .await?
        .into_inner()
        .config
        .is_some_and(|c| c.tty);
    let logs = client
        .container_logs()
        .id(container)
        .stdout(true)
        .stderr(true)
        .follow(follow)
        .send()
        .await?;
    let output = logs.into_output(tty);
    copy(output).await?;
    Ok(0)
}

/// `exec`: starts `cmd` in the container, attaches the terminal to it, copies its output until
/// it ends (or the terminal detaches); the command's exit code.
async fn exec(
    client: &Client,
    interactive: bool,
    tty: bool,
    container: &str,
    cmd: Vec<String>,
) -> Result<i64, Error> {
    let exec = create_exec(client, interactive, tty, container, cmd).await?;
    let hijacked = stream::exec_start(client, &exec, tty).await?;
    let tty_of = terminal::Tty::Exec(client.clone(), exec.clone());
    let mut terminal = terminal::Session::start(tty, interactive, tty_of)?;
    let stdin = interactive.then(|| terminal.forward_stdin(hijacked.stdin));
    // Detached: the exec goes on; the CLI reports it as its error.
    let Some(copied) = terminal.until_detached(copy(hijacked.output)).await else {
        eprintln!("read escape sequence");
        return Ok(1);
    };
    copied?;
    if let Some(task) = stdin {
        task.abort();
    }
    let inspect = client.exec_inspect().id(&exec).send().await?.into_inner();
    Ok(inspect.exit_code.unwrap_or(0))
}

/// Creates the exec instance of `cmd` in `container`; its id.
async fn create_exec(
    client: &Client,
    interactive: bool,
    tty: bool,
    container: &str,
    cmd: Vec<String>,
) -> Result<String, Error> {
    let body = types::ExecConfig {
        attach_stdin: Some(interactive),
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        tty: Some(tty),
        cmd: Some(cmd),
        ..Default::default()
    };
    Ok(client
        .container_exec()
        .id(container)
        .body(body)
        .send()
        .await?
        .into_inner()
        .id)
}

/// `pull`: pulls `image` with the registry's credentials, showing the progress.
async fn pull(client: &Client, credentials: &CredentialStore, image: &str) -> Result<i64, Error> {
    let creds = credentials.for_image(image).await?;
    let (repo, tag) = docker_engine_client::auth::reference::split_tag(image);
    let mut pull = client
        .image_create()
        .from_image(repo)
        .x_registry_auth(&creds);
    if let Some(tag) = tag {
        pull = pull.tag(tag);
    }
    progress(pull.send().await?.into_json()).await?;
    Ok(0)
}

/// `push`: pushes `image` with the registry's credentials, showing the progress.
async fn push(client: &Client, credentials: &CredentialStore, image: &str) -> Result<i64, Error> {
    let creds = credentials.for_image(image).await?;
    let (repo, tag) = docker_engine_client::auth::reference::split_tag(image);
    let mut push = client.image_push().name(repo).x_registry_auth(&creds);
    if let Some(tag) = tag {
        push = push.tag(tag);
    }
    progress(push.send().await?.into_json()).await?;
    Ok(0)
}

/// `import`: streams the tarball (or stdin) to the daemon as the image `reference`.
async fn import(client: &Client, tarball: &Path, reference: &str) -> Result<i64, Error> {
    let body = if tarball.as_os_str() == "-" {
        docker_engine_client::Body::wrap_stream(tokio_util::io::ReaderStream::new(
            tokio::io::stdin(),
        ))
    } else {
        let file = tokio::fs::File::open(tarball)
            .await
            .map_err(|e| Error::InvalidRequest {
                operation: "image_create",
                message: format!("{}: {e}", tarball.display()),
            })?;
        docker_engine_client::Body::wrap_stream(tokio_util::io::ReaderStream::new(file))
    };
    let (repo, tag) = docker_engine_client::auth::reference::split_tag(reference);
    let mut import = client.image_create().from_src("-").repo(repo).body(body);
    if let Some(tag) = tag {
        import = import.tag(tag);
    }
    progress(import.send().await?.into_json()).await?;
    Ok(0)
}

/// `build`: builds the context directory, showing the build's output (`build.rs`).
async fn build_image(
    client: &Client,
    credentials: &CredentialStore,
    args: BuildArgs,
) -> Result<i64, Error> {
    let context = BuildContext::from_dir(&args.dir)?;
    let options = build_options(args, credentials).await?;
    let events = options.start(client, context).await?;
    build::show(events, std::io::stderr().is_terminal()).await?;
    Ok(0)
}

/// `build`'s flags as a [`Build`], with the credentials of every registry (the daemon pulls
/// base images itself).
async fn build_options(args: BuildArgs, credentials: &CredentialStore) -> Result<Build, Error> {
    let mut options = Build::new()
        .no_cache(args.no_cache)
        .registries(credentials.all().await?);
    for tag in args.tag {
        options = options.tag(tag);
    }
    if let Some(file) = args.file {
        options = options.dockerfile(file);
    }
    if let Some(target) = args.target {
        options = options.target(target);
    }
    for pair in &args.build_arg {
        let (key, value) = key_value(pair)?;
        options = options.build_arg(key, value);
    }
    for pair in &args.label {
        let (key, value) = key_value(pair)?;
        options = options.label(key, value);
    }
    if args.classic {
        options = options.builder(Builder::Classic);
    }
    Ok(options)
}

/// `events`: the daemon's events, one line each, until `until` (or forever).
async fn events(
    client: &Client,
    filter: &[String],
    since: Option<String>,
    until: Option<String>,
) -> Result<i64, Error> {
    let mut events = client.system_events().filters(&parse_filters(filter)?);
    if let Some(since) = since {
        events = events.since(since);
    }
    if let Some(until) = until {
        events = events.until(until);
    }
    let mut events = events.send().await?.into_json::<types::EventMessage>();
    while let Some(event) = events.next().await {
        print_event(event?);
    }
    Ok(0)
}

/// One event as the CLI prints it: time, type, action, actor id, then its sorted attributes.
fn print_event(event: types::EventMessage) {
    let actor = event.actor.unwrap_or_default();
    let mut attributes: Vec<String> = actor
        .attributes
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    attributes.sort();
    println!(
        "{} {} {} {} ({})",
        event.time_nano.map_or(String::new(), timestamp),
        event.type_.map_or(String::new(), |t| t.to_string()),
        event.action.unwrap_or_default(),
        actor.id.unwrap_or_default(),
        attributes.join(", ")
    );
}

/// `rm`: removes each container in turn, printing its name; stops at the first failure.
async fn rm(client: &Client, force: bool, containers: Vec<String>) -> Result<i64, Error> {
    for container in containers {
        client
            .container_delete()
            .id(&container)
            .force(force)
            .send()
            .await?;
        println!("{container}");
    }
    Ok(0)
}

/// `rmi`: removes each image in turn, printing what was untagged and deleted; stops at the first
/// failure.
async fn rmi(client: &Client, force: bool, images: Vec<String>) -> Result<i64, Error> {
    for image in images {
        let deleted = client
            .image_delete()
            .name(&image)
            .force(force)
            .send()
            .await?;
        for item in deleted.into_inner() {
            if let Some(untagged) = item.untagged {
                println!("Untagged: {untagged}");
            }
            if let Some(deleted) = item.deleted {
                println!("Deleted: {deleted}");
            }
        }
    }
    Ok(0)
}

/// The CLI's `--filter name=value` flags as Docker's filter JSON.
fn parse_filters(pairs: &[String]) -> Result<Filters, Error> {
    pairs.iter().try_fold(Filters::new(), |f, pair| {
        f.add_pair(pair).map_err(|message| Error::InvalidRequest {
            operation: "filters",
            message,
        })
    })
}

/// `KEY=VALUE` of `--build-arg` and `--label`.
fn key_value(pair: &str) -> Result<(&str, &str), Error> {
    pair.split_once('=').ok_or_else(|| Error::InvalidRequest {
        operation: "image_build",
        message: format!("{pair:?} is not KEY=VALUE"),
    })
}

/// Copies container output to this process's stdout and stderr.
async fn copy(
    output: impl Stream<Item = Result<stream::OutputChunk, docker_engine_client::StreamError>> + Unpin,
) -> Result<(u64, u64), Error> {
    stream::copy_output(
        output,
        &mut stream::StdioWriter::stdout(),
        &mut stream::StdioWriter::stderr(),
    )
    .await
}

/// Shows a pull, push, import or build stream: bars on a terminal, plain lines otherwise.
async fn progress(mut messages: JsonStream<stream::BodyStream, Progress>) -> Result<(), Error> {
    let bars = Bars::new(std::io::stderr().is_terminal());
    while let Some(message) = messages.try_next().await? {
        bars.show(&message);
    }
    bars.finish();
    Ok(())
}

/// The bars shown, by layer id.
type LayerBars = std::sync::Arc<std::sync::Mutex<Vec<(String, ProgressBar)>>>;

/// A progress bar per layer (indicatif) on a terminal; the daemon's lines otherwise.
#[derive(Clone)]
struct Bars {
    terminal: Option<(MultiProgress, LayerBars)>,
}

impl Bars {
    fn new(terminal: bool) -> Self {
        Self {
            terminal: terminal.then(|| (MultiProgress::new(), Default::default())),
        }
    }

    fn show(&self, p: &Progress) {
        if let Some(stream) = &p.stream {
            // Build output goes to stdout as it is.
            print!("{stream}");
            return;
        }
        let status = p.status.clone().unwrap_or_default();
        let Some((multi, bars)) = &self.terminal else {
            match &p.id {
                Some(id) => println!("{id}: {status}"),
                None if !status.is_empty() => println!("{status}"),
                None => {}
            }
            return;
        };
        let Some(id) = &p.id else {
            let _ = multi.println(&status);
            return;
        };
        let mut bars = bars.lock().unwrap();
        let bar = match bars.iter().find(|(layer, _)| layer == id) {
            Some((_, bar)) => bar.clone(),
            None => {
                let bar = multi.add(ProgressBar::new(0));
                bar.set_style(
                    ProgressStyle::with_template(
                        "{prefix}: {msg:<12} {bar:30} {bytes}/{total_bytes}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                bar.set_prefix(id.clone());
                bars.push((id.clone(), bar.clone()));
                bar
            }
        };
        bar.set_message(status);
        if let Some((current, total)) = p.bytes() {
            bar.set_length(total);
            bar.set_position(current);
        }
    }

    fn finish(&self) {
        if let Some((_, bars)) = &self.terminal {
            for (_, bar) in bars.lock().unwrap().iter() {
                bar.finish();
            }
        }
    }
}

/// `2.5MB`, as the CLI prints sizes.
fn size(bytes: i64) -> String {
    let b = bytes as f64;
    if bytes < 1_000 {
        format!("{bytes}B")
    } else if bytes < 1_000_000 {
        format!("{:.3}kB", b / 1e3)
    } else if bytes < 1_000_000_000 {
        format!("{:.3}MB", b / 1e6)
    } else {
        format!("{:.3}GB", b / 1e9)
    }
}

/// `5 minutes ago`.
fn ago(unix: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let secs = (now - unix).max(0);
    if secs < 60 {
        format!("{secs} seconds ago")
    } else if secs < 3600 {
        format!("{} minutes ago", secs / 60)
    } else if secs < 86400 {
        format!("{} hours ago", secs / 3600)
    } else {
        format!("{} days ago", secs / 86400)
    }
}

/// An event's time (nanoseconds since the epoch) as RFC 3339.
fn timestamp(nanos: i64) -> String {
    chrono::DateTime::from_timestamp_nanos(nanos)
        .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}
