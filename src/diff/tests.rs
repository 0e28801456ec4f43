//! Whole-object cases of `diff`: statuses, modes, ignore rules and Secret masking.

use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use super::*;

fn deployment_key() -> ResourceKey {
    ResourceKey::new("apps", "Deployment", "web", "api")
}

fn secret_key() -> ResourceKey {
    ResourceKey::new("", "Secret", "web", "creds")
}

/// A Deployment as Git has it.
fn manifest(replicas: Option<u64>, image: &str) -> Value {
    let mut object = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "api", "namespace": "web", "labels": {"app": "api"}},
        "spec": {
            "selector": {"matchLabels": {"app": "api"}},
            "template": {
                "metadata": {"labels": {"app": "api"}},
                "spec": {"containers": [
                    {"name": "api", "image": image, "ports": [{"containerPort": 8080}]},
                    {"name": "log", "image": "log:1"}
                ]}
            }
        }
    });
    if let Some(replicas) = replicas {
        object["spec"]["replicas"] = json!(replicas);
    }
    object
}

/// The same Deployment as the server returns it: defaults, bookkeeping and status
/// filled in, containers in another order.
fn served(replicas: u64, image: &str, resource_version: &str) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "api",
            "namespace": "web",
            "labels": {"app": "api"},
            "uid": "6f1c",
            "resourceVersion": resource_version,
            "generation": 4,
            "creationTimestamp": "2024-05-01T10:00:00Z",
            "annotations": {"deployment.kubernetes.io/revision": "4"},
            "managedFields": [{"manager": "driftdeck", "operation": "Apply", "time": resource_version}]
        },
        "spec": {
            "replicas": replicas,
            "revisionHistoryLimit": 10,
            "progressDeadlineSeconds": 600,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "selector": {"matchLabels": {"app": "api"}},
            "template": {
                "metadata": {"labels": {"app": "api"}, "creationTimestamp": null},
                "spec": {
                    "restartPolicy": "Always",
                    "dnsPolicy": "ClusterFirst",
                    "containers": [
                        {"name": "log", "image": "log:1", "imagePullPolicy": "IfNotPresent",
                         "terminationMessagePath": "/dev/termination-log"},
                        {"name": "api", "image": image, "imagePullPolicy": "IfNotPresent",
                         "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                         "resources": {}}
                    ]
                }
            }
        },
        "status": {"replicas": replicas, "readyReplicas": replicas, "observedGeneration": 4}
    })
}

fn input<'a>(
    key: &'a ResourceKey,
    desired: Option<&'a Value>,
    live: Option<&'a Value>,
    predicted: Option<&'a Value>,
    ignore: &'a [IgnoreDifference],
) -> DiffInput<'a> {
    DiffInput {
        key,
        desired,
        live,
        predicted,
        ignore,
    }
}

fn pointers(diff: &ResourceDiff) -> Vec<(&str, ChangeKind)> {
    diff.changes
        .iter()
        .map(|c| (c.pointer.as_str(), c.change))
        .collect()
}

#[test]
fn server_side_defaulting_noise_is_synced() {
    let key = deployment_key();
    let desired = manifest(Some(3), "api:1");
    let live = served(3, "api:1", "100");
    // The dry run returns live plus a new resourceVersion and managedFields entry.
    let predicted = served(3, "api:1", "101");
    let result = diff(
        &input(&key, Some(&desired), Some(&live), Some(&predicted), &[]),
        DiffMode::ServerSide,
    );
    assert_eq!(result.status, SyncStatus::Synced);
    assert_eq!(result.changes, []);
    assert_eq!(result.unified, "");
    assert_eq!(result.live_text, result.desired_text);
    assert!(!result.live_text.contains("managedFields") && !result.live_text.contains("status:"));
    assert!(
        result.live_text.contains("revisionHistoryLimit: 10"),
        "{}",
        result.live_text
    );
}

