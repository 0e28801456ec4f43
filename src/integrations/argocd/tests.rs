use jiff::Timestamp;
use serde_json::{Value, json};

use super::*;
use crate::integrations::Engine;

const REV: &str = "53e28ff20cc530b9ada2173fbbd64d48338583ba";
const OLD: &str = "e2b4f4b5d4c1b8b5bfa7bd8d7cd7d0c44f8a3b11";

fn application(status: Value) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "guestbook", "namespace": "argocd", "generation": 7},
        "spec": {
            "project": "default",
            "source": {
                "repoURL": "https://github.com/argoproj/argocd-example-apps.git",
                "path": "guestbook",
                "targetRevision": "HEAD"
            },
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "guestbook"},
            "syncPolicy": {
                "automated": {"prune": true, "selfHeal": true},
                "syncOptions": ["CreateNamespace=true"]
            }
        },
        "status": status
    })
}

fn at(text: &str) -> Option<Timestamp> {
    Some(text.parse().unwrap())
}

fn map(status: Value) -> ExternalApp {
    from_application(&application(status)).unwrap()
}

#[test]
fn every_sync_and_health_combination() {
    let syncs = [
        ("Synced", Some(SyncStatus::Synced)),
        ("OutOfSync", Some(SyncStatus::OutOfSync)),
        ("Unknown", None),
    ];
    let healths = [
        ("Healthy", HealthStatus::Healthy),
        ("Progressing", HealthStatus::Progressing),
        ("Degraded", HealthStatus::Degraded),
        ("Suspended", HealthStatus::Suspended),
        ("Missing", HealthStatus::Missing),
        ("Unknown", HealthStatus::Unknown),
    ];
    for (sync_code, sync) in syncs {
        for (health_code, health) in healths {
            let app = map(json!({
                "sync": {"status": sync_code, "revision": REV},
                "health": {"status": health_code, "message": "from Argo CD"}
            }));
            assert_eq!(app.sync, sync, "{sync_code}/{health_code}");
            assert_eq!(app.health, Health::new(health, "from Argo CD"));
            assert_eq!(app.target_revision.as_deref(), Some(REV));
        }
    }
    let strange = map(json!({"sync": {"status": "Pending"}, "health": {"status": "Warning"}}));
    assert_eq!(strange.sync, None);
    assert_eq!(
        strange.health,
        Health::unknown("Argo CD reports health \"Warning\"")
    );
}

