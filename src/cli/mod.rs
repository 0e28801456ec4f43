//! The headless command line: argument parsing, dispatch to the lower layers, output
//! formats and exit codes. It calls `config`, `git` and `render`; it holds no logic
//! of its own beyond choosing what to print.

mod act;
mod apps;
mod demo;
mod diff;
mod discover;
mod engine;
mod health;
mod history;
mod output;
mod render;
mod repos;
mod rollback;
mod sandbox;
mod support;
mod sync;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::error::{Classified, ErrorKind};
use crate::model::text;
pub use output::OutputFormat;

/// driftdeck: a terminal cockpit for GitOps.
#[derive(Debug, Parser)]
#[command(name = "driftdeck", version, about, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    /// Without a command, the cockpit (the interactive terminal UI) opens on the
    /// configured apps.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Flags every subcommand accepts, before or after its name.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The configuration file (default: ./driftdeck.yaml, then the user config dir).
    #[arg(long, global = true, env = "DRIFTDECK_CONFIG")]
    pub config: Option<PathBuf>,
    /// The kubeconfig file (default: KUBECONFIG, then ~/.kube/config).
    #[arg(long, global = true)]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context (default: the app's destination context, then the
    /// current context).
    #[arg(long, global = true)]
    pub context: Option<String>,
    /// Refuse every action that would change a cluster or a repository.
    #[arg(long, global = true, env = "DRIFTDECK_READ_ONLY")]
    pub read_only: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The history of a path in a repository: the commits that changed it, newest first.
    History(history::HistoryArgs),
    /// The desired manifests of an app at a revision.
    Render(render::RenderArgs),
    /// The Git sources the configuration declares.
    Repos(repos::ReposArgs),
    /// The apps the configuration declares, with their desired revisions.
    Apps(apps::AppsArgs),
    /// The Argo CD and Flux apps of a context, read from the Kubernetes API.
    Discover(discover::DiscoverArgs),
    /// Act on an Argo CD or Flux app through the Kubernetes API: sync, refresh,
    /// auto-sync, terminate, reconcile, suspend, resume, rollback, unpin.
    Engine(engine::EngineArgs),
    /// Run the embedded sandbox cluster (a Kubernetes API server on loopback).
    Sandbox(sandbox::SandboxArgs),
    /// Apply an app's desired manifests to its cluster (server-side apply, in waves).
    Sync(sync::SyncArgs),
    /// The logs of an app's pods.
    Logs(support::LogsArgs),
    /// The Events about an app's objects and their pods.
    Events(support::EventsArgs),
    /// Restart one of an app's workloads (a rolling restart).
    Restart(support::RestartArgs),
    /// Scale one of an app's workloads.
    Scale(support::ScaleArgs),
    /// The health of every object in a file.
    Health(health::HealthArgs),
    /// How an app's cluster differs from Git (exit 1 when it does).
    Diff(diff::DiffArgs),
    /// Roll an app back to a commit: a revert commit then a sync, or a pin.
    Rollback(rollback::RollbackArgs),
    /// Lift an app's pin, so sync applies Git's tip again.
    Unpin(rollback::UnpinArgs),
    /// A sample GitOps repository and an embedded cluster showing every case.
    Demo(demo::DemoArgs),
}

/// What a command reports back: success, "differences found" (exit 1), or an
/// action refused because of `--read-only` (exit 3).
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Differences,
    ReadOnly,
}

/// Parses the command line, runs the command and maps its result to an exit code:
/// 0 ok, 1 differences found, 2 usage or input error.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Differences) => ExitCode::from(1),
        Ok(Outcome::ReadOnly) => ExitCode::from(3),
        Err(error) => {
            report(&*error);
            ExitCode::from(2)
        }
    }
}

pub type CliResult = Result<Outcome, Box<dyn Classified>>;

fn run(cli: Cli) -> CliResult {
    let global = &cli.global;
    let Some(command) = cli.command else {
        return cockpit(global);
    };
    match command {
        Command::History(args) => history::run(global, args),
        Command::Render(args) => render::run(global, args),
        Command::Repos(args) => repos::run(global, args),
        Command::Apps(args) => apps::run(global, args),
        Command::Discover(args) => discover::run(global, args),
        Command::Engine(args) => engine::run(global, args),
        Command::Sandbox(args) => sandbox::run(global, args),
        Command::Sync(args) => sync::run(global, args),
        Command::Logs(args) => support::logs(global, args),
        Command::Events(args) => support::events(global, args),
        Command::Restart(args) => support::restart(global, args),
        Command::Scale(args) => support::scale(global, args),
        Command::Health(args) => health::run(global, args),
        Command::Diff(args) => diff::run(global, args),
        Command::Rollback(args) => rollback::run(global, args),
        Command::Unpin(args) => rollback::unpin(global, args),
        Command::Demo(args) => demo::run(global, args),
    }
}

/// `driftdeck` alone: the cockpit on the configured apps and clusters.
fn cockpit(global: &GlobalArgs) -> CliResult {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return Err(boxed(UsageError {
            message: "the cockpit needs a terminal (stdout is not one)".into(),
            hint: Some("run a command instead: driftdeck --help lists them".into()),
        }));
    }
    let config = crate::config::load(global.config.as_deref()).map_err(boxed)?;
    crate::tui::run(crate::tui::Inputs {
        config,
        kubeconfig: global.kubeconfig.clone(),
        context: global.context.clone(),
        read_only: global.read_only,
    })?;
    Ok(Outcome::Ok)
}

/// Prints a classified error as `error[kind]: message`, the causes its message does
/// not already say, and its hint. Messages carry outside text (tool output, file
/// content), so control characters are neutralised.
fn report(error: &dyn Classified) {
    let message = error.to_string();
    eprintln!("error[{}]: {}", error.kind(), text::multi_line(&message));
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !message.contains(&cause_text) {
            eprintln!("  caused by: {}", text::multi_line(&cause_text));
        }
        source = cause.source();
    }
    if let Some(hint) = error.hint() {
        eprintln!("  hint: {}", text::one_line(&hint));
    }
}

/// An error in how the command line asked for something (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct UsageError {
    pub message: String,
    pub hint: Option<String>,
}

impl Classified for UsageError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Usage
    }

    fn hint(&self) -> Option<String> {
        self.hint.clone()
    }
}

/// An error and its hint on one line, for a table cell or a JSON field.
fn one_line_error(error: &dyn Classified) -> String {
    match error.hint() {
        Some(hint) => format!("{error} ({hint})"),
        None => error.to_string(),
    }
}

/// Prints a line on stdout. When stdout has been closed (`driftdeck events | head`)
/// the command ends quietly, as a command killed by SIGPIPE would, instead of
/// panicking.
pub(crate) fn say(line: impl std::fmt::Display) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{line}").is_err() {
        std::process::exit(0);
    }
}

pub(crate) use crate::error::boxed;
