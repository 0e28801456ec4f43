//! Tests of `patch::strategic`.

use super::*;
use pretty_assertions::assert_eq;
use serde_json::json;

fn deployment(patch: &Value, original: &Value) -> Result<Value, PatchError> {
    strategic_merge("apps", "Deployment", original, patch)
}

fn no_directives(value: &Value) -> bool {
    match value {
        Value::Object(map) => map
            .iter()
            .all(|(k, v)| !k.starts_with('$') && no_directives(v)),
        Value::Array(items) => items.iter().all(no_directives),
        _ => true,
    }
}

fn pod_spec(containers: Value) -> Value {
    json!({"spec": {"template": {"spec": {"containers": containers}}}})
}

#[test]
fn maps_merge_recursively_and_null_deletes() {
    let original = json!({"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"replicas": 1, "paused": true}});
    let patch = json!({"metadata": {"labels": {"b": null, "c": "3"}}, "spec": {"paused": null}});
    let merged = deployment(&patch, &original).unwrap();
    assert_eq!(
        merged,
        json!({"metadata": {"labels": {"a": "1", "c": "3"}}, "spec": {"replicas": 1}})
    );
}

#[test]
fn existing_keys_keep_their_position() {
    let merged = deployment(&json!({"a": 9}), &json!({"a": 1, "b": 2})).unwrap();
    assert_eq!(serde_json::to_string(&merged).unwrap(), r#"{"a":9,"b":2}"#);
}

#[test]
fn containers_merge_by_name_and_new_ones_are_appended() {
    let original = pod_spec(json!([
        {"name": "app", "image": "app:1", "ports": [{"containerPort": 80}]},
        {"name": "side", "image": "side:1"}
    ]));
    let patch = pod_spec(json!([
        {"name": "app", "image": "app:2", "ports": [{"containerPort": 443, "name": "https"}]},
        {"name": "new", "image": "new:1"}
    ]));
    let merged = deployment(&patch, &original).unwrap();
    assert_eq!(
        merged,
        pod_spec(json!([
            {"name": "app", "image": "app:2", "ports": [{"containerPort": 80}, {"containerPort": 443, "name": "https"}]},
            {"name": "side", "image": "side:1"},
            {"name": "new", "image": "new:1"}
        ]))
    );
}

#[test]
fn patch_delete_removes_an_item_and_replace_replaces_the_list() {
    let original = pod_spec(json!([{"name": "a"}, {"name": "b"}]));
    let deleted = deployment(
        &pod_spec(json!([{"name": "a", "$patch": "delete"}])),
        &original,
    )
    .unwrap();
    assert_eq!(deleted, pod_spec(json!([{"name": "b"}])));
    let replaced = deployment(
        &pod_spec(json!([{"$patch": "replace"}, {"name": "c", "image": "c:1"}])),
        &original,
    )
    .unwrap();
    assert_eq!(replaced, pod_spec(json!([{"name": "c", "image": "c:1"}])));
}

#[test]
fn patch_directive_on_maps() {
    let original = json!({"metadata": {"labels": {"a": "1"}, "annotations": {"x": "y"}}});
    let replaced = deployment(
        &json!({"metadata": {"labels": {"$patch": "replace", "b": "2"}}}),
        &original,
    )
    .unwrap();
    assert_eq!(
        replaced,
        json!({"metadata": {"labels": {"b": "2"}, "annotations": {"x": "y"}}})
    );
    let deleted = deployment(
        &json!({"metadata": {"annotations": {"$patch": "delete"}}}),
        &original,
    )
    .unwrap();
    assert_eq!(
        deleted,
        json!({"metadata": {"labels": {"a": "1"}, "annotations": {}}})
    );
    let merged = deployment(
        &json!({"metadata": {"labels": {"$patch": "merge", "b": "2"}}}),
        &original,
    )
    .unwrap();
    assert_eq!(merged["metadata"]["labels"], json!({"a": "1", "b": "2"}));
}

#[test]
fn primitive_lists_union_and_delete_from_primitive_list() {
    let original = json!({"metadata": {"finalizers": ["a", "b"]}});
    let patch = json!({"metadata": {"finalizers": ["b", "c"], "$deleteFromPrimitiveList/finalizers": ["a"]}});
    assert_eq!(
        deployment(&patch, &original).unwrap(),
        json!({"metadata": {"finalizers": ["b", "c"]}})
    );
}

#[test]
fn lists_without_strategy_are_replaced() {
    let original = pod_spec(json!([{"name": "a", "args": ["x", "y"]}]));
    let patch = pod_spec(json!([{"name": "a", "args": ["z"]}]));
    assert_eq!(
        deployment(&patch, &original).unwrap(),
        pod_spec(json!([{"name": "a", "args": ["z"]}]))
    );
    // Custom resources have no list rules: every list is replaced.
    let widget = strategic_merge(
        "example.com",
        "Widget",
        &pod_spec(json!([{"name": "a"}])),
        &pod_spec(json!([{"name": "b"}])),
    )
    .unwrap();
    assert_eq!(widget, pod_spec(json!([{"name": "b"}])));
}

#[test]
fn set_element_order_reorders_and_interleaves_server_only_items() {
    let original = pod_spec(json!([{"name": "a"}, {"name": "s"}, {"name": "b"}]));
    let patch = json!({"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}]}}}});
    let merged = deployment(&patch, &original).unwrap();
    // `s` is not named; it keeps its place before `b`, as in the live list.
    assert_eq!(
        merged,
        pod_spec(json!([{"name": "s"}, {"name": "b"}, {"name": "a"}]))
    );

    let primitives = json!({"metadata": {"finalizers": ["x", "y"]}});
    let patch =
        json!({"metadata": {"$setElementOrder/finalizers": ["z", "y", "x"], "finalizers": ["z"]}});
    assert_eq!(
        deployment(&patch, &primitives).unwrap(),
        json!({"metadata": {"finalizers": ["z", "y", "x"]}})
    );
}

#[test]
fn retain_keys_keeps_only_the_listed_keys() {
    let original =
        json!({"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}});
    let patch = json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}});
    assert_eq!(
        deployment(&patch, &original).unwrap(),
        json!({"spec": {"strategy": {"type": "Recreate"}}})
    );
    let bad =
        json!({"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": {"maxSurge": 2}}}});
    assert_eq!(
        deployment(&bad, &original).unwrap_err().to_string(),
        r#".spec.strategy: the patch sets "rollingUpdate", which its $retainKeys does not list"#
    );
}

/// The shape `kubectl apply` (client side) sends: a three-way patch that removes
/// env var B from `app`, changes `sidecar`'s image and keeps the order.
#[test]
fn kubectl_client_side_apply_patch() {
    let original = json!({
        "metadata": {"name": "web", "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{old}"}},
        "spec": {"replicas": 2, "template": {"spec": {"containers": [
            {"name": "app", "image": "app:1", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
            {"name": "sidecar", "image": "sidecar:1", "imagePullPolicy": "IfNotPresent"}
        ]}}}
    });
    let patch = json!({
        "metadata": {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{new}"}},
        "spec": {"template": {"spec": {
            "$setElementOrder/containers": [{"name": "app"}, {"name": "sidecar"}],
            "containers": [
                {"$setElementOrder/env": [{"name": "A"}], "env": [{"$patch": "delete", "name": "B"}], "name": "app"},
                {"image": "sidecar:2", "name": "sidecar"}
            ]
        }}}
    });
    let merged = deployment(&patch, &original).unwrap();
    assert_eq!(
        merged,
        json!({
            "metadata": {"name": "web", "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{new}"}},
            "spec": {"replicas": 2, "template": {"spec": {"containers": [
                {"name": "app", "image": "app:1", "env": [{"name": "A", "value": "1"}]},
                {"name": "sidecar", "image": "sidecar:2", "imagePullPolicy": "IfNotPresent"}
            ]}}}
        })
    );
    assert!(no_directives(&merged));
}

#[test]
fn directives_in_new_subtrees_never_reach_the_result() {
    let patch = json!({"spec": {"template": {"spec": {
        "$setElementOrder/volumes": [{"name": "v"}],
        "volumes": [{"name": "v", "$retainKeys": ["name", "emptyDir"], "emptyDir": {"$patch": "replace"}}],
        "containers": [{"name": "a", "$setElementOrder/env": [{"name": "E"}], "env": [{"name": "E", "value": "1"}, {"name": "X", "$patch": "delete"}]}]
    }}, "selector": {"$patch": "merge", "matchLabels": {"a": "b", "gone": null}}}});
    let merged = deployment(&patch, &json!({})).unwrap();
    assert!(no_directives(&merged), "{merged}");
    assert_eq!(
        merged["spec"]["template"]["spec"]["volumes"],
        json!([{"name": "v", "emptyDir": {}}])
    );
    assert_eq!(
        merged["spec"]["template"]["spec"]["containers"][0]["env"],
        json!([{"name": "E", "value": "1"}])
    );
    assert_eq!(
        merged["spec"]["selector"],
        json!({"matchLabels": {"a": "b"}})
    );
}

#[test]
fn a_type_change_takes_the_patch_value() {
    let merged = deployment(
        &json!({"spec": {"x": [1]}}),
        &json!({"spec": {"x": {"a": 1}}}),
    )
    .unwrap();
    assert_eq!(merged, json!({"spec": {"x": [1]}}));
}

#[test]
fn bad_patches_are_errors() {
    let original = pod_spec(json!([{"name": "a"}]));
    let cases = [
        (
            json!([]),
            "the patch of a strategic merge patch must be a JSON object, not a list",
        ),
        (
            pod_spec(json!([{"image": "x"}])),
            r#".spec.template.spec.containers: list item {"image":"x"} does not contain its merge key "name""#,
        ),
        (
            pod_spec(json!([{"$patch": "delete"}])),
            r#".spec.template.spec.containers: list item {"$patch":"delete"} does not contain its merge key "name""#,
        ),
        (
            pod_spec(json!(["a"])),
            r#".spec.template.spec.containers: list items merged by "name" must be objects, not "a""#,
        ),
        (
            pod_spec(json!([{"name": "a", "$patch": "remove"}])),
            r#".spec.template.spec.containers: $patch must be replace, delete or merge, not "remove""#,
        ),
        (
            json!({"spec": {"$setElementOrder/x": {}}}),
            ".spec: $setElementOrder/x must be a list, not {}",
        ),
        (
            json!({"metadata": {"$retainKeys": [1]}}),
            ".metadata: $retainKeys must be a list of strings, not [1]",
        ),
        (
            json!({"metadata": {"finalizers": [{"a": 1}]}}),
            r#".metadata.finalizers: a merged list of values cannot contain {"a":1}"#,
        ),
        (
            json!({"spec": {"template": {"spec": {"$setElementOrder/containers": [{"image": "x"}]}}}}),
            r#".spec.template.spec.containers ($setElementOrder): list item {"image":"x"} does not contain its merge key "name""#,
        ),
    ];
    for (patch, message) in cases {
        let error = deployment(&patch, &original).unwrap_err();
        assert_eq!(error.to_string(), message);
    }
}

#[test]
fn service_ports_merge_by_port() {
    let original = json!({"spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443}]}});
    let patch = json!({"spec": {"ports": [{"port": 80, "targetPort": 9090}]}});
    let merged = strategic_merge("", "Service", &original, &patch).unwrap();
    assert_eq!(
        merged,
        json!({"spec": {"ports": [{"port": 80, "targetPort": 9090}, {"port": 443}]}})
    );
}
