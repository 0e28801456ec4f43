//! The live state of an app against the sandbox: desired objects found by key,
//! tracked objects found by label even after they left Git, unknown kinds reported
//! per kind.

mod common;

use common::cluster::manifest;
use driftdeck::cluster::{self, ApplyMode};
use driftdeck::engine::clusters::Clusters;
use driftdeck::engine::live;
use driftdeck::engine::tracking::tracked;
use driftdeck::model::AppName;
use driftdeck::sandbox::Sandbox;
use serde_json::json;

#[tokio::test]
async fn live_state_finds_desired_tracked_and_reports_unknown_kinds() {
    let sandbox = Sandbox::start().unwrap();
    let session = Clusters::new(Some(sandbox.kubeconfig()))
        .session(None)
        .await
        .unwrap();
    let (connection, catalog) = (&session.connection, &session.catalog);
    assert!(catalog.get("apps", "Deployment").is_some());
    let app = AppName::new("web");
    let config = manifest(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "default"}, "data": {"a": "1"}}),
    );
    let old = manifest(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "old", "namespace": "default"}, "data": {"b": "2"}}),
    );
    // Applied by driftdeck earlier: tracked.
    for m in [&config, &old] {
        let served = catalog.get("", "ConfigMap").unwrap();
        cluster::apply(
            connection,
            served,
            &tracked(m, &app),
            "driftdeck",
            false,
            ApplyMode::Real,
        )
        .await
        .unwrap();
    }
    // Git now has `settings` and a Service nobody applied yet, and a kind the
    // cluster does not serve.
    let service = manifest(
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"}, "spec": {"ports": [{"port": 80}]}}),
    );
    let widget = manifest(
        json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "default"}}),
    );
    let state = live::fetch(&session, &app, &[config.clone(), service.clone(), widget]).await;
    assert!(state.objects.contains_key(&config.key), "desired and live");
    assert!(
        state.objects.contains_key(&old.key),
        "tracked, no longer in Git"
    );
    assert!(
        !state.objects.contains_key(&service.key),
        "desired, not live"
    );
    assert!(
        !state.objects.keys().any(|k| k.name == "kubernetes"),
        "objects of other apps are not included"
    );
    assert_eq!(state.problems.len(), 1);
    assert_eq!(state.problems[0].kind, "Widget");
    // A dry run predicts without storing.
    let served = catalog.get("", "Service").unwrap();
    let predicted = cluster::apply(
        connection,
        served,
        &tracked(&service, &app),
        "driftdeck",
        true,
        ApplyMode::DryRun,
    )
    .await
    .unwrap();
    assert_eq!(
        predicted["spec"]["type"], "ClusterIP",
        "defaulted by the server"
    );
    let state = live::fetch(&session, &app, std::slice::from_ref(&service)).await;
    assert!(!state.objects.contains_key(&service.key));
}
