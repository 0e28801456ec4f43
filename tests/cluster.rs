//! The cluster layer against the sandbox: connecting by kubeconfig and context, and
//! every failure classified so the user knows what to do.

use std::time::Duration;

use driftdeck::cluster::{ClusterError, connect};
use driftdeck::error::{Classified, ErrorKind};
use driftdeck::sandbox::{CONTEXT_NAME, FaultConfig, Sandbox, SandboxOptions};
use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::api::{Api, ListParams};

#[tokio::test]
async fn connects_by_context_and_lists() {
    let sandbox = Sandbox::start().unwrap();
    let connection = connect(Some(sandbox.kubeconfig()), None).await.unwrap();
    assert_eq!(
        connection.context, CONTEXT_NAME,
        "the current context by default"
    );
    assert!(connection.server.starts_with("https://127.0.0.1:"));
    let namespaces: Api<Namespace> = Api::all(connection.client);
    assert!(
        namespaces
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .len()
            >= 4
    );
}

#[tokio::test]
async fn an_unknown_context_names_the_known_ones() {
    let sandbox = Sandbox::start().unwrap();
    let error = connect(Some(sandbox.kubeconfig()), Some("prod"))
        .await
        .err()
        .unwrap();
    assert!(
        matches!(error, ClusterError::UnknownContext { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains(CONTEXT_NAME), "{error}");
    assert_eq!(error.kind(), ErrorKind::Config);
    assert!(error.hint().unwrap().contains("--context"));
}

#[tokio::test]
async fn a_missing_or_broken_kubeconfig_is_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let error = connect(Some(&missing), None).await.err().unwrap();
    assert!(
        matches!(error, ClusterError::InvalidKubeconfig { .. }),
        "{error:?}"
    );
    let broken = dir.path().join("broken");
    std::fs::write(&broken, "clusters: [not: [valid").unwrap();
    let error = connect(Some(&broken), None).await.err().unwrap();
    assert_eq!(error.kind(), ErrorKind::Config, "{error:?}");
}

#[tokio::test]
async fn failures_are_classified() {
    let sandbox = Sandbox::start_with(SandboxOptions {
        faults: FaultConfig {
            forbidden: vec!["secrets".into()],
            ..FaultConfig::default()
        },
        ..SandboxOptions::default()
    })
    .unwrap();
    let connection = connect(Some(sandbox.kubeconfig()), None).await.unwrap();
    let secrets: Api<Secret> = Api::all(connection.client.clone());
    let forbidden = ClusterError::from_kube(
        &connection.context,
        secrets.list(&ListParams::default()).await.unwrap_err(),
    );
    assert!(
        matches!(forbidden, ClusterError::Forbidden { .. }),
        "{forbidden:?}"
    );
    assert!(forbidden.hint().unwrap().contains("auth can-i"));
    let missing: Api<Namespace> = Api::all(connection.client.clone());
    let not_found =
        ClusterError::from_kube(&connection.context, missing.get("nope").await.unwrap_err());
    assert!(
        matches!(not_found, ClusterError::NotFound { .. }),
        "{not_found:?}"
    );
    // Wrong credentials.
    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("wrong-token");
    let text = std::fs::read_to_string(sandbox.kubeconfig())
        .unwrap()
        .replace(sandbox.token(), "not-the-token");
    std::fs::write(&wrong, text).unwrap();
    let refused = connect(Some(&wrong), None).await.unwrap();
    let namespaces: Api<Namespace> = Api::all(refused.client);
    let unauthorized = ClusterError::from_kube(
        &refused.context,
        namespaces.list(&ListParams::default()).await.unwrap_err(),
    );
    assert!(
        matches!(unauthorized, ClusterError::Unauthorized { .. }),
        "{unauthorized:?}"
    );
    // A cluster that is not there.
    let url = sandbox.url().to_owned();
    let kubeconfig = std::fs::read_to_string(sandbox.kubeconfig()).unwrap();
    drop(sandbox);
    let gone = dir.path().join("gone");
    std::fs::write(&gone, kubeconfig).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let connection = connect(Some(&gone), None).await.unwrap();
    let namespaces: Api<Namespace> = Api::all(connection.client);
    let unreachable = ClusterError::from_kube(
        &connection.context,
        namespaces.list(&ListParams::default()).await.unwrap_err(),
    );
    assert!(
        matches!(unreachable, ClusterError::Unreachable { .. }),
        "{unreachable:?} ({url})"
    );
    assert_eq!(unreachable.kind(), ErrorKind::Cluster);
}
