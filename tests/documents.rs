//! Manifest files: multi-document streams, `List`s, anchors, and every way a file
//! can be bad, each a classified error naming the file (and document).

use std::path::Path;

use driftdeck::error::{Classified, ErrorKind};
use driftdeck::render::{DocumentError, parse_manifests};

fn parse(text: &str) -> Result<Vec<driftdeck::model::Manifest>, DocumentError> {
    parse_manifests(text.as_bytes(), Path::new("apps/web/all.yaml"))
}

#[test]
fn multi_document_streams_skip_empty_documents_and_expand_lists() {
    let text = "\
---
# just a comment
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
---
---
null
---
apiVersion: v1
kind: List
items:
  - {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}
  - {apiVersion: v1, kind: Service, metadata: {name: b}}
...
";
    let manifests = parse(text).unwrap();
    let keys: Vec<String> = manifests.iter().map(|m| m.key.to_string()).collect();
    assert_eq!(
        keys,
        [
            "apps/Deployment/shop/web",
            "core/ConfigMap/-/a",
            "core/Service/-/b"
        ]
    );
    assert_eq!(
        manifests[0].source.line, 4,
        "the line the document starts on"
    );
    assert_eq!(
        manifests[1].source.document, manifests[2].source.document,
        "List items share their document"
    );
    assert_eq!(manifests[0].api_version, "apps/v1");
}

#[test]
fn anchors_aliases_and_merge_keys_expand() {
    let text = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: anchors
  labels: &labels {app: web, tier: front}
  annotations:
    <<: *labels
    extra: 'yes'
data:
  mode: 0755
  enabled: on
  quoted: \"on\"
  version: \"1.10\"
";
    let object = &parse(text).unwrap()[0].object;
    assert_eq!(object["metadata"]["annotations"]["app"], "web");
    assert_eq!(object["metadata"]["annotations"]["extra"], "yes");
    // As kubectl reads YAML: 0755 is octal, `on` a boolean, quoted scalars strings.
    assert_eq!(object["data"]["mode"], 493);
    assert_eq!(object["data"]["enabled"], true);
    assert_eq!(object["data"]["quoted"], "on");
    assert_eq!(object["data"]["version"], "1.10");
}

#[test]
fn json_files_parse_too() {
    let text = r#"{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}"#;
    let manifests = parse_manifests(text.as_bytes(), Path::new("ns.json")).unwrap();
    assert_eq!(manifests[0].key.to_string(), "core/Namespace/-/shop");
}

#[test]
fn a_document_without_identity_names_its_file_and_index() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {labels: {a: b}}\n";
    let error = parse(text).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidManifest);
    let message = error.to_string();
    assert!(
        message.contains("apps/web/all.yaml:5 (document 2)"),
        "{message}"
    );
    assert!(message.contains("metadata.name"), "{message}");
    for (text, field) in [
        ("kind: A\nmetadata: {name: x}\n", "apiVersion"),
        ("apiVersion: v1\nmetadata: {name: x}\n", "kind"),
    ] {
        assert!(parse(text).unwrap_err().to_string().contains(field));
    }
    let scalar = parse("just a string\n").unwrap_err();
    assert!(scalar.to_string().contains("not a mapping"), "{scalar}");
    assert!(error.hint().is_some());
}

#[test]
fn malformed_yaml_is_reported_with_line_and_column_and_no_source_echo() {
    let text = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  password: hunter2\n  bad: [unclosed\n";
    let error = parse(text).unwrap_err();
    let message = error.to_string();
    assert!(message.starts_with("apps/web/all.yaml:6:"), "{message}");
    assert!(
        !message.contains("hunter2"),
        "a Secret's value must never be echoed: {message}"
    );
    let duplicate =
        parse("apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata: {name: x}\n").unwrap_err();
    assert!(duplicate.to_string().contains("duplicate"), "{duplicate}");
}

#[test]
fn binary_non_utf8_and_huge_files_are_refused_cleanly() {
    let binary = parse_manifests(b"apiVersion: v1\0\x01\x02", Path::new("logo.yaml")).unwrap_err();
    assert!(matches!(binary, DocumentError::Binary { .. }), "{binary}");
    let latin1 = parse_manifests(
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caf\xe9}\n",
        Path::new("l.yaml"),
    )
    .unwrap_err();
    assert!(
        matches!(latin1, DocumentError::NotUtf8 { offset: 51, .. }),
        "{latin1}"
    );
    let huge = vec![b'#'; driftdeck::render::MAX_FILE_BYTES + 1];
    let too_large = parse_manifests(&huge, Path::new("big.yaml")).unwrap_err();
    assert!(
        matches!(too_large, DocumentError::TooLarge { .. }),
        "{too_large}"
    );
    for error in [binary, latin1, too_large] {
        assert_eq!(error.kind(), ErrorKind::InvalidManifest);
        assert!(
            error.to_string().contains(".yaml"),
            "names the file: {error}"
        );
    }
}

#[test]
fn a_large_generated_stream_parses() {
    // 2,000 ConfigMaps with 20 keys each: a big CRD bundle's order of magnitude.
    let mut text = String::new();
    for i in 0..2_000 {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\ndata:\n"
        ));
        for k in 0..20 {
            text.push_str(&format!("  key{k}: value-{i}-{k}\n"));
        }
    }
    let manifests = parse(&text).unwrap();
    assert_eq!(manifests.len(), 2_000);
    assert_eq!(manifests[1_999].object["data"]["key19"], "value-1999-19");
}

#[test]
fn alias_bombs_and_runaway_nesting_fail_instead_of_exhausting_memory() {
    let mut bomb = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut previous = 'a';
    for name in 'b'..='j' {
        bomb.push_str(&format!("  {name}: &{name} [*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous}]\n"));
        previous = name;
    }
    let error = parse(&bomb).unwrap_err();
    assert!(matches!(error, DocumentError::Yaml { .. }), "{error}");

    let deep = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: deep}}\ndata: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert!(matches!(
        parse(&deep).unwrap_err(),
        DocumentError::Yaml { .. }
    ));
}
