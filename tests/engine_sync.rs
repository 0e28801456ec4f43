//! Sync against the sandbox: plan, apply in waves with tracking, prune safeguards,
//! conflicts with other managers, and a failure mid-sync reported exactly.

mod common;

use common::cluster::manifest;
use driftdeck::cluster::{self, ClusterError};
use driftdeck::engine::clusters::{Clusters, Session};
use driftdeck::engine::live::{self, LiveState};
use driftdeck::engine::sync::{self, PruneSkip, SyncOptions};
use driftdeck::model::{AppName, Manifest};
use driftdeck::sandbox::{FaultConfig, Sandbox};
use serde_json::json;

fn app_manifests(replicas: i64) -> Vec<Manifest> {
    vec![
        manifest(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})),
        manifest(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "shop"}, "data": {"a": "1"}}),
        ),
        manifest(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "keep-me", "namespace": "shop", "annotations": {"driftdeck.dev/prune": "false"}}}),
        ),
        manifest(
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "shop"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "api"}},
                     "template": {"metadata": {"labels": {"app": "api"}}, "spec": {"containers": [{"name": "api", "image": "nginx:1.27"}]}}}}),
        ),
        manifest(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "late", "namespace": "shop", "annotations": {"argocd.argoproj.io/sync-wave": "5"}}}),
        ),
    ]
}

