//! Flux `HelmRelease` (`helm.toolkit.fluxcd.io/v2`) → [`ExternalApp`]; the rules
//! shared with `Kustomization` are in [`super`].

use serde_json::Value;

use super::{
    SOURCE_GROUP, Source, automation, given_source, has_status, health, inventory, operation,
    ready_status, source_key, spec_pending,
};
use crate::integrations::read::{Fault, Identity, Node, identify};
use crate::integrations::{
    AppKind, AppSource, Condition, ConditionStatus, Deployed, ExternalApp, MappingError,
};
use crate::model::{ResourceKey, SyncStatus};

/// Maps a Flux `HelmRelease`, with its source when the caller has it: the
/// `spec.chartRef` object (`OCIRepository`, `HelmChart`), the
/// `spec.chart.spec.sourceRef` object (`HelmRepository`, `GitRepository`,
/// `Bucket`), or the `HelmChart` Flux made for it (`status.helmChart`).
///
/// Rules beyond the shared ones:
///
/// - **history**: `status.history[]`, newest first as Flux keeps it —
///   `chartVersion` as the revision, `version` (Helm's release number) as id,
///   `lastDeployed`, `status` (`deployed`, `superseded`, `failed`, …), `digest`,
///   `chartName`, `appVersion`.
/// - **live revision**: the newest snapshot's `chartVersion`: the release Helm
///   counts as current, failed or not.
/// - **target revision**: the artifact revision of a given `OCIRepository` or
///   `HelmChart` (`6.6.2@sha256:…`, `6.6.2`), else `status.lastAttemptedRevision`
///   (the chart version last tried). A `HelmRepository`'s artifact revision is
///   the digest of its index and says nothing about the chart, so it is not used.
/// - **sync** (after the shared opening rules): no release yet → `OutOfSync` when
///   `Ready=False` or a chart revision is known, else `None`. Otherwise
///   `OutOfSync` when `Ready=False`, when the newest snapshot is not `deployed`,
///   or when its chart version differs from the target's (the part before `@`)
///   or from `lastAttemptedRevision`; else `Synced`.
/// - **source**: the `chartRef` or `chart.spec.sourceRef` as the object (its
///   namespace defaulting to the release's); `spec.chart.spec.chart` as `path`
///   for `GitRepository` and `Bucket` sources, as `chart` otherwise;
///   `spec.chart.spec.version` as target revision, else the given source's
///   `spec.ref`; the URL when the given source is that object. `spec.values` and
///   `valuesFrom` are never read (they may hold or name secrets).
/// - **resources**: `status.inventory` if the controller writes one; otherwise
///   none, since Helm keeps a release's objects in a storage Secret, which
///   driftdeck does not read.
pub fn from_helm_release(
    value: &Value,
    source: Option<&Value>,
) -> Result<ExternalApp, MappingError> {
    let Identity {
        namespace,
        name,
        label,
    } = identify(value, AppKind::HelmRelease)?;
    let about = |fault: Fault| fault.about(&label);
    let root = Node::root(value);
    let reference = match root.at(&["spec", "chartRef"]).map_err(about)? {
        Some(chart_ref) => Some(chart_ref),
        None => root
            .at(&["spec", "chart", "spec", "sourceRef"])
            .map_err(about)?,
    };
    let primary = source_key(reference, &namespace).map_err(about)?;
    let generated = root
        .text(&["status", "helmChart"])
        .map_err(about)?
        .and_then(chart_key);
    let expected: Vec<ResourceKey> = primary.iter().chain(&generated).cloned().collect();
    let source = given_source(&label, source, &expected)?;
    read(&root, namespace, name, primary, source.as_ref()).map_err(about)
}

/// The HelmChart Flux made for a release (`status.helmChart`, `NS/NAME`).
pub fn generated_chart(release: &Value) -> Option<ResourceKey> {
    release
        .pointer("/status/helmChart")
        .and_then(Value::as_str)
        .and_then(chart_key)
}

