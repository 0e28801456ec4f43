//! Argo CD `Application` (`argoproj.io/v1alpha1`) → [`ExternalApp`], read from the
//! object alone: no Argo CD API server, no `argocd` binary.
//!
//! The rules:
//!
//! - **sync**: `status.sync.status` — `Synced` and `OutOfSync` as they are;
//!   `Unknown`, absent or anything else → `None`.
//! - **health**: `status.health.status` (`Healthy`, `Progressing`, `Degraded`,
//!   `Suspended`, `Missing`, `Unknown`) with `status.health.message` (written by
//!   Argo CD 2.x; 3.x leaves app health without a message). Absent → `Unknown`
//!   "not assessed by Argo CD yet"; a code driftdeck does not know → `Unknown`
//!   naming it.
//! - **target revision**: `status.sync.revision` (multi-source apps:
//!   `revisions[0]`), the commit Argo CD last compared the cluster with.
//! - **live revision**: the newest `status.history` entry's revision; without
//!   history, `operationState.syncResult.revision` of a `Succeeded` operation.
//! - **source**: `spec.source`, else `spec.sources[0]` (a multi-source app shows
//!   its first source): `repoURL` (password dropped), `path`, `chart`,
//!   `targetRevision`. Helm parameters and values are not read.
//! - **automation**: `spec.syncPolicy.automated` present and its `enabled` (Argo
//!   CD 3.1+) not `false` → automated, with its `prune` and `selfHeal`.
//! - **operation**: `status.operationState` — `phase` (`Running`, `Terminating`,
//!   `Succeeded`, `Failed`, `Error`), `message`, `startedAt`, `finishedAt`, the
//!   revision (`syncResult.revision`, else `operation.sync.revision`) and
//!   `operation.initiatedBy`. A finished operation is kept (the last sync's
//!   failure is worth showing); check `phase.is_active()`. A top-level `operation`
//!   the controller has not picked up yet (no `operationState`, or a finished one)
//!   → `Requested`.
//! - **conditions**: `status.conditions` (`type`, `message`,
//!   `lastTransitionTime`), all `True`: Argo CD lists a condition only while it holds.
//! - **resources**: `status.resources` — `group`, `version`, `kind`, `namespace`,
//!   `name`, `hook`; sync from `status`, refined: `requiresPruning` → `Extra`,
//!   `OutOfSync` with health `Missing` → `Missing`, `Unknown` → `None`; health
//!   from `health.status`/`health.message`, `None` when Argo CD gives none (kinds
//!   without a health check).
//! - **history**: `status.history`, reversed to newest first — `revision` (or
//!   `revisions[0]`), `id`, `deployedAt`, `source.chart`, `initiatedBy`.

use serde_json::Value;

use super::read::{Fault, Node, identify};
use super::{
    AppKind, AppSource, Automation, Condition, ConditionStatus, Deployed, ExternalApp,
    ManagedResource, MappingError, Operation, OperationPhase, without_password,
};
use crate::model::{Health, HealthStatus, ResourceKey, SyncPolicy, SyncStatus};

/// Maps an Argo CD `Application` as read from the Kubernetes API.
pub fn from_application(value: &Value) -> Result<ExternalApp, MappingError> {
    let identity = identify(value, AppKind::Application)?;
    read(&Node::root(value), identity.namespace, identity.name)
        .map_err(|fault| fault.about(&identity.label))
}

fn read(root: &Node<'_>, namespace: String, name: String) -> Result<ExternalApp, Fault> {
    let history: Vec<Deployed> = root
        .items(&["status", "history"])?
        .iter()
        .rev()
        .map(deployed)
        .collect::<Result<_, _>>()?;
    let operation = operation(root)?;
    let live_revision = match history.first() {
        Some(newest) if !newest.revision.is_empty() => Some(newest.revision.clone()),
        _ => operation
            .as_ref()
            .filter(|op| op.phase == OperationPhase::Succeeded)
            .and_then(|op| op.revision.clone()),
    };
    let target_revision = match root.at(&["status", "sync"])? {
        Some(sync) => revision_of(&sync)?,
        None => None,
    };
    Ok(ExternalApp {
        kind: AppKind::Application,
        namespace,
        name,
        sync: match root.text(&["status", "sync", "status"])? {
            Some("Synced") => Some(SyncStatus::Synced),
            Some("OutOfSync") => Some(SyncStatus::OutOfSync),
            _ => None,
        },
        health: match root.text(&["status", "health", "status"])? {
            Some(code) => read_health(code, root.text(&["status", "health", "message"])?),
            None => Health::unknown("not assessed by Argo CD yet"),
        },
        target_revision,
        live_revision,
        source: source(root)?,
        automation: Automation::ArgoCd(sync_policy(root)?),
        operation,
        conditions: Condition::read_all(root, ConditionStatus::True)?,
        resources: root
            .items(&["status", "resources"])?
            .iter()
            .map(resource)
            .collect::<Result<_, _>>()?,
        history,
    })
}

fn read_health(code: &str, message: Option<&str>) -> Health {
    let message = message.unwrap_or_default();
    let status = match code {
        "Healthy" => HealthStatus::Healthy,
        "Progressing" => HealthStatus::Progressing,
        "Degraded" => HealthStatus::Degraded,
        "Suspended" => HealthStatus::Suspended,
        "Missing" => HealthStatus::Missing,
        "Unknown" => HealthStatus::Unknown,
        other if message.is_empty() => {
            return Health::unknown(format!("Argo CD reports health {other:?}"));
        }
        other => return Health::unknown(format!("Argo CD reports health {other:?}: {message}")),
    };
    Health::new(status, message)
}

