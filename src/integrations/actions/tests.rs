use jiff::Timestamp;
use serde_json::{Value, json};

use super::*;
use crate::integrations::{argocd, flux};

const USER: &str = "kubernetes-admin";
const REASON: &str = "INC-42: bad config";
/// `request().at` as Flux's annotation carries it.
const TOKEN: &str = "2024-05-07T12:00:00Z";
const REV: &str = "53e28ff20cc530b9ada2173fbbd64d48338583ba";
const OLD: &str = "e2b4f4b5d4c1b8b5bfa7bd8d7cd7d0c44f8a3b11";
const ARTIFACT: &str = "main@sha1:4f2a9c1e7b3d5a6c8e0f1b2d3c4e5f6a7b8c9d0e";
const GOOD: &str = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b";

fn request() -> Request {
    Request {
        user: USER.into(),
        reason: Some(REASON.into()),
        at: TOKEN.parse().unwrap(),
    }
}

fn at() -> Timestamp {
    TOKEN.parse().unwrap()
}

/// Applies the plan's patches of `target` to `object`, as the API server would
/// (RFC 7386 merge patches).
fn apply(object: &mut Value, plan: &Plan, target: &ResourceKey) {
    for step in &plan.steps {
        if let Step::Patch {
            target: t, body, ..
        } = step
            && t == target
        {
            json_patch::merge(object, body);
        }
    }
}

fn patch(target: &ResourceKey, body: Value, what: &str) -> Step {
    Step::Patch {
        target: target.clone(),
        body,
        what: what.into(),
    }
}

fn await_reconcile(target: &ResourceKey) -> Step {
    Step::AwaitReconcile {
        target: target.clone(),
        token: TOKEN.into(),
    }
}

// Argo CD

fn application(sync_policy: Value, status: Value) -> Value {
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
            "syncPolicy": sync_policy
        },
        "status": status
    })
}

fn auto_sync(prune: bool, self_heal: bool) -> Value {
    json!({"automated": {"prune": prune, "selfHeal": self_heal},
        "syncOptions": ["CreateNamespace=true"]})
}

fn manual() -> Value {
    json!({"syncOptions": ["CreateNamespace=true"]})
}

fn synced() -> Value {
    json!({
        "sync": {"status": "Synced", "revision": REV},
        "health": {"status": "Healthy"},
        "operationState": {
            "operation": {"sync": {"revision": REV}, "initiatedBy": {"automated": true}},
            "phase": "Succeeded",
            "message": "successfully synced (all tasks run)",
            "startedAt": "2024-05-07T10:10:00Z",
            "finishedAt": "2024-05-07T10:10:05Z",
            "syncResult": {"revision": REV}
        },
        "history": [{"id": 0, "revision": OLD, "deployedAt": "2024-05-06T09:00:05Z"},
            {"id": 1, "revision": REV, "deployedAt": "2024-05-07T10:10:05Z"}]
    })
}

fn running() -> Value {
    json!({
        "sync": {"status": "OutOfSync", "revision": REV},
        "health": {"status": "Progressing"},
        "operationState": {
            "operation": {"sync": {"revision": REV}, "initiatedBy": {"username": "bob"}},
            "phase": "Running",
            "message": "one or more tasks are running",
            "startedAt": "2024-05-07T11:59:00Z"
        }
    })
}

fn argo_key() -> ResourceKey {
    ResourceKey::new("argoproj.io", "Application", "argocd", "guestbook")
}

fn argo_plan(value: &Value, ask: &Ask, request: &Request) -> Result<Plan, String> {
    let app = argocd::from_application(value).unwrap();
    let objects = Objects {
        app: value,
        source: None,
        pinner_gone: false,
    };
    plan(&app, &objects, ask, request)
}

fn sync_operation(info: Value, sync: Value) -> Value {
    json!({"operation": {
        "initiatedBy": {"username": USER, "automated": false},
        "info": info,
        "sync": sync
    }})
}

fn info_with_reason() -> Value {
    json!([
        {"name": "Reason", "value": REASON},
        {"name": "Via", "value": "driftdeck"},
        {"name": "Request", "value": TOKEN}
    ])
}

