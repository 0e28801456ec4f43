//! The drift of an app: one [`ResourceDiff`] per desired object and per tracked
//! object Git no longer has. Server-side mode asks the API server for a dry run of
//! each live object's apply (the very object a sync would send), so defaulting and
//! admission never show as drift; when a dry run is refused (no permission, a
//! webhook down) that resource falls back to client-side comparison and the reason
//! is kept.

use std::collections::BTreeSet;

use super::bounded::bounded;

use super::sync::FIELD_MANAGER;
use super::target::{Cluster, Desired};
use super::tracking::{is_tracked_by, tracked};
use crate::cluster::{self, ApplyMode, ClusterError};
use crate::diff::{self, DiffInput, DiffMode, ResourceDiff};
use crate::model::{ResourceKey, SyncStatus};

/// An app's drift, resource by resource.
#[derive(Debug, Default)]
pub struct Drift {
    pub resources: Vec<ResourceDiff>,
    /// Resources compared client-side because their dry run failed, and why.
    pub fallbacks: Vec<(ResourceKey, ClusterError)>,
}

impl Drift {
    pub fn in_sync(&self) -> bool {
        self.resources
            .iter()
            .all(|r| r.status == SyncStatus::Synced)
    }

    /// The keys whose live object already matches Git.
    pub fn synced(&self) -> BTreeSet<ResourceKey> {
        self.resources
            .iter()
            .filter(|r| r.status == SyncStatus::Synced)
            .map(|r| r.key.clone())
            .collect()
    }
}

/// How many dry runs are in flight at once, per app.
const CONCURRENT_DRY_RUNS: usize = 16;

pub async fn drift(desired: &Desired, cluster: &Cluster, mode: DiffMode) -> Drift {
    let app = &desired.app;
    let mut drift = Drift::default();
    // Dry runs are independent: they go out together, and come back in Git's order.
    let predictions = bounded(
        desired
            .manifests
            .iter()
            .map(|manifest| predict(cluster, &app.name, manifest, mode))
            .collect(),
        CONCURRENT_DRY_RUNS,
    )
    .await;
    for (manifest, (object, predicted)) in desired.manifests.iter().zip(predictions) {
        let live = cluster.live.objects.get(&manifest.key);
        let (effective, predicted) = match predicted {
            None => (mode, None),
            Some(Ok(value)) => (mode, Some(value)),
            Some(Err(error)) => {
                drift.fallbacks.push((manifest.key.clone(), error));
                (DiffMode::ClientSide, None)
            }
        };
        drift.resources.push(diff::diff(
            &DiffInput {
                key: &manifest.key,
                desired: Some(&object),
                live,
                predicted: predicted.as_ref(),
                ignore: &app.ignore_differences,
            },
            effective,
        ));
    }
    let wanted: BTreeSet<&ResourceKey> = desired.manifests.iter().map(|m| &m.key).collect();
    for (key, object) in &cluster.live.objects {
        if wanted.contains(key) || !is_tracked_by(object, &app.name) {
            continue;
        }
        drift.resources.push(diff::diff(
            &DiffInput {
                key,
                desired: None,
                live: Some(object),
                predicted: None,
                ignore: &app.ignore_differences,
            },
            mode,
        ));
    }
    drift
}

/// The object a sync would send, and (server-side, when it exists live) what the
/// server would make of it.
async fn predict(
    cluster: &Cluster,
    app: &crate::model::AppName,
    manifest: &crate::model::Manifest,
    mode: DiffMode,
) -> (
    serde_json::Value,
    Option<Result<serde_json::Value, ClusterError>>,
) {
    let object = tracked(manifest, app);
    let exists = cluster.live.objects.contains_key(&manifest.key);
    let predicted = match (mode, exists) {
        (DiffMode::ServerSide, true) => Some(dry_run(cluster, manifest, &object).await),
        _ => None,
    };
    (object, predicted)
}

/// What the server would make of applying `object` (forced: a conflict is a sync
/// question, not a drift question).
async fn dry_run(
    cluster: &Cluster,
    manifest: &crate::model::Manifest,
    object: &serde_json::Value,
) -> Result<serde_json::Value, ClusterError> {
    match cluster.catalog.get(&manifest.key.group, &manifest.key.kind) {
        Some(served) => {
            cluster::apply(
                &cluster.connection,
                served,
                object,
                FIELD_MANAGER,
                true,
                ApplyMode::DryRun,
            )
            .await
        }
        None => Err(ClusterError::NotFound {
            context: cluster.connection.context.clone(),
            message: format!("{}/{} is not served", manifest.key.group, manifest.key.kind),
        }),
    }
}
