use jiff::Timestamp;
use serde_json::{Value, json};

use super::*;
use crate::integrations::Engine;
use crate::model::HealthStatus;

mod status;

const NEW: &str = "main@sha1:4f2a9c1e7b3d5a6c8e0f1b2d3c4e5f6a7b8c9d0e";
const OLD: &str = "main@sha1:1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b";

fn kustomization(status: Value) -> Value {
    json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "apps", "namespace": "flux-system", "generation": 3,
            "finalizers": ["finalizers.fluxcd.io"]},
        "spec": {
            "interval": "10m",
            "path": "./apps/production",
            "prune": true,
            "wait": true,
            "timeout": "5m",
            "sourceRef": {"kind": "GitRepository", "name": "fleet"}
        },
        "status": status
    })
}

fn git_repository(revision: &str) -> Value {
    json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": {"name": "fleet", "namespace": "flux-system", "generation": 1},
        "spec": {"interval": "1m", "url": "https://git.example.com/platform/fleet.git",
            "ref": {"branch": "main"}, "secretRef": {"name": "fleet-auth"}},
        "status": {
            "observedGeneration": 1,
            "artifact": {"revision": revision, "digest": "sha256:9f86d081884c7d659a2feaa0c55ad015",
                "path": "gitrepository/flux-system/fleet/4f2a9c1e.tar.gz",
                "url": "http://source-controller.flux-system.svc.cluster.local./gitrepository/flux-system/fleet/4f2a9c1e.tar.gz",
                "lastUpdateTime": "2024-05-07T10:09:00Z"},
            "conditions": [{"type": "Ready", "status": "True", "reason": "Succeeded",
                "message": format!("stored artifact for revision '{revision}'"),
                "lastTransitionTime": "2024-05-07T10:09:00Z", "observedGeneration": 1}]
        }
    })
}

fn condition(type_name: &str, status: &str, reason: &str, message: &str) -> Value {
    json!({"type": type_name, "status": status, "reason": reason, "message": message,
        "lastTransitionTime": "2024-05-07T10:10:00Z", "observedGeneration": 3})
}

fn at(text: &str) -> Option<Timestamp> {
    Some(text.parse().unwrap())
}

#[test]
fn a_synced_healthy_kustomization_reads_in_full() {
    let mut value = kustomization(json!({
        "observedGeneration": 3,
        "lastAppliedRevision": NEW,
        "lastAttemptedRevision": NEW,
        "lastHandledReconcileAt": "2024-05-07T10:00:00Z",
        "conditions": [
            condition("Ready", "True", "ReconciliationSucceeded", &format!("Applied revision: {NEW}")),
            condition("Healthy", "True", "Succeeded", "Health check passed in 2.503s")
        ],
        "inventory": {"entries": [
            {"id": "apps_podinfo_apps_Deployment", "v": "v1"},
            {"id": "apps_podinfo__Service", "v": "v1"},
            {"id": "_apps__Namespace", "v": "v1"}
        ]},
        "history": [
            {"digest": "sha256:2f1e7a", "firstReconciled": "2024-05-07T10:10:00Z",
                "lastReconciled": "2024-05-07T10:20:00Z", "lastReconciledDuration": "2.503s",
                "lastReconciledStatus": "ReconciliationSucceeded", "totalReconciliations": 2,
                "metadata": {"revision": NEW}},
            {"digest": "sha256:77ab01", "firstReconciled": "2024-05-06T09:00:00Z",
                "lastReconciled": "2024-05-07T10:00:00Z", "lastReconciledDuration": "1.2s",
                "lastReconciledStatus": "ReconciliationSucceeded", "totalReconciliations": 7,
                "metadata": {"revision": OLD}}
        ]
    }));
    value["metadata"]["annotations"] =
        json!({"reconcile.fluxcd.io/requestedAt": "2024-05-07T10:00:00Z"});
    let app = from_kustomization(&value, Some(&git_repository(NEW))).unwrap();
    let resource = |group: &str, kind: &str, namespace: &str, name: &str| ManagedResource {
        key: ResourceKey::new(group, kind, namespace, name),
        version: "v1".into(),
        sync: None,
        health: None,
        hook: false,
    };
    let flux_condition = |type_name: &str, reason: &str, message: String| Condition {
        type_name: type_name.into(),
        status: ConditionStatus::True,
        reason: reason.into(),
        message,
        last_transition: at("2024-05-07T10:10:00Z"),
    };
    let expected = ExternalApp {
        kind: AppKind::Kustomization,
        namespace: "flux-system".into(),
        name: "apps".into(),
        sync: Some(SyncStatus::Synced),
        health: Health::healthy(format!("Applied revision: {NEW}")),
        target_revision: Some(NEW.into()),
        live_revision: Some(NEW.into()),
        source: Some(AppSource {
            object: Some(ResourceKey::new(
                SOURCE_GROUP,
                "GitRepository",
                "flux-system",
                "fleet",
            )),
            url: Some("https://git.example.com/platform/fleet.git".into()),
            path: Some("./apps/production".into()),
            chart: None,
            target_revision: Some("main".into()),
            pinned_by: None,
        }),
        automation: Automation::Flux {
            suspended: false,
            interval: Some("10m".into()),
        },
        operation: None,
        conditions: vec![
            flux_condition(
                "Ready",
                "ReconciliationSucceeded",
                format!("Applied revision: {NEW}"),
            ),
            flux_condition(
                "Healthy",
                "Succeeded",
                "Health check passed in 2.503s".into(),
            ),
        ],
        resources: vec![
            resource("apps", "Deployment", "apps", "podinfo"),
            resource("", "Service", "apps", "podinfo"),
            resource("", "Namespace", "", "apps"),
        ],
        history: vec![
            Deployed {
                revision: NEW.into(),
                deployed_at: at("2024-05-07T10:10:00Z"),
                status: Some("ReconciliationSucceeded".into()),
                digest: Some("sha256:2f1e7a".into()),
                ..Deployed::default()
            },
            Deployed {
                revision: OLD.into(),
                deployed_at: at("2024-05-06T09:00:00Z"),
                status: Some("ReconciliationSucceeded".into()),
                digest: Some("sha256:77ab01".into()),
                ..Deployed::default()
            },
        ],
    };
    assert_eq!(app, expected);
    assert_eq!(app.engine(), Engine::Flux);
    assert_eq!(app.automation.words(), "every 10m");
    assert_eq!(app.problems().count(), 0);
}

