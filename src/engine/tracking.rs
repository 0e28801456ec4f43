//! How driftdeck marks what it applies: the label `driftdeck.dev/app` (so an app's
//! objects are found with one list selector per kind) and the annotation
//! `driftdeck.dev/tracking-id` naming app and key (so prune only ever touches this
//! app's objects, even when labels are copied around).

use serde_json::Value;

use crate::model::{AppName, Manifest, ResourceKey};

pub const APP_LABEL: &str = "driftdeck.dev/app";
pub const TRACKING_ANNOTATION: &str = "driftdeck.dev/tracking-id";

/// `app:group/kind:namespace/name`, Argo CD's tracking-id shape.
pub fn tracking_id(app: &AppName, key: &ResourceKey) -> String {
    format!(
        "{}:{}/{}:{}/{}",
        app.as_str(),
        key.group,
        key.kind,
        key.namespace,
        key.name
    )
}

/// The object as driftdeck applies it: the manifest plus the tracking label and
/// annotation. Dry runs use the same object, so they predict what a sync would do.
pub fn tracked(manifest: &Manifest, app: &AppName) -> Value {
    let mut object = manifest.object.clone();
    if !object.get("metadata").is_some_and(Value::is_object) {
        object["metadata"] = Value::Object(serde_json::Map::new());
    }
    let id = tracking_id(app, &manifest.key);
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        for (field, key, value) in [
            ("labels", APP_LABEL, app.as_str().to_owned()),
            ("annotations", TRACKING_ANNOTATION, id),
        ] {
            let entry = metadata
                .entry(field)
                .or_insert_with(|| Value::Object(serde_json::Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(serde_json::Map::new());
            }
            if let Some(map) = entry.as_object_mut() {
                map.insert(key.into(), value.into());
            }
        }
    }
    object
}

/// Whether a live object carries this app's tracking annotation.
pub fn is_tracked_by(object: &Value, app: &AppName) -> bool {
    object
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(TRACKING_ANNOTATION))
        .and_then(Value::as_str)
        .and_then(|id| id.split_once(':'))
        .is_some_and(|(owner, _)| owner == app.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceRef;
    use serde_json::json;

    #[test]
    fn tracked_objects_carry_label_and_annotation() {
        let app = AppName::new("web");
        let manifest = Manifest {
            key: ResourceKey::new("apps", "Deployment", "web", "api"),
            api_version: "apps/v1".into(),
            object: json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "web", "labels": {"a": "b"}}}),
            source: SourceRef {
                file: "d.yaml".into(),
                document: 0,
                line: 1,
                item: None,
            },
        };
        let object = tracked(&manifest, &app);
        assert_eq!(object["metadata"]["labels"]["a"], "b");
        assert_eq!(object["metadata"]["labels"][APP_LABEL], "web");
        assert_eq!(
            object["metadata"]["annotations"][TRACKING_ANNOTATION],
            "web:apps/Deployment:web/api"
        );
        assert!(is_tracked_by(&object, &app));
        assert!(!is_tracked_by(&object, &AppName::new("other")));
    }
}
