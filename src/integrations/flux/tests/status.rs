//! Sync, health and operation of a Kustomization for each combination of its
//! conditions and revisions.

use super::*;

const BUILD_ERROR: &str = "kustomize build failed: accumulating resources: accumulation err='accumulating resources from './ingress': open /tmp/kustomization-1234/apps/production/ingress: no such file or directory'";

#[test]
fn health_and_operation_follow_ready_stalled_and_reconciling() {
    let reconciling = condition(
        "Reconciling",
        "True",
        "Progressing",
        "Reconciliation in progress",
    );
    let retrying = condition(
        "Reconciling",
        "True",
        "ProgressingWithRetry",
        "Detecting drift for revision main@sha1:4f2a9c1e with a timeout of 5m0s",
    );
    let cases = [
        (
            vec![condition(
                "Ready",
                "True",
                "ReconciliationSucceeded",
                "Applied revision: main@sha1:4f2a9c1e",
            )],
            Health::healthy("Applied revision: main@sha1:4f2a9c1e"),
            None,
        ),
        (
            vec![
                condition(
                    "Ready",
                    "True",
                    "ReconciliationSucceeded",
                    "Applied revision: main@sha1:4f2a9c1e",
                ),
                reconciling.clone(),
            ],
            Health::progressing("Progressing: Reconciliation in progress"),
            Some("Progressing: Reconciliation in progress"),
        ),
        (
            vec![
                reconciling,
                condition(
                    "Ready",
                    "Unknown",
                    "Progressing",
                    "Reconciliation in progress",
                ),
            ],
            Health::progressing("Progressing: Reconciliation in progress"),
            Some("Progressing: Reconciliation in progress"),
        ),
        (
            vec![condition(
                "Ready",
                "False",
                "ReconciliationFailed",
                "Deployment/apps/podinfo dry-run failed: spec.replicas: Invalid value: -1",
            )],
            Health::degraded(
                "ReconciliationFailed: Deployment/apps/podinfo dry-run failed: spec.replicas: Invalid value: -1",
            ),
            None,
        ),
        (
            vec![
                condition(
                    "Ready",
                    "False",
                    "HealthCheckFailed",
                    "health check failed after 5m0s: timeout waiting for: [Deployment/apps/podinfo status: 'InProgress']",
                ),
                condition(
                    "Healthy",
                    "False",
                    "HealthCheckFailed",
                    "health check failed",
                ),
            ],
            Health::degraded(
                "HealthCheckFailed: health check failed after 5m0s: timeout waiting for: [Deployment/apps/podinfo status: 'InProgress']",
            ),
            None,
        ),
        (
            vec![condition(
                "Ready",
                "False",
                "ArtifactFailed",
                "Source artifact not found, retrying in 30s",
            )],
            Health::degraded("ArtifactFailed: Source artifact not found, retrying in 30s"),
            None,
        ),
        (
            vec![condition(
                "Ready",
                "False",
                "DependencyNotReady",
                "dependency 'flux-system/infra' is not ready",
            )],
            Health::progressing("DependencyNotReady: dependency 'flux-system/infra' is not ready"),
            None,
        ),
        (
            vec![
                condition("Ready", "False", "BuildFailed", BUILD_ERROR),
                condition("Stalled", "True", "BuildFailed", BUILD_ERROR),
            ],
            Health::degraded(format!("Stalled: BuildFailed: {BUILD_ERROR}")),
            None,
        ),
        (
            vec![
                retrying,
                condition("Ready", "False", "ReconciliationFailed", "apply failed"),
            ],
            Health::degraded("ReconciliationFailed: apply failed"),
            Some(
                "ProgressingWithRetry: Detecting drift for revision main@sha1:4f2a9c1e with a timeout of 5m0s",
            ),
        ),
    ];
    for (conditions, health, operation) in cases {
        let value = kustomization(json!({"observedGeneration": 3, "lastAppliedRevision": NEW,
            "conditions": conditions}));
        let app = from_kustomization(&value, None).unwrap();
        assert_eq!(app.health, health);
        let running = app.operation.map(|op| {
            assert_eq!(op.phase, OperationPhase::Running);
            assert_eq!(op.started_at, at("2024-05-07T10:10:00Z"));
            op.message
        });
        assert_eq!(running.as_deref(), operation, "{}", health.message);
    }
}