fn rollback_operation() -> Step {
    patch(
        &argo_key(),
        sync_operation(
            info_with_reason(),
            json!({"revision": OLD, "prune": false, "syncStrategy": {"hook": {}}}),
        ),
        "set operation: sync to revision e2b4f4b",
    )
}

// Flux

fn kustomization(suspend: bool, source_kind: &str, source_name: &str) -> Value {
    json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "apps", "namespace": "flux-system", "generation": 3},
        "spec": {
            "interval": "10m",
            "path": "./apps/production",
            "prune": true,
            "suspend": suspend,
            "sourceRef": {"kind": source_kind, "name": source_name}
        },
        "status": {
            "observedGeneration": 3,
            "lastAppliedRevision": ARTIFACT,
            "lastAttemptedRevision": ARTIFACT,
            "lastHandledReconcileAt": "2024-05-07T10:00:00Z",
            "conditions": [{"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded",
                "message": format!("Applied revision: {ARTIFACT}"),
                "lastTransitionTime": "2024-05-07T10:10:00Z", "observedGeneration": 3}]
        }
    })
}

fn git_repository(reference: Value) -> Value {
    json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": {"name": "fleet", "namespace": "flux-system", "generation": 1},
        "spec": {"interval": "1m", "url": "https://git.example.com/platform/fleet.git",
            "ref": reference},
        "status": {
            "observedGeneration": 1,
            "artifact": {"revision": ARTIFACT, "digest": "sha256:9f86d081884c7d659a2feaa0c55ad015"},
            "conditions": [{"type": "Ready", "status": "True", "reason": "Succeeded",
                "message": format!("stored artifact for revision '{ARTIFACT}'"),
                "lastTransitionTime": "2024-05-07T10:09:00Z"}]
        }
    })
}

fn ks_key() -> ResourceKey {
    ResourceKey::new(
        "kustomize.toolkit.fluxcd.io",
        "Kustomization",
        "flux-system",
        "apps",
    )
}

fn git_key() -> ResourceKey {
    ResourceKey::new(
        "source.toolkit.fluxcd.io",
        "GitRepository",
        "flux-system",
        "fleet",
    )
}

fn ks_plan(app: &Value, source: &Value, ask: &Ask) -> Result<Plan, String> {
    ks_plan_with(app, source, ask, false)
}

/// `pinner_gone`: the app whose rollback pinned the source no longer exists.
fn ks_plan_with(app: &Value, source: &Value, ask: &Ask, pinner_gone: bool) -> Result<Plan, String> {
    let mapped = flux::from_kustomization(app, Some(source)).unwrap();
    let objects = Objects {
        app,
        source: Some(source),
        pinner_gone,
    };
    plan(&mapped, &objects, ask, &request())
}

fn request_reconcile(target: &ResourceKey) -> Step {
    patch(
        target,
        json!({"metadata": {"annotations": {REQUESTED_AT: TOKEN}}}),
        &format!("annotate reconcile.fluxcd.io/requestedAt={TOKEN}"),
    )
}

fn flux_plan(title: &str, steps: Vec<Step>, warnings: &[&str], ledger: Operation) -> Plan {
    Plan {
        title: title.into(),
        steps,
        warnings: warnings.iter().map(|w| (*w).to_owned()).collect(),
        ledger,
        revision: ARTIFACT.into(),
        restored: None,
    }
}

fn helm_release() -> Value {
    json!({
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": "podinfo", "namespace": "apps", "generation": 2},
        "spec": {
            "interval": "5m",
            "chart": {"spec": {"chart": "podinfo", "version": "6.6.x",
                "sourceRef": {"kind": "HelmRepository", "name": "podinfo", "namespace": "flux-system"}}}
        },
        "status": {
            "observedGeneration": 2,
            "lastAttemptedRevision": "6.6.2",
            "conditions": [{"type": "Ready", "status": "True", "reason": "UpgradeSucceeded",
                "message": "Helm upgrade succeeded", "lastTransitionTime": "2024-05-07T11:00:00Z"}],
            "history": [
                {"name": "podinfo", "namespace": "apps", "version": 3, "status": "deployed",
                    "chartName": "podinfo", "chartVersion": "6.6.2"},
                {"name": "podinfo", "namespace": "apps", "version": 2, "status": "superseded",
                    "chartName": "podinfo", "chartVersion": "6.6.1"}
            ]
        }
    })
}