fn chart_key(text: &str) -> Option<ResourceKey> {
    let (namespace, name) = text.split_once('/')?;
    Some(ResourceKey::new(SOURCE_GROUP, "HelmChart", namespace, name))
}

fn read(
    root: &Node<'_>,
    namespace: String,
    name: String,
    primary: Option<ResourceKey>,
    source: Option<&Source<'_>>,
) -> Result<ExternalApp, Fault> {
    let conditions = Condition::read_all(root, ConditionStatus::Unknown)?;
    let history: Vec<Deployed> = root
        .items(&["status", "history"])?
        .iter()
        .map(snapshot)
        .collect::<Result<_, _>>()?;
    let chart_revision = match source {
        Some(source) if matches!(source.key.kind.as_str(), "OCIRepository" | "HelmChart") => {
            source.node.string(&["status", "artifact", "revision"])?
        }
        _ => None,
    };
    let attempted = root.string(&["status", "lastAttemptedRevision"])?;
    let failed = ready_status(&conditions) == Some(ConditionStatus::False);
    let sync = if !has_status(root)? {
        None
    } else if spec_pending(root)? {
        Some(SyncStatus::OutOfSync)
    } else {
        match history.first() {
            None => (failed || chart_revision.is_some()).then_some(SyncStatus::OutOfSync),
            Some(newest) => {
                let behind_source = chart_revision
                    .as_deref()
                    .is_some_and(|revision| chart_version(revision) != newest.revision);
                let behind_attempt = attempted
                    .as_deref()
                    .is_some_and(|version| version != newest.revision);
                let deployed = newest.status.as_deref() == Some("deployed");
                Some(if failed || !deployed || behind_source || behind_attempt {
                    SyncStatus::OutOfSync
                } else {
                    SyncStatus::Synced
                })
            }
        }
    };

    let chart = root.string(&["spec", "chart", "spec", "chart"])?;
    let in_repository = primary
        .as_ref()
        .is_some_and(|key| matches!(key.kind.as_str(), "GitRepository" | "Bucket"));
    let from_primary = source.filter(|source| Some(&source.key) == primary.as_ref());
    let mut target = root.string(&["spec", "chart", "spec", "version"])?;
    if target.is_none()
        && let Some(source) = from_primary
    {
        target = source.reference()?;
    }
    let app_source = AppSource {
        object: primary,
        url: from_primary.map(Source::url).transpose()?.flatten(),
        path: chart.clone().filter(|_| in_repository),
        chart: chart.filter(|_| !in_repository),
        target_revision: target,
        pinned_by: from_primary.and_then(Source::pinned_by),
    };

    Ok(ExternalApp {
        kind: AppKind::HelmRelease,
        namespace,
        name,
        sync,
        health: health(root, &conditions)?,
        live_revision: history
            .first()
            .map(|newest| newest.revision.clone())
            .filter(|revision| !revision.is_empty()),
        target_revision: chart_revision.or(attempted),
        source: (app_source != AppSource::default()).then_some(app_source),
        automation: automation(root)?,
        operation: operation(root, &conditions)?,
        resources: inventory(root)?,
        history,
        conditions,
    })
}

/// The chart version of an artifact revision: `6.6.2@sha256:…` → `6.6.2`.
fn chart_version(revision: &str) -> &str {
    revision
        .split_once('@')
        .map_or(revision, |(version, _)| version)
}

fn snapshot(node: &Node<'_>) -> Result<Deployed, Fault> {
    Ok(Deployed {
        revision: node.string(&["chartVersion"])?.unwrap_or_default(),
        id: node.int(&["version"])?,
        deployed_at: node.time(&["lastDeployed"])?,
        status: node.string(&["status"])?,
        digest: node.string(&["digest"])?,
        chart: node.string(&["chartName"])?,
        app_version: node.string(&["appVersion"])?,
        initiated_by: None,
    })
}

#[cfg(test)]
mod tests;
