//! The `/scale` subresource (`autoscaling/v1` `Scale`), which `kubectl scale` and
//! HPAs use: a view of the replica fields that writes through to the object.

use std::sync::Arc;

use serde_json::{Value, json};

use super::super::registry::{ResourceType, ScalePaths};
use super::super::status::{ApiError, ApiResult, Reason};
use super::{Api, PatchKind, Subresource, WriteOptions, meta};

/// A change to a Scale: a whole object (PUT) or a patch.
pub enum ScaleRequest {
    Replace(Value),
    Patch(PatchKind, Value),
}

impl Api {
    pub fn get_scale(&self, rtype: &ResourceType, namespace: &str, name: &str) -> ApiResult<Value> {
        let paths = scale_paths(rtype)?;
        let object = self.get(rtype, namespace, name)?;
        Ok(scale_of(&object, paths))
    }

    pub fn update_scale(
        &self,
        rtype: &ResourceType,
        namespace: &str,
        name: &str,
        request: ScaleRequest,
        options: &WriteOptions,
    ) -> ApiResult<Value> {
        let paths = scale_paths(rtype)?.clone();
        let object = self.get(rtype, namespace, name)?;
        let current = scale_of(&object, &paths);
        let is_replace = matches!(request, ScaleRequest::Replace(_));
        let wanted = match request {
            ScaleRequest::Replace(body) => body,
            ScaleRequest::Patch(PatchKind::Json, patch) => {
                let mut scale = current.clone();
                let operations: json_patch::Patch = serde_json::from_value(patch)
                    .map_err(|e| ApiError::bad_request(format!("invalid JSON patch: {e}")))?;
                json_patch::patch(&mut scale, &operations)
                    .map_err(|e| ApiError::new(Reason::Invalid, e.to_string()))?;
                scale
            }
            ScaleRequest::Patch(_, patch) => {
                let mut scale = current.clone();
                json_patch::merge(&mut scale, &patch);
                scale
            }
        };
        let replicas = wanted
            .pointer("/spec/replicas")
            .and_then(Value::as_i64)
            .ok_or_else(|| {
                ApiError::invalid(
                    "autoscaling",
                    "Scale",
                    name,
                    "spec.replicas",
                    "Required value",
                )
            })?;
        if replicas < 0 {
            return Err(ApiError::invalid(
                "autoscaling",
                "Scale",
                name,
                "spec.replicas",
                "Invalid value: must be greater than or equal to 0",
            ));
        }
        let mut updated: Value = (*object).clone();
        // Only a resourceVersion the client sent is a precondition; the one read
        // here could be overtaken by a controller before the update.
        match wanted.pointer("/metadata/resourceVersion") {
            Some(rv) if Some(rv) != current.pointer("/metadata/resourceVersion") || is_replace => {
                meta::metadata_mut(&mut updated).insert("resourceVersion".into(), rv.clone());
            }
            _ => {
                meta::metadata_mut(&mut updated).remove("resourceVersion");
            }
        }
        set_pointer(&mut updated, &paths.spec_replicas, replicas.into());
        let stored: Arc<Value> =
            self.update(rtype, namespace, name, updated, Subresource::Main, options)?;
        Ok(scale_of(&stored, &paths))
    }
}

fn scale_paths(rtype: &ResourceType) -> ApiResult<&ScalePaths> {
    rtype.subresources.scale.as_ref().ok_or_else(|| {
        ApiError::new(
            Reason::NotFound,
            format!(
                "the server could not find the requested resource ({}/scale)",
                rtype.plural
            ),
        )
    })
}

fn scale_of(object: &Value, paths: &ScalePaths) -> Value {
    let metadata = object.get("metadata").cloned().unwrap_or(json!({}));
    let keep = [
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "creationTimestamp",
    ];
    let metadata: serde_json::Map<String, Value> = metadata
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| keep.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    let spec_replicas = object
        .pointer(&paths.spec_replicas)
        .cloned()
        .unwrap_or(json!(0));
    let status_replicas = object
        .pointer(&paths.status_replicas)
        .cloned()
        .unwrap_or(json!(0));
    let mut status = json!({"replicas": status_replicas});
    if let Some(selector) = paths
        .label_selector
        .as_deref()
        .and_then(|p| object.pointer(p))
        .and_then(Value::as_str)
    {
        status["selector"] = selector.into();
    } else if let Some(selector) = object
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
    {
        let text: Vec<String> = selector
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
            .collect();
        status["selector"] = text.join(",").into();
    }
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": metadata,
        "spec": {"replicas": spec_replicas},
        "status": status,
    })
}

fn set_pointer(object: &mut Value, pointer: &str, value: Value) {
    let mut current = object;
    let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            current[*part] = value;
            return;
        }
        if !current.get(*part).is_some_and(Value::is_object) {
            current[*part] = json!({});
        }
        current = &mut current[*part];
    }
}
