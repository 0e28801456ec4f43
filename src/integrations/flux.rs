//! Flux `Kustomization` (`kustomize.toolkit.fluxcd.io/v1`) and `HelmRelease`
//! (`helm.toolkit.fluxcd.io/v2`) → [`ExternalApp`], read from the objects alone (no
//! `flux` binary), with their source (`GitRepository`, `OCIRepository`,
//! `HelmRepository`, `HelmChart`, `source.toolkit.fluxcd.io/v1`) when the caller
//! has it. A source given must be the one the app refers to
//! ([`MappingError::SourceMismatch`] otherwise); without one, the rules below fall
//! back to what the app's own status says.
//!
//! Rules shared by both kinds (HelmRelease's own are in [`from_helm_release`]):
//!
//! - **health**: driftdeck's generic reading of Flux conditions
//!   (`crate::health::assess`, the same as for a Flux object met as a resource):
//!   `spec.suspend` → `Suspended`; being deleted → `Progressing`;
//!   `observedGeneration < generation` → `Progressing`; `Stalled=True` →
//!   `Degraded` "Stalled: reason: message"; `Ready=True` → `Healthy` with its
//!   message, or `Progressing` while `Reconciling=True`; `Ready=False` →
//!   `Degraded` (`ReconciliationFailed`, `BuildFailed`, `HealthCheckFailed`,
//!   `ArtifactFailed`, `UpgradeFailed`, …) unless the reason says it is on its way
//!   (`Progressing`, `DependencyNotReady`) → `Progressing`; `Ready=Unknown` →
//!   `Progressing`. `Healthy`, `Released`, `TestSuccess` and `Remediated` are not
//!   read on their own: when they fail, the controller turns `Ready` False with
//!   the same reason. No `Ready`, `Reconciling` or `Stalled` condition (a fresh
//!   object) → `Unknown` "not reconciled by Flux yet".
//! - **operation**: `Reconciling=True` → `Running` with "reason: message", since
//!   its `lastTransitionTime`; else an annotation `reconcile.fluxcd.io/requestedAt`
//!   not yet equal to `status.lastHandledReconcileAt` → `Requested`; else none.
//! - **automation**: `spec.suspend` and `spec.interval`.
//! - **conditions**: `status.conditions` as they are (type, status, reason,
//!   message, lastTransitionTime).
//! - **resources**: `status.inventory.entries[]` — `id` parsed by
//!   [`inventory_key`], `v` the version; sync and health `None` (Flux reports
//!   neither per object; the cockpit assesses the live objects).
//! - **sync** starts from: no `status` → `None`; `observedGeneration <
//!   generation` → `OutOfSync` (a spec change not acted on yet).
//!
//! Kustomization:
//!
//! - **sync**: with the source's `status.artifact.revision`: `OutOfSync` unless
//!   `status.lastAppliedRevision` is the same revision ([`same_revision`]) and
//!   `Ready` is not False, then `Synced`; nothing applied yet → `OutOfSync`.
//!   Without a source: `lastAppliedRevision` differing from
//!   `lastAttemptedRevision` or `Ready=False` → `OutOfSync`; `Ready=True` →
//!   `Synced`; else `None`.
//! - **target revision**: the source's artifact revision, else
//!   `lastAttemptedRevision`. **live revision**: `lastAppliedRevision`.
//! - **source**: `spec.sourceRef` (namespace defaulting to the Kustomization's),
//!   `spec.path`, and from the source object `spec.url` (password dropped) and
//!   `spec.ref` — for Git the first set of `commit`, `name`, `semver`, `tag`,
//!   `branch` (Flux's precedence); for OCI of `digest`, `semver`, `tag`.
//! - **history**: `status.history[]` (Flux 2.7+ snapshots, newest first):
//!   `metadata.revision`, `firstReconciled` as the deploy time,
//!   `lastReconciledStatus`, `digest`. Older Flux has no history: the list is
//!   empty and only `lastAppliedRevision` tells what is deployed.

mod helm_release;

#[cfg(test)]
mod tests;

