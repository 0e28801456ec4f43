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

/// Reads a watch stream's lines for `duration` (or until `enough` lines).
async fn watch_lines(
    client: &Client,
    uri: &str,
    duration: Duration,
    enough: usize,
) -> Vec<serde_json::Value> {
    use futures_util::AsyncBufReadExt;
    let request = http::Request::get(uri).body(Vec::new()).unwrap();
    let stream = client.request_stream(request).await.unwrap();
    let mut lines = stream.lines();
    let mut events = Vec::new();
    let _ = tokio::time::timeout(duration, async {
        while let Some(Ok(line)) = lines.next().await {
            events.push(serde_json::from_str(&line).unwrap());
            if events.len() >= enough {
                return;
            }
        }
    })
    .await;
    events
}

fn types(events: &[serde_json::Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn raw_watches_resume_bookmark_expire_and_follow_selectors() {
    let sandbox = Sandbox::start_with(SandboxOptions {
        no_controllers: true,
        change_log: Some(5),
        ..SandboxOptions::default()
    })
    .unwrap();
    let client = client(&sandbox).await;
    let config_maps: Api<ConfigMap> = Api::default_namespaced(client.clone());
    let first = config_maps
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "a", "labels": {"tier": "web"}}}))
                .unwrap(),
        )
        .await
        .unwrap();
    let first_rv = first.metadata.resource_version.unwrap();
    // Resuming right after the first change sees the next ones only.
    for name in ["b", "c"] {
        config_maps
            .create(
                &PostParams::default(),
                &serde_json::from_value(json!({"metadata": {"name": name}})).unwrap(),
            )
            .await
            .unwrap();
    }
    let resumed = watch_lines(
        &client,
        &format!("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={first_rv}"),
        Duration::from_millis(500),
        10,
    )
    .await;
    assert_eq!(types(&resumed), vec!["ADDED", "ADDED"]);
    assert_eq!(resumed[0]["object"]["metadata"]["name"], "b");
    // Bookmarks, when asked for.
    let bookmarks = watch_lines(
        &client,
        "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0&allowWatchBookmarks=true",
        Duration::from_millis(2500),
        10,
    )
    .await;
    assert!(types(&bookmarks).contains(&"BOOKMARK"), "{bookmarks:?}");
    // A streaming list: the current state, then the initial-events-end bookmark.
    let streamed = watch_lines(
        &client,
        "/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true",
        Duration::from_secs(2),
        4,
    )
    .await;
    assert_eq!(
        types(&streamed),
        vec!["ADDED", "ADDED", "ADDED", "BOOKMARK"]
    );
    assert_eq!(
        streamed[3]["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"],
        "true"
    );
    // An object that stops matching the selector is sent as DELETED.
    let selector_watch = {
        let client = client.clone();
        tokio::spawn(async move {
            watch_lines(
                &client,
                "/api/v1/namespaces/default/configmaps?watch=true&labelSelector=tier%3Dweb",
                Duration::from_secs(3),
                2,
            )
            .await
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    config_maps
        .patch(
            "a",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"tier": "db"}}})),
        )
        .await
        .unwrap();
    let transitions = selector_watch.await.unwrap();
    assert_eq!(types(&transitions), vec!["ADDED", "DELETED"]);
    // After more changes than the log keeps, the first version is gone: 410 Expired.
    for i in 0..6 {
        config_maps
            .patch(
                "b",
                &PatchParams::default(),
                &Patch::Merge(json!({"data": {"n": i.to_string()}})),
            )
            .await
            .unwrap();
    }
    let expired = watch_lines(
        &client,
        &format!("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={first_rv}"),
        Duration::from_secs(1),
        1,
    )
    .await;
    assert_eq!(types(&expired), vec!["ERROR"]);
    assert_eq!(expired[0]["object"]["code"], 410);
    assert_eq!(expired[0]["object"]["reason"], "Expired");
}

#[tokio::test]
async fn deletion_propagates_orphans_and_dry_runs() {
    let sandbox = Sandbox::start_with(SandboxOptions {
        no_controllers: true,
        ..SandboxOptions::default()
    })
    .unwrap();
    let client = client(&sandbox).await;
    let config_maps: Api<ConfigMap> = Api::default_namespaced(client);
    let make = |name: &str, owner: Option<&ConfigMap>| -> ConfigMap {
        let mut metadata = json!({"name": name});
        if let Some(owner) = owner {
            metadata["ownerReferences"] = json!([{
                "apiVersion": "v1", "kind": "ConfigMap",
                "name": owner.metadata.name, "uid": owner.metadata.uid,
            }]);
        }
        serde_json::from_value(json!({"metadata": metadata})).unwrap()
    };
    let parent = config_maps
        .create(&PostParams::default(), &make("parent", None))
        .await
        .unwrap();
    config_maps
        .create(&PostParams::default(), &make("child", Some(&parent)))
        .await
        .unwrap();
    // Dry run: nothing goes.
    let dry = DeleteParams {
        dry_run: true,
        ..DeleteParams::default()
    };
    config_maps.delete("parent", &dry).await.unwrap();
    assert!(config_maps.get_opt("parent").await.unwrap().is_some());
    // Background propagation takes the child with the parent.
    config_maps
        .delete("parent", &DeleteParams::background())
        .await
        .unwrap();
    assert!(config_maps.get_opt("child").await.unwrap().is_none());
    // Orphan keeps the child and drops its owner reference.
    let parent = config_maps
        .create(&PostParams::default(), &make("parent", None))
        .await
        .unwrap();
    config_maps
        .create(&PostParams::default(), &make("child", Some(&parent)))
        .await
        .unwrap();
    config_maps
        .delete("parent", &DeleteParams::orphan())
        .await
        .unwrap();
    let child = config_maps.get("child").await.unwrap();
    assert!(
        child
            .metadata
            .owner_references
            .unwrap_or_default()
            .is_empty()
    );
    // Finalizers hold an object in Terminating until they are removed.
    let held: ConfigMap = serde_json::from_value(
        json!({"metadata": {"name": "held", "finalizers": ["example.com/keep"]}}),
    )
    .unwrap();
    config_maps
        .create(&PostParams::default(), &held)
        .await
        .unwrap();
    config_maps
        .delete("held", &DeleteParams::default())
        .await
        .unwrap();
    let terminating = config_maps.get("held").await.unwrap();
    assert!(terminating.metadata.deletion_timestamp.is_some());
    config_maps
        .patch(
            "held",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"finalizers": null}})),
        )
        .await
        .unwrap();
    assert!(config_maps.get_opt("held").await.unwrap().is_none());
}

