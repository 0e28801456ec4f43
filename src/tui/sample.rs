//! A sample model, the same every time (fixed ids, times and clock): what the
//! `update` tests drive, the snapshots draw and the rendering benchmark measures.
//! Nothing in it comes from a cluster or a repository.

use jiff::Timestamp;

use super::model::{AppLedger, AppRow, EventRow, Model, RepoRow, ResourceRow, Seen};
use crate::engine::deploys::{DeployMark, Marked, RollbackMark};
use crate::engine::status::AppStatus;
use crate::model::ledger::{Actor, LedgerEntry, Operation, Outcome};
use crate::model::{AppName, CommitId, CommitInfo, HealthStatus, SyncStatus};

/// The clock of every sample: 2026-11-23 12:00 UTC.
pub fn now() -> Timestamp {
    Timestamp::from_second(1_795_435_200).unwrap_or_default()
}

fn ago(seconds: i64) -> Timestamp {
    Timestamp::from_second(now().as_second() - seconds).unwrap_or_default()
}

/// A commit id made from a number: `n` repeated to 40 hex digits.
pub fn commit_id(n: usize) -> CommitId {
    CommitId::new(format!("{n:07x}").repeat(6)[..40].to_owned())
}

fn actor() -> Actor {
    Actor {
        kube_user: "ops".into(),
        local_user: "maya".into(),
    }
}

fn entry(operation: Operation, revision: &CommitId, at: i64) -> LedgerEntry {
    LedgerEntry {
        id: format!("{at}"),
        operation,
        revision: revision.as_str().to_owned(),
        who: actor(),
        reason: None,
        restored: None,
        started: ago(at),
        finished: Some(ago(at - 2)),
        outcome: Outcome::Succeeded,
        resources: Vec::new(),
    }
}

fn resource(kind: &str, name: &str, sync: SyncStatus, health: HealthStatus) -> ResourceRow {
    let group = if kind == "Deployment" { "apps" } else { "core" };
    let live = format!("kind: {kind}\nmetadata:\n  name: {name}\nspec:\n  replicas: 3\n");
    let desired = if sync == SyncStatus::Synced {
        live.clone()
    } else {
        format!("kind: {kind}\nmetadata:\n  name: {name}\nspec:\n  replicas: 2\n")
    };
    let unified = if sync == SyncStatus::Synced {
        String::new()
    } else {
        "--- live\n+++ desired\n@@ -3,3 +3,3 @@\n   name: NAME\n spec:\n-  replicas: 3\n+  replicas: 2\n"
            .replace("NAME", name)
    };
    ResourceRow {
        key: format!("{group}/{kind}/shop/{name}"),
        kind: kind.into(),
        namespace: "shop".into(),
        name: name.into(),
        sync,
        health,
        message: if health == HealthStatus::Healthy {
            String::new()
        } else {
            "Deployment exceeded its progress deadline".into()
        },
        replicas: (kind == "Deployment").then_some(3),
        unified,
        live,
        desired,
    }
}

/// An app row; `n` picks its state: synced and healthy, drifted, degraded.
pub fn app(n: usize) -> AppRow {
    let name = AppName::new(format!("app-{n:03}"));
    let head = commit_id(1);
    let (sync, health, out_of_sync) = match n % 3 {
        0 => (SyncStatus::Synced, HealthStatus::Healthy, 0),
        1 => (SyncStatus::OutOfSync, HealthStatus::Healthy, 1),
        _ => (SyncStatus::Synced, HealthStatus::Degraded, 0),
    };
    let live = if n % 3 == 1 {
        commit_id(3)
    } else {
        head.clone()
    };
    AppRow {
        name,
        repo: "shop-gitops".into(),
        path: format!("apps/app-{n:03}"),
        namespace: "shop".into(),
        context: "prod-eu".into(),
        own_context: Some("prod-eu".into()),
        automation: Default::default(),
        desired: Ok(head.short().to_owned()),
        seen: Seen::Status(Box::new(AppStatus {
            live_revision: Some(live.as_str().to_owned()),
            desired_revision: head.as_str().to_owned(),
            sync,
            out_of_sync,
            missing: 0,
            extra: 0,
            health,
            pinned: None,
            suspended: None,
            last_operation: Some(entry(Operation::Sync, &live, 3_600)),
        })),
        resources: vec![
            resource(
                "ConfigMap",
                "settings",
                SyncStatus::Synced,
                HealthStatus::Healthy,
            ),
            resource("Deployment", "web", sync, health),
        ],
    }
}