#[test]
fn a_scaled_deployment_is_out_of_sync_in_both_modes() {
    let key = deployment_key();
    let desired = manifest(Some(3), "api:1");
    let live = served(5, "api:1", "100");
    let predicted = served(3, "api:1", "101");
    let server = diff(
        &input(&key, Some(&desired), Some(&live), Some(&predicted), &[]),
        DiffMode::ServerSide,
    );
    let client = diff(
        &input(&key, Some(&desired), Some(&live), None, &[]),
        DiffMode::ClientSide,
    );
    for result in [&server, &client] {
        assert_eq!(result.status, SyncStatus::OutOfSync);
        assert_eq!(
            result.changes,
            [FieldChange {
                pointer: "/spec/replicas".into(),
                change: ChangeKind::Changed,
                live: Some(json!(5)),
                desired: Some(json!(3)),
            }]
        );
        assert!(
            result.unified.contains("-  replicas: 5\n+  replicas: 3\n"),
            "{}",
            result.unified
        );
        assert!(result.unified.starts_with("--- live\n+++ desired\n"));
    }
    // Client-side texts hold only what the manifest sets.
    assert!(!client.live_text.contains("revisionHistoryLimit"));
    assert!(server.live_text.contains("revisionHistoryLimit"));
}

#[test]
fn replicas_left_to_an_hpa_are_not_drift() {
    let key = deployment_key();
    let desired = manifest(None, "api:1");
    let live = served(7, "api:1", "100");
    // The dry run keeps the HPA's value: the manifest does not own the field.
    let predicted = served(7, "api:1", "101");
    let client = diff(
        &input(&key, Some(&desired), Some(&live), None, &[]),
        DiffMode::ClientSide,
    );
    assert_eq!(client.status, SyncStatus::Synced);
    assert_eq!(client.unified, "");
    let server = diff(
        &input(&key, Some(&desired), Some(&live), Some(&predicted), &[]),
        DiffMode::ServerSide,
    );
    assert_eq!(server.status, SyncStatus::Synced);
}

#[test]
fn server_side_without_a_dry_run_falls_back_to_client_side() {
    let key = deployment_key();
    let desired = manifest(None, "api:2");
    let live = served(7, "api:1", "100");
    let result = diff(
        &input(&key, Some(&desired), Some(&live), None, &[]),
        DiffMode::ServerSide,
    );
    assert_eq!(
        pointers(&result),
        [(
            "/spec/template/spec/containers/0/image",
            ChangeKind::Changed
        )]
    );
}

#[test]
fn containers_match_by_name_client_side() {
    let key = deployment_key();
    // Desired lists api then log; live log then api, with defaults.
    let desired = manifest(Some(3), "api:2");
    let live = served(3, "api:1", "100");
    let result = diff(
        &input(&key, Some(&desired), Some(&live), None, &[]),
        DiffMode::ClientSide,
    );
    assert_eq!(
        result.changes,
        [FieldChange {
            pointer: "/spec/template/spec/containers/0/image".into(),
            change: ChangeKind::Changed,
            live: Some(json!("api:1")),
            desired: Some(json!("api:2")),
        }]
    );
    assert!(
        result
            .unified
            .contains("-        image: api:1\n+        image: api:2\n"),
        "{}",
        result.unified
    );
    assert_eq!(
        result
            .unified
            .lines()
            .filter(|l| l.starts_with(['+', '-']))
            .count(),
        4
    );
}

