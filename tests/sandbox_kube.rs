//! kube-rs against the sandbox: typed and dynamic clients, server-side apply,
//! watches through kube-runtime, subresources, logs, and the injected faults that
//! later tests lean on.

use std::time::Duration;

use driftdeck::sandbox::{CONTEXT_NAME, FaultConfig, Sandbox, SandboxOptions};
use futures_util::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Pod};
use kube::api::{Api, DeleteParams, ListParams, LogParams, Patch, PatchParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Client, Config};
use serde_json::json;

async fn client(sandbox: &Sandbox) -> Client {
    let kubeconfig = Kubeconfig::read_from(sandbox.kubeconfig()).unwrap();
    let options = KubeConfigOptions {
        context: Some(CONTEXT_NAME.into()),
        ..KubeConfigOptions::default()
    };
    let config = Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .unwrap();
    Client::try_from(config).unwrap()
}

fn deployment(name: &str, replicas: i32) -> serde_json::Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "main", "image": "nginx:1.27"}]},
            },
        },
    })
}

#[tokio::test]
async fn typed_crud_with_conflicts() {
    let sandbox = Sandbox::start().unwrap();
    let client = client(&sandbox).await;
    let config_maps: Api<ConfigMap> = Api::default_namespaced(client.clone());
    let mut cm: ConfigMap = serde_json::from_value(json!({
        "metadata": {"name": "settings", "labels": {"team": "a"}},
        "data": {"key": "value"},
    }))
    .unwrap();
    let created = config_maps
        .create(&PostParams::default(), &cm)
        .await
        .unwrap();
    assert!(created.metadata.uid.is_some());
    assert!(created.metadata.creation_timestamp.is_some());
    let exists = config_maps
        .create(&PostParams::default(), &cm)
        .await
        .unwrap_err();
    assert!(
        matches!(exists, kube::Error::Api(ref s) if s.code == 409 && s.reason == "AlreadyExists"),
        "{exists:?}"
    );
    // A stale resourceVersion on update is a 409 Conflict.
    cm.metadata.resource_version = Some("1".into());
    let stale = config_maps
        .replace("settings", &PostParams::default(), &cm)
        .await
        .unwrap_err();
    assert!(
        matches!(stale, kube::Error::Api(ref s) if s.code == 409 && s.reason == "Conflict"),
        "{stale:?}"
    );
    let listed = config_maps
        .list(&ListParams::default().labels("team=a"))
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1);
    let missing = config_maps.get("nope").await.unwrap_err();
    assert!(
        matches!(missing, kube::Error::Api(ref s) if s.code == 404),
        "{missing:?}"
    );
    config_maps
        .delete("settings", &DeleteParams::default())
        .await
        .unwrap();
    assert!(config_maps.get_opt("settings").await.unwrap().is_none());
}

#[tokio::test]
async fn paging_with_limit_and_continue() {
    let sandbox = Sandbox::start_with(SandboxOptions {
        no_controllers: true,
        ..SandboxOptions::default()
    })
    .unwrap();
    let client = client(&sandbox).await;
    let config_maps: Api<ConfigMap> = Api::default_namespaced(client);
    for i in 0..7 {
        let cm: ConfigMap =
            serde_json::from_value(json!({"metadata": {"name": format!("cm-{i}")}})).unwrap();
        config_maps
            .create(&PostParams::default(), &cm)
            .await
            .unwrap();
    }
    let first = config_maps
        .list(&ListParams::default().limit(3))
        .await
        .unwrap();
    assert_eq!(first.items.len(), 3);
    let token = first.metadata.continue_.clone().unwrap();
    let second = config_maps
        .list(&ListParams::default().limit(3).continue_token(&token))
        .await
        .unwrap();
    assert_eq!(second.items.len(), 3);
    assert_ne!(first.items[0].metadata.name, second.items[0].metadata.name);
    assert_eq!(second.metadata.remaining_item_count, Some(1));
}

#[tokio::test]
async fn server_side_apply_tracks_managers() {
    let sandbox = Sandbox::start().unwrap();
    let client = client(&sandbox).await;
    let deployments: Api<Deployment> = Api::default_namespaced(client);
    let params = PatchParams::apply("driftdeck");
    let applied = deployments
        .patch("web", &params, &Patch::Apply(deployment("web", 2)))
        .await
        .unwrap();
    let managers: Vec<String> = applied
        .metadata
        .managed_fields
        .unwrap_or_default()
        .into_iter()
        .filter_map(|m| m.manager)
        .collect();
    assert_eq!(managers, vec!["driftdeck".to_string()]);
    // Another manager changes replicas; our re-apply of another value conflicts.
    deployments
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 5}})),
        )
        .await
        .unwrap();
    let conflict = deployments
        .patch("web", &params, &Patch::Apply(deployment("web", 3)))
        .await
        .unwrap_err();
    match conflict {
        kube::Error::Api(status) => {
            assert_eq!(status.code, 409);
            assert!(
                status.message.contains(".spec.replicas"),
                "{}",
                status.message
            );
        }
        other => panic!("{other:?}"),
    }
    let forced = deployments
        .patch(
            "web",
            &params.clone().force(),
            &Patch::Apply(deployment("web", 3)),
        )
        .await
        .unwrap();
    assert_eq!(forced.spec.replicas, Some(3));
    // Dry run: computed, not stored.
    let dry = deployments
        .patch(
            "web",
            &PatchParams::apply("driftdeck").force().dry_run(),
            &Patch::Apply(deployment("web", 7)),
        )
        .await
        .unwrap();
    assert_eq!(dry.spec.replicas, Some(7));
    assert_eq!(deployments.get("web").await.unwrap().spec.replicas, Some(3));
}

