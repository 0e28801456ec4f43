use jiff::Timestamp;
use serde_json::{Value, json};

use super::*;
use crate::integrations::{Automation, OperationPhase};
use crate::model::Health;

const UPGRADED: &str =
    "Helm upgrade succeeded for release apps/podinfo.v3 with chart podinfo@6.6.2";
const UPGRADE_FAILED: &str = "Helm upgrade failed for release apps/podinfo with chart podinfo@6.6.3: context deadline exceeded";

fn helm_release(status: Value) -> Value {
    json!({
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": "podinfo", "namespace": "apps", "generation": 2},
        "spec": {
            "interval": "5m",
            "releaseName": "podinfo",
            "chart": {"spec": {"chart": "podinfo", "version": "6.6.x", "interval": "1h",
                "sourceRef": {"kind": "HelmRepository", "name": "podinfo", "namespace": "flux-system"}}},
            "values": {"replicaCount": 2},
            "valuesFrom": [{"kind": "Secret", "name": "podinfo-values"}]
        },
        "status": status
    })
}

fn condition(type_name: &str, status: &str, reason: &str, message: &str) -> Value {
    json!({"type": type_name, "status": status, "reason": reason, "message": message,
        "lastTransitionTime": "2024-05-07T11:00:00Z", "observedGeneration": 2})
}

fn snapshot_json(version: i64, chart_version: &str, status: &str, deployed: &str) -> Value {
    json!({"name": "podinfo", "namespace": "apps", "version": version, "status": status,
        "chartName": "podinfo", "chartVersion": chart_version, "appVersion": chart_version,
        "configDigest": "sha256:c0ffee", "digest": format!("sha256:d{version}"),
        "firstDeployed": "2024-05-01T08:00:00Z", "lastDeployed": deployed})
}

fn released(attempted: &str, conditions: Value, history: Value) -> Value {
    json!({
        "observedGeneration": 2,
        "helmChart": "flux-system/apps-podinfo",
        "lastAttemptedRevision": attempted,
        "lastAttemptedConfigDigest": "sha256:c0ffee",
        "lastAttemptedGeneration": 2,
        "lastAttemptedReleaseAction": "upgrade",
        "storageNamespace": "apps",
        "conditions": conditions,
        "history": history
    })
}

fn deployed() -> Value {
    released(
        "6.6.2",
        json!([
            condition("Ready", "True", "UpgradeSucceeded", UPGRADED),
            condition("Released", "True", "UpgradeSucceeded", UPGRADED)
        ]),
        json!([
            snapshot_json(3, "6.6.2", "deployed", "2024-05-07T11:00:00Z"),
            snapshot_json(2, "6.6.1", "superseded", "2024-05-03T08:00:00Z")
        ]),
    )
}

fn source(kind: &str, name: &str, namespace: &str, spec: Value, revision: &str) -> Value {
    json!({"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": kind,
        "metadata": {"name": name, "namespace": namespace}, "spec": spec,
        "status": {"artifact": {"revision": revision}}})
}

fn helm_chart(revision: &str) -> Value {
    let spec = json!({"chart": "podinfo", "version": "6.6.x",
        "sourceRef": {"kind": "HelmRepository", "name": "podinfo"}});
    source("HelmChart", "apps-podinfo", "flux-system", spec, revision)
}

fn at(text: &str) -> Option<Timestamp> {
    Some(text.parse().unwrap())
}

#[test]
fn a_deployed_release_reads_in_full() {
    let app = from_helm_release(&helm_release(deployed()), None).unwrap();
    let ready = |type_name: &str| Condition {
        type_name: type_name.into(),
        status: ConditionStatus::True,
        reason: "UpgradeSucceeded".into(),
        message: UPGRADED.into(),
        last_transition: at("2024-05-07T11:00:00Z"),
    };
    let snapshot = |id, version: &str, status: &str, deployed_at| Deployed {
        revision: version.into(),
        id: Some(id),
        deployed_at: at(deployed_at),
        status: Some(status.into()),
        digest: Some(format!("sha256:d{id}")),
        chart: Some("podinfo".into()),
        app_version: Some(version.into()),
        initiated_by: None,
    };
    let expected = ExternalApp {
        kind: AppKind::HelmRelease,
        namespace: "apps".into(),
        name: "podinfo".into(),
        sync: Some(SyncStatus::Synced),
        health: Health::healthy(UPGRADED),
        target_revision: Some("6.6.2".into()),
        live_revision: Some("6.6.2".into()),
        source: Some(AppSource {
            object: Some(ResourceKey::new(
                SOURCE_GROUP,
                "HelmRepository",
                "flux-system",
                "podinfo",
            )),
            url: None,
            path: None,
            chart: Some("podinfo".into()),
            target_revision: Some("6.6.x".into()),
            pinned_by: None,
        }),
        automation: Automation::Flux {
            suspended: false,
            interval: Some("5m".into()),
        },
        operation: None,
        conditions: vec![ready("Ready"), ready("Released")],
        resources: vec![],
        history: vec![
            snapshot(3, "6.6.2", "deployed", "2024-05-07T11:00:00Z"),
            snapshot(2, "6.6.1", "superseded", "2024-05-03T08:00:00Z"),
        ],
    };
    assert_eq!(app, expected);
}

