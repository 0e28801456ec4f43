//! Actions on Argo CD and Flux apps (`engine::external_actions`) against the
//! sandbox: the minimal CRDs and objects of tests/fixtures/gitops, the patches read
//! back from the API server, and the engines' controllers simulated by a task of
//! the test (the sandbox runs neither Argo CD nor Flux) where an action waits for
//! one (tests/common/gitops.rs; the revert commit's tests are in
//! integrations_revert.rs).

mod common;

use std::time::{Duration, Instant};

use common::gitops::{
    Gitops, HEAD, PINNED_FROM, REQUESTED_AT, SHORT, SUCCEEDED, WAITS, annotation, key, operations,
    requestless, token,
};
use driftdeck::engine::external;
use driftdeck::engine::external_actions::ActionError;
use driftdeck::integrations::actions::{Ask, Step, SyncAsk};
use driftdeck::model::ResourceKey;
use driftdeck::model::ledger::{Operation, Outcome};
use driftdeck::sandbox::{CONTEXT_NAME, FaultConfig};
use serde_json::{Value, json};

const AUTO_SYNC_WAS: &str = "driftdeck.dev/auto-sync-was";
/// What `infra` last applied, in the fixture.
const PREVIOUS: &str = "4444444444444444444444444444444444444444";
/// What `shop` last deployed, in the fixture.
const SHOP_DEPLOYED: &str = "1f3d2c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5";
const SHOP_TARGET: &str = "2b7e151628aed2a6abf7158809cf4f3c762e7160";

fn shop_application(name: &str, sync_policy: Value) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": "argocd"},
        "spec": {
            "project": "default",
            "source": {"repoURL": "https://git.example.com/shop.git", "path": "apps/shop", "targetRevision": "main"},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "shop"},
            "syncPolicy": sync_policy,
        },
        "status": {
            "sync": {"status": "OutOfSync", "revision": SHOP_TARGET},
            "health": {"status": "Healthy"},
        },
    })
}