#[test]
fn sync_compares_applied_with_the_source_artifact_and_ready() {
    let ready = |status: &str| condition("Ready", status, "Reason", "");
    let legacy = "main/4f2a9c1e7b3d5a6c8e0f1b2d3c4e5f6a7b8c9d0e";
    // (applied, attempted, Ready, source revision, expected)
    let cases = [
        (
            Some(NEW),
            Some(NEW),
            "True",
            Some(NEW),
            Some(SyncStatus::Synced),
        ),
        (
            Some(OLD),
            Some(OLD),
            "True",
            Some(NEW),
            Some(SyncStatus::OutOfSync),
        ),
        (
            Some(NEW),
            Some(NEW),
            "Unknown",
            Some(NEW),
            Some(SyncStatus::Synced),
        ),
        (
            Some(NEW),
            Some(NEW),
            "False",
            Some(NEW),
            Some(SyncStatus::OutOfSync),
        ),
        (
            None,
            Some(NEW),
            "Unknown",
            Some(NEW),
            Some(SyncStatus::OutOfSync),
        ),
        (
            Some(legacy),
            Some(legacy),
            "True",
            Some(NEW),
            Some(SyncStatus::Synced),
        ),
        (Some(NEW), Some(NEW), "True", None, Some(SyncStatus::Synced)),
        (
            Some(OLD),
            Some(NEW),
            "False",
            None,
            Some(SyncStatus::OutOfSync),
        ),
        (
            Some(OLD),
            Some(NEW),
            "Unknown",
            None,
            Some(SyncStatus::OutOfSync),
        ),
        (Some(NEW), Some(NEW), "Unknown", None, None),
        (
            Some(NEW),
            Some(NEW),
            "False",
            None,
            Some(SyncStatus::OutOfSync),
        ),
        (None, None, "Unknown", None, None),
        (None, Some(NEW), "False", None, Some(SyncStatus::OutOfSync)),
    ];
    for (applied, attempted, ready_status, source, expected) in cases {
        let value = kustomization(
            json!({"observedGeneration": 3, "lastAppliedRevision": applied,
            "lastAttemptedRevision": attempted, "conditions": [ready(ready_status)]}),
        );
        let source_object = source.map(git_repository);
        let app = from_kustomization(&value, source_object.as_ref()).unwrap();
        let case = format!("{applied:?} {attempted:?} Ready={ready_status} source={source:?}");
        assert_eq!(app.sync, expected, "{case}");
        assert_eq!(app.live_revision.as_deref(), applied, "{case}");
    }

    let mut pending = kustomization(json!({"observedGeneration": 3, "lastAppliedRevision": NEW,
        "conditions": [ready("True")]}));
    pending["metadata"]["generation"] = json!(4);
    let app = from_kustomization(&pending, Some(&git_repository(NEW))).unwrap();
    assert_eq!(app.sync, Some(SyncStatus::OutOfSync));
    assert_eq!(
        app.health,
        Health::progressing("Waiting for the controller to observe generation 4 (observed 3)")
    );
}

#[test]
fn suspended_and_requested_reconciles() {
    let mut value = kustomization(json!({"observedGeneration": 3, "lastAppliedRevision": NEW,
        "lastHandledReconcileAt": "2024-05-07T10:00:00Z",
        "conditions": [condition("Ready", "True", "ReconciliationSucceeded", "Applied revision")]}));
    value["spec"]["suspend"] = json!(true);
    value["metadata"]["annotations"] =
        json!({"reconcile.fluxcd.io/requestedAt": "2024-05-07T11:00:00Z"});
    let app = from_kustomization(&value, Some(&git_repository(NEW))).unwrap();
    assert_eq!(app.health, Health::suspended("Kustomization is suspended"));
    assert_eq!(app.automation.words(), "suspended");
    assert_eq!(app.sync, Some(SyncStatus::Synced));
    let operation = app.operation.unwrap();
    assert_eq!(operation.phase, OperationPhase::Requested);
    assert_eq!(
        operation.message,
        "reconcile requested at 2024-05-07T11:00:00Z"
    );
    assert!(operation.phase.is_active());
}
