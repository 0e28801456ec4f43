//! Sync: what would change (the plan) and making it so. Objects are applied with
//! server-side apply as field manager `driftdeck`, carrying the tracking label and
//! annotation, in waves; prune removes only objects this app tracks that Git no
//! longer has, never Namespaces unless asked, and never objects marked
//! `driftdeck.dev/prune: "false"` or Argo CD's `Prune=false`. A failure stops the
//! sync after the failing wave and the report says exactly what was applied, what
//! failed and what was not attempted; running it again is safe (apply is idempotent).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::live::LiveState;
use super::tracking::{is_tracked_by, tracked};
use super::waves;
use crate::cluster::{self, ApplyMode, Catalog, ClusterError, Connection};
use crate::model::{AppName, Manifest, ResourceKey};

pub const FIELD_MANAGER: &str = "driftdeck";
const PRUNE_ANNOTATION: &str = "driftdeck.dev/prune";
const ARGO_SYNC_OPTIONS: &str = "argocd.argoproj.io/sync-options";

/// What to sync.
#[derive(Clone, Debug, Default)]
pub struct SyncOptions {
    pub prune: bool,
    /// Also prune tracked Namespaces (off by default: a namespace takes everything
    /// in it along).
    pub prune_namespaces: bool,
    /// Only these resources (empty: all).
    pub only: Vec<ResourceKey>,
    /// Take fields other managers own.
    pub force_conflicts: bool,
}

/// Why a tracked object is not pruned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PruneSkip {
    Namespace,
    Annotated(&'static str),
}

/// The plan of a sync.
#[derive(Clone, Debug, Default)]
pub struct SyncPlan {
    /// Desired objects not in the cluster.
    pub create: Vec<ResourceKey>,
    /// Desired objects in the cluster that differ from Git.
    pub update: Vec<ResourceKey>,
    /// Desired objects that already match Git (not applied again).
    pub unchanged: Vec<ResourceKey>,
    /// Tracked objects no longer in Git, to delete when pruning.
    pub prune: Vec<ResourceKey>,
    /// Tracked objects no longer in Git that are kept, and why.
    pub keep: Vec<(ResourceKey, PruneSkip)>,
}

fn prune_skip(key: &ResourceKey, object: &Value, options: &SyncOptions) -> Option<PruneSkip> {
    let annotations = object.pointer("/metadata/annotations");
    let annotation = |name: &str| {
        annotations
            .and_then(|a| a.get(name))
            .and_then(Value::as_str)
    };
    if annotation(PRUNE_ANNOTATION) == Some("false") {
        return Some(PruneSkip::Annotated(PRUNE_ANNOTATION));
    }
    if annotation(ARGO_SYNC_OPTIONS)
        .is_some_and(|o| o.split(',').any(|opt| opt.trim() == "Prune=false"))
    {
        return Some(PruneSkip::Annotated(ARGO_SYNC_OPTIONS));
    }
    if key.group.is_empty() && key.kind == "Namespace" && !options.prune_namespaces {
        return Some(PruneSkip::Namespace);
    }
    None
}

/// Plans a sync of `desired` against `live`; `synced` are the keys the drift found
/// already matching Git (empty when unknown: then every live object is updated).
pub fn plan(
    app: &AppName,
    desired: &[Manifest],
    live: &LiveState,
    options: &SyncOptions,
    synced: &BTreeSet<ResourceKey>,
) -> SyncPlan {
    let selected = |key: &ResourceKey| options.only.is_empty() || options.only.contains(key);
    let wanted: BTreeSet<&ResourceKey> = desired.iter().map(|m| &m.key).collect();
    let mut plan = SyncPlan::default();
    for manifest in desired.iter().filter(|m| selected(&m.key)) {
        if synced.contains(&manifest.key) {
            plan.unchanged.push(manifest.key.clone());
        } else if live.objects.contains_key(&manifest.key) {
            plan.update.push(manifest.key.clone());
        } else {
            plan.create.push(manifest.key.clone());
        }
    }
    for (key, object) in &live.objects {
        if wanted.contains(key) || !is_tracked_by(object, app) || !selected(key) {
            continue;
        }
        match prune_skip(key, object, options) {
            Some(skip) => plan.keep.push((key.clone(), skip)),
            None => plan.prune.push(key.clone()),
        }
    }
    plan
}

/// What a sync did.
#[derive(Debug, Default)]
pub struct SyncReport {
    pub applied: Vec<ResourceKey>,
    pub failed: Vec<(ResourceKey, ClusterError)>,
    pub not_attempted: Vec<ResourceKey>,
    pub pruned: Vec<ResourceKey>,
}

impl SyncReport {
    pub fn succeeded(&self) -> bool {
        self.failed.is_empty() && self.not_attempted.is_empty()
    }

    /// Every resource touched, for the ledger.
    pub fn touched(&self) -> Vec<String> {
        self.applied
            .iter()
            .chain(&self.pruned)
            .map(ToString::to_string)
            .collect()
    }
}