#[test]
fn a_synced_healthy_app_reads_in_full() {
    let app = map(json!({
        "sync": {
            "status": "Synced",
            "revision": REV,
            "comparedTo": {"source": {"repoURL": "https://github.com/argoproj/argocd-example-apps.git",
                "path": "guestbook", "targetRevision": "HEAD"},
                "destination": {"server": "https://kubernetes.default.svc", "namespace": "guestbook"}}
        },
        "health": {"status": "Healthy"},
        "reconciledAt": "2024-05-07T10:12:00Z",
        "operationState": {
            "operation": {"sync": {"revision": REV, "prune": true}, "initiatedBy": {"automated": true},
                "retry": {"limit": 5}},
            "phase": "Succeeded",
            "message": "successfully synced (all tasks run)",
            "startedAt": "2024-05-07T10:10:00Z",
            "finishedAt": "2024-05-07T10:10:05Z",
            "syncResult": {"revision": REV, "resources": []}
        },
        "resources": [
            {"version": "v1", "kind": "Service", "namespace": "guestbook", "name": "guestbook-ui",
                "status": "Synced", "health": {"status": "Healthy"}},
            {"group": "apps", "version": "v1", "kind": "Deployment", "namespace": "guestbook",
                "name": "guestbook-ui", "status": "Synced", "health": {"status": "Healthy"}},
            {"version": "v1", "kind": "ConfigMap", "namespace": "guestbook", "name": "guestbook-config",
                "status": "Synced"}
        ],
        "history": [
            {"id": 0, "revision": OLD, "deployStartedAt": "2024-05-06T09:00:00Z",
                "deployedAt": "2024-05-06T09:00:05Z", "initiatedBy": {"username": "admin"}},
            {"id": 1, "revision": REV, "deployStartedAt": "2024-05-07T10:10:00Z",
                "deployedAt": "2024-05-07T10:10:05Z", "initiatedBy": {"automated": true}}
        ],
        "sourceType": "Directory",
        "summary": {"images": ["gcr.io/heptio-images/ks-guestbook-demo:0.2"]}
    }));
    let resource = |group: &str, kind: &str, name: &str, health: Option<Health>| ManagedResource {
        key: ResourceKey::new(group, kind, "guestbook", name),
        version: "v1".into(),
        sync: Some(SyncStatus::Synced),
        health,
        hook: false,
    };
    let expected = ExternalApp {
        kind: AppKind::Application,
        namespace: "argocd".into(),
        name: "guestbook".into(),
        sync: Some(SyncStatus::Synced),
        health: Health::healthy(""),
        target_revision: Some(REV.into()),
        live_revision: Some(REV.into()),
        source: Some(AppSource {
            object: None,
            url: Some("https://github.com/argoproj/argocd-example-apps.git".into()),
            path: Some("guestbook".into()),
            chart: None,
            target_revision: Some("HEAD".into()),
            pinned_by: None,
        }),
        automation: Automation::ArgoCd(SyncPolicy {
            automated: true,
            prune: true,
            self_heal: true,
        }),
        operation: Some(Operation {
            phase: OperationPhase::Succeeded,
            message: "successfully synced (all tasks run)".into(),
            started_at: at("2024-05-07T10:10:00Z"),
            finished_at: at("2024-05-07T10:10:05Z"),
            revision: Some(REV.into()),
            initiated_by: Some("automated".into()),
        }),
        conditions: vec![],
        resources: vec![
            resource("", "Service", "guestbook-ui", Some(Health::healthy(""))),
            resource(
                "apps",
                "Deployment",
                "guestbook-ui",
                Some(Health::healthy("")),
            ),
            resource("", "ConfigMap", "guestbook-config", None),
        ],
        history: vec![
            Deployed {
                revision: REV.into(),
                id: Some(1),
                deployed_at: at("2024-05-07T10:10:05Z"),
                initiated_by: Some("automated".into()),
                ..Deployed::default()
            },
            Deployed {
                revision: OLD.into(),
                id: Some(0),
                deployed_at: at("2024-05-06T09:00:05Z"),
                initiated_by: Some("admin".into()),
                ..Deployed::default()
            },
        ],
    };
    assert_eq!(app, expected);
    assert_eq!(app.engine(), Engine::ArgoCd);
    assert_eq!(
        app.key(),
        ResourceKey::new("argoproj.io", "Application", "argocd", "guestbook")
    );
    assert_eq!(app.automation.words(), "auto-sync, self-heal, prune");
}

#[test]
fn resource_verdicts_name_missing_extra_hooks_and_unknowns() {
    let app = map(json!({
        "sync": {"status": "OutOfSync", "revision": REV},
        "health": {"status": "Missing"},
        "resources": [
            {"group": "apps", "version": "v1", "kind": "Deployment", "namespace": "guestbook",
                "name": "guestbook-ui", "status": "OutOfSync",
                "health": {"status": "Progressing",
                    "message": "Waiting for rollout to finish: 1 old replicas are pending termination..."}},
            {"group": "networking.k8s.io", "version": "v1", "kind": "Ingress", "namespace": "guestbook",
                "name": "guestbook", "status": "OutOfSync", "health": {"status": "Missing"}},
            {"version": "v1", "kind": "ConfigMap", "namespace": "guestbook", "name": "old-config",
                "status": "OutOfSync", "requiresPruning": true},
            {"group": "batch", "version": "v1", "kind": "Job", "namespace": "guestbook",
                "name": "db-migrate", "hook": true, "health": {"status": "Healthy"}},
            {"version": "v1", "kind": "Namespace", "name": "guestbook", "status": "Unknown"}
        ]
    }));
    let verdicts: Vec<_> = app
        .resources
        .iter()
        .map(|r| (r.key.to_string(), r.sync, r.health.clone(), r.hook))
        .collect();
    assert_eq!(
        verdicts,
        vec![
            (
                "apps/Deployment/guestbook/guestbook-ui".to_owned(),
                Some(SyncStatus::OutOfSync),
                Some(Health::progressing(
                    "Waiting for rollout to finish: 1 old replicas are pending termination..."
                )),
                false
            ),
            (
                "networking.k8s.io/Ingress/guestbook/guestbook".to_owned(),
                Some(SyncStatus::Missing),
                Some(Health::new(HealthStatus::Missing, "")),
                false
            ),
            (
                "core/ConfigMap/guestbook/old-config".to_owned(),
                Some(SyncStatus::Extra),
                None,
                false
            ),
            (
                "batch/Job/guestbook/db-migrate".to_owned(),
                None,
                Some(Health::healthy("")),
                true
            ),
            ("core/Namespace/-/guestbook".to_owned(), None, None, false),
        ]
    );
}