// Argo CD

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_argo_cd_sync_writes_the_operation_argo_cd_runs() {
    let gitops = Gitops::start().await;
    assert_eq!(gitops.connection.user, CONTEXT_NAME);
    let controllers = gitops.controllers(true);
    let ask = Ask::Sync(SyncAsk {
        prune: true,
        ..SyncAsk::default()
    });
    let prepared = gitops
        .prepare("Application", "argocd", "shop", ask, Some("INC-42: hotfix"))
        .await
        .unwrap();
    assert_eq!(
        prepared.lines()[2..],
        [
            "patch Application argocd/shop: set operation: sync, prune",
            "wait until Argo CD has run the operation",
        ]
    );
    let executed = gitops.execute(&prepared, WAITS).await;
    assert!(executed.ledger_error.is_none(), "{executed:?}");
    assert_eq!(
        executed.result,
        Ok(format!("sync argocd/shop: operation succeeded {SUCCEEDED}"))
    );

    // What the API server received, as Argo CD's controller reads it.
    assert_eq!(
        controllers.operations(),
        [(
            "shop".to_owned(),
            json!({
                "initiatedBy": {"username": CONTEXT_NAME, "automated": false},
                "info": [
                    {"name": "Reason", "value": "INC-42: hotfix"},
                    {"name": "Via", "value": "driftdeck"},
                ],
                "sync": {"prune": true, "syncStrategy": {"hook": {}}},
            })
        )]
    );
    let shop = gitops.read("Application", "argocd", "shop").await;
    assert_eq!(shop.get("operation"), None, "{shop:#}");
    assert_eq!(shop["status"]["operationState"]["phase"], "Succeeded");
    // A sync leaves the sync policy alone.
    assert_eq!(
        shop["spec"]["syncPolicy"],
        json!({"automated": {"prune": true, "selfHeal": true}})
    );

    let entries = gitops.ledger(&prepared).await;
    assert_eq!(
        operations(&entries),
        [(Operation::Sync, Outcome::Succeeded)]
    );
    let entry = &entries[0];
    assert_eq!(entry.reason.as_deref(), Some("INC-42: hotfix"));
    assert_eq!(entry.who.kube_user, CONTEXT_NAME);
    assert_eq!(entry.revision, SHOP_TARGET);
    assert_eq!(entry.resources, ["argoproj.io/Application/argocd/shop"]);
    assert!(entry.finished.is_some_and(|f| f >= entry.started));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_argo_cd_the_operation_stays_as_written_and_the_wait_times_out() {
    let gitops = Gitops::start().await;
    let manual = json!({"syncOptions": ["CreateNamespace=true"]});
    gitops.create(shop_application("dry", manual.clone())).await;
    gitops.create(shop_application("some", manual)).await;
    let timed_out = "Argo CD did not finish the operation within 1s (still requested, not \
                     started: terminating cancels the request): is its application controller running?";

    // A dry run, without a reason.
    let ask = Ask::Sync(SyncAsk {
        dry_run: true,
        ..SyncAsk::default()
    });
    let prepared = gitops
        .prepare("Application", "argocd", "dry", ask.clone(), None)
        .await
        .unwrap();
    assert_eq!(prepared.plan.title, "sync argocd/dry (dry run)");
    let started = Instant::now();
    let executed = gitops.execute(&prepared, SHORT).await;
    assert!(
        started.elapsed() >= SHORT.timeout,
        "{:?}",
        started.elapsed()
    );
    assert_eq!(executed.result, Err(timed_out.to_owned()));
    assert!(executed.ledger_error.is_none(), "{executed:?}");
    let dry = gitops.read("Application", "argocd", "dry").await;
    assert_eq!(
        requestless(&dry["operation"]),
        json!({
            "initiatedBy": {"username": CONTEXT_NAME, "automated": false},
            "info": [{"name": "Via", "value": "driftdeck"}],
            "sync": {"prune": false, "dryRun": true, "syncStrategy": {"hook": {}}},
        })
    );
    let entries = gitops.ledger(&prepared).await;
    assert_eq!(
        operations(&entries),
        [(
            Operation::DryRun,
            Outcome::TimedOut {
                message: timed_out.to_owned()
            }
        )]
    );
    assert_eq!(entries[0].reason, None);
    // The operation is still requested: another one is refused.
    let refused = gitops
        .prepare("Application", "argocd", "dry", ask, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, ActionError::Refused(m)
            if m == "argocd/dry has an operation requested (no revision): wait for it or cancel it"),
        "{refused:?}"
    );
    // X withdraws it: nothing of it is left, the ledger says so.
    let cancel = gitops
        .prepare("Application", "argocd", "dry", Ask::Terminate, None)
        .await
        .unwrap();
    assert_eq!(
        cancel.plan.title,
        "cancel the requested operation of argocd/dry"
    );
    let executed = gitops.execute(&cancel, SHORT).await;
    assert_eq!(
        executed.result,
        Ok("cancel the requested operation of argocd/dry".to_owned())
    );
    let dry = gitops.read("Application", "argocd", "dry").await;
    assert_eq!(dry.get("operation"), None, "{dry}");
    assert_eq!(
        operations(&gitops.ledger(&cancel).await),
        [
            (
                Operation::DryRun,
                Outcome::TimedOut {
                    message: timed_out.to_owned()
                }
            ),
            (Operation::Terminate, Outcome::Succeeded)
        ]
    );

    // Selected resources, pruned.
    let ask = Ask::Sync(SyncAsk {
        prune: true,
        dry_run: false,
        resources: vec![
            ResourceKey::new("apps", "Deployment", "shop", "web"),
            ResourceKey::new("", "ConfigMap", "shop", "web-config"),
            ResourceKey::new("", "Namespace", "", "shop"),
        ],
    });
    let prepared = gitops
        .prepare(
            "Application",
            "argocd",
            "some",
            ask,
            Some("only the web tier"),
        )
        .await
        .unwrap();
    assert_eq!(
        prepared.lines()[2],
        "patch Application argocd/some: set operation: sync, prune, 3 resource(s) only"
    );
    let executed = gitops.execute(&prepared, SHORT).await;
    assert_eq!(executed.result, Err(timed_out.to_owned()));
    let some = gitops.read("Application", "argocd", "some").await;
    assert_eq!(
        requestless(&some["operation"]),
        json!({
            "initiatedBy": {"username": CONTEXT_NAME, "automated": false},
            "info": [
                {"name": "Reason", "value": "only the web tier"},
                {"name": "Via", "value": "driftdeck"},
            ],
            "sync": {
                "prune": true,
                "resources": [
                    {"group": "apps", "kind": "Deployment", "name": "web", "namespace": "shop"},
                    {"group": "", "kind": "ConfigMap", "name": "web-config", "namespace": "shop"},
                    {"group": "", "kind": "Namespace", "name": "shop"},
                ],
                "syncStrategy": {"hook": {}},
            },
        })
    );
    let entries = gitops.ledger(&prepared).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].operation, Operation::Sync);
    assert_eq!(entries[0].reason.as_deref(), Some("only the web tier"));
    assert!(matches!(entries[0].outcome, Outcome::TimedOut { .. }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_and_hard_refresh_annotate_the_application() {
    let gitops = Gitops::start().await;
    let (prepared, summary) = gitops
        .act(
            "Application",
            "argocd",
            "shop",
            Ask::Refresh { hard: false },
            None,
        )
        .await;
    assert_eq!(summary, "refresh argocd/shop");
    let shop = gitops.read("Application", "argocd", "shop").await;
    assert_eq!(
        annotation(&shop, "argocd.argoproj.io/refresh"),
        Some(&json!("normal"))
    );

    let (_, summary) = gitops
        .act(
            "Application",
            "argocd",
            "shop",
            Ask::Refresh { hard: true },
            Some("cache looks stale"),
        )
        .await;
    assert_eq!(summary, "hard refresh argocd/shop");
    let shop = gitops.read("Application", "argocd", "shop").await;
    assert_eq!(
        annotation(&shop, "argocd.argoproj.io/refresh"),
        Some(&json!("hard"))
    );
    // Nothing else moved.
    assert_eq!(shop.get("operation"), None);
    assert_eq!(
        shop["spec"]["syncPolicy"],
        json!({"automated": {"prune": true, "selfHeal": true}})
    );

    let entries = gitops.ledger(&prepared).await;
    assert_eq!(
        operations(&entries),
        [
            (Operation::Refresh, Outcome::Succeeded),
            (Operation::Refresh, Outcome::Succeeded),
        ]
    );
    assert_eq!(entries[1].reason.as_deref(), Some("cache looks stale"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_sync_off_then_on_restores_prune_and_self_heal() {
    let gitops = Gitops::start().await;
    gitops
        .create(shop_application(
            "tuned",
            json!({"automated": {"prune": false, "selfHeal": true}, "syncOptions": ["PruneLast=true"]}),
        ))
        .await;

    let (prepared, summary) = gitops
        .act(
            "Application",
            "argocd",
            "tuned",
            Ask::AutoSync { enable: false },
            Some("freeze"),
        )
        .await;
    assert_eq!(summary, "turn auto-sync of argocd/tuned off");
    let tuned = gitops.read("Application", "argocd", "tuned").await;
    assert_eq!(
        tuned["spec"]["syncPolicy"],
        json!({"syncOptions": ["PruneLast=true"]})
    );
    assert_eq!(
        annotation(&tuned, AUTO_SYNC_WAS),
        Some(&json!(r#"{"prune":false,"selfHeal":true}"#))
    );
    let refused = gitops
        .prepare(
            "Application",
            "argocd",
            "tuned",
            Ask::AutoSync { enable: false },
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, ActionError::Refused(m) if m == "auto-sync of argocd/tuned is already off"),
        "{refused:?}"
    );

    let (_, summary) = gitops
        .act(
            "Application",
            "argocd",
            "tuned",
            Ask::AutoSync { enable: true },
            None,
        )
        .await;
    assert_eq!(summary, "turn auto-sync of argocd/tuned on");
    let tuned = gitops.read("Application", "argocd", "tuned").await;
    assert_eq!(
        tuned["spec"]["syncPolicy"],
        json!({"automated": {"prune": false, "selfHeal": true}, "syncOptions": ["PruneLast=true"]})
    );
    assert_eq!(annotation(&tuned, AUTO_SYNC_WAS), None, "{tuned:#}");
    let entries = gitops.ledger(&prepared).await;
    assert_eq!(
        operations(&entries),
        [
            (Operation::Suspend, Outcome::Succeeded),
            (Operation::Resume, Outcome::Succeeded),
        ]
    );
    assert_eq!(entries[0].reason.as_deref(), Some("freeze"));

    // Argo CD 3.1+ keeps a disabled policy with `enabled: false`: turned on, it says
    // `enabled: true` (a merge patch would keep the false).
    gitops
        .create(shop_application(
            "disabled",
            json!({"automated": {"enabled": false, "prune": true, "selfHeal": true}}),
        ))
        .await;
    gitops
        .act(
            "Application",
            "argocd",
            "disabled",
            Ask::AutoSync { enable: true },
            None,
        )
        .await;
    let disabled = gitops.read("Application", "argocd", "disabled").await;
    assert_eq!(
        disabled["spec"]["syncPolicy"],
        json!({"automated": {"enabled": true, "prune": true, "selfHeal": true}})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminate_stops_a_running_operation_and_is_refused_without_one() {
    let gitops = Gitops::start().await;
    let operation = json!({
        "initiatedBy": {"username": "alice"},
        "sync": {"revision": SHOP_TARGET, "syncStrategy": {"hook": {}}},
    });
    let mut busy = shop_application("busy", json!({}));
    busy["operation"] = operation.clone();
    busy["status"]["operationState"] = json!({
        "operation": operation,
        "phase": "Running",
        "message": "waiting for healthy state of apps/Deployment/web",
        "startedAt": "2026-11-23T09:00:00Z",
    });
    gitops.create(busy).await;

    // A sync while it runs is refused.
    let refused = gitops
        .prepare(
            "Application",
            "argocd",
            "busy",
            Ask::Sync(SyncAsk::default()),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, ActionError::Refused(m)
            if m == "argocd/busy has an operation running (2b7e151): wait for it or terminate it"),
        "{refused:?}"
    );

    let (prepared, summary) = gitops
        .act(
            "Application",
            "argocd",
            "busy",
            Ask::Terminate,
            Some("stuck"),
        )
        .await;
    assert_eq!(summary, "terminate the operation of argocd/busy");
    let busy = gitops.read("Application", "argocd", "busy").await;
    let state = &busy["status"]["operationState"];
    assert_eq!(state["phase"], "Terminating");
    // The rest of the state is Argo CD's and stays.
    assert_eq!(state["startedAt"], "2026-11-23T09:00:00Z");
    assert_eq!(
        state["message"],
        "waiting for healthy state of apps/Deployment/web"
    );
    assert_eq!(state["operation"]["sync"]["revision"], SHOP_TARGET);
    assert_eq!(
        operations(&gitops.ledger(&prepared).await),
        [(Operation::Terminate, Outcome::Succeeded)]
    );

    let refused = gitops
        .prepare("Application", "argocd", "shop", Ask::Terminate, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, ActionError::Refused(m) if m == "argocd/shop has no running operation to terminate"),
        "{refused:?}"
    );
    // Nothing was recorded for the refusal.
    let shop = gitops
        .prepare(
            "Application",
            "argocd",
            "shop",
            Ask::Refresh { hard: false },
            None,
        )
        .await
        .unwrap();
    assert!(gitops.ledger(&shop).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_argo_cd_rollback_turns_auto_sync_off_then_syncs_the_commit() {
    let gitops = Gitops::start().await;
    let controllers = gitops.controllers(true);
    let prepared = gitops
        .prepare(
            "Application",
            "argocd",
            "shop",
            Ask::Rollback {
                to: SHOP_DEPLOYED.into(),
            },
            Some("INC-7: 2b7e151 breaks checkout"),
        )
        .await
        .unwrap();
    assert_eq!(prepared.plan.title, "roll back argocd/shop to 1f3d2c4");
    assert_eq!(
        prepared.plan.warnings,
        [
            "auto-sync of argocd/shop is turned off first (Argo CD would sync Git's revision \
          back); turn it on again with p once Git is fixed"
        ]
    );
    let executed = gitops.execute(&prepared, WAITS).await;
    assert!(executed.ledger_error.is_none(), "{executed:?}");
    assert_eq!(
        executed.result,
        Ok(format!(
            "roll back argocd/shop to 1f3d2c4: operation succeeded {SUCCEEDED}"
        ))
    );

    let shop = gitops.read("Application", "argocd", "shop").await;
    assert_eq!(shop["spec"]["syncPolicy"], json!({}), "{shop:#}");
    assert_eq!(
        annotation(&shop, AUTO_SYNC_WAS),
        Some(&json!(r#"{"prune":true,"selfHeal":true}"#))
    );
    assert_eq!(
        controllers.operations(),
        [(
            "shop".to_owned(),
            json!({
                "initiatedBy": {"username": CONTEXT_NAME, "automated": false},
                "info": [
                    {"name": "Reason", "value": "INC-7: 2b7e151 breaks checkout"},
                    {"name": "Via", "value": "driftdeck"},
                ],
                "sync": {"revision": SHOP_DEPLOYED, "prune": false, "syncStrategy": {"hook": {}}},
            })
        )]
    );
    assert_eq!(
        shop["status"]["operationState"]["syncResult"]["revision"],
        SHOP_DEPLOYED
    );

    // Git fixed: auto-sync on again, as it was.
    gitops
        .act(
            "Application",
            "argocd",
            "shop",
            Ask::AutoSync { enable: true },
            None,
        )
        .await;
    let shop = gitops.read("Application", "argocd", "shop").await;
    assert_eq!(
        shop["spec"]["syncPolicy"],
        json!({"automated": {"prune": true, "selfHeal": true}})
    );
    assert_eq!(annotation(&shop, AUTO_SYNC_WAS), None);

    let entries = gitops.ledger(&prepared).await;
    assert_eq!(
        operations(&entries),
        [
            (Operation::Rollback, Outcome::Succeeded),
            (Operation::Resume, Outcome::Succeeded),
        ]
    );
    assert_eq!(entries[0].revision, SHOP_DEPLOYED);
    assert_eq!(entries[0].restored.as_deref(), Some(SHOP_DEPLOYED));
    assert_eq!(
        entries[0].reason.as_deref(),
        Some("INC-7: 2b7e151 breaks checkout")
    );
}

// Flux

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flux_reconcile_waits_until_the_controller_handled_it() {
    let gitops = Gitops::start().await;
    let _controllers = gitops.controllers(true);
    let ask = Ask::Reconcile {
        with_source: false,
        resume: false,
    };
    let (prepared, summary) = gitops
        .act("Kustomization", "flux-system", "infra", ask, Some("check"))
        .await;
    assert_eq!(
        summary,
        format!(
            "reconcile flux-system/infra: Kustomization infra reconciled \
             (ReconciliationSucceeded: Applied revision: main@sha1:{HEAD})"
        )
    );
    let first = token(&prepared);
    let infra = gitops.read("Kustomization", "flux-system", "infra").await;
    assert_eq!(annotation(&infra, REQUESTED_AT), Some(&json!(first)));
    assert_eq!(infra["status"]["lastHandledReconcileAt"], first);
    let platform = gitops
        .read("GitRepository", "flux-system", "platform")
        .await;
    assert_eq!(annotation(&platform, REQUESTED_AT), None, "alone");

    // With its source: the GitRepository is asked (and waited for) first.
    let ask = Ask::Reconcile {
        with_source: true,
        resume: false,
    };
    let (prepared, summary) = gitops
        .act("Kustomization", "flux-system", "infra", ask, None)
        .await;
    assert_eq!(
        summary,
        format!(
            "reconcile flux-system/infra with its source: Kustomization infra reconciled \
             (ReconciliationSucceeded: Applied revision: main@sha1:{HEAD})"
        )
    );
    let second = token(&prepared);
    assert_ne!(first, second);
    let platform = gitops
        .read("GitRepository", "flux-system", "platform")
        .await;
    assert_eq!(annotation(&platform, REQUESTED_AT), Some(&json!(second)));
    assert_eq!(platform["status"]["lastHandledReconcileAt"], second);
    let infra = gitops.read("Kustomization", "flux-system", "infra").await;
    assert_eq!(infra["status"]["lastHandledReconcileAt"], second);
    assert_eq!(
        prepared.plan.patched(),
        [
            &key("GitRepository", "flux-system", "platform"),
            &key("Kustomization", "flux-system", "infra"),
        ]
    );

    let entries = gitops.ledger(&prepared).await;
    assert_eq!(
        operations(&entries),
        [
            (Operation::Sync, Outcome::Succeeded),
            (Operation::Sync, Outcome::Succeeded),
        ]
    );
    assert_eq!(entries[0].reason.as_deref(), Some("check"));
    assert_eq!(
        entries[1].resources,
        [
            "source.toolkit.fluxcd.io/GitRepository/flux-system/platform",
            "kustomize.toolkit.fluxcd.io/Kustomization/flux-system/infra",
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flux_waits_report_a_missing_controller_and_a_failed_reconcile() {
    let gitops = Gitops::start().await;
    let ask = Ask::Reconcile {
        with_source: false,
        resume: false,
    };
    let prepared = gitops
        .prepare("Kustomization", "flux-system", "infra", ask.clone(), None)
        .await
        .unwrap();
    let executed = gitops.execute(&prepared, SHORT).await;
    // Where it stood is said: never handled a request, and its Ready condition.
    let missing = "Kustomization flux-system/infra did not handle the request within 1s \
                   (handled never; Ready False (HealthCheckFailed: timeout waiting for: \
                   [Deployment/infra/ingress status: 'InProgress'])): is its Flux controller \
                   running?";
    assert_eq!(executed.result, Err(missing.to_owned()));

    let _controllers = gitops.controllers(false);
    let prepared = gitops
        .prepare("Kustomization", "flux-system", "infra", ask, None)
        .await
        .unwrap();
    let executed = gitops.execute(&prepared, WAITS).await;
    let failed = "Kustomization infra not ready: (BuildFailed: kustomize build failed: \
                  accumulating resources)";
    assert_eq!(executed.result, Err(failed.to_owned()));
    assert_eq!(
        operations(&gitops.ledger(&prepared).await),
        [
            (
                Operation::Sync,
                Outcome::TimedOut {
                    message: missing.to_owned()
                }
            ),
            (
                Operation::Sync,
                Outcome::Failed {
                    message: failed.to_owned()
                }
            ),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suspended_flux_app_is_not_waited_for_unless_resumed() {
    let gitops = Gitops::start().await;
    let _controllers = gitops.controllers(true);
    let prepared = gitops
        .prepare(
            "HelmRelease",
            "flux-system",
            "redis",
            Ask::Reconcile {
                with_source: false,
                resume: false,
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        prepared.plan.warnings,
        [
            "flux-system/redis is suspended: Flux ignores the request until it is resumed \
          (resume it and reconcile instead)"
        ]
    );
    assert!(
        prepared
            .lines()
            .contains(&format!("warning: {}", prepared.plan.warnings[0]))
    );
    assert!(
        prepared
            .plan
            .steps
            .iter()
            .all(|s| matches!(s, Step::Patch { .. })),
        "{:?}",
        prepared.plan.steps
    );
    let started = Instant::now();
    let executed = gitops.execute(&prepared, WAITS).await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        executed.result,
        Ok("reconcile flux-system/redis".to_owned())
    );
    let redis = gitops.read("HelmRelease", "flux-system", "redis").await;
    assert!(annotation(&redis, REQUESTED_AT).is_some());
    assert_eq!(redis["spec"]["suspend"], true);
    // The (simulated) controller ignored it, as Flux does.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let redis = gitops.read("HelmRelease", "flux-system", "redis").await;
    assert_eq!(redis["status"].get("lastHandledReconcileAt"), None);

    let (prepared, summary) = gitops
        .act(
            "HelmRelease",
            "flux-system",
            "redis",
            Ask::Reconcile {
                with_source: false,
                resume: true,
            },
            None,
        )
        .await;
    assert_eq!(
        prepared.plan.warnings,
        ["flux-system/redis is suspended: it is resumed first"]
    );
    assert_eq!(
        summary,
        "resume and reconcile flux-system/redis: HelmRelease redis reconciled \
         (UpgradeSucceeded: Helm upgrade succeeded)"
    );
    let redis = gitops.read("HelmRelease", "flux-system", "redis").await;
    assert_eq!(redis["spec"]["suspend"], false);
    assert_eq!(redis["status"]["lastHandledReconcileAt"], token(&prepared));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suspend_and_resume_set_spec_suspend() {
    let gitops = Gitops::start().await;
    let _controllers = gitops.controllers(true);
    let (prepared, summary) = gitops
        .act(
            "Kustomization",
            "flux-system",
            "infra",
            Ask::Suspend(true),
            Some("maintenance window"),
        )
        .await;
    assert_eq!(summary, "suspend flux-system/infra");
    let infra = gitops.read("Kustomization", "flux-system", "infra").await;
    assert_eq!(infra["spec"]["suspend"], true);
    let refused = gitops
        .prepare(
            "Kustomization",
            "flux-system",
            "infra",
            Ask::Suspend(true),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, ActionError::Refused(m) if m == "flux-system/infra is already suspended"),
        "{refused:?}"
    );

    let (resumed, summary) = gitops
        .act(
            "Kustomization",
            "flux-system",
            "infra",
            Ask::Suspend(false),
            None,
        )
        .await;
    assert_eq!(
        summary,
        format!(
            "resume flux-system/infra: Kustomization infra reconciled \
             (ReconciliationSucceeded: Applied revision: main@sha1:{HEAD})"
        )
    );
    let infra = gitops.read("Kustomization", "flux-system", "infra").await;
    assert_eq!(infra["spec"]["suspend"], false);
    assert_eq!(infra["status"]["lastHandledReconcileAt"], token(&resumed));

    let entries = gitops.ledger(&prepared).await;
    assert_eq!(
        operations(&entries),
        [
            (Operation::Suspend, Outcome::Succeeded),
            (Operation::Resume, Outcome::Succeeded),
        ]
    );
    assert_eq!(entries[0].reason.as_deref(), Some("maintenance window"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flux_rollback_pins_the_source_and_unpin_puts_it_back() {
    let gitops = Gitops::start().await;
    let _controllers = gitops.controllers(true);
    // Reconciled once: infra applied what main is at.
    gitops
        .act(
            "Kustomization",
            "flux-system",
            "infra",
            Ask::Reconcile {
                with_source: true,
                resume: false,
            },
            None,
        )
        .await;

    let prepared = gitops
        .prepare(
            "Kustomization",
            "flux-system",
            "infra",
            Ask::Rollback {
                to: format!("main@sha1:{PREVIOUS}"),
            },
            Some("INC-9: ingress broken"),
        )
        .await
        .unwrap();
    assert_eq!(
        prepared.plan.title,
        "roll back flux-system/infra to 4444444"
    );
    assert_eq!(
        prepared.plan.warnings,
        [
            "every app built from source.toolkit.fluxcd.io/GitRepository/flux-system/platform \
             goes back to 4444444 too while it is pinned"
        ]
    );
    let executed = gitops.execute(&prepared, WAITS).await;
    assert!(executed.ledger_error.is_none(), "{executed:?}");
    assert_eq!(
        executed.result,
        Ok(format!(
            "roll back flux-system/infra to 4444444: Kustomization infra reconciled \
             (ReconciliationSucceeded: Applied revision: main@sha1:{PREVIOUS})"
        ))
    );
    let platform = gitops
        .read("GitRepository", "flux-system", "platform")
        .await;
    assert_eq!(
        platform["spec"]["ref"],
        json!({"branch": "main", "commit": PREVIOUS})
    );
    assert_eq!(
        annotation(&platform, PINNED_FROM),
        Some(&json!(r#"{"branch":"main"}"#))
    );
    assert_eq!(
        platform["status"]["artifact"]["revision"],
        format!("main@sha1:{PREVIOUS}")
    );
    let infra = gitops.read("Kustomization", "flux-system", "infra").await;
    assert_eq!(
        infra["status"]["lastAppliedRevision"],
        format!("main@sha1:{PREVIOUS}")
    );
    assert_eq!(infra["spec"]["suspend"], true, "the rollback holds");

    // A second rollback over the pin is refused.
    let refused = gitops
        .prepare(
            "Kustomization",
            "flux-system",
            "infra",
            Ask::Rollback { to: HEAD.into() },
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, ActionError::Refused(m)
            if m == "flux-system/infra is pinned by an earlier rollback: unpin it first"),
        "{refused:?}"
    );

    let (_, summary) = gitops
        .act(
            "Kustomization",
            "flux-system",
            "infra",
            Ask::Unpin,
            Some("INC-9 fixed in Git"),
        )
        .await;
    assert_eq!(
        summary,
        format!(
            "unpin and resume flux-system/infra: Kustomization infra reconciled \
             (ReconciliationSucceeded: Applied revision: main@sha1:{HEAD})"
        )
    );
    let platform = gitops
        .read("GitRepository", "flux-system", "platform")
        .await;
    assert_eq!(platform["spec"]["ref"], json!({"branch": "main"}));
    assert_eq!(annotation(&platform, PINNED_FROM), None, "{platform:#}");
    assert_eq!(
        platform["status"]["artifact"]["revision"],
        format!("main@sha1:{HEAD}")
    );
    let infra = gitops.read("Kustomization", "flux-system", "infra").await;
    assert_eq!(infra["spec"]["suspend"], false);
    assert_eq!(
        infra["status"]["lastAppliedRevision"],
        format!("main@sha1:{HEAD}")
    );

    let entries = gitops.ledger(&prepared).await;
    assert_eq!(
        operations(&entries),
        [
            (Operation::Sync, Outcome::Succeeded),
            (Operation::Rollback, Outcome::Succeeded),
            (Operation::Unpin, Outcome::Succeeded),
        ]
    );
    let rollback = &entries[1];
    assert_eq!(rollback.revision, PREVIOUS);
    assert_eq!(rollback.restored.as_deref(), Some(PREVIOUS));
    assert_eq!(rollback.reason.as_deref(), Some("INC-9: ingress broken"));
    assert_eq!(
        rollback.resources,
        [
            "source.toolkit.fluxcd.io/GitRepository/flux-system/platform",
            "kustomize.toolkit.fluxcd.io/Kustomization/flux-system/infra",
        ]
    );
    assert_eq!(entries[2].reason.as_deref(), Some("INC-9 fixed in Git"));
}

/// A source pinned by the rollback of an app that was deleted since: discovery
/// says who pinned it, and another app built from it unpins it (refused while the
/// pinning app exists, as that one stays suspended until unpinned from itself).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_pinned_by_a_deleted_app_is_unpinned_from_another_app() {
    let gitops = Gitops::start().await;
    let _controllers = gitops.controllers(true);
    gitops
        .create(json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": {"name": "tenants", "namespace": "flux-system"},
            "spec": {"interval": "10m", "path": "./tenants", "prune": true,
                "sourceRef": {"kind": "GitRepository", "name": "platform"}},
        }))
        .await;
    gitops
        .act(
            "Kustomization",
            "flux-system",
            "infra",
            Ask::Rollback {
                to: format!("main@sha1:{PREVIOUS}"),
            },
            Some("INC-9: ingress broken"),
        )
        .await;

    let found = external::discover(&gitops.connection, &gitops.catalog).await;
    let tenants = found.apps.iter().find(|a| a.name == "tenants").unwrap();
    assert_eq!(
        tenants.source.as_ref().unwrap().pinned_by.as_deref(),
        Some("Kustomization/flux-system/infra")
    );
    let refused = gitops
        .prepare("Kustomization", "flux-system", "tenants", Ask::Unpin, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, ActionError::Refused(m) if m.contains("unpin it from that app")),
        "{refused:?}"
    );

    // Moved to another source, infra no longer holds the pin either.
    gitops.cluster.ok(&[
        "patch",
        "kustomization",
        "infra",
        "-n",
        "flux-system",
        "--type",
        "merge",
        "-p",
        r#"{"spec":{"sourceRef":{"kind":"GitRepository","name":"elsewhere"}}}"#,
    ]);
    let moved = gitops
        .prepare("Kustomization", "flux-system", "tenants", Ask::Unpin, None)
        .await
        .unwrap();
    assert!(
        moved.plan.title.contains("which no longer builds from it"),
        "{}",
        moved.plan.title
    );
    gitops
        .cluster
        .ok(&["delete", "kustomization", "infra", "-n", "flux-system"]);
    let (prepared, summary) = gitops
        .act(
            "Kustomization",
            "flux-system",
            "tenants",
            Ask::Unpin,
            Some("infra was removed; follow main again"),
        )
        .await;
    assert_eq!(
        prepared.plan.title,
        "unpin GitRepository flux-system/platform (pinned by the rollback of \
         Kustomization/flux-system/infra, which no longer builds from it)"
    );
    assert!(
        summary.contains(&format!("Applied revision: main@sha1:{HEAD}")),
        "{summary}"
    );
    let platform = gitops
        .read("GitRepository", "flux-system", "platform")
        .await;
    assert_eq!(platform["spec"]["ref"], json!({"branch": "main"}));
    assert_eq!(annotation(&platform, PINNED_FROM), None, "{platform:#}");
    let tenants = gitops.read("Kustomization", "flux-system", "tenants").await;
    assert_eq!(tenants["spec"].get("suspend"), None, "never suspended");
    let entries = gitops.ledger(&prepared).await;
    assert_eq!(
        operations(&entries),
        [(Operation::Unpin, Outcome::Succeeded)]
    );
    assert_eq!(
        entries[0].reason.as_deref(),
        Some("infra was removed; follow main again")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_helm_release_rollback_pins_the_chart_version() {
    let gitops = Gitops::start().await;
    let _controllers = gitops.controllers(true);
    gitops
        .create(json!({
            "apiVersion": "helm.toolkit.fluxcd.io/v2",
            "kind": "HelmRelease",
            "metadata": {"name": "cache", "namespace": "flux-system"},
            "spec": {
                "interval": "5m",
                "chart": {"spec": {"chart": "redis", "version": "19.x",
                                   "sourceRef": {"kind": "HelmRepository", "name": "bitnami"}}},
            },
        }))
        .await;

    let (prepared, summary) = gitops
        .act(
            "HelmRelease",
            "flux-system",
            "cache",
            Ask::Rollback {
                to: "19.5.0".into(),
            },
            Some("19.6 leaks memory"),
        )
        .await;
    assert_eq!(
        summary,
        "roll back flux-system/cache to chart 19.5.0: HelmRelease cache reconciled \
         (UpgradeSucceeded: Helm upgrade succeeded)"
    );
    let cache = gitops.read("HelmRelease", "flux-system", "cache").await;
    assert_eq!(cache["spec"]["chart"]["spec"]["version"], "19.5.0");
    assert_eq!(
        annotation(&cache, PINNED_FROM),
        Some(&json!(r#"{"version":"19.x"}"#))
    );
    assert_eq!(cache["status"]["lastHandledReconcileAt"], token(&prepared));

    gitops
        .act("HelmRelease", "flux-system", "cache", Ask::Unpin, None)
        .await;
    let cache = gitops.read("HelmRelease", "flux-system", "cache").await;
    assert_eq!(
        cache["spec"]["chart"]["spec"],
        json!({"chart": "redis", "version": "19.x",
               "sourceRef": {"kind": "HelmRepository", "name": "bitnami"}})
    );
    assert_eq!(annotation(&cache, PINNED_FROM), None);

    let entries = gitops.ledger(&prepared).await;
    assert_eq!(
        operations(&entries),
        [
            (Operation::Rollback, Outcome::Succeeded),
            (Operation::Unpin, Outcome::Succeeded),
        ]
    );
    assert_eq!(entries[0].revision, "19.5.0");
    assert_eq!(entries[0].reason.as_deref(), Some("19.6 leaks memory"));
}

// Forbidden

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kind_forbidden_to_list_is_a_problem_and_the_rest_is_listed() {
    let gitops = Gitops::start().await;
    gitops.cluster.sandbox.set_faults(FaultConfig {
        forbidden: vec!["applications.argoproj.io".into()],
        ..FaultConfig::default()
    });
    let found = external::discover(&gitops.connection, &gitops.catalog).await;
    assert_eq!(found.problems.len(), 1, "{:?}", found.problems);
    let problem = &found.problems[0];
    assert!(
        problem.contains("forbidden") && problem.contains("Application.argoproj.io"),
        "{problem}"
    );
    let names: Vec<(&str, &str)> = found
        .apps
        .iter()
        .map(|a| (a.kind.label(), a.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [("Kustomization", "infra"), ("HelmRelease", "redis")]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forbidden_patch_fails_the_action_and_its_ledger_entry() {
    let gitops = Gitops::start().await;
    let prepared = gitops
        .prepare(
            "Kustomization",
            "flux-system",
            "infra",
            Ask::Suspend(true),
            Some("freeze"),
        )
        .await
        .unwrap();
    // The sandbox forbids a resource for every verb; forbidden after the read, it
    // is the patch that is refused.
    gitops.cluster.sandbox.set_faults(FaultConfig {
        forbidden: vec!["kustomizations.kustomize.toolkit.fluxcd.io/flux-system".into()],
        ..FaultConfig::default()
    });
    let executed = gitops.execute(&prepared, WAITS).await;
    assert!(executed.ledger_error.is_none(), "{executed:?}");
    let message = executed.result.unwrap_err();
    assert!(
        message.starts_with("patch of Kustomization/infra: ")
            && message.contains("forbidden (403)")
            && message.contains("cannot patch"),
        "{message}"
    );
    let entries = gitops.ledger(&prepared).await;
    assert_eq!(
        operations(&entries),
        [(Operation::Suspend, Outcome::Failed { message })]
    );
    assert_eq!(entries[0].reason.as_deref(), Some("freeze"));

    gitops.cluster.sandbox.set_faults(FaultConfig::default());
    let infra = gitops.read("Kustomization", "flux-system", "infra").await;
    assert_eq!(infra["spec"].get("suspend"), None, "unchanged: {infra:#}");
}