use serde_json::Value;

use super::read::{Fault, Identity, Node, identify};
use super::{
    AppKind, AppSource, Automation, Condition, ConditionStatus, Deployed, ExternalApp,
    ManagedResource, MappingError, Operation, OperationPhase, without_password,
};
use crate::model::{Health, ResourceKey, SyncStatus};
pub use helm_release::{from_helm_release, generated_chart};

/// The API group of Flux's sources.
pub const SOURCE_GROUP: &str = "source.toolkit.fluxcd.io";

/// Maps a Flux `Kustomization`, with its source object when the caller has it.
pub fn from_kustomization(
    value: &Value,
    source: Option<&Value>,
) -> Result<ExternalApp, MappingError> {
    let Identity {
        namespace,
        name,
        label,
    } = identify(value, AppKind::Kustomization)?;
    let about = |fault: Fault| fault.about(&label);
    let root = Node::root(value);
    let source_key =
        source_key(root.at(&["spec", "sourceRef"]).map_err(about)?, &namespace).map_err(about)?;
    let source = given_source(&label, source, source_key.as_slice())?;
    read_kustomization(&root, namespace, name, source_key, source.as_ref()).map_err(about)
}

fn read_kustomization(
    root: &Node<'_>,
    namespace: String,
    name: String,
    source_key: Option<ResourceKey>,
    source: Option<&Source<'_>>,
) -> Result<ExternalApp, Fault> {
    let conditions = Condition::read_all(root, ConditionStatus::Unknown)?;
    let source_revision = match source {
        Some(source) => source.node.string(&["status", "artifact", "revision"])?,
        None => None,
    };
    let applied = root.string(&["status", "lastAppliedRevision"])?;
    let attempted = root.string(&["status", "lastAttemptedRevision"])?;
    let ready = ready_status(&conditions);
    let failed = ready == Some(ConditionStatus::False);
    let out_of_sync = Some(SyncStatus::OutOfSync);
    let sync = if !has_status(root)? {
        None
    } else if spec_pending(root)? {
        out_of_sync
    } else {
        match (applied.as_deref(), source_revision.as_deref()) {
            (Some(applied), Some(target)) if !failed && same_revision(applied, target) => {
                Some(SyncStatus::Synced)
            }
            (_, Some(_)) => out_of_sync,
            (Some(applied), None) => match attempted.as_deref() {
                Some(attempted) if !same_revision(applied, attempted) => out_of_sync,
                _ if failed => out_of_sync,
                _ if ready == Some(ConditionStatus::True) => Some(SyncStatus::Synced),
                _ => None,
            },
            (None, None) => failed.then_some(SyncStatus::OutOfSync),
        }
    };
    let app_source = AppSource {
        object: source_key,
        url: source.map(Source::url).transpose()?.flatten(),
        path: root.string(&["spec", "path"])?,
        chart: None,
        target_revision: source.map(Source::reference).transpose()?.flatten(),
        pinned_by: source.and_then(Source::pinned_by),
    };
    Ok(ExternalApp {
        kind: AppKind::Kustomization,
        namespace,
        name,
        sync,
        health: health(root, &conditions)?,
        target_revision: source_revision.or(attempted),
        live_revision: applied,
        source: (app_source != AppSource::default()).then_some(app_source),
        automation: automation(root)?,
        operation: operation(root, &conditions)?,
        resources: inventory(root)?,
        history: root
            .items(&["status", "history"])?
            .iter()
            .map(|snapshot| -> Result<Deployed, Fault> {
                Ok(Deployed {
                    revision: snapshot
                        .string(&["metadata", "revision"])?
                        .unwrap_or_default(),
                    deployed_at: snapshot.time(&["firstReconciled"])?,
                    status: snapshot.string(&["lastReconciledStatus"])?,
                    digest: snapshot.string(&["digest"])?,
                    ..Deployed::default()
                })
            })
            .collect::<Result<_, _>>()?,
        conditions,
    })
}