/// The live state once `done` holds (the watches follow the API server within
/// milliseconds; five seconds is a failure).
async fn settled(
    session: &Session,
    app: &AppName,
    desired: &[Manifest],
    done: impl Fn(&LiveState) -> bool,
) -> LiveState {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let state = live::fetch(session, app, desired).await;
        if done(&state) || std::time::Instant::now() > deadline {
            return state;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn sync_prune_conflict_and_partial_failure() {
    let sandbox = Sandbox::start().unwrap();
    let session = Clusters::new(Some(sandbox.kubeconfig()))
        .session(None)
        .await
        .unwrap();
    let (connection, catalog) = (&session.connection, &session.catalog);
    let app = AppName::new("shop");
    let desired = app_manifests(2);
    let state = live::fetch(&session, &app, &desired).await;
    let options = SyncOptions {
        prune: true,
        ..SyncOptions::default()
    };
    let plan = sync::plan(&app, &desired, &state, &options, &Default::default());
    assert_eq!(plan.create.len(), 5);
    let report = sync::execute(connection, catalog, &app, &desired, &state, &plan, &options).await;
    assert!(report.succeeded(), "{report:?}");
    assert_eq!(report.applied.len(), 5);
    // Everything now carries the tracking label (seen by the watches as soon as the
    // API server reports it); a second sync creates nothing.
    let state = settled(&session, &app, &desired, |s| {
        s.objects
            .values()
            .all(|o| o.pointer("/metadata/labels/driftdeck.dev~1app").is_some())
            && s.objects.len() == 5
    })
    .await;
    assert_eq!(state.objects.len(), 5);
    let plan = sync::plan(&app, &desired, &state, &options, &Default::default());
    assert!(plan.create.is_empty() && plan.prune.is_empty());

    // Git drops two ConfigMaps and the Namespace: only `settings` goes.
    let smaller: Vec<Manifest> = desired
        .iter()
        .filter(|m| m.key.kind == "Deployment" || m.key.name == "late")
        .cloned()
        .collect();
    let state = live::fetch(&session, &app, &smaller).await;
    let plan = sync::plan(&app, &smaller, &state, &options, &Default::default());
    let pruned: Vec<&str> = plan.prune.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(pruned, vec!["settings"]);
    assert!(
        plan.keep
            .iter()
            .any(|(k, why)| k.name == "shop" && *why == PruneSkip::Namespace)
    );
    assert!(
        plan.keep
            .iter()
            .any(|(k, why)| k.name == "keep-me" && matches!(why, PruneSkip::Annotated(_)))
    );
    let report = sync::execute(connection, catalog, &app, &smaller, &state, &plan, &options).await;
    assert_eq!(report.pruned.len(), 1, "{report:?}");

    // Another manager takes spec.replicas; a sync that changes it conflicts.
    let served = catalog.get("apps", "Deployment").unwrap();
    let mut scaled = smaller[0].object.clone();
    scaled["spec"]["replicas"] = json!(5);
    cluster::apply(
        connection,
        served,
        &scaled,
        "kubectl-scale",
        true,
        cluster::ApplyMode::Real,
    )
    .await
    .unwrap();
    let changed: Vec<Manifest> = app_manifests(3)
        .into_iter()
        .filter(|m| m.key.kind == "Deployment")
        .collect();
    let state = live::fetch(&session, &app, &changed).await;
    let plan = sync::plan(
        &app,
        &changed,
        &state,
        &SyncOptions::default(),
        &Default::default(),
    );
    let report = sync::execute(
        connection,
        catalog,
        &app,
        &changed,
        &state,
        &plan,
        &SyncOptions::default(),
    )
    .await;
    let (key, error) = &report.failed[0];
    assert_eq!(key.kind, "Deployment");
    assert!(
        matches!(error, ClusterError::Conflict { message, .. } if message.contains("kubectl-scale") && message.contains(".spec.replicas")),
        "{error:?}"
    );
    let forced = SyncOptions {
        force_conflicts: true,
        ..SyncOptions::default()
    };
    let report = sync::execute(connection, catalog, &app, &changed, &state, &plan, &forced).await;
    assert!(report.succeeded(), "{report:?}");

    // Deployments forbidden: the earlier wave is applied, the later one not attempted.
    sandbox.set_faults(FaultConfig {
        forbidden: vec!["deployments.apps".into()],
        ..FaultConfig::default()
    });
    let desired = app_manifests(3);
    let state = live::fetch(&session, &app, &desired).await;
    let plan = sync::plan(
        &app,
        &desired,
        &state,
        &SyncOptions::default(),
        &Default::default(),
    );
    let report = sync::execute(
        connection,
        catalog,
        &app,
        &desired,
        &state,
        &plan,
        &SyncOptions::default(),
    )
    .await;
    assert!(!report.succeeded());
    assert!(
        matches!(report.failed[0].1, ClusterError::Forbidden { .. }),
        "{report:?}"
    );
    assert!(report.applied.iter().any(|k| k.name == "settings"));
    assert_eq!(
        report
            .not_attempted
            .iter()
            .map(|k| k.name.as_str())
            .collect::<Vec<_>>(),
        vec!["late"]
    );
}

#[tokio::test]
async fn a_500_mid_sync_is_reported_exactly_and_running_again_completes() {
    let sandbox = Sandbox::start().unwrap();
    let session = Clusters::new(Some(sandbox.kubeconfig()))
        .session(None)
        .await
        .unwrap();
    let app = AppName::new("shop");
    let desired = app_manifests(2);
    let state = live::fetch(&session, &app, &desired).await;
    let options = SyncOptions::default();
    let plan = sync::plan(&app, &desired, &state, &options, &Default::default());
    // The API server fails to store Deployments: the Namespace and ConfigMaps
    // before them go in, the Deployment fails, the later wave is not attempted.
    sandbox.set_faults(FaultConfig {
        failing_writes: vec!["deployments.apps".into()],
        ..FaultConfig::default()
    });
    let report = sync::execute(
        &session.connection,
        &session.catalog,
        &app,
        &desired,
        &state,
        &plan,
        &options,
    )
    .await;
    assert!(!report.succeeded());
    let names = |keys: &[driftdeck::model::ResourceKey]| {
        keys.iter().map(|k| k.name.clone()).collect::<Vec<_>>()
    };
    assert_eq!(
        names(&report.applied),
        ["shop", "keep-me", "settings"],
        "{report:?}"
    );
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert_eq!(report.failed[0].0.name, "api");
    assert!(
        matches!(report.failed[0].1, ClusterError::Api { code: 500, .. }),
        "{report:?}"
    );
    assert_eq!(names(&report.not_attempted), ["late"]);

    // Fixed: the same sync again creates what is missing (re-applying the rest is
    // idempotent).
    sandbox.set_faults(FaultConfig::default());
    let state = settled(&session, &app, &desired, |s| s.objects.len() == 3).await;
    let plan = sync::plan(&app, &desired, &state, &options, &Default::default());
    assert_eq!(names(&plan.create), ["api", "late"], "{plan:?}");
    let report = sync::execute(
        &session.connection,
        &session.catalog,
        &app,
        &desired,
        &state,
        &plan,
        &options,
    )
    .await;
    assert!(report.succeeded(), "{report:?}");
    let state = settled(&session, &app, &desired, |s| s.objects.len() == 5).await;
    assert_eq!(state.objects.len(), 5);
}