#[test]
fn a_helm_repository_gives_the_url_but_no_chart_revision() {
    let spec = json!({"url": "https://stefanprodan.github.io/podinfo", "interval": "1h"});
    let repository = source(
        "HelmRepository",
        "podinfo",
        "flux-system",
        spec,
        "sha256:8e1b0f",
    );
    let app = from_helm_release(&helm_release(deployed()), Some(&repository)).unwrap();
    assert_eq!(app.sync, Some(SyncStatus::Synced));
    assert_eq!(app.target_revision.as_deref(), Some("6.6.2"));
    assert_eq!(
        app.source.unwrap().url.as_deref(),
        Some("https://stefanprodan.github.io/podinfo")
    );
}

#[test]
fn a_newer_chart_makes_the_release_out_of_sync() {
    let value = helm_release(deployed());
    let newer = from_helm_release(&value, Some(&helm_chart("6.6.3"))).unwrap();
    assert_eq!(newer.sync, Some(SyncStatus::OutOfSync));
    assert_eq!(newer.target_revision.as_deref(), Some("6.6.3"));
    assert_eq!(newer.live_revision.as_deref(), Some("6.6.2"));
    assert_eq!(newer.source.unwrap().url, None);
    let same = from_helm_release(&value, Some(&helm_chart("6.6.2"))).unwrap();
    assert_eq!(same.sync, Some(SyncStatus::Synced));
}

#[test]
fn a_failing_upgrade_is_degraded_out_of_sync_and_retrying() {
    let status = released(
        "6.6.3",
        json!([
            condition(
                "Reconciling",
                "True",
                "ProgressingWithRetry",
                "Detecting drift for revision 6.6.3 with a timeout of 5m0s"
            ),
            condition("Ready", "False", "UpgradeFailed", UPGRADE_FAILED),
            condition("Released", "False", "UpgradeFailed", UPGRADE_FAILED)
        ]),
        json!([
            snapshot_json(4, "6.6.3", "failed", "2024-05-07T11:00:00Z"),
            snapshot_json(3, "6.6.2", "superseded", "2024-05-03T08:00:00Z")
        ]),
    );
    let app = from_helm_release(&helm_release(status.clone()), None).unwrap();
    assert_eq!(app.sync, Some(SyncStatus::OutOfSync));
    assert_eq!(
        app.health,
        Health::degraded(format!("UpgradeFailed: {UPGRADE_FAILED}"))
    );
    assert_eq!(app.live_revision.as_deref(), Some("6.6.3"));
    let operation = app.operation.as_ref().unwrap();
    assert_eq!(operation.phase, OperationPhase::Running);
    assert_eq!(
        operation.message,
        "ProgressingWithRetry: Detecting drift for revision 6.6.3 with a timeout of 5m0s"
    );
    let problems: Vec<&str> = app.problems().map(|c| c.type_name.as_str()).collect();
    assert_eq!(problems, ["Ready"]);

    let mut stalled = status;
    stalled["conditions"] = json!([
        condition("Ready", "False", "UpgradeFailed", UPGRADE_FAILED),
        condition(
            "Stalled",
            "True",
            "RetriesExceeded",
            "Failed to upgrade after 1 attempt(s)"
        )
    ]);
    let app = from_helm_release(&helm_release(stalled), None).unwrap();
    assert_eq!(
        app.health,
        Health::degraded("Stalled: RetriesExceeded: Failed to upgrade after 1 attempt(s)")
    );
    assert_eq!(app.operation, None);
}

