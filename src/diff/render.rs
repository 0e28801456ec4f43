//! The texts a person reads: each side as YAML with keys in one stable order, and
//! a unified diff of the two. Objects reach this module normalised, filtered and
//! (for Secrets) masked; it adds nothing and hides nothing.
//!
//! Both sides use the same key order (`apiVersion`, `kind`, `metadata`, `spec`,
//! then alphabetical at the top; `name`, `namespace`, then alphabetical below), never the
//! order of the source, so the text diff shows content changes only, not a
//! manifest author's key order against the server's.

use serde_json::{Map, Value};
use similar::TextDiff;

const TOP_KEYS: &[&str] = &["apiVersion", "kind", "metadata", "spec"];

/// Lines of context around each change in [`unified`].
const CONTEXT: usize = 3;

/// `object` as YAML (pretty JSON in the never-seen case that the YAML serialiser
/// refuses a JSON value), safe to print: object fields come from whoever can
/// write to the cluster or the repo, so a terminal escape or bidi override in
/// them becomes a visible `\u{..}`, as everywhere driftdeck shows outside text.
pub(super) fn text(object: &Value) -> String {
    let ordered = ordered(object, &|key| top_rank(key));
    let yaml = crate::yaml::to_string(&ordered)
        .or_else(|_| serde_json::to_string_pretty(&ordered).map(|json| json + "\n"))
        .unwrap_or_default();
    crate::model::text::multi_line(&yaml).into_owned()
}

/// A unified diff from `live` to `desired` with headers `live` / `desired`;
/// empty when the texts are equal.
pub(super) fn unified(live: &str, desired: &str) -> String {
    TextDiff::from_lines(live, desired)
        .unified_diff()
        .context_radius(CONTEXT)
        .header("live", "desired")
        .to_string()
}

fn top_rank(key: &str) -> usize {
    TOP_KEYS
        .iter()
        .position(|top| *top == key)
        .unwrap_or(TOP_KEYS.len())
}

/// Identity first: list items read like kubectl's, `- name: …`.
fn nested_rank(key: &str) -> usize {
    match key {
        "name" => 0,
        "namespace" => 1,
        _ => 2,
    }
}

/// A copy with every map's keys in rank order, ties alphabetical.
fn ordered(value: &Value, rank: &dyn Fn(&str) -> usize) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
            let sorted: Map<String, Value> = keys
                .into_iter()
                .filter_map(|key| Some((key.clone(), ordered(map.get(key)?, &nested_rank))))
                .collect();
            Value::Object(sorted)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| ordered(item, &nested_rank))
                .collect(),
        ),
        scalar => scalar.clone(),
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

    #[test]
    fn keys_in_stable_order_and_kubectl_like_lists() {
        let object = json!({
            "spec": {"template": {"spec": {"containers": [{"image": "app:1", "name": "app"}]}}, "replicas": 2},
            "metadata": {"namespace": "web", "name": "api", "labels": {"b": "2", "a": "1"}},
            "kind": "Deployment",
            "zzz": true,
            "apiVersion": "apps/v1"
        });
        assert_eq!(
            text(&object),
            r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: web
  labels:
    a: "1"
    b: "2"
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: app
        image: app:1
zzz: true
"#
        );
    }

    #[test]
    fn texts_read_back_as_the_same_value() {
        let object = json!({
            "data": {
                "script": "#!/bin/sh\necho hi\n",
                "no": "no",
                "octal": "0755",
                "empty": "",
                "colon": "a: b",
                "date": "2024-01-01",
                "bell": "ding\u{7}",
            },
            "list": [[1, 2], {}, []],
            "null": null
        });
        let yaml = text(&object);
        let parsed = crate::yaml::documents(&yaml).unwrap();
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].value, object, "{yaml}");
        assert!(yaml.contains("script: |\n"), "{yaml}");
    }

    #[test]
    fn terminal_controls_become_visible() {
        let yaml = text(&json!({"metadata": {"labels": {"x": "a\u{1b}[2Jb\u{202e}c"}}}));
        assert!(
            !yaml
                .chars()
                .any(|c| crate::model::text::is_unsafe(c) && c != '\n'),
            "{yaml}"
        );
        assert!(yaml.contains("\\u{202e}"), "{yaml}");
    }

    #[test]
    fn unified_has_headers_context_and_nothing_when_equal() {
        let live = "a\nb\nc\nd\ne\nf\ng\n";
        let desired = "a\nb\nc\nd\nE\nf\ng\n";
        assert_eq!(
            unified(live, desired),
            "--- live\n+++ desired\n@@ -2,6 +2,6 @@\n b\n c\n d\n-e\n+E\n f\n g\n"
        );
        assert_eq!(unified(live, live), "");
        assert_eq!(
            unified("", "a\n"),
            "--- live\n+++ desired\n@@ -0,0 +1 @@\n+a\n"
        );
    }
}
