//! `driftdeck history`: the commits that changed a path, newest first. For an app,
//! joined with its ledger: which commit is Git's tip, which runs, which are not
//! deployed yet, when each was deployed and by whom, which were rolled back.

use std::path::PathBuf;

use clap::Args;
use jiff::Timestamp;

use super::output::{self, OutputFormat};
use super::{CliResult, GlobalArgs, Outcome, UsageError, boxed};
use crate::config;
use crate::engine::{deploys, ledger, target};
use crate::git::{self, GitRepo};
use crate::model::ledger::LedgerEntry;
use crate::model::text;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// An app from the configuration: its repo and path.
    pub app: Option<String>,
    /// A repository: a name from the configuration, or a local path.
    #[arg(long, conflicts_with = "app")]
    pub repo: Option<String>,
    /// The path inside the repository (default: the whole repository).
    #[arg(long, conflicts_with = "app")]
    pub path: Option<String>,
    /// Where the history starts (default: the repo's branch, or HEAD).
    #[arg(long, visible_alias = "revision")]
    pub rev: Option<String>,
    /// At most this many commits.
    #[arg(short = 'n', long = "max-count")]
    pub max_count: Option<usize>,
    #[arg(short, long, value_enum, default_value_t)]
    pub output: OutputFormat,
    /// For an app: do not read its ledger from the cluster (no deploy markers).
    #[arg(long)]
    pub offline: bool,
}

/// How long the ledger may take before the history is shown without it.
const LEDGER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

pub fn run(global: &GlobalArgs, args: HistoryArgs) -> CliResult {
    let (repo, path, default_rev) = target(global, &args)?;
    let rev = args
        .rev
        .clone()
        .or(default_rev)
        .unwrap_or_else(|| "HEAD".into());
    let tip = repo.resolve(&rev).map_err(boxed)?;
    let commits = repo.history(&tip, &path, args.max_count).map_err(boxed)?;
    let now = Timestamp::now();
    if let Some(app) = &args.app {
        let entries = if args.offline {
            Vec::new()
        } else {
            ledger_of(global, app).unwrap_or_else(|error| {
                eprintln!("warning: no deploy markers: {}", text::one_line(&error));
                Vec::new()
            })
        };
        let marked = deploys::mark(&commits, &deploys::place(&repo, &path, &entries));
        output::print(args.output, &marked, || {
            output::table(
                ["COMMIT", "AGE", "AUTHOR", "DEPLOY", "SUBJECT"],
                marked.iter().map(|m| {
                    [
                        m.commit.id.short().to_owned(),
                        text::age(now, m.commit.author_time),
                        m.commit.author_name.clone(),
                        deploy_column(now, m),
                        m.commit.subject.clone(),
                    ]
                }),
            )
        })
        .map_err(boxed)?;
        return Ok(Outcome::Ok);
    }
    output::print(args.output, &commits, || {
        output::table(
            ["COMMIT", "AGE", "AUTHOR", "SUBJECT"],
            commits.iter().map(|c| {
                [
                    c.id.short().to_owned(),
                    text::age(now, c.author_time),
                    c.author_name.clone(),
                    c.subject.clone(),
                ]
            }),
        )
    })
    .map_err(boxed)?;
    Ok(Outcome::Ok)
}

/// The app's ledger, from its cluster.
fn ledger_of(global: &GlobalArgs, app: &str) -> Result<Vec<LedgerEntry>, String> {
    let config = config::load(global.config.as_deref()).map_err(|e| e.to_string())?;
    let app = config.app(app).map_err(|e| e.to_string())?.clone();
    let runtime = super::act::runtime().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        tokio::time::timeout(LEDGER_TIMEOUT, async {
            let connection = target::connect(
                &app,
                global.kubeconfig.as_deref(),
                global.context.as_deref(),
            )
            .await
            .map_err(|e| e.to_string())?;
            ledger::read(&connection, &app.name)
                .await
                .map_err(|e| e.to_string())
        })
        .await
        .unwrap_or_else(|_| {
            Err(format!(
                "the cluster did not answer within {}s",
                LEDGER_TIMEOUT.as_secs()
            ))
        })
    })
}

/// `HEAD, live`, `pending`, `deployed 3d ago by ada`, `rolled back 2h ago by rita`…
fn deploy_column(now: Timestamp, marked: &deploys::Marked) -> String {
    let mut parts = Vec::new();
    if marked.head {
        parts.push("HEAD".to_owned());
    }
    if marked.live {
        parts.push("live".to_owned());
    } else if let Some(rolled) = &marked.rolled_back {
        parts.push(format!(
            "rolled back {} ago{}",
            text::age(now, rolled.at),
            by(&rolled.who)
        ));
    } else if let Some(deploy) = marked.deploys.iter().rev().find(|d| d.succeeded) {
        parts.push(format!(
            "deployed {} ago{}",
            text::age(now, deploy.at),
            by(&deploy.who)
        ));
    } else if marked.pending {
        parts.push("not deployed".to_owned());
    }
    if marked.deploys.last().is_some_and(|d| !d.succeeded) {
        parts.push("last deploy failed".to_owned());
    }
    parts.join(", ")
}

fn by(who: &crate::model::ledger::Actor) -> String {
    let name = if who.local_user.is_empty() {
        &who.kube_user
    } else {
        &who.local_user
    };
    if name.is_empty() {
        String::new()
    } else {
        format!(" by {name}")
    }
}

/// The repository, path and default revision the arguments name.
fn target(
    global: &GlobalArgs,
    args: &HistoryArgs,
) -> Result<(GitRepo, String, Option<String>), Box<dyn crate::error::Classified>> {
    if let Some(app) = &args.app {
        let config = config::load(global.config.as_deref()).map_err(boxed)?;
        let app = config.app(app).map_err(boxed)?;
        let spec = config.repo_of(app).map_err(boxed)?;
        let repo = git::open_source(spec).map_err(boxed)?;
        let desired = repo.desired_ref(spec);
        return Ok((repo, app.path.clone(), Some(desired)));
    }
    let Some(name) = &args.repo else {
        return Err(boxed(UsageError {
            message: "history needs an APP, or --repo (and --path)".into(),
            hint: Some(
                "driftdeck history web, or driftdeck history --repo . --path apps/web".into(),
            ),
        }));
    };
    let path = args.path.clone().unwrap_or_default();
    let Some(path) = crate::git::within_root(std::path::Path::new(&path)) else {
        return Err(boxed(UsageError {
            message: format!("--path '{path}' leaves the repository"),
            hint: Some("give a path relative to the repository root, like apps/web".into()),
        }));
    };
    let path = path.to_string_lossy().replace('\\', "/");
    // A repo name from the configuration wins over a folder of the same name. A
    // configuration that exists but is broken is an error, not a reason to guess.
    match config::load(global.config.as_deref()) {
        Ok(config) => {
            if let Some(spec) = config.repos.iter().find(|r| r.name.as_str() == name) {
                let repo = git::open_source(spec).map_err(boxed)?;
                let desired = repo.desired_ref(spec);
                return Ok((repo, path, Some(desired)));
            }
        }
        Err(config::ConfigError::NotFound { .. }) => {}
        Err(error) => return Err(boxed(error)),
    }
    let repo = GitRepo::open(&PathBuf::from(name)).map_err(boxed)?;
    Ok((repo, path, None))
}