/// Whether the controller has written a status at all.
fn has_status(root: &Node<'_>) -> Result<bool, Fault> {
    let status = root.at(&["status"])?;
    Ok(status.is_some_and(|s| s.value.as_object().is_none_or(|map| !map.is_empty())))
}

/// Whether the spec changed since the controller last looked
/// (`status.observedGeneration < metadata.generation`).
fn spec_pending(root: &Node<'_>) -> Result<bool, Fault> {
    let generation = root.int(&["metadata", "generation"])?;
    let observed = root.int(&["status", "observedGeneration"])?;
    Ok(matches!((generation, observed), (Some(g), Some(o)) if o < g))
}

fn ready_status(conditions: &[Condition]) -> Option<ConditionStatus> {
    conditions
        .iter()
        .find(|c| c.type_name == "Ready")
        .map(|c| c.status)
}

fn health(root: &Node<'_>, conditions: &[Condition]) -> Result<Health, Fault> {
    let signal = conditions
        .iter()
        .any(|c| matches!(c.type_name.as_str(), "Ready" | "Reconciling" | "Stalled"));
    let deleting = root.at(&["metadata", "deletionTimestamp"])?.is_some();
    if signal || deleting || root.flag(&["spec", "suspend"])? {
        Ok(crate::health::assess(root.value))
    } else {
        Ok(Health::unknown("not reconciled by Flux yet"))
    }
}

fn operation(root: &Node<'_>, conditions: &[Condition]) -> Result<Option<Operation>, Fault> {
    let running = |phase, message, started_at| Operation {
        phase,
        message,
        started_at,
        finished_at: None,
        revision: None,
        initiated_by: None,
    };
    if let Some(reconciling) = conditions
        .iter()
        .find(|c| c.type_name == "Reconciling" && c.status == ConditionStatus::True)
    {
        let message = reconciling.summary();
        return Ok(Some(running(
            OperationPhase::Running,
            message,
            reconciling.last_transition,
        )));
    }
    let requested = root.text(&["metadata", "annotations", "reconcile.fluxcd.io/requestedAt"])?;
    let handled = root.text(&["status", "lastHandledReconcileAt"])?;
    Ok(match requested {
        Some(at) if Some(at) != handled => Some(running(
            OperationPhase::Requested,
            format!("reconcile requested at {at}"),
            None,
        )),
        _ => None,
    })
}

fn automation(root: &Node<'_>) -> Result<Automation, Fault> {
    Ok(Automation::Flux {
        suspended: root.flag(&["spec", "suspend"])?,
        interval: root.string(&["spec", "interval"])?,
    })
}

fn inventory(root: &Node<'_>) -> Result<Vec<ManagedResource>, Fault> {
    root.items(&["status", "inventory", "entries"])?
        .iter()
        .map(|entry| -> Result<ManagedResource, Fault> {
            let id = entry.required(&["id"])?;
            let key = inventory_key(id).ok_or_else(|| {
                entry.malformed_at("id", "an id <namespace>_<name>_<group>_<kind>")
            })?;
            Ok(ManagedResource {
                key,
                version: entry.string(&["v"])?.unwrap_or_default(),
                sync: None,
                health: None,
                hook: false,
            })
        })
        .collect()
}

/// Parses a Flux inventory id, `<namespace>_<name>_<group>_<kind>` (the
/// `ObjMetadata` string of kubernetes-sigs/cli-utils, which Flux uses): the
/// namespace runs to the first `_` (empty: cluster-scoped), the kind from the
/// last, the group between the last two (empty: the core group), and the rest is
/// the name, where cli-utils writes `:` as `__` (RBAC names such as
/// `system:controller:foo`). `None` when the id has fewer than three `_` or no
/// name or kind.
pub fn inventory_key(id: &str) -> Option<ResourceKey> {
    let (namespace, rest) = id.split_once('_')?;
    let (rest, kind) = rest.rsplit_once('_')?;
    let (name, group) = rest.rsplit_once('_')?;
    if name.is_empty() || kind.is_empty() {
        return None;
    }
    Some(ResourceKey::new(
        group,
        kind,
        namespace,
        name.replace("__", ":"),
    ))
}

