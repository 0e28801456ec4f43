//! `driftdeck apps`: the apps the configuration declares, where they deploy, how they
//! render, and the revision Git wants for each (its repo's branch tip).

use std::collections::HashMap;

use clap::Args;
use serde::Serialize;

use super::output::{self, OutputFormat};
use super::{CliResult, GlobalArgs, Outcome, boxed};
use crate::config;
use crate::git::{self, GitError};
use crate::model::{AppName, CommitId, RenderKind, RepoName};

#[derive(Debug, Args)]
pub struct AppsArgs {
    #[arg(short, long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AppRow {
    name: AppName,
    repo: RepoName,
    path: String,
    render: RenderKind,
    context: Option<String>,
    namespace: String,
    desired_revision: Option<CommitId>,
    error: Option<String>,
}

pub fn run(global: &GlobalArgs, args: AppsArgs) -> CliResult {
    let config = config::load(global.config.as_deref()).map_err(boxed)?;
    // Each repo is opened (and fetched) once, however many apps it holds.
    let tips: HashMap<&RepoName, Result<CommitId, String>> = config
        .repos
        .iter()
        .map(|spec| {
            let tip = git::open_source(spec)
                .and_then(|repo| repo.resolve(&repo.desired_ref(spec)))
                .map_err(|e: GitError| super::one_line_error(&e));
            (&spec.name, tip)
        })
        .collect();
    let rows: Vec<AppRow> = config
        .apps
        .iter()
        .map(|app| {
            let tip = tips.get(&app.repo);
            AppRow {
                name: app.name.clone(),
                repo: app.repo.clone(),
                path: app.path.clone(),
                render: app.render,
                context: app.destination.context.clone(),
                namespace: app.destination.namespace.clone(),
                desired_revision: tip.and_then(|t| t.as_ref().ok()).cloned(),
                error: tip.and_then(|t| t.as_ref().err()).cloned(),
            }
        })
        .collect();
    output::print(args.output, &rows, || {
        output::table(
            [
                "NAME",
                "REPO",
                "PATH",
                "RENDER",
                "DESTINATION",
                "DESIRED",
                "ERROR",
            ],
            rows.iter().map(|r| {
                [
                    r.name.to_string(),
                    r.repo.to_string(),
                    if r.path.is_empty() {
                        ".".into()
                    } else {
                        r.path.clone()
                    },
                    r.render.to_string(),
                    format!(
                        "{}/{}",
                        r.context.as_deref().unwrap_or("(current)"),
                        r.namespace
                    ),
                    r.desired_revision
                        .as_ref()
                        .map_or("-".into(), |c| c.short().to_owned()),
                    r.error.clone().unwrap_or_default(),
                ]
            }),
        )
    })
    .map_err(boxed)?;
    Ok(Outcome::Ok)
}