#[tokio::test]
async fn malformed_objects_are_refused_not_crashed_on() {
    let sandbox = Sandbox::start().unwrap();
    let client = client(&sandbox).await;
    let dynamic = |kind: &str| {
        let (group, version, plural) = match kind {
            "ConfigMap" => ("", "v1", "configmaps"),
            _ => ("apps", "v1", "deployments"),
        };
        let resource = kube::api::ApiResource {
            group: group.into(),
            version: version.into(),
            api_version: if group.is_empty() {
                version.into()
            } else {
                format!("{group}/{version}")
            },
            kind: kind.into(),
            plural: plural.into(),
        };
        Api::<kube::api::DynamicObject>::namespaced_with(client.clone(), "default", &resource)
    };
    let bad_annotations = dynamic("ConfigMap")
        .patch(
            "odd",
            &PatchParams::apply("test"),
            &Patch::Apply(json!({
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "odd", "annotations": "not a map"},
            })),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(bad_annotations, kube::Error::Api(ref s) if s.code == 422 || s.code == 400),
        "{bad_annotations:?}"
    );
    let huge = dynamic("Deployment")
        .patch(
            "big",
            &PatchParams::apply("test"),
            &Patch::Apply({
                let mut d = deployment("big", 1);
                d["spec"]["replicas"] = json!(100_000_000_000i64);
                d
            }),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(huge, kube::Error::Api(ref s) if s.code == 422),
        "{huge:?}"
    );
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let protected = namespaces
        .delete("kube-system", &DeleteParams::default())
        .await
        .unwrap_err();
    assert!(
        matches!(protected, kube::Error::Api(ref s) if s.code == 403),
        "{protected:?}"
    );
    // A huge grace period is clamped, not a crash.
    let pods: Api<Pod> = Api::default_namespaced(client.clone());
    let pod: Pod = serde_json::from_value(json!({
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]},
    }))
    .unwrap();
    pods.create(&PostParams::default(), &pod).await.unwrap();
    let request = http::Request::delete(
        "/api/v1/namespaces/default/pods/p?gracePeriodSeconds=9223372036854775807",
    )
    .body(Vec::new())
    .unwrap();
    client.request_text(request).await.unwrap();
    let logs = http::Request::get(
        "/api/v1/namespaces/default/pods/p/log?sinceSeconds=9223372036854775807",
    )
    .body(Vec::new())
    .unwrap();
    let _ = client.request_text(logs).await;
    // The server is still there.
    assert!(namespaces.get("default").await.is_ok());
}

#[tokio::test]
async fn status_subresource_drives_a_cronjob_and_latency_is_injected() {
    use k8s_openapi::api::batch::v1::{CronJob, Job};
    let sandbox = Sandbox::start().unwrap();
    let client = client(&sandbox).await;
    let cronjobs: Api<CronJob> = Api::default_namespaced(client.clone());
    let cronjob: CronJob = serde_json::from_value(json!({
        "metadata": {"name": "nightly"},
        "spec": {
            "schedule": "0 3 * * *",
            "jobTemplate": {"spec": {"template": {"spec": {
                "restartPolicy": "Never",
                "containers": [{"name": "report", "image": "ghcr.io/acme/report:1.0"}],
            }}}},
        },
    }))
    .unwrap();
    cronjobs
        .create(&PostParams::default(), &cronjob)
        .await
        .unwrap();
    // A status written through /status: the last run two days ago, so one is due.
    let two_days_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(48);
    let status = json!({"status": {"lastScheduleTime": two_days_ago.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()}});
    cronjobs
        .patch_status("nightly", &PatchParams::default(), &Patch::Merge(status))
        .await
        .unwrap();
    // A status write on the main resource is ignored, as on a real cluster.
    let ignored = cronjobs
        .patch(
            "nightly",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"lastScheduleTime": null}})),
        )
        .await
        .unwrap();
    assert!(ignored.status.and_then(|s| s.last_schedule_time).is_some());
    let jobs: Api<Job> = Api::default_namespaced(client.clone());
    let started = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let listed = jobs.list(&ListParams::default()).await.unwrap();
            if !listed.items.is_empty() {
                return listed.items;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await
    .expect("the missed run starts a Job");
    assert_eq!(started.len(), 1, "only the latest missed run starts");
    // Field selectors.
    let pods: Api<Pod> = Api::all(client.clone());
    let none = pods
        .list(&ListParams::default().fields("status.phase=NoSuchPhase"))
        .await
        .unwrap();
    assert!(none.items.is_empty());
    // Latency, set at run time.
    sandbox.set_faults(FaultConfig {
        latency: Duration::from_millis(300),
        ..FaultConfig::default()
    });
    let before = std::time::Instant::now();
    cronjobs.get("nightly").await.unwrap();
    assert!(before.elapsed() >= Duration::from_millis(300));
}
