//! Fixture tables: an object in, the headers kubectl would print and the cells the
//! server returns out, against a pinned clock.

mod kinds;
mod pods;

use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use super::*;

const NOW: &str = "2026-11-23T10:00:00Z";

fn now() -> Timestamp {
    NOW.parse().unwrap()
}

/// `NOW` minus a number of seconds, as an RFC 3339 string.
fn ago(seconds: i64) -> String {
    (now() - jiff::SignedDuration::from_secs(seconds)).to_string()
}

fn print(group: &str, kind: &str, objects: &[Value]) -> Value {
    let refs: Vec<&Value> = objects.iter().collect();
    table(group, kind, &refs, now(), &[], IncludeObject::Metadata)
}

/// The headers as kubectl prints them: upper-cased, wide ones only with `-o wide`.
fn headers(table: &Value, wide: bool) -> Vec<String> {
    table["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| wide || c["priority"] == 0)
        .map(|c| c["name"].as_str().unwrap().to_uppercase())
        .collect()
}

fn cells(table: &Value) -> Vec<Value> {
    table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["cells"].clone())
        .collect()
}

/// One object's cells.
fn row(group: &str, kind: &str, object: Value) -> Value {
    cells(&print(group, kind, &[object])).remove(0)
}

fn meta(name: &str, age_seconds: i64) -> Value {
    json!({"name": name, "namespace": "shop", "creationTimestamp": ago(age_seconds),
        "resourceVersion": "42", "uid": "u-1", "labels": {"app": name}})
}

#[test]
fn the_table_envelope_and_included_objects() {
    let pod = json!({"kind": "Pod", "apiVersion": "v1", "metadata": meta("web", 60), "spec": {}});
    let other = json!({"kind": "Pod", "apiVersion": "v1", "metadata": meta("api", 60), "spec": {}});
    let one = table("", "Pod", &[&pod], now(), &[], IncludeObject::Metadata);
    assert_eq!(one["kind"], "Table");
    assert_eq!(one["apiVersion"], "meta.k8s.io/v1");
    assert_eq!(one["metadata"], json!({"resourceVersion": "42"}));
    assert_eq!(
        one["rows"][0]["object"],
        json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta("web", 60)})
    );
    assert_eq!(
        one["columnDefinitions"][0],
        json!({"name": "Name", "type": "string", "format": "name", "description": NAME_DESCRIPTION, "priority": 0})
    );

    let two = table(
        "",
        "Pod",
        &[&pod, &other],
        now(),
        &[],
        IncludeObject::Object,
    );
    assert_eq!(two["metadata"], json!({}));
    assert_eq!(two["rows"][1]["object"], other);

    let bare = table("", "Pod", &[&pod], now(), &[], IncludeObject::None);
    assert_eq!(bare["rows"][0].get("object"), None);

    let empty = table("", "Pod", &[], now(), &[], IncludeObject::default());
    assert_eq!(empty["rows"], json!([]));
    assert_eq!(
        headers(&empty, false),
        ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    );
}

#[test]
fn kinds_without_a_printer() {
    // CRDs print with the default convertor: NAME and CREATED AT, to the second.
    let crd = json!({"metadata": {"name": "applications.argoproj.io", "creationTimestamp": "2026-11-23T09:00:00.5Z"}});
    let table = print("apiextensions.k8s.io", "CustomResourceDefinition", &[crd]);
    assert_eq!(headers(&table, true), ["NAME", "CREATED AT"]);
    assert_eq!(table["columnDefinitions"][1]["type"], "date");
    assert_eq!(
        cells(&table)[0],
        json!(["applications.argoproj.io", "2026-11-23T09:00:00Z"])
    );
    assert_eq!(
        row(
            "coordination.k8s.io",
            "Lease",
            json!({"metadata": {"name": "x"}})
        ),
        json!(["x", "0001-01-01T00:00:00Z"])
    );

    // A custom resource without declared columns: NAME and AGE.
    let table = print(
        "argoproj.io",
        "Application",
        &[json!({"metadata": meta("shop", 90)})],
    );
    assert_eq!(headers(&table, true), ["NAME", "AGE"]);
    assert_eq!(table["columnDefinitions"][1]["type"], "date");
    assert_eq!(cells(&table)[0], json!(["shop", "90s"]));

    // A custom `Pod` is not a pod, and a group that merely ends in `.k8s.io` is a
    // CRD's.
    let table = print("example.com", "Pod", &[json!({"metadata": meta("p", 1)})]);
    assert_eq!(headers(&table, true), ["NAME", "AGE"]);
    let table = print(
        "gateway.networking.k8s.io",
        "Gateway",
        &[json!({"metadata": meta("g", 1)})],
    );
    assert_eq!(headers(&table, true), ["NAME", "AGE"]);
}