/// Whether two Flux revisions name the same artifact: equal strings, or the same
/// digest after the last `@` (`main@sha1:abc` and `refs/heads/main@sha1:abc`), a
/// legacy `main/<40 hex>` (Flux before 2.0) counting as `sha1:<40 hex>`.
pub fn same_revision(a: &str, b: &str) -> bool {
    a == b || digest(a) == digest(b)
}

fn digest(revision: &str) -> String {
    if let Some((_, digest)) = revision.rsplit_once('@') {
        return digest.to_owned();
    }
    if let Some((_, sha)) = revision.rsplit_once('/')
        && sha.len() == 40
        && sha.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return format!("sha1:{sha}");
    }
    revision.to_owned()
}

/// A `sourceRef` (or `chartRef`) as a key in the source group; the namespace
/// defaults to the app's.
fn source_key(node: Option<Node<'_>>, namespace: &str) -> Result<Option<ResourceKey>, Fault> {
    let Some(node) = node else {
        return Ok(None);
    };
    Ok(Some(ResourceKey::new(
        SOURCE_GROUP,
        node.required(&["kind"])?,
        node.text(&["namespace"])?.unwrap_or(namespace),
        node.required(&["name"])?,
    )))
}

/// A source object the caller gave, known to be one the app refers to.
struct Source<'a> {
    key: ResourceKey,
    node: Node<'a>,
}

impl Source<'_> {
    fn url(&self) -> Result<Option<String>, Fault> {
        Ok(self.node.text(&["spec", "url"])?.map(without_password))
    }

    /// The app whose rollback pinned this source, if one did.
    fn pinned_by(&self) -> Option<String> {
        let annotations = self.node.value.pointer("/metadata/annotations")?;
        annotations.get(super::actions::PINNED_FROM)?;
        annotations
            .get(super::actions::PINNED_BY)
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    /// What the source follows, in Flux's order of precedence.
    fn reference(&self) -> Result<Option<String>, Fault> {
        let order: &[&str] = match self.key.kind.as_str() {
            "GitRepository" => &["commit", "name", "semver", "tag", "branch"],
            "OCIRepository" => &["digest", "semver", "tag"],
            _ => &[],
        };
        for field in order {
            if let Some(reference) = self.node.string(&["spec", "ref", *field])? {
                return Ok(Some(reference));
            }
        }
        Ok(None)
    }
}

/// Checks that `source` is one of the objects in `expected` (by name and
/// namespace, and by kind and group when the object states them).
fn given_source<'a>(
    label: &str,
    source: Option<&'a Value>,
    expected: &[ResourceKey],
) -> Result<Option<Source<'a>>, MappingError> {
    let Some(value) = source else {
        return Ok(None);
    };
    let node = Node::named(value, "source");
    let about = |fault: Fault| fault.about(label);
    let api_version = node.text(&["apiVersion"]).map_err(about)?;
    let kind = node.text(&["kind"]).map_err(about)?;
    let name = node.required(&["metadata", "name"]).map_err(about)?;
    let namespace = node.required(&["metadata", "namespace"]).map_err(about)?;
    let in_group = api_version.is_none_or(|v| ResourceKey::group_of(v) == SOURCE_GROUP);
    let found = expected.iter().find(|key| {
        in_group
            && key.name == name
            && key.namespace == namespace
            && kind.is_none_or(|kind| kind == key.kind)
    });
    match found {
        Some(key) => Ok(Some(Source {
            key: key.clone(),
            node,
        })),
        None => Err(MappingError::SourceMismatch {
            object: label.to_owned(),
            expected: if expected.is_empty() {
                "no source".to_owned()
            } else {
                expected
                    .iter()
                    .map(|key| format!("{} {}/{}", key.kind, key.namespace, key.name))
                    .collect::<Vec<_>>()
                    .join(" or ")
            },
            given: format!("{} {namespace}/{name}", kind.unwrap_or("an object")),
        }),
    }
}