#[test]
fn ignore_differences_hide_replicas_everywhere() {
    let key = deployment_key();
    let desired = manifest(Some(3), "api:1");
    let live = served(5, "api:1", "100");
    let predicted = served(3, "api:1", "101");
    let rules = [
        IgnoreDifference {
            group: Some("apps".into()),
            kind: Some("Deployment".into()),
            json_pointers: vec!["/spec/replicas".into()],
            ..IgnoreDifference::default()
        },
        // Another object's rule does not apply.
        IgnoreDifference {
            name: Some("other".into()),
            json_pointers: vec!["/spec/template".into()],
            ..IgnoreDifference::default()
        },
    ];
    for (mode, predicted) in [
        (DiffMode::ServerSide, Some(&predicted)),
        (DiffMode::ClientSide, None),
    ] {
        let result = diff(
            &input(&key, Some(&desired), Some(&live), predicted, &rules),
            mode,
        );
        assert_eq!(result.status, SyncStatus::Synced, "{mode:?}");
        assert!(
            !result.live_text.contains("replicas:"),
            "{}",
            result.live_text
        );
        assert!(!result.desired_text.contains("replicas:"));
        assert!(result.desired_text.contains("template:"));
    }
}

#[test]
fn missing_and_extra() {
    let key = deployment_key();
    let desired = manifest(Some(3), "api:1");
    let live = served(3, "api:1", "100");
    let missing = diff(
        &input(&key, Some(&desired), None, None, &[]),
        DiffMode::ClientSide,
    );
    assert_eq!(missing.status, SyncStatus::Missing);
    assert_eq!(pointers(&missing), [("", ChangeKind::Added)]);
    assert_eq!(missing.live_text, "");
    assert!(missing.unified.contains("+kind: Deployment\n"));

    let extra = diff(
        &input(&key, None, Some(&live), None, &[]),
        DiffMode::ServerSide,
    );
    assert_eq!(extra.status, SyncStatus::Extra);
    assert_eq!(pointers(&extra), [("", ChangeKind::Removed)]);
    assert_eq!(extra.desired_text, "");
    assert!(extra.unified.contains("-kind: Deployment\n"));
    assert!(!extra.live_text.contains("resourceVersion"));

    let neither = diff(&input(&key, None, None, None, &[]), DiffMode::ClientSide);
    assert_eq!(
        (neither.status, neither.unified.as_str()),
        (SyncStatus::Synced, "")
    );
}

#[test]
fn changes_are_sorted_by_pointer() {
    let key = ResourceKey::new("", "ConfigMap", "web", "cfg");
    let desired = json!({"data": {"b": "2", "a": "1"}, "metadata": {"labels": {"x": "y"}}});
    let live = json!({"data": {"a": "0", "b": "0"}, "metadata": {"labels": {"x": "z"}}});
    let result = diff(
        &input(&key, Some(&desired), Some(&live), None, &[]),
        DiffMode::ClientSide,
    );
    assert_eq!(
        pointers(&result),
        [
            ("/data/a", ChangeKind::Changed),
            ("/data/b", ChangeKind::Changed),
            ("/metadata/labels/x", ChangeKind::Changed),
        ]
    );
}

// Secrets: the raw value and its base64 must appear nowhere in the output.

const PLAIN: &str = "hunter2";
const ENCODED: &str = "aHVudGVyMg==";

fn secret(data: Value, extra: Value) -> Value {
    let mut object = json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "creds", "namespace": "web"},
        "type": "Opaque",
        "data": data
    });
    if let (Some(root), Value::Object(extra)) = (object.as_object_mut(), extra) {
        root.extend(extra);
    }
    object
}

fn assert_no_secret(result: &ResourceDiff) {
    let json = serde_json::to_string(result).unwrap();
    for leak in [PLAIN, ENCODED, "b2xk", "old"] {
        // "old" may appear only inside the "*** (old)" mask.
        let found = json.replace(secret::OLD, "").contains(leak);
        assert!(!found, "{leak} leaked in {json}");
    }
}