#[test]
fn custom_resource_columns() {
    let column = |name: &str, type_: &str, path: &str, priority: i64| PrinterColumn {
        name: name.into(),
        type_: type_.into(),
        json_path: path.into(),
        priority,
        ..PrinterColumn::default()
    };
    let columns = [
        column("Sync", "string", ".status.sync.status", 0),
        column(
            "Health",
            "string",
            r#".status.conditions[?(@.type=="Healthy")].status"#,
            0,
        ),
        column("Replicas", "integer", ".spec.replicas", 0),
        column("Ratio", "number", ".status.ratio", 0),
        column("Paused", "boolean", ".spec.paused", 0),
        column("Synced", "date", ".status.reconciledAt", 0),
        column("Source", "string", ".spec.source", 1),
        column("Missing", "string", ".status.nothing", 1),
        column("Broken", "string", ".spec[", 1),
        PrinterColumn {
            description: "When it was made".into(),
            format: "date-time".into(),
            ..column("Age", "date", ".metadata.creationTimestamp", 0)
        },
    ];
    let app = json!({"metadata": meta("shop", 3600 * 30),
        "spec": {"replicas": 2.9, "paused": false, "source": {"repoURL": "https://git.example/shop", "path": "deploy"}},
        "status": {"sync": {"status": "Synced"}, "ratio": 0.5, "reconciledAt": ago(42),
            "conditions": [{"type": "Progressing", "status": "False"}, {"type": "Healthy", "status": "True"}]}});
    let table = table(
        "argoproj.io",
        "Application",
        &[&app],
        now(),
        &columns,
        IncludeObject::Metadata,
    );
    assert_eq!(
        headers(&table, false),
        [
            "NAME", "SYNC", "HEALTH", "REPLICAS", "RATIO", "PAUSED", "SYNCED", "AGE"
        ]
    );
    assert_eq!(
        headers(&table, true)[7..],
        ["SOURCE", "MISSING", "BROKEN", "AGE"]
    );
    assert_eq!(
        cells(&table)[0],
        json!([
            "shop",
            "Synced",
            "True",
            2,
            0.5,
            false,
            "42s",
            r#"{"path":"deploy","repoURL":"https://git.example/shop"}"#,
            null,
            null,
            "30h"
        ])
    );
    assert_eq!(
        table["columnDefinitions"][1],
        json!({"name": "Sync", "type": "string", "format": "", "priority": 0,
            "description": "Custom resource definition column (in JSONPath format): .status.sync.status"})
    );
    assert_eq!(
        table["columnDefinitions"][10]["description"],
        "When it was made"
    );
    assert_eq!(table["columnDefinitions"][10]["format"], "date-time");
}

#[test]
fn custom_cells_that_do_not_fit_their_type_are_empty() {
    let column = |name: &str, type_: &str, path: &str| PrinterColumn {
        name: name.into(),
        type_: type_.into(),
        json_path: path.into(),
        ..PrinterColumn::default()
    };
    let columns = [
        column("N", "integer", ".spec.n"),
        column("S", "string", ".spec.s"),
        column("D", "date", ".spec.d"),
        column("E", "date", ".spec.e"),
        column("X", "weird", ".spec.s"),
    ];
    let object = json!({"metadata": {"name": "x"}, "spec": {"n": "three", "s": 3, "d": "yesterday", "e": ""}});
    let table = table(
        "example.com",
        "Thing",
        &[&object],
        now(),
        &columns,
        IncludeObject::None,
    );
    assert_eq!(
        cells(&table)[0],
        json!(["x", null, "3", "<invalid>", "<unknown>", null])
    );
}

#[test]
fn ages_without_a_creation_time_are_unknown() {
    let cells = row("", "ConfigMap", json!({"metadata": {"name": "x"}}));
    assert_eq!(cells, json!(["x", 0, "<unknown>"]));
    let future = row(
        "",
        "ConfigMap",
        json!({"metadata": {"name": "x", "creationTimestamp": "2026-11-23T10:05:00Z"}}),
    );
    assert_eq!(future[2], "<invalid>");
}