#[test]
fn a_fresh_kustomization_without_status_is_unknown_not_an_error() {
    for status in [Value::Null, json!({})] {
        let app = from_kustomization(&kustomization(status), Some(&git_repository(NEW))).unwrap();
        assert_eq!(app.sync, None);
        assert_eq!(app.health, Health::unknown("not reconciled by Flux yet"));
        assert_eq!(app.health.status, HealthStatus::Unknown);
        assert_eq!(app.live_revision, None);
        assert_eq!(app.target_revision.as_deref(), Some(NEW));
        assert_eq!(app.operation, None);
        assert!(app.resources.is_empty() && app.history.is_empty());
    }
}

#[test]
fn missing_name_and_malformed_inventory_are_errors() {
    let mut value = kustomization(Value::Null);
    value["metadata"]["name"] = Value::Null;
    assert_eq!(
        from_kustomization(&value, None).unwrap_err().to_string(),
        "Kustomization (no name): metadata.name is missing"
    );
    let value = kustomization(json!({"inventory": {"entries": [
        {"id": "apps_podinfo_apps_Deployment", "v": "v1"}, {"id": "podinfo", "v": "v1"}]}}));
    assert_eq!(
        from_kustomization(&value, None).unwrap_err().to_string(),
        "Kustomization flux-system/apps: status.inventory.entries[1].id is not \
         an id <namespace>_<name>_<group>_<kind>"
    );
}

#[test]
fn inventory_ids_parse_like_cli_utils() {
    let key = |id| inventory_key(id).map(|key| key.to_string());
    assert_eq!(
        key("apps_podinfo_apps_Deployment").as_deref(),
        Some("apps/Deployment/apps/podinfo")
    );
    assert_eq!(
        key("apps_podinfo__Service").as_deref(),
        Some("core/Service/apps/podinfo")
    );
    assert_eq!(
        key("_podinfo_rbac.authorization.k8s.io_ClusterRole").as_deref(),
        Some("rbac.authorization.k8s.io/ClusterRole/-/podinfo")
    );
    assert_eq!(
        key("_apps__Namespace").as_deref(),
        Some("core/Namespace/-/apps")
    );
    assert_eq!(
        inventory_key("_system__controller__podinfo_rbac.authorization.k8s.io_ClusterRole"),
        Some(ResourceKey::new(
            "rbac.authorization.k8s.io",
            "ClusterRole",
            "",
            "system:controller:podinfo"
        ))
    );
    for malformed in [
        "podinfo",
        "apps_podinfo",
        "apps__Service",
        "apps_podinfo_apps_",
        "",
    ] {
        assert_eq!(inventory_key(malformed), None, "{malformed}");
    }
}