#[tokio::test]
async fn controllers_bring_pods_up_and_scale_works() {
    let sandbox = Sandbox::start().unwrap();
    let client = client(&sandbox).await;
    let deployments: Api<Deployment> = Api::default_namespaced(client.clone());
    deployments
        .patch(
            "api",
            &PatchParams::apply("test"),
            &Patch::Apply(deployment("api", 2)),
        )
        .await
        .unwrap();
    let ready = tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            let d = deployments.get("api").await.unwrap();
            if d.status.and_then(|s| s.ready_replicas) == Some(2) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await;
    assert!(ready.is_ok(), "two ready replicas within 15s");
    let scale = deployments.get_scale("api").await.unwrap();
    assert_eq!(scale.spec.unwrap().replicas, Some(2));
    deployments
        .patch_scale(
            "api",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 1}})),
        )
        .await
        .unwrap();
    assert_eq!(deployments.get("api").await.unwrap().spec.replicas, Some(1));
    let pods: Api<Pod> = Api::default_namespaced(client);
    let listed = pods
        .list(&ListParams::default().labels("app=api"))
        .await
        .unwrap();
    let pod = listed.items.first().unwrap().metadata.name.clone().unwrap();
    let logs = pods
        .logs(
            &pod,
            &LogParams {
                tail_lines: Some(2),
                ..LogParams::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(logs.lines().count(), 2, "{logs}");
}

#[tokio::test]
async fn watcher_sees_changes_and_survives_dropped_watches() {
    let sandbox = Sandbox::start_with(SandboxOptions {
        faults: FaultConfig {
            drop_watches_after: Some(Duration::from_millis(700)),
            ..FaultConfig::default()
        },
        ..SandboxOptions::default()
    })
    .unwrap();
    let client = client(&sandbox).await;
    let config_maps: Api<ConfigMap> = Api::default_namespaced(client);
    let mut stream = watcher(
        config_maps.clone(),
        watcher::Config::default().labels("watched=yes"),
    )
    .applied_objects()
    .boxed();
    let writer = {
        let config_maps = config_maps.clone();
        tokio::spawn(async move {
            for i in 0..4 {
                tokio::time::sleep(Duration::from_millis(500)).await;
                let cm: ConfigMap = serde_json::from_value(json!({
                    "metadata": {"name": format!("w-{i}"), "labels": {"watched": "yes"}}
                }))
                .unwrap();
                config_maps
                    .create(&PostParams::default(), &cm)
                    .await
                    .unwrap();
            }
        })
    };
    let mut seen = std::collections::BTreeSet::new();
    let result = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(cm) = stream.try_next().await.unwrap() {
            seen.insert(cm.metadata.name.unwrap());
            if seen.len() == 4 {
                return;
            }
        }
    })
    .await;
    writer.await.unwrap();
    assert!(result.is_ok(), "saw only {seen:?} across dropped watches");
}

#[tokio::test]
async fn forbidden_and_failing_resources_are_classified() {
    let sandbox = Sandbox::start_with(SandboxOptions {
        faults: FaultConfig {
            forbidden: vec!["secrets".into()],
            ..FaultConfig::default()
        },
        ..SandboxOptions::default()
    })
    .unwrap();
    let client = client(&sandbox).await;
    let secrets: Api<k8s_openapi::api::core::v1::Secret> = Api::all(client.clone());
    let error = secrets.list(&ListParams::default()).await.unwrap_err();
    assert!(
        matches!(error, kube::Error::Api(ref s) if s.code == 403 && s.reason == "Forbidden"),
        "{error:?}"
    );
    sandbox.set_faults(FaultConfig {
        error_rate: 1.0,
        ..FaultConfig::default()
    });
    let namespaces: Api<Namespace> = Api::all(client);
    let error = namespaces.list(&ListParams::default()).await.unwrap_err();
    assert!(
        matches!(error, kube::Error::Api(ref s) if s.code == 500),
        "{error:?}"
    );
    sandbox.set_faults(FaultConfig::default());
    assert!(namespaces.list(&ListParams::default()).await.is_ok());
}

#[tokio::test]
async fn unauthenticated_requests_get_401() {
    let sandbox = Sandbox::start().unwrap();
    let kubeconfig = Kubeconfig::read_from(sandbox.kubeconfig()).unwrap();
    let options = KubeConfigOptions {
        context: Some(CONTEXT_NAME.into()),
        ..KubeConfigOptions::default()
    };
    let mut config = Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .unwrap();
    config.auth_info.token = Some("wrong".to_string().into());
    let client = Client::try_from(config).unwrap();
    let namespaces: Api<Namespace> = Api::all(client);
    let error = namespaces.list(&ListParams::default()).await.unwrap_err();
    assert!(
        matches!(error, kube::Error::Api(ref s) if s.code == 401),
        "{error:?}"
    );
}

#[test]
fn state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let options = || SandboxOptions {
        state: Some(state.clone()),
        no_controllers: true,
        ..SandboxOptions::default()
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sandbox = Sandbox::start_with(options()).unwrap();
    runtime.block_on(async {
        let config_maps: Api<ConfigMap> = Api::default_namespaced(client(&sandbox).await);
        let cm: ConfigMap = serde_json::from_value(json!({"metadata": {"name": "kept"}})).unwrap();
        config_maps
            .create(&PostParams::default(), &cm)
            .await
            .unwrap();
    });
    sandbox.stop().unwrap();
    let resumed = Sandbox::start_with(options()).unwrap();
    runtime.block_on(async {
        let config_maps: Api<ConfigMap> = Api::default_namespaced(client(&resumed).await);
        assert!(config_maps.get_opt("kept").await.unwrap().is_some());
    });
}
