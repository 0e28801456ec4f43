//! Tests of `patch::managed`.

use super::*;
use pretty_assertions::assert_eq;

const T1: &str = "2024-05-01T10:00:00Z";
const T2: &str = "2024-05-01T11:00:00Z";
const T3: &str = "2024-05-01T12:00:00Z";

fn web(replicas: i64, containers: Value) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": containers}}
        }
    })
}

/// A configuration with only the identity and `spec`.
fn partial(spec: Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": spec})
}

fn apply_as(
    live: Option<&Value>,
    config: &Value,
    manager: &str,
    force: bool,
    now: &str,
) -> Result<Value, ApplyError> {
    apply(
        "apps",
        "Deployment",
        "apps/v1",
        live,
        config,
        manager,
        force,
        now,
    )
}

fn update_as(old: &Value, new: &Value, manager: &str) -> Value {
    record_update(
        "apps",
        "Deployment",
        "apps/v1",
        Some(old),
        new,
        manager,
        None,
        T2,
    )
}

fn fields(object: &Value, manager: &str) -> Value {
    let entries = object
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    entries
        .into_iter()
        .find(|e| e["manager"] == manager)
        .map_or(Value::Null, |e| e["fieldsV1"].clone())
}

fn managers(object: &Value) -> Vec<String> {
    let entries = object
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    entries
        .iter()
        .map(|e| {
            format!(
                "{}/{}",
                e["manager"].as_str().unwrap(),
                e["operation"].as_str().unwrap()
            )
        })
        .collect()
}