/// The path history of an app: `count` commits, newest first; HEAD pending, the
/// third live, the second rolled back.
pub fn history(count: usize) -> Vec<Marked> {
    (1..=count)
        .map(|n| {
            let id = commit_id(n);
            Marked {
                commit: CommitInfo {
                    id: id.clone(),
                    author_name: ["Maya Chen", "Tom Okafor", "Lena Fischer"][n % 3].into(),
                    author_email: "dev@example.com".into(),
                    author_time: ago(n as i64 * 86_400),
                    subject: format!("shop: change number {n}"),
                },
                head: n == 1,
                live: n == 3,
                pending: n < 3,
                deploys: if n >= 3 {
                    vec![DeployMark {
                        operation: Operation::Sync,
                        at: ago(n as i64 * 80_000),
                        who: actor(),
                        succeeded: true,
                        reason: None,
                    }]
                } else {
                    Vec::new()
                },
                rolled_back: (n == 2).then(|| RollbackMark {
                    operation: Operation::Rollback,
                    at: ago(7_200),
                    who: actor(),
                    to: commit_id(3),
                    reason: Some("crashes on start".into()),
                }),
            }
        })
        .collect()
}

/// A model with `apps` apps and `commits` history entries for the first, as after
/// the first observation.
pub fn model(apps: usize, commits: usize) -> Model {
    let mut model = Model {
        apps: (0..apps).map(app).collect(),
        contexts: "prod-eu".into(),
        now: Some(now()),
        observed_at: Some(now()),
        ..Model::default()
    };
    model.history.app = model.apps.first().map(|a| a.name.clone());
    model.history.commits = history(commits);
    model
}

/// Sample events, a warning first.
pub fn events() -> Vec<EventRow> {
    vec![
        EventRow {
            age: "2m".into(),
            kind: "Warning".into(),
            object: "pod/web-7d9f-abcde".into(),
            reason: "BackOff".into(),
            message: "Back-off restarting failed container web".into(),
            warning: true,
        },
        EventRow {
            age: "5m".into(),
            kind: "Normal".into(),
            object: "deployment/web".into(),
            reason: "ScalingReplicaSet".into(),
            message: "Scaled up replica set web-7d9f to 3".into(),
            warning: false,
        },
    ]
}

/// Three sources: a local one, a remote one, one that cannot be read.
/// The ledgers of the activity screen: a busy app with a failed sync and a
/// rollback, a quiet one, one never deployed and one whose cluster refuses.
pub fn ledgers() -> Vec<AppLedger> {
    const HOUR: i64 = 3_600;
    const DAY: i64 = 24 * HOUR;
    let commit = |n: usize, age: i64| (commit_id(n), age);
    let times = |commits: &[(CommitId, i64)]| {
        commits
            .iter()
            .map(|(id, age)| (id.as_str().to_owned(), ago(*age)))
            .collect()
    };
    let (a, b, c, d) = (
        commit(11, 20 * DAY),
        commit(12, 9 * DAY + 2 * HOUR),
        commit(13, 2 * DAY + 5 * HOUR),
        commit(14, DAY + 3 * HOUR),
    );
    let failed = LedgerEntry {
        outcome: Outcome::Failed {
            message: "Deployment/web: field is immutable: spec.selector".into(),
        },
        ..entry(Operation::Sync, &c.0, 2 * DAY)
    };
    let rollback = LedgerEntry {
        reason: Some("checkout 500s since 14:02, back to the last good image".into()),
        restored: Some(b.0.as_str().to_owned()),
        ..entry(Operation::Rollback, &d.0, DAY - 40 * 60)
    };
    let busy = vec![
        entry(Operation::Sync, &a.0, 19 * DAY),
        entry(Operation::Sync, &b.0, 9 * DAY),
        failed,
        entry(Operation::Sync, &c.0, 2 * DAY - HOUR),
        rollback,
    ];
    vec![
        AppLedger {
            app: AppName::new("app-000"),
            label: "app-000".into(),
            entries: Ok(busy),
            commit_times: times(&[a.clone(), b.clone(), c.clone(), d.clone()]),
        },
        AppLedger {
            app: AppName::new("app-001"),
            label: "app-001".into(),
            entries: Ok(vec![entry(Operation::Sync, &a.0, 6 * DAY)]),
            commit_times: times(&[a]),
        },
        AppLedger {
            app: AppName::new("app-002"),
            label: "app-002".into(),
            entries: Ok(Vec::new()),
            commit_times: Default::default(),
        },
        AppLedger {
            app: AppName::new("app-003"),
            label: "app-003".into(),
            entries: Err(
                "forbidden: configmaps \"driftdeck-ledger-app-003\" is forbidden (hint: ask for get on configmaps in driftdeck-system)".into(),
            ),
            commit_times: Default::default(),
        },
    ]
}

