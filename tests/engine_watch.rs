//! Live state kept current by watches: a change made by hand with kubectl reaches
//! the engine within 2 seconds without anyone asking again, deletions too, and a
//! kind the user may not list is reported for that kind only.

mod common;

use std::time::{Duration, Instant};

use common::cluster::{Cluster, manifest};
use driftdeck::cluster::{self, ApplyMode};
use driftdeck::engine::clusters::Clusters;
use driftdeck::engine::live::{self, KindError};
use driftdeck::engine::tracking::tracked;
use driftdeck::model::AppName;
use driftdeck::sandbox::{FaultConfig, SandboxOptions};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_by_hand_shows_up_within_two_seconds() {
    let cluster = Cluster::start_with(SandboxOptions {
        no_controllers: true,
        ..SandboxOptions::default()
    });
    let session = Clusters::new(Some(cluster.sandbox.kubeconfig()))
        .session(None)
        .await
        .unwrap();
    let app = AppName::new("web");
    let deployment = manifest(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}
    }));
    let served = session.catalog.get("apps", "Deployment").unwrap();
    cluster::apply(
        &session.connection,
        served,
        &tracked(&deployment, &app),
        "driftdeck",
        false,
        ApplyMode::Real,
    )
    .await
    .unwrap();
    let desired = std::slice::from_ref(&deployment);
    let state = live::fetch(&session, &app, desired).await;
    assert_eq!(
        state.objects[&deployment.key]["spec"]["replicas"], 1,
        "listed by the first read"
    );

    let mut changes = session.watched.changes();
    changes.mark_unchanged();
    let kubeconfig = cluster.sandbox.kubeconfig().to_path_buf();
    let scaled_at = Instant::now();
    let scale = tokio::task::spawn_blocking(move || {
        std::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(["scale", "deployment/web", "--replicas=4"])
            .env_remove("KUBECONFIG")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        scale.status.success(),
        "{}",
        String::from_utf8_lossy(&scale.stderr)
    );
    // The watch tells without being asked, and the read after has it, from the
    // watch, within the same 2 seconds. (A controller's status write may be
    // announced first: every announcement is read until the scale is in.)
    let deadline = scaled_at + Duration::from_secs(2);
    let state = loop {
        tokio::time::timeout_at(deadline.into(), changes.changed())
            .await
            .expect("the scale is announced within 2 s")
            .unwrap();
        let state = live::fetch(&session, &app, desired).await;
        if state.objects[&deployment.key]["spec"]["replicas"] == 4 {
            break state;
        }
    };
    assert_eq!(state.objects[&deployment.key]["spec"]["replicas"], 4);
    assert!(
        scaled_at.elapsed() < Duration::from_secs(2),
        "{:?}",
        scaled_at.elapsed()
    );

    // A deletion by hand: the object is gone from live state (Missing).
    changes.mark_unchanged();
    cluster.ok(&["delete", "deployment", "web", "--wait=false"]);
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let state = live::fetch(&session, &app, desired).await;
        if !state.objects.contains_key(&deployment.key) {
            break;
        }
        assert!(Instant::now() < deadline, "the deletion reached the engine");
        let _ = tokio::time::timeout(Duration::from_millis(200), changes.changed()).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forbidden_kind_is_a_problem_of_that_kind_only() {
    let cluster = Cluster::start_with(SandboxOptions {
        no_controllers: true,
        faults: FaultConfig {
            forbidden: vec!["secrets".into()],
            ..FaultConfig::default()
        },
        ..SandboxOptions::default()
    });
    let session = Clusters::new(Some(cluster.sandbox.kubeconfig()))
        .session(None)
        .await
        .unwrap();
    let app = AppName::new("web");
    let config = manifest(json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "settings", "namespace": "default"}, "data": {"a": "1"}
    }));
    let secret = manifest(json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "token", "namespace": "default"}, "stringData": {"t": "x"}
    }));
    // Created by hand, never labelled: found by listing its namespace.
    cluster.ok_with_input(
        &["apply", "-f", "-"],
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\ndata:\n  a: \"1\"\n",
    );
    let state = live::fetch(&session, &app, &[config.clone(), secret]).await;
    assert!(state.objects.contains_key(&config.key));
    let secrets: Vec<_> = state
        .problems
        .iter()
        .filter(|p| p.kind == "Secret")
        .collect();
    assert_eq!(secrets.len(), 1, "{:?}", state.problems);
    assert!(
        matches!(
            &secrets[0].error,
            KindError::Cluster(driftdeck::cluster::ClusterError::Forbidden { .. })
        ),
        "{:?}",
        secrets[0].error
    );
    assert!(
        state.problems.iter().all(|p| p.kind == "Secret"),
        "{:?}",
        state.problems
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kind_not_listable_cluster_wide_is_read_in_the_namespaces_git_names() {
    // RBAC limited to namespaces: ConfigMaps cannot be listed or watched across
    // all namespaces, only in `default`.
    let cluster = Cluster::start_with(SandboxOptions {
        no_controllers: true,
        faults: FaultConfig {
            forbidden: vec!["configmaps/".into()],
            ..FaultConfig::default()
        },
        ..SandboxOptions::default()
    });
    let session = Clusters::new(Some(cluster.sandbox.kubeconfig()))
        .session(None)
        .await
        .unwrap();
    let app = AppName::new("web");
    let config = manifest(json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "settings", "namespace": "default"}, "data": {"a": "1"}
    }));
    let served = session.catalog.get("", "ConfigMap").unwrap();
    cluster::apply(
        &session.connection,
        served,
        &tracked(&config, &app),
        "driftdeck",
        false,
        ApplyMode::Real,
    )
    .await
    .unwrap();
    let state = live::fetch(&session, &app, std::slice::from_ref(&config)).await;
    assert!(
        state.objects.contains_key(&config.key),
        "found by listing its namespace: {:?}",
        state.problems
    );
    assert!(
        state.problems.iter().any(|p| p.kind == "ConfigMap"
            && matches!(
                &p.error,
                KindError::Cluster(driftdeck::cluster::ClusterError::Forbidden { .. })
            )),
        "the cluster-wide refusal is still reported: {:?}",
        state.problems
    );
}
