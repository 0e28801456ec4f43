//! The Argo CD and Flux side of the cockpit's effects: discovery in every context
//! searched, and the engine actions' plans and runs (`engine::external_actions`).

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;

use super::{Engine, Failure, HISTORY_LIMIT, one_line};
use crate::engine::external::{self, Discovered};
use crate::engine::external_actions::{self, Waits};
use crate::engine::external_diff;
use crate::engine::external_source::{branch_of, engine_source, repo_path};
use crate::engine::{deploys, ledger};
use crate::git;
use crate::integrations::ExternalApp;
use crate::integrations::actions::{self, Ask};
use crate::model::ledger::{Actor, LedgerEntry, Operation, Outcome};
use crate::model::{ResourceKey, text};
use crate::tui::model::{Assessed, EnginePlan};
use crate::tui::update::DiffRead;
use crate::tui::update::external::Found;

/// How long one context's discovery may take.
const DISCOVER_TIMEOUT: Duration = Duration::from_secs(20);

/// The Argo CD and Flux apps of each context, each context on its own (one that
/// cannot be reached says so and holds up no other).
pub async fn discover(engine: &Engine, contexts: Vec<Option<String>>) -> Vec<Found> {
    let asks = contexts.into_iter().map(|context| async move {
        let result = tokio::time::timeout(DISCOVER_TIMEOUT, discover_one(engine, &context))
            .await
            .unwrap_or_else(|_| {
                Err(format!(
                    "{}: no answer within {}s",
                    context.as_deref().unwrap_or("current context"),
                    DISCOVER_TIMEOUT.as_secs()
                ))
            });
        Found {
            own_context: context,
            result,
        }
    });
    futures_util::future::join_all(asks).await
}

async fn discover_one(
    engine: &Engine,
    context: &Option<String>,
) -> Result<(String, Discovered), Failure> {
    let (connection, catalog) = engines_of(engine, context.as_deref())
        .await
        .map_err(|e| format!("{}: {e}", context.as_deref().unwrap_or("current context")))?;
    let found = external::discover(&connection, &catalog).await;
    Ok((connection.context, found))
}

async fn engines_of(
    engine: &Engine,
    context: Option<&str>,
) -> Result<(crate::cluster::Connection, crate::cluster::Catalog), Failure> {
    external::engines_of(&engine.clusters, context).await
}

/// How many live objects are read at once for their health.
const CONCURRENT_READS: usize = 8;

/// The live health of an engine app's resources, by driftdeck's checks, and their
/// replicas; `None` for an object not in the cluster.
pub async fn assess(
    engine: &Engine,
    context: Option<&str>,
    keys: Vec<ResourceKey>,
) -> Vec<(ResourceKey, Option<Assessed>)> {
    let Ok(session) = engine.clusters.session(context).await else {
        return Vec::new();
    };
    let reads = keys.into_iter().map(|key| {
        let session = session.clone();
        async move {
            let unknown = |why: String| Assessed {
                health: crate::model::Health::unknown(why),
                replicas: None,
            };
            let assessed = match session.catalog.get(&key.group, &key.kind) {
                Some(served) => {
                    let namespace = (!key.namespace.is_empty()).then_some(key.namespace.as_str());
                    match crate::cluster::get(&session.connection, served, namespace, &key.name)
                        .await
                    {
                        Ok(Some(object)) => Some(Assessed {
                            health: crate::health::assess(&object),
                            replicas: object.pointer("/spec/replicas").and_then(Value::as_i64),
                        }),
                        Ok(None) => None,
                        Err(error) => Some(unknown(one_line(&error))),
                    }
                }
                None => Some(unknown("kind not served".into())),
            };
            (key, assessed)
        }
    });
    futures_util::stream::iter(reads)
        .buffered(CONCURRENT_READS)
        .collect()
        .await
}

/// The confirmation's lines of an engine action, from objects read just now, and
/// the ask as planned (a revert carries the branch's tip it was shown on).
pub async fn plan(
    engine: &Engine,
    context: Option<&str>,
    key: &ResourceKey,
    ask: &Ask,
) -> Result<EnginePlan, Failure> {
    let (connection, catalog) = engines_of(engine, context).await?;
    let prepared =
        external_actions::prepare(&connection, &catalog, key, ask, None, &engine.config.repos)
            .await
            .map_err(|e| one_line(&e))?;
    let lines = prepared
        .lines()
        .iter()
        .map(|line| text::one_line(line).into_owned())
        .collect();
    Ok(EnginePlan {
        title: text::one_line(&prepared.plan.title).into_owned(),
        lines,
        ask: prepared.planned_ask(ask),
    })
}