#[test]
fn a_fresh_app_without_status_is_unknown_not_an_error() {
    for status in [Value::Null, json!({})] {
        let app = map(status);
        assert_eq!(app.sync, None);
        assert_eq!(app.health, Health::unknown("not assessed by Argo CD yet"));
        assert_eq!((app.target_revision, app.live_revision), (None, None));
        assert_eq!(app.operation, None);
        assert!(app.conditions.is_empty() && app.resources.is_empty() && app.history.is_empty());
        assert_eq!(app.source.unwrap().path.as_deref(), Some("guestbook"));
    }
}

#[test]
fn missing_name_or_wrong_shape_is_an_error_naming_object_and_field() {
    let mut value = application(Value::Null);
    value["metadata"] = json!({"namespace": "argocd"});
    let err = from_application(&value).unwrap_err();
    assert_eq!(
        err,
        MappingError::Missing {
            object: "Application (no name)".into(),
            path: "metadata.name".into()
        }
    );
    let err =
        from_application(&application(json!({"resources": {"kind": "Service"}}))).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Application argocd/guestbook: status.resources is not a list"
    );
    let err =
        from_application(&application(json!({"resources": [{"kind": "Service"}]}))).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Application argocd/guestbook: status.resources[0].name is missing"
    );
}

#[test]
fn a_running_operation_is_active_with_its_message_and_initiator() {
    let app = map(json!({
        "sync": {"status": "OutOfSync", "revision": REV},
        "health": {"status": "Progressing"},
        "operationState": {
            "operation": {"sync": {"revision": REV}, "initiatedBy": {"username": "alice"}},
            "phase": "Running",
            "message": "waiting for healthy state of apps/Deployment/guestbook-ui",
            "startedAt": "2024-05-07T10:10:00Z"
        }
    }));
    let operation = app.operation.unwrap();
    assert_eq!(
        operation,
        Operation {
            phase: OperationPhase::Running,
            message: "waiting for healthy state of apps/Deployment/guestbook-ui".into(),
            started_at: at("2024-05-07T10:10:00Z"),
            finished_at: None,
            revision: Some(REV.into()),
            initiated_by: Some("alice".into()),
        }
    );
    assert!(operation.phase.is_active());
    let terminating = map(json!({"operationState": {"phase": "Terminating"}}));
    assert_eq!(
        terminating.operation.map(|op| op.phase),
        Some(OperationPhase::Terminating)
    );
}

#[test]
fn an_operation_not_picked_up_yet_is_requested() {
    let requested = json!({"sync": {"revision": REV, "prune": true},
        "initiatedBy": {"username": "driftdeck"}, "info": [{"name": "Reason", "value": "hotfix"}]});
    let mut value = application(json!({"operationState": {"phase": "Succeeded",
        "syncResult": {"revision": OLD}, "finishedAt": "2024-05-06T09:00:05Z"}}));
    value["operation"] = requested.clone();
    let expected = Some(Operation {
        phase: OperationPhase::Requested,
        message: String::new(),
        started_at: None,
        finished_at: None,
        revision: Some(REV.into()),
        initiated_by: Some("driftdeck".into()),
    });
    assert_eq!(from_application(&value).unwrap().operation, expected);
    let mut fresh = application(Value::Null);
    fresh["operation"] = requested;
    assert_eq!(from_application(&fresh).unwrap().operation, expected);
}

