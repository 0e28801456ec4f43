//! The mutating actions from the cockpit: their plans (a sync's changes, a
//! rollback's preview) and carrying them out once confirmed — or, for automation's
//! own syncs, at once.

use super::{Engine, Failure, MANAGER, connection, observe_one, one_line};
use crate::cluster::workloads;
use crate::diff::{DiffMode, ResourceDiff};
use crate::engine::drift;
use crate::engine::rollback::{self, Reverted, RollbackMode};
use crate::engine::sync::{self, SyncOptions};
use crate::engine::target::{self, Cluster, Desired};
use crate::engine::{automation, ledger, operation, support};
use crate::model::{AppName, SyncStatus, text};
use crate::tui::model::{Action, Managed, shown};

/// The plan of a sync, or the preview of a rollback: where, and what changes.
pub async fn plan(engine: &Engine, action: &Action) -> Result<Vec<String>, Failure> {
    match action {
        Action::Engine {
            context, key, ask, ..
        } => super::external::plan(engine, context.as_deref(), key, ask)
            .await
            .map(|planned| planned.lines),
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
        Action::Engine {
            context,
            key,
            ask,
            reason,
            ..
        } => super::external::run(engine, context.as_deref(), &key, &ask, reason).await,
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
        Action::Restart {
            app,
            workload,
            managed,
        } => change_workload(engine, &app, &workload, None, managed.as_ref()).await,
        Action::Scale {
            app,
            workload,
            replicas,
            managed,
        } => change_workload(engine, &app, &workload, Some(replicas), managed.as_ref()).await,
        Action::DeletePod {
            app,
            namespace,
            pod,
            managed,
        } => {
            let objects = super::app_objects(engine, &app, managed.as_ref()).await?;
            let pods = support::pods(&objects).await.map_err(|e| one_line(&e))?;
            let found = pods
                .iter()
                .find(|p| p.namespace == namespace && p.name == pod)
                .ok_or_else(|| format!("pod {pod} is not one of {app}'s any more"))?;
            let served = objects
                .catalog
                .get("", "Pod")
                .ok_or("the cluster does not serve Pods")?;
            crate::cluster::delete(
                &objects.connection,
                served,
                Some(&found.namespace),
                &found.name,
            )
            .await
            .map_err(|e| one_line(&e))?;
            let app = shown(&app, managed.as_ref());
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
    managed: Option<&Managed>,
) -> Result<String, Failure> {
    let objects = super::app_objects(engine, app, managed).await?;
    let app = shown(app, managed);
    let key = support::find_workload(&objects, workload).map_err(|e| one_line(&e))?;
    let served = objects
        .catalog
        .get(&key.group, &key.kind)
        .ok_or_else(|| format!("the cluster does not serve {}", key.kind))?;
    let connection = &objects.connection;
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
                "scaled {workload} of {app} to {replicas} ({})",
                match managed {
                    Some(managed) => format!(
                        "{} puts Git's replicas back, if Git sets them",
                        managed.app.engine().name()
                    ),
                    None => "drift until the next sync".to_owned(),
                }
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
