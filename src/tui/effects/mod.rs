//! The effects `update` asks for, carried out on the engine: each runs on its own
//! task (Git and rendering on the blocking pool), never on the task that draws, and
//! answers with one message.

mod activity;
mod git_reads;

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;

use super::model::{Action, EventRow, ResourceRow};
use super::update::{LogsRead, LogsWanted, ObservedApp};
use crate::cluster::workloads::{self, LogRequest};
use crate::config::Config;
use crate::diff::{DiffMode, ResourceDiff};
use crate::engine::clusters::Clusters;
use crate::engine::drift::{self, Drift};
use crate::engine::rollback::{self, Reverted, RollbackMode};
use crate::engine::sync::{self, SyncOptions};
use crate::engine::target::{self, Cluster, Desired};
use crate::engine::{automation, ledger, observe, operation, status, support};
use crate::error::Classified;
use crate::health;
use crate::model::{AppName, SyncStatus, text};

pub use activity::activity;
pub use git_reads::{history, repos};

/// How long an app may take to be observed.
const APP_TIMEOUT: Duration = Duration::from_secs(30);
/// The most commits the history pane holds.
const HISTORY_LIMIT: usize = 300;
/// The field manager of changes made from the cockpit.
const MANAGER: &str = "driftdeck";

/// What every effect needs: the configuration and the clusters.
#[derive(Clone)]
pub struct Engine {
    pub config: Config,
    /// `--context`: every app's context, instead of its own.
    pub context: Option<String>,
    pub clusters: Clusters,
}

type Failure = String;

fn one_line(error: &dyn Classified) -> String {
    let mut line = text::one_line(&error.to_string()).into_owned();
    if let Some(hint) = error.hint() {
        line.push_str(&format!(" (hint: {})", text::one_line(&hint)));
    }
    format!("{}: {line}", error.kind().label())
}

/// Renders on the blocking pool: Git reads and external renderers never hold up
/// the async workers.
async fn render(engine: &Engine, app: &str, revision: Option<String>) -> Result<Desired, Failure> {
    let config = engine.config.clone();
    let app = app.to_owned();
    tokio::task::spawn_blocking(move || {
        target::desired(&config, &app, revision.as_deref()).map_err(|e| one_line(&*e))
    })
    .await
    .map_err(|e| e.to_string())?
}

async fn observe_one(engine: &Engine, app: &str) -> Result<(Desired, Cluster), Failure> {
    let desired = render(engine, app, None).await?;
    let cluster = target::observe_in(&engine.clusters, &desired, engine.context.as_deref())
        .await
        .map_err(|e| one_line(&e))?;
    Ok((desired, cluster))
}