#[test]
fn revisions_compare_by_digest() {
    assert!(same_revision(NEW, NEW));
    assert!(same_revision(
        NEW,
        "refs/heads/main@sha1:4f2a9c1e7b3d5a6c8e0f1b2d3c4e5f6a7b8c9d0e"
    ));
    assert!(same_revision(
        "main/4f2a9c1e7b3d5a6c8e0f1b2d3c4e5f6a7b8c9d0e",
        NEW
    ));
    assert!(same_revision("sha256:abc", "latest@sha256:abc"));
    assert!(!same_revision(NEW, OLD));
    assert!(!same_revision("main/short", "sha1:short"));
}

#[test]
fn the_source_given_must_be_the_one_referred_to() {
    let value = kustomization(Value::Null);
    let mut other = git_repository(NEW);
    other["metadata"]["name"] = json!("other");
    assert_eq!(
        from_kustomization(&value, Some(&other))
            .unwrap_err()
            .to_string(),
        "Kustomization flux-system/apps: the source given is GitRepository flux-system/other, \
         but the object refers to GitRepository flux-system/fleet"
    );
    let config_map = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "fleet", "namespace": "flux-system"}});
    assert!(matches!(
        from_kustomization(&value, Some(&config_map)),
        Err(MappingError::SourceMismatch { .. })
    ));
    let mut list_item = git_repository(NEW);
    list_item.as_object_mut().unwrap().remove("kind");
    list_item.as_object_mut().unwrap().remove("apiVersion");
    assert!(from_kustomization(&value, Some(&list_item)).is_ok());
}

#[test]
fn source_refs_follow_flux_precedence_and_urls_lose_passwords() {
    let value = kustomization(Value::Null);
    let mut git = git_repository(NEW);
    git["spec"]["ref"] = json!({"branch": "main", "tag": "v1.2.0"});
    git["spec"]["url"] = json!("https://flux:ghp_token@github.com/org/fleet.git");
    let source = from_kustomization(&value, Some(&git))
        .unwrap()
        .source
        .unwrap();
    assert_eq!(source.target_revision.as_deref(), Some("v1.2.0"));
    assert_eq!(
        source.url.as_deref(),
        Some("https://flux@github.com/org/fleet.git")
    );
    git["spec"]["ref"] =
        json!({"branch": "main", "commit": "4f2a9c1e7b3d5a6c8e0f1b2d3c4e5f6a7b8c9d0e"});
    let source = from_kustomization(&value, Some(&git))
        .unwrap()
        .source
        .unwrap();
    assert_eq!(
        source.target_revision.as_deref(),
        Some("4f2a9c1e7b3d5a6c8e0f1b2d3c4e5f6a7b8c9d0e")
    );

    let mut oci_app = kustomization(json!({"observedGeneration": 3,
        "lastAppliedRevision": "latest@sha256:3b2c1d",
        "conditions": [condition("Ready", "True", "ReconciliationSucceeded", "Applied")]}));
    oci_app["spec"]["sourceRef"] =
        json!({"kind": "OCIRepository", "name": "manifests", "namespace": "flux-system"});
    let oci = json!({"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "OCIRepository",
        "metadata": {"name": "manifests", "namespace": "flux-system"},
        "spec": {"url": "oci://ghcr.io/org/manifests", "ref": {"tag": "latest"}},
        "status": {"artifact": {"revision": "latest@sha256:3b2c1d"}}});
    let app = from_kustomization(&oci_app, Some(&oci)).unwrap();
    assert_eq!(app.sync, Some(SyncStatus::Synced));
    let source = app.source.unwrap();
    assert_eq!(source.url.as_deref(), Some("oci://ghcr.io/org/manifests"));
    assert_eq!(source.target_revision.as_deref(), Some("latest"));
    assert_eq!(
        source.object,
        Some(ResourceKey::new(
            SOURCE_GROUP,
            "OCIRepository",
            "flux-system",
            "manifests"
        ))
    );
}