#[test]
fn secret_changed_added_removed_show_keys_only() {
    let key = secret_key();
    // `b2xk` is "old"; the live last-applied annotation carries it too.
    let mut live = secret(
        json!({"password": "b2xk", "user": "YWRtaW4=", "stale": "b2xk"}),
        json!({}),
    );
    live["metadata"]["annotations"] = json!({
        "kubectl.kubernetes.io/last-applied-configuration":
            "{\"kind\":\"Secret\",\"data\":{\"password\":\"b2xk\"},\"stringData\":{\"x\":\"old\"}}"
    });
    let desired = secret(
        json!({"password": ENCODED, "user": "YWRtaW4=", "token": ENCODED}),
        json!({}),
    );
    let predicted = secret(
        json!({"password": ENCODED, "user": "YWRtaW4=", "token": ENCODED}),
        json!({}),
    );
    let server = diff(
        &input(&key, Some(&desired), Some(&live), Some(&predicted), &[]),
        DiffMode::ServerSide,
    );
    assert_eq!(
        pointers(&server),
        [
            ("/data/password", ChangeKind::Changed),
            ("/data/stale", ChangeKind::Removed),
            ("/data/token", ChangeKind::Added),
        ]
    );
    assert_eq!(server.changes[0].live, Some(json!(secret::OLD)));
    assert_eq!(server.changes[0].desired, Some(json!(secret::NEW)));
    assert_no_secret(&server);
    let unified = &server.unified;
    for line in [
        r#"-  password: "*** (old)""#,
        r#"+  password: "*** (new)""#,
        r#"-  stale: "*** (old)""#,
        r#"+  token: "*** (new)""#,
        r#"   user: "***""#,
    ] {
        assert!(unified.contains(line), "{line} not in\n{unified}");
    }

    // Client-side sees the change and the addition (a key the manifest leaves out
    // is not its business there).
    let client = diff(
        &input(&key, Some(&desired), Some(&live), None, &[]),
        DiffMode::ClientSide,
    );
    assert_eq!(
        pointers(&client),
        [
            ("/data/password", ChangeKind::Changed),
            ("/data/token", ChangeKind::Added)
        ]
    );
    assert_no_secret(&client);
}

#[test]
fn secret_string_data_equals_live_base64_data() {
    let key = secret_key();
    let desired = secret(
        json!({"user": "YWRtaW4="}),
        json!({"stringData": {"password": PLAIN}}),
    );
    let live = secret(json!({"user": "YWRtaW4=", "password": ENCODED}), json!({}));
    let result = diff(
        &input(&key, Some(&desired), Some(&live), None, &[]),
        DiffMode::ClientSide,
    );
    assert_eq!(result.status, SyncStatus::Synced);
    assert_eq!(result.live_text, result.desired_text);
    assert!(
        result.desired_text.contains(r#"password: "***""#),
        "{}",
        result.desired_text
    );
    assert!(!result.desired_text.contains("stringData"));
    assert_no_secret(&result);

    // A different stringData value is a change, still masked.
    let other = secret(json!({}), json!({"stringData": {"password": "hunter3"}}));
    let changed = diff(
        &input(&key, Some(&other), Some(&live), None, &[]),
        DiffMode::ClientSide,
    );
    assert_eq!(
        pointers(&changed),
        [("/data/password", ChangeKind::Changed)]
    );
    assert_no_secret(&changed);
    assert!(!serde_json::to_string(&changed).unwrap().contains("hunter3"));
}

#[test]
fn missing_and_extra_secrets_are_masked() {
    let key = secret_key();
    let desired = secret(
        json!({"user": "YWRtaW4="}),
        json!({"stringData": {"password": PLAIN}}),
    );
    let live = secret(json!({"password": ENCODED}), json!({}));
    let missing = diff(
        &input(&key, Some(&desired), None, None, &[]),
        DiffMode::ClientSide,
    );
    let extra = diff(
        &input(&key, None, Some(&live), None, &[]),
        DiffMode::ServerSide,
    );
    assert_eq!(
        (missing.status, extra.status),
        (SyncStatus::Missing, SyncStatus::Extra)
    );
    assert!(missing.desired_text.contains(r#"password: "***""#));
    assert_no_secret(&missing);
    assert_no_secret(&extra);
}
