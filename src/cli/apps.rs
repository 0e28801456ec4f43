//! `driftdeck apps`: the apps the configuration declares, where they deploy, how they
//! render, the revision Git wants for each (its repo's branch tip), and, from each
//! app's cluster, the revision live, sync and drift counts, health, pin and last
//! operation. A cluster that cannot be reached shows in its apps' rows; the other
//! apps are still shown (exit 0). `--offline` skips the clusters.

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
    /// Do not contact clusters: configuration and Git only.
    #[arg(long)]
    pub offline: bool,
}

/// How long one app's cluster may take to answer before its row says so.
/// Per app: longer than a context's own connection/discovery/list timeouts (10 s),
/// so those say what went wrong.
const CLUSTER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

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
    #[serde(skip_serializing_if = "Option::is_none")]
    live: Option<crate::engine::status::AppStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster_error: Option<String>,
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
                live: None,
                cluster_error: None,
            }
        })
        .collect();
    let mut rows = rows;
    if !args.offline {
        observe_all(global, &config, &mut rows);
    }
    output::print(args.output, &rows, || {
        output::table(
            [
                "NAME",
                "REPO",
                "PATH",
                "RENDER",
                "DESTINATION",
                "DESIRED",
                "LIVE",
                "SYNC",
                "HEALTH",
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
                    live_column(r),
                    sync_column(r),
                    r.live
                        .as_ref()
                        .map_or("-".into(), |l| l.health.label().to_owned()),
                    r.error
                        .clone()
                        .or_else(|| r.cluster_error.clone())
                        .unwrap_or_default(),
                ]
            }),
        )
    })
    .map_err(boxed)?;
    Ok(Outcome::Ok)
}

fn live_column(row: &AppRow) -> String {
    let Some(live) = &row.live else {
        return "-".into();
    };
    let revision = live
        .live_revision
        .as_deref()
        .map_or("-".to_owned(), |r| r.get(..7).unwrap_or(r).to_owned());
    match &live.pinned {
        Some(pin) => format!("{revision} (pinned {})", pin.get(..7).unwrap_or(pin)),
        None => revision,
    }
}

fn sync_column(row: &AppRow) -> String {
    let Some(live) = &row.live else {
        return "-".into();
    };
    let mut parts = Vec::new();
    for (count, word) in [
        (live.out_of_sync, "changed"),
        (live.missing, "missing"),
        (live.extra, "extra"),
    ] {
        if count > 0 {
            parts.push(format!("{count} {word}"));
        }
    }
    if parts.is_empty() {
        live.sync.as_str().to_owned()
    } else {
        format!("{} ({})", live.sync.as_str(), parts.join(", "))
    }
}

/// Fills each row's live status from its cluster; errors stay in their own rows.
/// Apps are observed concurrently, sharing one session per context.
fn observe_all(global: &GlobalArgs, config: &config::Config, rows: &mut [AppRow]) {
    use crate::engine::clusters::Clusters;
    use crate::engine::{observe, status, target};
    let Ok(runtime) = super::act::runtime() else {
        return;
    };
    let mut apps = Vec::new();
    let mut row_of = std::collections::HashMap::new();
    for (index, row) in rows.iter_mut().enumerate() {
        if row.error.is_some() {
            continue;
        }
        match target::desired(config, row.name.as_str(), None) {
            Ok(desired) => {
                row_of.insert(desired.app.name.clone(), index);
                apps.push(desired);
            }
            Err(error) => row.error = Some(super::one_line_error(&*error)),
        }
    }
    let clusters = Clusters::new(global.kubeconfig.as_deref());
    let seen = runtime.block_on(observe::observe_all(
        &clusters,
        apps,
        global.context.as_deref(),
        crate::diff::DiffMode::ServerSide,
        CLUSTER_TIMEOUT,
    ));
    for (name, result) in seen {
        let Some(&index) = row_of.get(&name) else {
            continue;
        };
        let row = &mut rows[index];
        match result {
            Ok(seen) => match seen.ledger {
                Ok(entries) => {
                    row.live = Some(status::status(
                        &seen.desired,
                        &seen.cluster,
                        &seen.drift,
                        &entries,
                    ));
                }
                Err(error) => row.cluster_error = Some(super::one_line_error(&error)),
            },
            Err(error) => {
                row.cluster_error =
                    Some(crate::model::text::one_line(&error.to_string()).into_owned());
            }
        }
    }
}