fn conflicts(result: Result<Value, ApplyError>) -> ApplyError {
    match result {
        Err(error @ ApplyError::Conflict(_)) => error,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[test]
fn apply_creates_with_kubernetes_shaped_managed_fields() {
    let created = apply_as(
        None,
        &web(2, json!([{"name": "app", "image": "app:1"}])),
        "kubectl",
        false,
        T1,
    )
    .unwrap();
    assert_eq!(created["spec"]["replicas"], 2);
    assert_eq!(
        created["metadata"]["managedFields"],
        json!([{
            "manager": "kubectl", "operation": "Apply", "apiVersion": "apps/v1", "time": T1,
            "fieldsType": "FieldsV1",
            "fieldsV1": {
                "f:metadata": {"f:labels": {"f:app": {}}},
                "f:spec": {
                    "f:replicas": {},
                    "f:selector": {},
                    "f:template": {
                        "f:metadata": {"f:labels": {"f:app": {}}},
                        "f:spec": {"f:containers": {"k:{\"name\":\"app\"}": {".": {}, "f:image": {}, "f:name": {}}}}
                    }
                }
            }
        }])
    );
}

#[test]
fn reapplying_the_same_configuration_changes_nothing() {
    let config = web(2, json!([{"name": "app", "image": "app:1"}]));
    let created = apply_as(None, &config, "kubectl", false, T1).unwrap();
    let again = apply_as(Some(&created), &config, "kubectl", false, T2).unwrap();
    assert_eq!(
        serde_json::to_string(&again).unwrap(),
        serde_json::to_string(&created).unwrap()
    );
}

#[test]
fn fields_no_longer_applied_are_pruned() {
    let mut config = web(
        2,
        json!([{"name": "app", "image": "app:1"}, {"name": "log", "image": "log:1"}]),
    );
    config["metadata"]["labels"]["tier"] = json!("front");
    config["spec"]["minReadySeconds"] = json!(5);
    let created = apply_as(None, &config, "kubectl", false, T1).unwrap();
    let smaller = web(2, json!([{"name": "app", "image": "app:1"}]));
    let pruned = apply_as(Some(&created), &smaller, "kubectl", false, T2).unwrap();
    assert_eq!(pruned["metadata"]["labels"], json!({"app": "web"}));
    assert_eq!(pruned["spec"].get("minReadySeconds"), None);
    assert_eq!(
        pruned["spec"]["template"]["spec"]["containers"],
        json!([{"name": "app", "image": "app:1"}])
    );
    assert_eq!(pruned["metadata"]["managedFields"][0]["time"], T2);
    // A label that was the only one leaves no empty map behind.
    let unlabelled = apply_as(
        Some(&pruned),
        &partial(json!({"replicas": 2})),
        "kubectl",
        false,
        T3,
    )
    .unwrap();
    assert_eq!(
        unlabelled["metadata"],
        json!({"name": "web", "namespace": "default", "managedFields": unlabelled["metadata"]["managedFields"]})
    );
    assert_eq!(unlabelled["spec"], json!({"replicas": 2}));
}

#[test]
fn two_appliers_share_a_field_with_the_same_value() {
    let created = apply_as(
        None,
        &web(2, json!([{"name": "app", "image": "app:1"}])),
        "kubectl",
        false,
        T1,
    )
    .unwrap();
    let shared = apply_as(
        Some(&created),
        &partial(json!({"replicas": 2})),
        "autoscaler",
        false,
        T2,
    )
    .unwrap();
    assert_eq!(
        fields(&shared, "autoscaler"),
        json!({"f:spec": {"f:replicas": {}}})
    );
    assert_eq!(
        fields(&shared, "kubectl")["f:spec"]["f:replicas"],
        json!({})
    );
    // kubectl stops applying replicas: the autoscaler still owns it, so it stays.
    let mut config = web(2, json!([{"name": "app", "image": "app:1"}]));
    config["spec"].as_object_mut().unwrap().remove("replicas");
    let kept = apply_as(Some(&shared), &config, "kubectl", false, T3).unwrap();
    assert_eq!(kept["spec"]["replicas"], 2);
    assert_eq!(fields(&kept, "kubectl")["f:spec"].get("f:replicas"), None);
}

#[test]
fn an_update_by_another_manager_makes_a_conflict_and_force_takes_it() {
    let created = apply_as(
        None,
        &web(2, json!([{"name": "app", "image": "app:1"}])),
        "kubectl",
        false,
        T1,
    )
    .unwrap();
    let mut scaled = created.clone();
    scaled["spec"]["replicas"] = json!(5);
    let scaled = update_as(&created, &scaled, "kubectl-edit");
    assert_eq!(
        fields(&scaled, "kubectl-edit"),
        json!({"f:spec": {"f:replicas": {}}})
    );
    assert_eq!(fields(&scaled, "kubectl")["f:spec"].get("f:replicas"), None);
    assert_eq!(managers(&scaled), ["kubectl/Apply", "kubectl-edit/Update"]);

    let config = web(3, json!([{"name": "app", "image": "app:1"}]));
    let error = conflicts(apply_as(Some(&scaled), &config, "kubectl", false, T3));
    assert_eq!(
        error.to_string(),
        r#"Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas"#
    );
    // Applying the value the other manager set is no conflict: both own it.
    let agreed = apply_as(
        Some(&scaled),
        &web(5, json!([{"name": "app", "image": "app:1"}])),
        "kubectl",
        false,
        T3,
    )
    .unwrap();
    assert_eq!(managers(&agreed), ["kubectl/Apply", "kubectl-edit/Update"]);

    let forced = apply_as(Some(&scaled), &config, "kubectl", true, T3).unwrap();
    assert_eq!(forced["spec"]["replicas"], 3);
    assert_eq!(managers(&forced), ["kubectl/Apply"]);
    assert_eq!(
        fields(&forced, "kubectl")["f:spec"]["f:replicas"],
        json!({})
    );
}

#[test]
fn several_conflicts_are_listed_by_manager() {
    let created = apply_as(
        None,
        &web(2, json!([{"name": "app", "image": "app:1"}])),
        "kubectl",
        false,
        T1,
    )
    .unwrap();
    let mut edited = created.clone();
    edited["spec"]["replicas"] = json!(4);
    edited["spec"]["template"]["spec"]["containers"][0]["image"] = json!("app:2");
    let edited = update_as(&created, &edited, "kubectl-edit");
    let labelled = apply_as(
        Some(&edited),
        &json!({"metadata": {"name": "web", "labels": {"app": "other"}}}),
        "helm",
        true,
        T3,
    )
    .unwrap();
    let error = conflicts(apply_as(
        Some(&labelled),
        &web(3, json!([{"name": "app", "image": "app:3"}])),
        "kubectl",
        false,
        T3,
    ));
    assert_eq!(
        error.to_string(),
        "Apply failed with 3 conflicts: conflicts with \"helm\":\n- .metadata.labels.app\nconflicts with \"kubectl-edit\" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name=\"app\"].image"
    );
}

#[test]
fn appliers_own_different_containers() {
    let created = apply_as(
        None,
        &web(2, json!([{"name": "app", "image": "app:1"}])),
        "kubectl",
        false,
        T1,
    )
    .unwrap();
    let sidecar = partial(
        json!({"template": {"spec": {"containers": [{"name": "mesh", "image": "mesh:1"}]}}}),
    );
    let both = apply_as(Some(&created), &sidecar, "mesh-injector", false, T2).unwrap();
    assert_eq!(
        both["spec"]["template"]["spec"]["containers"],
        json!([{"name": "app", "image": "app:1"}, {"name": "mesh", "image": "mesh:1"}])
    );
    assert_eq!(
        fields(&both, "mesh-injector"),
        json!({"f:spec": {"f:template": {"f:spec": {"f:containers": {"k:{\"name\":\"mesh\"}": {".": {}, "f:image": {}, "f:name": {}}}}}}})
    );
    // kubectl re-applies its own container: the injector's one survives.
    let reapplied = apply_as(
        Some(&both),
        &web(2, json!([{"name": "app", "image": "app:2"}])),
        "kubectl",
        false,
        T3,
    )
    .unwrap();
    assert_eq!(
        reapplied["spec"]["template"]["spec"]["containers"],
        json!([{"name": "app", "image": "app:2"}, {"name": "mesh", "image": "mesh:1"}])
    );
    // The injector withdraws (`spec: {}` would claim `.spec` itself): only
    // its container goes.
    let identity =
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}});
    let withdrawn = apply_as(Some(&reapplied), &identity, "mesh-injector", false, T3).unwrap();
    assert_eq!(
        withdrawn["spec"]["template"]["spec"]["containers"],
        json!([{"name": "app", "image": "app:2"}])
    );
    assert_eq!(managers(&withdrawn), ["kubectl/Apply"]);
}