/// Every app rendered and observed, with its resources.
pub async fn observe_all(engine: &Engine, hard: bool) -> Vec<ObservedApp> {
    if hard {
        for app in &engine.config.apps {
            let context = engine
                .context
                .as_deref()
                .or(app.destination.context.as_deref());
            engine.clusters.forget(context);
        }
    }
    let names: Vec<String> = engine
        .config
        .apps
        .iter()
        .map(|a| a.name.to_string())
        .collect();
    let rendered = {
        let config = engine.config.clone();
        tokio::task::spawn_blocking(move || {
            names
                .iter()
                .map(|name| target::desired(&config, name, None).map_err(|e| one_line(&*e)))
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default()
    };
    let mut results = Vec::new();
    let mut desired = Vec::new();
    for (app, rendered) in engine.config.apps.iter().zip(rendered) {
        match rendered {
            Ok(d) => desired.push(d),
            Err(error) => results.push(ObservedApp {
                name: app.name.clone(),
                desired: Err(error.clone()),
                status: Err(error),
                resources: Vec::new(),
            }),
        }
    }
    let seen = observe::observe_all(
        &engine.clusters,
        desired,
        engine.context.as_deref(),
        DiffMode::ServerSide,
        APP_TIMEOUT,
    )
    .await;
    for (name, seen) in seen {
        results.push(match seen {
            Ok(seen) => ObservedApp {
                name,
                desired: Ok(seen.desired.commit.short().to_owned()),
                status: match &seen.ledger {
                    Ok(entries) => Ok(status::status(
                        &seen.desired,
                        &seen.cluster,
                        &seen.drift,
                        entries,
                    )),
                    Err(error) => Err(format!(
                        "the ledger: {}",
                        text::one_line(&error.to_string())
                    )),
                },
                resources: resource_rows(&seen.cluster, &seen.drift),
            },
            Err(error) => ObservedApp {
                name,
                desired: Ok(String::new()),
                status: Err(text::one_line(&error.to_string()).into_owned()),
                resources: Vec::new(),
            },
        });
    }
    results
}

/// The app's resources as the app screen lists them: every object of the drift
/// (desired ones and extras), with its live health.
pub fn resource_rows(cluster: &Cluster, drift: &Drift) -> Vec<ResourceRow> {
    drift
        .resources
        .iter()
        .map(|resource| resource_row(resource, cluster.live.objects.get(&resource.key)))
        .collect()
}

fn resource_row(resource: &ResourceDiff, live: Option<&Value>) -> ResourceRow {
    let health = live.map_or_else(health::missing, health::assess);
    let key = &resource.key;
    ResourceRow {
        key: text::one_line(&key.to_string()).into_owned(),
        kind: key.kind.clone(),
        namespace: text::one_line(&key.namespace).into_owned(),
        name: text::one_line(&key.name).into_owned(),
        sync: resource.status,
        health: health.status,
        message: text::one_line(&health.message).into_owned(),
        replicas: live
            .and_then(|l| l.pointer("/spec/replicas"))
            .and_then(Value::as_i64),
        unified: text::multi_line(&resource.unified).into_owned(),
        live: text::multi_line(&resource.live_text).into_owned(),
        desired: text::multi_line(&resource.desired_text).into_owned(),
    }
}

/// Live ↔ the app's manifests at `against`: what a rollback there would change.
pub async fn diff_against(
    engine: &Engine,
    app: &AppName,
    against: &str,
) -> Result<Vec<ResourceRow>, Failure> {
    let desired = render(engine, app.as_str(), Some(against.to_owned())).await?;
    let cluster = target::observe_in(&engine.clusters, &desired, engine.context.as_deref())
        .await
        .map_err(|e| one_line(&e))?;
    let drift = drift::drift(&desired, &cluster, DiffMode::ServerSide).await;
    Ok(resource_rows(&cluster, &drift))
}

/// New log lines as they come (a `follow` stream).
pub type LogStream = futures_util::stream::BoxStream<'static, Result<String, std::io::Error>>;

/// A log line as the screen may show it: tabs as spaces, escape sequences and other
/// control characters made visible.
pub fn clean_log_line(line: &str) -> String {
    text::one_line(&line.replace('\t', "    ")).into_owned()
}

/// The chosen pod's log read to its end now (the tail asked for).
pub async fn logs(
    engine: &Engine,
    app: &AppName,
    wanted: &LogsWanted,
) -> Result<LogsRead, Failure> {
    let (mut read, stream) = open_logs(engine, app, wanted).await?;
    if let Some(mut lines) = stream {
        while let Some(line) = lines.next().await {
            let line = line.map_err(|e| e.to_string())?;
            read.lines.push(clean_log_line(&line));
        }
    }
    Ok(read)
}

/// The app's pods and the chosen one's log as a stream: the tail, then (with
/// `wanted.follow`) every new line until the container stops. No pod: no stream.
pub async fn open_logs(
    engine: &Engine,
    app: &AppName,
    wanted: &LogsWanted,
) -> Result<(LogsRead, Option<LogStream>), Failure> {
    let (_, cluster) = observe_one(engine, app.as_str()).await?;
    let pods = support::pods(&cluster).await.map_err(|e| one_line(&e))?;
    let chosen = wanted
        .pod
        .as_ref()
        .and_then(|p| pods.iter().find(|pod| pod.name == *p))
        .or_else(|| pods.first());
    let read = LogsRead {
        pods: pods
            .iter()
            .map(|p| (p.name.clone(), p.containers.clone()))
            .collect(),
        pod: chosen.map(|p| p.name.clone()),
        lines: Vec::new(),
    };
    let Some(pod) = chosen else {
        return Ok((read, None));
    };
    let request = LogRequest {
        container: wanted
            .container
            .clone()
            .filter(|c| pod.containers.contains(c)),
        previous: wanted.previous,
        tail: Some(wanted.tail),
        follow: wanted.follow,
        timestamps: wanted.timestamps,
    };
    let lines = workloads::log_lines(&cluster.connection, &pod.namespace, &pod.name, &request)
        .await
        .map_err(|e| one_line(&e))?;
    Ok((read, Some(lines.boxed())))
}

pub async fn events(engine: &Engine, app: &AppName) -> Result<Vec<EventRow>, Failure> {
    let (_, cluster) = observe_one(engine, app.as_str()).await?;
    let now = jiff::Timestamp::now();
    let found = support::events(&cluster).await.map_err(|e| one_line(&e))?;
    Ok(found
        .iter()
        .map(|event| {
            let object = &event.involved_object;
            EventRow {
                age: support::last_seen(event)
                    .map(|t| text::age(now, t))
                    .unwrap_or_default(),
                kind: text::one_line(event.type_.as_deref().unwrap_or_default()).into_owned(),
                object: text::one_line(&format!(
                    "{}/{}",
                    object.kind.as_deref().unwrap_or_default().to_lowercase(),
                    object.name.as_deref().unwrap_or_default()
                ))
                .into_owned(),
                reason: text::one_line(event.reason.as_deref().unwrap_or_default()).into_owned(),
                message: text::one_line(event.message.as_deref().unwrap_or_default()).into_owned(),
                warning: event.type_.as_deref() == Some("Warning"),
            }
        })
        .collect())
}

/// The plan of a sync, or the preview of a rollback: where, and what changes.
pub async fn plan(engine: &Engine, action: &Action) -> Result<Vec<String>, Failure> {
    match action {
        Action::Sync { app, prune, force } => {
            let options = SyncOptions {
                force_conflicts: *force,
                ..pruning(*prune)
            };
            let (desired, cluster, options, plan) = prepare_sync(engine, app, options).await?;
            let mut lines = vec![format!(
                "to {} on context {}, namespace {}",
                desired.commit.short(),
                text::one_line(&cluster.connection.context),
                text::one_line(&desired.app.destination.namespace)
            )];
            lines.extend(sync::describe(&plan, &options));
            Ok(lines)
        }
        Action::Rollback { app, to, pin, .. } => {
            let prepared = prepare_rollback(engine, app, to, *pin).await?;
            let target = &prepared.desired;
            let cluster = target::observe_in(&engine.clusters, target, engine.context.as_deref())
                .await
                .map_err(|e| one_line(&e))?;
            if !*pin {
                rollback::ensure_not_pinned(&cluster.connection, &target.app.name)
                    .await
                    .map_err(|e| one_line(&e))?;
            }
            let drift = drift::drift(target, &cluster, DiffMode::ServerSide).await;
            let mut lines = vec![
                match &prepared.branch {
                    Some((branch, tip)) => format!(
                        "a commit on {} (now {}) restoring {} as of {}, then a sync",
                        text::one_line(branch),
                        tip.short(),
                        text::one_line(&target.app.path),
                        prepared.to.short()
                    ),
                    None => format!(
                        "apply {}'s manifests and pin the app there (sync leaves it alone until unpinned)",
                        prepared.to.short()
                    ),
                },
                format!(
                    "on context {}, namespace {}",
                    text::one_line(&cluster.connection.context),
                    text::one_line(&target.app.destination.namespace)
                ),
            ];
            let changed: Vec<&ResourceDiff> = drift
                .resources
                .iter()
                .filter(|r| r.status != SyncStatus::Synced)
                .collect();
            if changed.is_empty() {
                lines.push("the cluster already matches: nothing changes".into());
            }
            for resource in changed {
                lines.push(format!(
                    "{:<10} {}",
                    resource.status.as_str(),
                    text::one_line(&resource.key.to_string())
                ));
                lines.extend(
                    resource
                        .unified
                        .lines()
                        .map(|l| format!("    {}", text::one_line(l))),
                );
            }
            Ok(lines)
        }
        _ => Ok(Vec::new()),
    }
}

/// The app's connection, from its context's shared session.
async fn connection(
    engine: &Engine,
    spec: &crate::model::AppSpec,
) -> Result<crate::cluster::Connection, crate::cluster::ClusterError> {
    let context = engine
        .context
        .as_deref()
        .or(spec.destination.context.as_deref());
    Ok(engine.clusters.session(context).await?.connection)
}

fn pruning(prune: bool) -> SyncOptions {
    SyncOptions {
        prune,
        ..SyncOptions::default()
    }
}

/// A sync's inputs: the app rendered and observed (refused if pinned), its options
/// and its plan.
async fn prepare_sync(
    engine: &Engine,
    app: &AppName,
    options: SyncOptions,
) -> Result<(Desired, Cluster, SyncOptions, sync::SyncPlan), Failure> {
    let (desired, cluster) = observe_one(engine, app.as_str()).await?;
    rollback::ensure_not_pinned(&cluster.connection, &desired.app.name)
        .await
        .map_err(|e| one_line(&e))?;
    let plan = sync::plan_against(&desired, &cluster, &options).await;
    Ok((desired, cluster, options, plan))
}

/// A rollback prepared (Git reads and rendering, on the blocking pool).
async fn prepare_rollback(
    engine: &Engine,
    app: &AppName,
    to: &str,
    pin: bool,
) -> Result<rollback::Prepared, Failure> {
    let mode = if pin {
        RollbackMode::Pin
    } else {
        RollbackMode::Revert
    };
    let (config, name, to) = (engine.config.clone(), app.to_string(), to.to_owned());
    tokio::task::spawn_blocking(move || {
        rollback::prepare(&config, &name, &to, mode).map_err(|e| one_line(&*e))
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Carries out a confirmed action; the answer is what it did, in a line.
pub async fn run(engine: &Engine, action: Action) -> Result<String, Failure> {
    match action {
        Action::Sync { app, prune, force } => {
            let options = SyncOptions {
                force_conflicts: force,
                ..pruning(prune)
            };
            let (desired, cluster, options, plan) = prepare_sync(engine, &app, options).await?;
            let recorded = operation::apply_recorded(
                &desired,
                &cluster,
                &plan,
                &options,
                operation::Record::sync(),
            )
            .await;
            report(
                &format!("synced {app} to {}", desired.commit.short()),
                &recorded,
            )
            .map_err(|failure| {
                if !force && failure.contains("conflict") {
                    format!("{failure} (hint: sync again and press f in the confirmation to take the fields back for Git)")
                } else {
                    failure
                }
            })
        }
        Action::Rollback {
            app,
            to,
            pin,
            reason,
        } => {
            let config = engine.config.clone();
            let name = app.to_string();
            let prepared = prepare_rollback(engine, &app, &to, pin).await?;
            let cluster = target::observe_in(
                &engine.clusters,
                &prepared.desired,
                engine.context.as_deref(),
            )
            .await
            .map_err(|e| one_line(&e))?;
            // The revert commit is Git work (and a push for remote repositories):
            // on the blocking pool.
            let handle = tokio::runtime::Handle::current();
            tokio::task::spawn_blocking(move || {
                handle.block_on(async {
                    let done = rollback::rollback(
                        &config,
                        &prepared,
                        &cluster,
                        &reason,
                        &SyncOptions::default(),
                    )
                    .await
                    .map_err(|e| one_line(&*e))?;
                    let what = match &done.reverted {
                        Some(Reverted::Committed {
                            commit,
                            branch,
                            pushed,
                            ..
                        }) => format!(
                            "rolled back {name} to {}: commit {} on {}{}",
                            prepared.to.short(),
                            commit.short(),
                            text::one_line(branch),
                            if *pushed { " (pushed)" } else { "" }
                        ),
                        Some(Reverted::AlreadyThere { tip }) => format!(
                            "rolled back {name}: the tip {} already has {}'s content",
                            tip.short(),
                            prepared.to.short()
                        ),
                        None => format!("pinned {name} to {}", prepared.to.short()),
                    };
                    report(&what, &done.recorded)
                })
            })
            .await
            .map_err(|e| e.to_string())?
        }
        Action::Unpin { app } => {
            let spec = engine.config.app(app.as_str()).map_err(|e| one_line(&e))?;
            let connection = connection(engine, spec).await.map_err(|e| one_line(&e))?;
            match rollback::unpin(&connection, &app, Some("unpinned from the cockpit".into()))
                .await
                .map_err(|e| one_line(&e))?
            {
                Some(pin) => Ok(format!(
                    "unpinned {app} (was pinned to {})",
                    short(&pin.revision)
                )),
                None => Ok(format!("{app} was not pinned")),
            }
        }
        Action::Restart { app, workload } => change_workload(engine, &app, &workload, None).await,
        Action::Scale {
            app,
            workload,
            replicas,
        } => change_workload(engine, &app, &workload, Some(replicas)).await,
        Action::DeletePod { app, pod } => {
            let (_, cluster) = observe_one(engine, app.as_str()).await?;
            let pods = support::pods(&cluster).await.map_err(|e| one_line(&e))?;
            let found = pods
                .iter()
                .find(|p| p.name == pod)
                .ok_or_else(|| format!("pod {pod} is not one of {app}'s any more"))?;
            let served = cluster
                .catalog
                .get("", "Pod")
                .ok_or("the cluster does not serve Pods")?;
            crate::cluster::delete(
                &cluster.connection,
                served,
                Some(&found.namespace),
                &found.name,
            )
            .await
            .map_err(|e| one_line(&e))?;
            Ok(format!("deleted pod {pod} of {app}"))
        }
        Action::Automation { app, suspend } => {
            let config = engine.config.clone();
            let spec = config.app(app.as_str()).map_err(|e| one_line(&e))?;
            let connection = connection(engine, spec).await.map_err(|e| one_line(&e))?;
            let entries = ledger::read(&connection, &app)
                .await
                .map_err(|e| one_line(&e))?;
            let live = crate::model::ledger::live_revision(&entries)
                .unwrap_or_default()
                .to_owned();
            automation::set_suspended(&connection, &app, suspend, live)
                .await
                .map_err(|e| one_line(&e))?;
            Ok(if suspend {
                format!("automation of {app} suspended until resumed (p)")
            } else {
                format!("automation of {app} resumed")
            })
        }
        Action::AutoSync {
            app,
            prune,
            force,
            reason,
        } => {
            let options = SyncOptions {
                force_conflicts: force,
                ..pruning(prune)
            };
            let (desired, cluster, options, plan) = prepare_sync(engine, &app, options).await?;
            // Suspended since the observation that made it due (another cockpit's p).
            let entries = ledger::read(&cluster.connection, &app)
                .await
                .map_err(|e| one_line(&e))?;
            if let Some(entry) = crate::model::ledger::suspended(&entries) {
                return Err(format!(
                    "automation of {app} was suspended by {} meanwhile: not synced",
                    text::one_line(&automation::who(entry))
                ));
            }
            let record = operation::Record {
                reason: Some(reason.clone()),
                ..operation::Record::sync()
            };
            let recorded =
                operation::apply_recorded(&desired, &cluster, &plan, &options, record).await;
            report(
                &format!("auto-synced {app} to {} ({reason})", desired.commit.short()),
                &recorded,
            )
        }
    }
}

/// Restarts a workload of the app (`replicas` `None`) or scales it.
async fn change_workload(
    engine: &Engine,
    app: &AppName,
    workload: &str,
    replicas: Option<i64>,
) -> Result<String, Failure> {
    let (_, cluster) = observe_one(engine, app.as_str()).await?;
    let key = support::find_workload(&cluster, workload).map_err(|e| one_line(&e))?;
    let served = cluster
        .catalog
        .get(&key.group, &key.kind)
        .ok_or_else(|| format!("the cluster does not serve {}", key.kind))?;
    let connection = &cluster.connection;
    match replicas {
        None => {
            workloads::restart(connection, served, &key.namespace, &key.name, MANAGER)
                .await
                .map_err(|e| one_line(&e))?;
            Ok(format!("restarted {workload} of {app}"))
        }
        Some(replicas) => {
            let replicas =
                i32::try_from(replicas).map_err(|_| format!("{replicas} replicas is too many"))?;
            workloads::scale(
                connection,
                served,
                &key.namespace,
                &key.name,
                replicas,
                MANAGER,
            )
            .await
            .map_err(|e| one_line(&e))?;
            Ok(format!(
                "scaled {workload} of {app} to {replicas} (drift until the next sync)"
            ))
        }
    }
}

/// A sync's outcome in a line: what was applied, or what failed.
fn report(done: &str, recorded: &operation::Recorded) -> Result<String, Failure> {
    let report = &recorded.report;
    let ledger = recorded
        .ledger_error
        .as_ref()
        .map(|e| {
            format!(
                "; the ledger could not be written: {}",
                text::one_line(&e.to_string())
            )
        })
        .unwrap_or_default();
    if let Some((key, error)) = report.failed.first() {
        return Err(format!(
            "{} applied, {} failed ({}: {}), {} not attempted{ledger}",
            report.applied.len(),
            report.failed.len(),
            text::one_line(&key.to_string()),
            text::one_line(&error.to_string()),
            report.not_attempted.len()
        ));
    }
    Ok(format!(
        "{done}: {} applied, {} pruned{ledger}",
        report.applied.len(),
        report.pruned.len()
    ))
}

fn short(revision: &str) -> &str {
    revision.get(..7).unwrap_or(revision)
}