pub fn repos() -> Vec<RepoRow> {
    let head = |n: usize, subject: &str| CommitInfo {
        id: commit_id(n),
        author_name: "Maya Chen".into(),
        author_email: "maya@example.com".into(),
        author_time: ago(3_600 * n as i64),
        subject: subject.into(),
    };
    vec![
        RepoRow {
            name: "shop-gitops".into(),
            location: "/srv/git/shop-gitops".into(),
            branch: "main".into(),
            head: Ok(head(1, "web: bump nginx to 1.27.4")),
            apps: 6,
            remote: false,
        },
        RepoRow {
            name: "platform".into(),
            location: "https://git.example.com/platform.git".into(),
            branch: "HEAD".into(),
            head: Ok(head(30, "ingress: raise the body size limit")),
            apps: 3,
            remote: true,
        },
        RepoRow {
            name: "legacy".into(),
            location: "ssh://git@old.example.com/legacy.git".into(),
            branch: "release".into(),
            head: Err(
                "cannot fetch ssh://git@old.example.com/legacy.git: connection refused".into(),
            ),
            apps: 1,
            remote: true,
        },
    ]
}

/// An Argo CD app (out of sync, a sync running) and a suspended Flux
/// Kustomization with its source, as their controllers would report them.
pub fn engine_apps() -> Vec<crate::integrations::ExternalApp> {
    use crate::integrations::{argocd, flux};
    use serde_json::json;
    let application = json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": "shop", "namespace": "argocd"},
        "spec": {
            "source": {"repoURL": "https://git.example.com/shop.git", "path": "apps/shop", "targetRevision": "main"},
            "destination": {"namespace": "shop"},
            "syncPolicy": {"automated": {"prune": true, "selfHeal": true}}
        },
        "status": {
            "sync": {"status": "OutOfSync", "revision": commit_id(1).as_str()},
            "health": {"status": "Degraded", "message": "Deployment web: 0/3 replicas ready"},
            "operationState": {
                "phase": "Running", "message": "waiting for healthy state of apps/Deployment/web",
                "startedAt": "2026-11-23T11:58:00Z",
                "operation": {"sync": {"revision": commit_id(1).as_str()}, "initiatedBy": {"username": "maya"}}
            },
            "conditions": [{"type": "SyncError", "message": "one or more objects failed to apply"}],
            "history": [
                {"id": 3, "revision": commit_id(5).as_str(), "deployedAt": "2026-11-15T10:00:00Z"},
                {"id": 4, "revision": commit_id(3).as_str(), "deployedAt": "2026-11-22T10:00:00Z"}
            ],
            "resources": [
                {"group": "apps", "version": "v1", "kind": "Deployment", "namespace": "shop", "name": "web", "status": "OutOfSync", "health": {"status": "Degraded", "message": "0/3 ready"}},
                {"version": "v1", "kind": "Service", "namespace": "shop", "name": "web", "status": "Synced", "health": {"status": "Healthy"}}
            ]
        }
    });
    let source = json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": "platform", "namespace": "flux-system"},
        "spec": {"url": "https://git.example.com/platform.git", "ref": {"branch": "main"}},
        "status": {"artifact": {"revision": format!("main@sha1:{}", commit_id(2))}}
    });
    let kustomization = json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": {"name": "infra", "namespace": "flux-system"},
        "spec": {"interval": "10m", "path": "./infra", "suspend": true, "sourceRef": {"kind": "GitRepository", "name": "platform"}},
        "status": {
            "lastAppliedRevision": format!("main@sha1:{}", commit_id(4)),
            "conditions": [{"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded", "message": "Applied revision"}],
            "inventory": {"entries": [{"id": "infra_ingress_apps_Deployment", "v": "v1"}]}
        }
    });
    [
        argocd::from_application(&application),
        flux::from_kustomization(&kustomization, Some(&source)),
    ]
    .into_iter()
    .flatten()
    .collect()
}
