//! `driftdeck history`: the commits that changed a path, newest first.

use std::path::PathBuf;

use clap::Args;
use jiff::Timestamp;

use super::output::{self, OutputFormat};
use super::{CliResult, GlobalArgs, Outcome, UsageError, boxed};
use crate::config;
use crate::git::{self, GitRepo};

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
}

pub fn run(global: &GlobalArgs, args: HistoryArgs) -> CliResult {
    let (repo, path, default_rev) = target(global, &args)?;
    let rev = args.rev.or(default_rev).unwrap_or_else(|| "HEAD".into());
    let tip = repo.resolve(&rev).map_err(boxed)?;
    let commits = repo.history(&tip, &path, args.max_count).map_err(boxed)?;
    let now = Timestamp::now();
    output::print(args.output, &commits, || {
        output::table(
            ["COMMIT", "AGE", "AUTHOR", "SUBJECT"],
            commits.iter().map(|c| {
                [
                    c.id.short().to_owned(),
                    super::age(now, c.author_time),
                    c.author_name.clone(),
                    c.subject.clone(),
                ]
            }),
        )
    })
    .map_err(boxed)?;
    Ok(Outcome::Ok)
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