/// `revision`, or the first of `revisions` (multi-source apps).
fn revision_of(node: &Node<'_>) -> Result<Option<String>, Fault> {
    if let Some(revision) = node.string(&["revision"])? {
        return Ok(Some(revision));
    }
    match node.items(&["revisions"])?.first() {
        Some(first) => first.string(&[]),
        None => Ok(None),
    }
}

fn source(root: &Node<'_>) -> Result<Option<AppSource>, Fault> {
    let node = match root.at(&["spec", "source"])? {
        Some(node) => node,
        None => match root.items(&["spec", "sources"])?.into_iter().next() {
            Some(node) => node,
            None => return Ok(None),
        },
    };
    Ok(Some(AppSource {
        object: None,
        url: node.text(&["repoURL"])?.map(without_password),
        path: node.string(&["path"])?,
        chart: node.string(&["chart"])?,
        target_revision: node.string(&["targetRevision"])?,
        pinned_by: None,
    }))
}

fn sync_policy(root: &Node<'_>) -> Result<SyncPolicy, Fault> {
    let Some(automated) = root.at(&["spec", "syncPolicy", "automated"])? else {
        return Ok(SyncPolicy::default());
    };
    Ok(SyncPolicy {
        automated: automated.boolean(&["enabled"])?.unwrap_or(true),
        prune: automated.flag(&["prune"])?,
        self_heal: automated.flag(&["selfHeal"])?,
    })
}

fn operation(root: &Node<'_>) -> Result<Option<Operation>, Fault> {
    let last = match root.at(&["status", "operationState"])? {
        Some(state) => Some(operation_state(&state)?),
        None => None,
    };
    match (last, root.at(&["operation"])?) {
        (Some(last), _) if last.phase.is_active() => Ok(Some(last)),
        (_, Some(requested)) => Ok(Some(Operation {
            phase: OperationPhase::Requested,
            message: String::new(),
            started_at: None,
            finished_at: None,
            revision: requested.string(&["sync", "revision"])?,
            initiated_by: initiator(&requested)?,
        })),
        (last, None) => Ok(last),
    }
}

fn operation_state(state: &Node<'_>) -> Result<Operation, Fault> {
    let mut revision = match state.at(&["syncResult"])? {
        Some(result) => revision_of(&result)?,
        None => None,
    };
    if revision.is_none() {
        revision = state.string(&["operation", "sync", "revision"])?;
    }
    let initiated_by = match state.at(&["operation"])? {
        Some(operation) => initiator(&operation)?,
        None => None,
    };
    Ok(Operation {
        phase: match state.text(&["phase"])? {
            Some("Running") => OperationPhase::Running,
            Some("Terminating") => OperationPhase::Terminating,
            Some("Succeeded") => OperationPhase::Succeeded,
            Some("Failed") => OperationPhase::Failed,
            Some("Error") => OperationPhase::Error,
            _ => OperationPhase::Unknown,
        },
        message: state.string(&["message"])?.unwrap_or_default(),
        started_at: state.time(&["startedAt"])?,
        finished_at: state.time(&["finishedAt"])?,
        revision,
        initiated_by,
    })
}

/// `initiatedBy.username`, else `automated` for an automated sync.
fn initiator(node: &Node<'_>) -> Result<Option<String>, Fault> {
    if let Some(user) = node.string(&["initiatedBy", "username"])? {
        return Ok(Some(user));
    }
    Ok(node
        .flag(&["initiatedBy", "automated"])?
        .then(|| "automated".to_owned()))
}

fn resource(node: &Node<'_>) -> Result<ManagedResource, Fault> {
    let health = match node.at(&["health"])? {
        Some(health_node) => match health_node.text(&["status"])? {
            Some(code) => Some(read_health(code, health_node.text(&["message"])?)),
            None => None,
        },
        None => None,
    };
    let missing = health
        .as_ref()
        .is_some_and(|h| h.status == HealthStatus::Missing);
    let requires_pruning = node.flag(&["requiresPruning"])?;
    let sync = match node.text(&["status"])? {
        _ if requires_pruning => Some(SyncStatus::Extra),
        Some("OutOfSync") if missing => Some(SyncStatus::Missing),
        Some("OutOfSync") => Some(SyncStatus::OutOfSync),
        Some("Synced") => Some(SyncStatus::Synced),
        _ => None,
    };
    Ok(ManagedResource {
        key: ResourceKey::new(
            node.text(&["group"])?.unwrap_or_default(),
            node.required(&["kind"])?,
            node.text(&["namespace"])?.unwrap_or_default(),
            node.required(&["name"])?,
        ),
        version: node.string(&["version"])?.unwrap_or_default(),
        sync,
        health,
        hook: node.flag(&["hook"])?,
    })
}

fn deployed(node: &Node<'_>) -> Result<Deployed, Fault> {
    Ok(Deployed {
        revision: revision_of(node)?.unwrap_or_default(),
        id: node.int(&["id"])?,
        deployed_at: node.time(&["deployedAt"])?,
        chart: node.string(&["source", "chart"])?,
        initiated_by: initiator(node)?,
        ..Deployed::default()
    })
}

#[cfg(test)]
mod tests;