#[test]
fn port_keys_default_their_protocol() {
    let config = web(
        1,
        json!([{"name": "app", "image": "a", "ports": [{"containerPort": 80}]}]),
    );
    let created = apply_as(None, &config, "kubectl", false, T1).unwrap();
    let ports = &fields(&created, "kubectl")["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"app\"}"]
        ["f:ports"];
    assert_eq!(
        ports,
        &json!({"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}})
    );
    // The server defaults the protocol; re-applying finds the same item.
    let mut defaulted = created.clone();
    defaulted["spec"]["template"]["spec"]["containers"][0]["ports"][0]["protocol"] = json!("TCP");
    let again = apply_as(Some(&defaulted), &config, "kubectl", false, T2).unwrap();
    assert_eq!(
        again["spec"]["template"]["spec"]["containers"][0]["ports"],
        json!([{"containerPort": 80, "protocol": "TCP"}])
    );
}

#[test]
fn set_lists_are_owned_value_by_value() {
    let mine = json!({"metadata": {"name": "cm", "finalizers": ["a.io/x"]}});
    let theirs = json!({"metadata": {"name": "cm", "finalizers": ["b.io/y"]}});
    let created = apply("", "ConfigMap", "v1", None, &mine, "a", false, T1).unwrap();
    let both = apply(
        "",
        "ConfigMap",
        "v1",
        Some(&created),
        &theirs,
        "b",
        false,
        T2,
    )
    .unwrap();
    assert_eq!(both["metadata"]["finalizers"], json!(["a.io/x", "b.io/y"]));
    assert_eq!(
        fields(&both, "b"),
        json!({"f:metadata": {"f:finalizers": {"v:\"b.io/y\"": {}}}})
    );
}

#[test]
fn invalid_configurations_are_refused() {
    let unnamed = web(1, json!([{"image": "a"}]));
    let error = apply_as(None, &unnamed, "kubectl", false, T1).unwrap_err();
    assert_eq!(
        error.to_string(),
        ".spec.template.spec.containers: element 0: associative list with keys has an element that omits key field \"name\" (and doesn't have default value)"
    );
    let twice = web(1, json!([{"name": "a"}, {"name": "a"}]));
    assert_eq!(
        apply_as(None, &twice, "kubectl", false, T1)
            .unwrap_err()
            .to_string(),
        ".spec.template.spec.containers: duplicate entries for key [name=\"a\"]"
    );
    let with_fields = json!({"metadata": {"name": "web", "managedFields": []}});
    assert!(matches!(
        apply_as(None, &with_fields, "kubectl", false, T1),
        Err(ApplyError::ManagedFieldsInConfig)
    ));
}

#[test]
fn objects_without_managed_fields_belong_to_before_first_apply() {
    let legacy = web(2, json!([{"name": "app", "image": "app:1"}]));
    let error = conflicts(apply_as(
        Some(&legacy),
        &partial(json!({"replicas": 3})),
        "kubectl",
        false,
        T1,
    ));
    assert_eq!(
        error.to_string(),
        r#"Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas"#
    );
}

#[test]
fn updates_move_ownership_of_changed_fields() {
    let config = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "labels": {"x": "1"}}, "data": {"a": "1", "b": "2"}});
    let created = record_update(
        "",
        "ConfigMap",
        "v1",
        None,
        &config,
        "kubectl-create",
        None,
        T1,
    );
    assert_eq!(
        created["metadata"]["managedFields"],
        json!([{"manager": "kubectl-create", "operation": "Update", "apiVersion": "v1", "time": T1, "fieldsType": "FieldsV1",
                "fieldsV1": {"f:data": {".": {}, "f:a": {}, "f:b": {}}, "f:metadata": {"f:labels": {".": {}, "f:x": {}}}}}])
    );
    let mut edited = created.clone();
    edited["data"]["a"] = json!("changed");
    edited["data"].as_object_mut().unwrap().remove("b");
    let edited = record_update(
        "",
        "ConfigMap",
        "v1",
        Some(&created),
        &edited,
        "kubectl-edit",
        None,
        T2,
    );
    assert_eq!(
        fields(&edited, "kubectl-create"),
        json!({"f:data": {}, "f:metadata": {"f:labels": {".": {}, "f:x": {}}}})
    );
    assert_eq!(
        fields(&edited, "kubectl-edit"),
        json!({"f:data": {"f:a": {}}})
    );
    // A write that changes nothing records nothing.
    let same = record_update(
        "",
        "ConfigMap",
        "v1",
        Some(&edited),
        &edited,
        "someone",
        None,
        T3,
    );
    assert_eq!(same, edited);
}