/// Runs a confirmed engine action: planned again on fresh objects, patched,
/// waited for, recorded in the ledger.
pub async fn run(
    engine: &Engine,
    context: Option<&str>,
    key: &ResourceKey,
    ask: &Ask,
    reason: Option<String>,
) -> Result<String, Failure> {
    let (connection, catalog) = engines_of(engine, context).await?;
    let prepared = external_actions::prepare(
        &connection,
        &catalog,
        key,
        ask,
        reason,
        &engine.config.repos,
    )
    .await
    .map_err(|e| one_line(&e))?;
    let done = external_actions::execute(&connection, &catalog, &prepared, Waits::default()).await;
    match (done.result, done.ledger_error) {
        (Ok(summary), None) => Ok(text::one_line(&summary).into_owned()),
        // Done in the cluster: said as done, with what the ledger missed.
        (Ok(summary), Some(error)) => Ok(format!(
            "{}; warning: the ledger could not be written: {}",
            text::one_line(&summary),
            one_line(&error)
        )),
        (Err(failure), None) => Err(text::one_line(&failure).into_owned()),
        (Err(failure), Some(error)) => Err(format!(
            "{}; and the ledger could not be written: {}",
            text::one_line(&failure),
            one_line(&error)
        )),
    }
}

/// The Git history of an Argo CD or Flux app's path, with deploy markers from the
/// engine's own history and driftdeck's ledger of the app: its repository is a
/// configured source with the same URL, else a clone of the URL (network URLs only:
/// see `external_source::engine_source`).
pub async fn history(
    engine: &Engine,
    context: Option<&str>,
    app: &ExternalApp,
) -> Result<Vec<deploys::Marked>, Failure> {
    let source = app.source.clone().unwrap_or_default();
    let url = match (&source.url, &source.path, &source.chart) {
        (_, None, Some(chart)) => {
            return Err(format!(
                "chart {chart} comes from a Helm repository: no Git history (the engine's deploy \
                 history is on the app screen, Enter)"
            ));
        }
        (Some(url), _, _) => url.clone(),
        (None, _, _) => return Err("the app names no source repository".into()),
    };
    let mut entries = engine_entries(app);
    if let Ok(session) = engine.clusters.session(context).await
        && let Ok(ours) =
            ledger::read(&session.connection, &external_actions::ledger_name(app)).await
    {
        entries.extend(ours.into_iter().filter(|e| e.operation.deploys()));
    }
    entries.sort_by_key(|e| e.started);
    let repos = engine.config.repos.clone();
    let branch = branch_of(source.target_revision.as_deref());
    let path = repo_path(source.path.as_deref().unwrap_or_default())?;
    tokio::task::spawn_blocking(move || {
        let spec = engine_source(&repos, &url, branch)?;
        let repo = git::open_source(&spec).map_err(|e| one_line(&e))?;
        // The engine's target may be a tag as well as a branch.
        let tip = repo
            .resolve(&repo.desired_ref(&spec))
            .or_else(|error| match &spec.branch {
                Some(name) => repo
                    .resolve(&format!("refs/tags/{name}"))
                    .map_err(|_| error),
                None => Err(error),
            })
            .map_err(|e| one_line(&e))?;
        let commits = repo
            .history(&tip, &path, Some(HISTORY_LIMIT))
            .map_err(|e| one_line(&e))?;
        Ok(deploys::mark(
            &commits,
            &deploys::place(&repo, &path, &entries),
        ))
    })
    .await
    .map_err(|e| e.to_string())?
}

/// The engine's deploy history as ledger entries (oldest first), for the markers.
fn engine_entries(app: &ExternalApp) -> Vec<LedgerEntry> {
    app.history
        .iter()
        .rev()
        .enumerate()
        .filter_map(|(n, deployed)| {
            let commit = actions::commit_of(&deployed.revision)?;
            let failed = deployed
                .status
                .as_deref()
                // Helm's `failed`, Flux's `ReconciliationFailed`.
                .is_some_and(|s| s.to_ascii_lowercase().ends_with("failed"));
            let at = deployed.deployed_at.unwrap_or_default();
            Some(LedgerEntry {
                id: format!("{}-{n}", app.engine().label()),
                operation: Operation::Sync,
                revision: commit.to_owned(),
                who: Actor {
                    kube_user: deployed
                        .initiated_by
                        .clone()
                        .unwrap_or_else(|| app.engine().label().to_owned()),
                    local_user: String::new(),
                },
                reason: None,
                restored: None,
                started: at,
                finished: Some(at),
                outcome: if failed {
                    Outcome::Failed {
                        message: deployed.status.clone().unwrap_or_default(),
                    }
                } else {
                    Outcome::Succeeded
                },
                resources: Vec::new(),
            })
        })
        .collect()
}

/// driftdeck's own diff of an Argo CD or Flux app (`engine::external_diff`): its
/// source rendered as the engine renders it, at `against` (else the revision the
/// engine targets), compared server-side with what runs.
pub async fn diff(
    engine: &Engine,
    context: Option<&str>,
    app: &ExternalApp,
    against: Option<&str>,
) -> Result<DiffRead, Failure> {
    let compared = external_diff::compare(
        &engine.clusters,
        engine.config.repos.clone(),
        context,
        app,
        against,
    )
    .await?;
    Ok(DiffRead {
        resources: super::resource_rows(&compared.cluster, &compared.drift),
        notes: compared.notes,
    })
}
