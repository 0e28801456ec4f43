//! Fixture tables: a minimal manifest in, the object a 1.32 API server stores out.
//!
//! Each per-kind file lists its cases; the checks that hold for every case
//! (defaulting twice equals defaulting once; a fully written object is left as it
//! is) run here over all of them, so a new case is covered by both for free.

mod apps;
mod batch;
mod core;
mod others;
mod pod;
mod service;

use pretty_assertions::assert_eq;
use serde_json::{Value, json};

/// One manifest and what the API server stores for it.
pub(super) struct Case {
    pub name: &'static str,
    pub group: &'static str,
    pub kind: &'static str,
    pub manifest: Value,
    pub stored: Value,
}

pub(super) fn defaulted(group: &str, kind: &str, manifest: &Value) -> Value {
    let mut object = manifest.clone();
    super::apply_defaults(group, kind, &mut object);
    object
}

pub(super) fn check(cases: Vec<Case>) {
    for case in cases {
        let actual = defaulted(case.group, case.kind, &case.manifest);
        assert_eq!(actual, case.stored, "case {}", case.name);
    }
}

fn all_cases() -> Vec<Case> {
    [
        pod::cases(),
        apps::cases(),
        batch::cases(),
        service::cases(),
        core::cases(),
        others::cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[test]
fn defaulting_twice_equals_defaulting_once() {
    for case in all_cases() {
        let once = defaulted(case.group, case.kind, &case.manifest);
        let twice = defaulted(case.group, case.kind, &once);
        assert_eq!(twice, once, "case {}", case.name);
    }
}

#[test]
fn a_stored_object_is_a_fixed_point() {
    // What the server stored is sent back by every update; it must not move.
    for case in all_cases() {
        assert_eq!(
            defaulted(case.group, case.kind, &case.stored),
            case.stored,
            "case {}",
            case.name
        );
    }
}

#[test]
fn unknown_kinds_and_non_objects_pass_through() {
    let custom =
        json!({"apiVersion": "example.io/v1", "kind": "Widget", "spec": {"replicas": null}});
    assert_eq!(defaulted("example.io", "Widget", &custom), custom);
    // Same kind name, other group: not the built-in.
    let foreign = json!({"kind": "Deployment", "spec": {}});
    assert_eq!(defaulted("example.io", "Deployment", &foreign), foreign);
    for odd in [json!(null), json!([1, 2]), json!("Pod")] {
        assert_eq!(defaulted("", "Pod", &odd), odd);
    }
}

#[test]
fn kinds_without_defaults_are_untouched() {
    let untouched = [
        (
            "",
            "ConfigMap",
            json!({"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}}),
        ),
        (
            "",
            "ServiceAccount",
            json!({"kind": "ServiceAccount", "metadata": {"name": "sa"}}),
        ),
        (
            "rbac.authorization.k8s.io",
            "Role",
            json!({"kind": "Role", "metadata": {"name": "r"},
                   "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}),
        ),
        (
            "networking.k8s.io",
            "Ingress",
            json!({"kind": "Ingress", "metadata": {"name": "i"}, "spec": {"rules": [{"http": {"paths": [
                {"path": "/", "backend": {"service": {"name": "web", "port": {"number": 80}}}}
            ]}}]}}),
        ),
    ];
    for (group, kind, manifest) in untouched {
        assert_eq!(defaulted(group, kind, &manifest), manifest, "{kind}");
    }
}

/// Fields of wrong JSON types are validation's business: defaulting skips them.
#[test]
fn malformed_fields_are_left_for_validation() {
    let manifest = json!({"kind": "Deployment", "spec": {
        "strategy": "fast",
        "template": {"metadata": [], "spec": {"containers": "web", "volumes": [7]}},
    }});
    let stored = defaulted("apps", "Deployment", &manifest);
    assert_eq!(stored["spec"]["strategy"], json!("fast"));
    assert_eq!(stored["spec"]["template"]["metadata"], json!([]));
    assert_eq!(
        stored["spec"]["template"]["spec"]["containers"],
        json!("web")
    );
    assert_eq!(stored["spec"]["template"]["spec"]["volumes"], json!([7]));
    assert_eq!(stored["spec"]["replicas"], json!(1));
}