#[test]
fn a_first_install_in_progress() {
    let installing = "Running 'install' action with timeout of 5m0s";
    let status = json!({
        "observedGeneration": 2,
        "helmChart": "flux-system/apps-podinfo",
        "conditions": [
            condition("Reconciling", "True", "Progressing", installing),
            condition("Ready", "Unknown", "Progressing", installing)
        ]
    });
    let value = helm_release(status);
    let app = from_helm_release(&value, None).unwrap();
    assert_eq!(app.sync, None);
    assert_eq!(
        app.health,
        Health::progressing(format!("Progressing: {installing}"))
    );
    assert_eq!(app.live_revision, None);
    assert_eq!(
        app.operation.map(|op| op.phase),
        Some(OperationPhase::Running)
    );
    let with_chart = from_helm_release(&value, Some(&helm_chart("6.6.2"))).unwrap();
    assert_eq!(with_chart.sync, Some(SyncStatus::OutOfSync));
}

#[test]
fn a_chart_ref_to_an_oci_repository() {
    let mut value = helm_release(deployed());
    value["spec"]["chart"] = Value::Null;
    value["spec"]["chartRef"] = json!({"kind": "OCIRepository", "name": "podinfo"});
    let spec = json!({"url": "oci://ghcr.io/stefanprodan/charts/podinfo",
        "ref": {"semver": ">=6.0.0"}, "layerSelector": {"mediaType": "application/vnd.cncf.helm.chart.content.v1.tar+gzip"}});
    let oci = source(
        "OCIRepository",
        "podinfo",
        "apps",
        spec,
        "6.6.2@sha256:4fe1c0",
    );
    let app = from_helm_release(&value, Some(&oci)).unwrap();
    assert_eq!(app.sync, Some(SyncStatus::Synced));
    assert_eq!(app.target_revision.as_deref(), Some("6.6.2@sha256:4fe1c0"));
    assert_eq!(
        app.source,
        Some(AppSource {
            object: Some(ResourceKey::new(
                SOURCE_GROUP,
                "OCIRepository",
                "apps",
                "podinfo"
            )),
            url: Some("oci://ghcr.io/stefanprodan/charts/podinfo".into()),
            path: None,
            chart: None,
            target_revision: Some(">=6.0.0".into()),
            pinned_by: None,
        })
    );
    assert_eq!(chart_version("6.6.2@sha256:4fe1c0"), "6.6.2");
}

#[test]
fn a_chart_from_git_is_a_path() {
    let mut value = helm_release(deployed());
    value["spec"]["chart"]["spec"] = json!({"chart": "./charts/podinfo",
        "sourceRef": {"kind": "GitRepository", "name": "fleet", "namespace": "flux-system"}});
    let source = from_helm_release(&value, None).unwrap().source.unwrap();
    assert_eq!(source.path.as_deref(), Some("./charts/podinfo"));
    assert_eq!(source.chart, None);
    assert_eq!(source.target_revision, None);
}

#[test]
fn missing_status_suspension_and_errors() {
    let fresh = from_helm_release(&helm_release(Value::Null), None).unwrap();
    assert_eq!(fresh.sync, None);
    assert_eq!(fresh.health, Health::unknown("not reconciled by Flux yet"));
    assert_eq!((fresh.target_revision, fresh.live_revision), (None, None));
    assert_eq!(fresh.operation, None);

    let mut suspended = helm_release(deployed());
    suspended["spec"]["suspend"] = json!(true);
    let app = from_helm_release(&suspended, None).unwrap();
    assert_eq!(app.health, Health::suspended("HelmRelease is suspended"));
    assert_eq!(app.automation.words(), "suspended");

    let spec = json!({"url": "https://charts.bitnami.com/bitnami"});
    let other = source("HelmRepository", "bitnami", "flux-system", spec, "sha256:1");
    assert_eq!(
        from_helm_release(&helm_release(deployed()), Some(&other))
            .unwrap_err()
            .to_string(),
        "HelmRelease apps/podinfo: the source given is HelmRepository flux-system/bitnami, \
         but the object refers to HelmRepository flux-system/podinfo or HelmChart \
         flux-system/apps-podinfo"
    );

    let mut unnamed = helm_release(Value::Null);
    unnamed["metadata"] = json!({"namespace": "apps"});
    assert_eq!(
        from_helm_release(&unnamed, None).unwrap_err(),
        MappingError::Missing {
            object: "HelmRelease (no name)".into(),
            path: "metadata.name".into()
        }
    );
}
