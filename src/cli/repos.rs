//! `driftdeck repos`: the Git sources the configuration declares, with their branch
//! tip. A repo that cannot be opened or fetched is listed with its error; the others
//! still show.

use clap::Args;
use serde::Serialize;

use super::output::{self, OutputFormat};
use super::{CliResult, GlobalArgs, Outcome, boxed};
use crate::config;
use crate::git;
use crate::model::{CommitId, RepoName, RepoSource};

#[derive(Debug, Args)]
pub struct ReposArgs {
    #[arg(short, long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RepoRow {
    name: RepoName,
    source: String,
    branch: String,
    head: Option<CommitId>,
    error: Option<String>,
}

pub fn run(global: &GlobalArgs, args: ReposArgs) -> CliResult {
    let config = config::load(global.config.as_deref()).map_err(boxed)?;
    let rows: Vec<RepoRow> = config
        .repos
        .iter()
        .map(|spec| {
            let branch = spec.branch.clone().unwrap_or_else(|| "HEAD".into());
            let head = git::open_source(spec)
                .and_then(|repo| Ok((branch.clone(), repo.resolve(&repo.desired_ref(spec))?)));
            let source = match &spec.source {
                RepoSource::Path(path) => path.display().to_string(),
                RepoSource::Url(url) => git::redact_url(url),
            };
            match head {
                Ok((branch, head)) => RepoRow {
                    name: spec.name.clone(),
                    source,
                    branch,
                    head: Some(head),
                    error: None,
                },
                Err(error) => RepoRow {
                    name: spec.name.clone(),
                    source,
                    branch: spec.branch.clone().unwrap_or_else(|| "HEAD".into()),
                    head: None,
                    error: Some(super::one_line_error(&error)),
                },
            }
        })
        .collect();
    output::print(args.output, &rows, || {
        output::table(
            ["NAME", "SOURCE", "BRANCH", "HEAD", "ERROR"],
            rows.iter().map(|r| {
                [
                    r.name.to_string(),
                    r.source.clone(),
                    r.branch.clone(),
                    r.head.as_ref().map_or("-".into(), |h| h.short().to_owned()),
                    r.error.clone().unwrap_or_default(),
                ]
            }),
        )
    })
    .map_err(boxed)?;
    Ok(Outcome::Ok)
}