/// Carries out `plan`: applies in waves, then prunes (when asked) in reverse order.
pub async fn execute(
    connection: &Connection,
    catalog: &Catalog,
    app: &AppName,
    desired: &[Manifest],
    live: &LiveState,
    plan: &SyncPlan,
    options: &SyncOptions,
) -> SyncReport {
    let chosen: BTreeSet<&ResourceKey> = plan.create.iter().chain(&plan.update).collect();
    let items: Vec<(ResourceKey, Value)> = desired
        .iter()
        .filter(|m| chosen.contains(&m.key))
        .map(|m| (m.key.clone(), tracked(m, app)))
        .collect();
    let mut report = SyncReport::default();
    let mut stopped = false;
    for (_, wave) in waves::waves(&items) {
        if stopped {
            report
                .not_attempted
                .extend(wave.iter().map(|(key, _)| key.clone()));
            continue;
        }
        for (key, object) in wave {
            let Some(served) = catalog.get(&key.group, &key.kind) else {
                report.failed.push((
                    key.clone(),
                    ClusterError::NotFound {
                        context: connection.context.clone(),
                        message: format!("the cluster does not serve {}/{}", key.group, key.kind),
                    },
                ));
                continue;
            };
            match cluster::apply(
                connection,
                served,
                object,
                FIELD_MANAGER,
                options.force_conflicts,
                ApplyMode::Real,
            )
            .await
            {
                Ok(_) => report.applied.push(key.clone()),
                Err(error) => report.failed.push((key.clone(), error)),
            }
        }
        // Later waves may depend on this one: stop at the first failing wave.
        stopped = !report.failed.is_empty();
    }
    if options.prune && !stopped {
        let mut prunes: Vec<(&ResourceKey, &Value)> = plan
            .prune
            .iter()
            .filter_map(|key| live.objects.get(key).map(|object| (key, object)))
            .collect();
        prunes.sort_by_key(|(key, object)| std::cmp::Reverse(waves::order_key(key, object)));
        for (key, _) in prunes {
            let Some(served) = catalog.get(&key.group, &key.kind) else {
                continue;
            };
            let namespace = (!key.namespace.is_empty()).then_some(key.namespace.as_str());
            match cluster::delete(connection, served, namespace, &key.name).await {
                Ok(()) => report.pruned.push(key.clone()),
                Err(error) => report.failed.push((key.clone(), error)),
            }
        }
    } else if options.prune {
        report.not_attempted.extend(plan.prune.iter().cloned());
    }
    report
}

/// Counts of a plan by action, for summaries.
pub fn summary(plan: &SyncPlan) -> BTreeMap<&'static str, usize> {
    BTreeMap::from([
        ("create", plan.create.len()),
        ("update", plan.update.len()),
        ("unchanged", plan.unchanged.len()),
        ("prune", plan.prune.len()),
        ("keep", plan.keep.len()),
    ])
}

/// The plan as people read it: a line per object (`  create  apps/Deployment/web/web`),
/// then the counts. Outside text in keys is neutralised.
pub fn describe(plan: &SyncPlan, options: &SyncOptions) -> Vec<String> {
    let key = |k: &ResourceKey| crate::model::text::one_line(&k.to_string()).into_owned();
    let mut lines = Vec::new();
    lines.extend(plan.create.iter().map(|k| format!("  create  {}", key(k))));
    lines.extend(plan.update.iter().map(|k| format!("  update  {}", key(k))));
    let verb = if options.prune { "prune" } else { "extra" };
    lines.extend(plan.prune.iter().map(|k| format!("  {verb:<7} {}", key(k))));
    for (k, why) in &plan.keep {
        let why = match why {
            PruneSkip::Namespace => "namespaces are pruned only with --prune-namespaces".to_owned(),
            PruneSkip::Annotated(annotation) => format!("kept by its {annotation} annotation"),
        };
        lines.push(format!("  keep    {} ({why})", key(k)));
    }
    let pruning = if options.prune {
        format!("{} to prune", plan.prune.len())
    } else {
        format!(
            "{} no longer in Git (use --prune to delete)",
            plan.prune.len()
        )
    };
    lines.push(format!(
        "{} to create, {} to update, {} unchanged, {pruning}",
        plan.create.len(),
        plan.update.len(),
        plan.unchanged.len()
    ));
    lines
}

/// The plan for `desired` against what `cluster` has: objects that already match
/// Git by a server-side dry run are left alone.
pub async fn plan_against(
    desired: &super::target::Desired,
    cluster: &super::target::Cluster,
    options: &SyncOptions,
) -> SyncPlan {
    let drift = super::drift::drift(desired, cluster, crate::diff::DiffMode::ServerSide).await;
    plan(
        &desired.app.name,
        &desired.manifests,
        &cluster.live,
        options,
        &drift.synced(),
    )
}