#[test]
fn status_writes_are_recorded_on_the_subresource() {
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}});
    let mut running = pod.clone();
    running["status"] =
        json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]});
    // managedFields in a status write's body are ignored.
    running["metadata"]["managedFields"] = json!([{"manager": "forged", "operation": "Update", "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {}}}]);
    let written = record_update(
        "",
        "Pod",
        "v1",
        Some(&pod),
        &running,
        "kubelet",
        Some("status"),
        T1,
    );
    assert_eq!(
        written["metadata"]["managedFields"],
        json!([{"manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": T1, "fieldsType": "FieldsV1",
                "fieldsV1": {"f:status": {"f:conditions": {"k:{\"type\":\"Ready\"}": {".": {}, "f:status": {}, "f:type": {}}}, "f:phase": {}}},
                "subresource": "status"}])
    );
}

#[test]
fn managed_fields_sent_with_an_update_are_kept_and_empty_entry_clears() {
    let created = apply_as(
        None,
        &web(2, json!([{"name": "app", "image": "app:1"}])),
        "kubectl",
        false,
        T1,
    )
    .unwrap();
    let mut replaced = created.clone();
    replaced["metadata"]["managedFields"][0]["manager"] = json!("renamed");
    let kept = update_as(&created, &replaced, "kubectl-replace");
    assert_eq!(managers(&kept), ["renamed/Apply"]);
    let mut cleared = created.clone();
    cleared["metadata"]["managedFields"] = json!([{}]);
    assert_eq!(
        update_as(&created, &cleared, "x")["metadata"].get("managedFields"),
        None
    );
}

#[test]
fn managed_fields_round_trip_through_entries() {
    let created = apply_as(
        None,
        &web(
            2,
            json!([{"name": "app", "image": "app:1", "env": [{"name": "A", "value": "1"}]}]),
        ),
        "kubectl",
        false,
        T1,
    )
    .unwrap();
    let entries = read_entries(&created).unwrap();
    let mut copy = created.clone();
    write_entries(&mut copy, entries);
    assert_eq!(
        serde_json::to_string(&copy).unwrap(),
        serde_json::to_string(&created).unwrap()
    );
}

#[test]
fn fields_of_leaves_out_identity_and_server_metadata() {
    let object = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "b", "uid": "u", "resourceVersion": "1", "annotations": {"k": "v"}}, "data": {}});
    let set = fields_of("", "ConfigMap", &object).unwrap();
    assert_eq!(
        set.to_fields_v1(),
        json!({"f:data": {}, "f:metadata": {"f:annotations": {"f:k": {}}}})
    );
}