#[test]
fn a_failed_sync_is_kept_and_live_revision_falls_back_to_it_only_on_success() {
    let failed = map(json!({
        "sync": {"status": "OutOfSync", "revision": REV},
        "operationState": {"phase": "Failed", "syncResult": {"revision": REV},
            "message": "one or more objects failed to apply, reason: Deployment.apps \"guestbook-ui\" is invalid"},
        "history": [{"id": 3, "revision": OLD, "deployedAt": "2024-05-06T09:00:05Z"}]
    }));
    let operation = failed.operation.unwrap();
    assert_eq!(operation.phase, OperationPhase::Failed);
    assert!(!operation.phase.is_active());
    assert_eq!(failed.live_revision.as_deref(), Some(OLD));

    let no_history =
        map(json!({"operationState": {"phase": "Succeeded", "syncResult": {"revision": REV}}}));
    assert_eq!(no_history.live_revision.as_deref(), Some(REV));
    let errored =
        map(json!({"operationState": {"phase": "Error", "syncResult": {"revision": REV}}}));
    assert_eq!(errored.live_revision, None);
}

#[test]
fn automation_reads_automated_enabled_prune_and_self_heal() {
    let policy = |sync_policy: Value| {
        let mut value = application(Value::Null);
        value["spec"]["syncPolicy"] = sync_policy;
        from_application(&value).unwrap().automation
    };
    let argo = |automated, prune, self_heal| {
        Automation::ArgoCd(SyncPolicy {
            automated,
            prune,
            self_heal,
        })
    };
    assert_eq!(policy(json!({"automated": {}})), argo(true, false, false));
    assert_eq!(
        policy(json!({"automated": {"enabled": false, "prune": true}})),
        argo(false, true, false)
    );
    assert_eq!(
        policy(json!({"syncOptions": ["ServerSideApply=true"]})),
        argo(false, false, false)
    );
    assert_eq!(policy(Value::Null), argo(false, false, false));
    assert_eq!(policy(Value::Null).words(), "manual");
}

#[test]
fn multi_source_apps_read_their_first_source_and_revision() {
    let mut value = application(json!({
        "sync": {"status": "Synced", "revisions": ["19.0.1", REV]},
        "history": [{"id": 4, "revisions": ["19.0.1", REV], "deployedAt": "2024-05-07T10:10:05Z",
            "sources": [{"chart": "redis"}]}]
    }));
    value["spec"]["source"] = Value::Null;
    value["spec"]["sources"] = json!([
        {"repoURL": "https://charts.bitnami.com/bitnami", "chart": "redis", "targetRevision": "19.0.1"},
        {"repoURL": "https://github.com/example/values.git", "targetRevision": "main", "ref": "values"}
    ]);
    let app = from_application(&value).unwrap();
    assert_eq!(
        app.source,
        Some(AppSource {
            object: None,
            url: Some("https://charts.bitnami.com/bitnami".into()),
            path: None,
            chart: Some("redis".into()),
            target_revision: Some("19.0.1".into()),
            pinned_by: None,
        })
    );
    assert_eq!(app.target_revision.as_deref(), Some("19.0.1"));
    assert_eq!(app.live_revision.as_deref(), Some("19.0.1"));
    assert_eq!(app.history[0].id, Some(4));
}

#[test]
fn conditions_hold_and_errors_are_problems() {
    let app = map(json!({"conditions": [
        {"type": "ComparisonError", "message": "Failed to load target state: authentication required",
            "lastTransitionTime": "2024-05-07T10:11:00Z"},
        {"type": "OrphanedResourceWarning", "message": "Application has 1 orphaned resources"}
    ]}));
    assert_eq!(
        app.conditions[0],
        Condition {
            type_name: "ComparisonError".into(),
            status: ConditionStatus::True,
            reason: String::new(),
            message: "Failed to load target state: authentication required".into(),
            last_transition: at("2024-05-07T10:11:00Z"),
        }
    );
    let problems: Vec<&str> = app.problems().map(|c| c.type_name.as_str()).collect();
    assert_eq!(problems, ["ComparisonError"]);
}

#[test]
fn repository_passwords_never_leave_the_mapping() {
    let mut value = application(Value::Null);
    value["spec"]["source"]["repoURL"] =
        json!("https://ci:glpat-secret@gitlab.example.com/apps.git");
    let app = from_application(&value).unwrap();
    assert_eq!(
        app.source.unwrap().url.as_deref(),
        Some("https://ci@gitlab.example.com/apps.git")
    );
}