fn helm_repository() -> Value {
    json!({"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmRepository",
        "metadata": {"name": "podinfo", "namespace": "flux-system"},
        "spec": {"url": "https://stefanprodan.github.io/podinfo", "interval": "1h"},
        "status": {"artifact": {"revision": "sha256:8f6f0b2a"}}})
}

fn hr_key() -> ResourceKey {
    ResourceKey::new("helm.toolkit.fluxcd.io", "HelmRelease", "apps", "podinfo")
}

fn hr_plan(app: &Value, ask: &Ask) -> Result<Plan, String> {
    let source = helm_repository();
    let mapped = flux::from_helm_release(app, Some(&source)).unwrap();
    let objects = Objects {
        app,
        source: Some(&source),
        pinner_gone: false,
    };
    plan(&mapped, &objects, ask, &request())
}

#[test]
fn asks_of_the_other_engine_are_refused() {
    let argo = application(auto_sync(true, true), synced());
    let git = git_repository(json!({"branch": "main"}));
    let ks = kustomization(false, "GitRepository", "fleet");
    let reconcile = Ask::Reconcile {
        with_source: false,
        resume: false,
    };
    for (ask, refusal) in [
        (reconcile, "Argo CD apps cannot be reconciled (sync them)"),
        (
            Ask::Suspend(true),
            "Argo CD apps cannot be suspended (turn auto-sync off)",
        ),
        (
            Ask::Unpin,
            "Argo CD apps cannot be unpinned (they are never pinned)",
        ),
    ] {
        assert_eq!(argo_plan(&argo, &ask, &request()), Err(refusal.into()));
    }
    for (ask, refusal) in [
        (Ask::Terminate, "Flux apps cannot terminate an operation"),
        (
            Ask::Sync(SyncAsk::default()),
            "Flux apps cannot be synced with an operation (reconcile them)",
        ),
        (
            Ask::Refresh { hard: true },
            "Flux apps cannot be refreshed (reconcile them)",
        ),
        (
            Ask::AutoSync { enable: false },
            "Flux apps cannot turn auto-sync on or off (suspend or resume them)",
        ),
    ] {
        assert_eq!(ks_plan(&ks, &git, &ask), Err(refusal.into()));
    }
}

#[test]
fn commit_of_reads_flux_revisions_and_bare_commits() {
    let hex = "4f2a9c1e7b3d5a6c8e0f1b2d3c4e5f6a7b8c9d0e";
    assert_eq!(commit_of(ARTIFACT), Some(hex));
    assert_eq!(commit_of(&format!("sha1:{hex}")), Some(hex));
    assert_eq!(commit_of(hex), Some(hex));
    assert_eq!(commit_of("sha1:4f2a9c1"), Some("4f2a9c1"));
    assert_eq!(commit_of("v1.2.3"), None);
    assert_eq!(commit_of("main@sha1:4f2a9c"), None);
    assert_eq!(commit_of("main"), None);
}

#[test]
fn patched_lists_each_object_once_in_order() {
    let step = |target: &ResourceKey| patch(target, json!({}), "");
    let plan = Plan {
        title: String::new(),
        steps: vec![
            step(&ks_key()),
            await_reconcile(&git_key()),
            step(&git_key()),
            step(&ks_key()),
            step(&hr_key()),
        ],
        warnings: vec![],
        ledger: Operation::Sync,
        revision: String::new(),
        restored: None,
    };
    assert_eq!(plan.patched(), vec![&ks_key(), &git_key(), &hr_key()]);
}

mod argocd_plans;
mod flux_plans;
mod flux_revert_plans;

#[test]
fn a_pin_names_a_flux_app_by_kind_namespace_and_name() {
    use super::pinner_key;
    assert_eq!(pinner_key("Kustomization/flux-system/apps"), Some(ks_key()));
    assert_eq!(
        pinner_key("HelmRelease/apps/podinfo"),
        Some(ResourceKey::new(
            "helm.toolkit.fluxcd.io",
            "HelmRelease",
            "apps",
            "podinfo"
        ))
    );
    for bad in [
        "Application/argocd/shop",
        "Kustomization/flux-system",
        "Kustomization//apps",
        "Kustomization/flux-system/",
        "",
    ] {
        assert_eq!(pinner_key(bad), None, "{bad}");
    }
}
