//! Health assessment of live Kubernetes objects: one pure function per kind
//! (`deployment.rs`, `pod.rs`, …) behind `assess`, plus the app-level `worst`.
//!
//! The rules are Argo CD's (gitops-engine `pkg/health` and Argo CD's bundled
//! checks), so an app reads the same here as in Argo CD's UI. Statuses follow Argo
//! exactly; messages keep Argo's wording where Argo has one and say something useful
//! (counts, reasons, controller messages) where Argo leaves them empty. Kinds Argo
//! has no check for go to a generic reading of `status.conditions`
//! (`conditions.rs`).
//!
//! Objects without any health signal (ConfigMaps, RBAC, most custom resources
//! without conditions) are `Healthy`: Argo gives them no health at all and leaves
//! them out of app health, and since `Healthy` is the least severe status, counting
//! them as `Healthy` gives `worst` exactly Argo's answer without an `Option`
//! threading through every caller.
//!
//! This module reads `serde_json::Value`s and nothing else: no IO, no client types.

mod apiservice;
mod conditions;
mod cronjob;
mod daemonset;
mod deployment;
mod hpa;
mod ingress;
mod job;
mod namespace;
mod pod;
mod pvc;
mod replicaset;
mod service;
mod statefulset;

use serde_json::Value;

use crate::model::{Health, HealthStatus, ResourceKey};

/// A per-kind check. `Err` means the object does not have the shape its kind
/// promises; Argo reports that as `Unknown` with the conversion error, and so do we.
type Check = fn(&Value) -> Result<Health, ReadError>;

/// The health of one live object.
///
/// Objects being deleted are `Progressing` ("Pending deletion") whatever their kind,
/// as in Argo: a finalizer holding an object is a transition, not a failure.
pub fn assess(object: &Value) -> Health {
    let kind = lenient_text(object, &["kind"]);
    if lenient(object, &["metadata", "deletionTimestamp"]).is_some() {
        return pending_deletion(object);
    }
    let group = ResourceKey::group_of(lenient_text(object, &["apiVersion"]));
    let outcome = match check_for(group, kind) {
        Some(check) => check(object),
        None => conditions::assess(object, kind),
    };
    outcome.unwrap_or_else(|err| Health::unknown(format!("cannot read {kind}: {err}")))
}

/// The health of an object that Git wants but the cluster does not have.
pub fn missing() -> Health {
    Health::new(HealthStatus::Missing, "Not found in the cluster")
}

/// An app's health: the most severe of its objects' (see `HealthStatus::is_worse`
/// for the order). An app with no objects is `Healthy`, as in Argo.
pub fn worst<'a>(healths: impl IntoIterator<Item = &'a Health>) -> HealthStatus {
    healths
        .into_iter()
        .map(|health| health.status)
        .fold(HealthStatus::Healthy, |worst, status| {
            if status.is_worse(worst) {
                status
            } else {
                worst
            }
        })
}

/// Argo's dispatch table (`GetHealthCheckFunc`), plus CronJob and Namespace, which
/// Argo CD checks with bundled Lua scripts rather than Go.
fn check_for(group: &str, kind: &str) -> Option<Check> {
    let check: Check = match (group, kind) {
        ("apps", "Deployment") => deployment::assess,
        ("apps", "StatefulSet") => statefulset::assess,
        ("apps", "DaemonSet") => daemonset::assess,
        ("apps", "ReplicaSet") => replicaset::assess,
        ("", "Pod") => pod::assess,
        ("", "Service") => service::assess,
        ("", "PersistentVolumeClaim") => pvc::assess,
        ("", "Namespace") => namespace::assess,
        ("batch", "Job") => job::assess,
        ("batch", "CronJob") => cronjob::assess,
        ("networking.k8s.io" | "extensions", "Ingress") => ingress::assess,
        ("autoscaling", "HorizontalPodAutoscaler") => hpa::assess,
        ("apiregistration.k8s.io", "APIService") => apiservice::assess,
        _ => return None,
    };
    Some(check)
}

fn pending_deletion(object: &Value) -> Health {
    let finalizers: Vec<&str> = lenient(object, &["metadata", "finalizers"])
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if finalizers.is_empty() {
        Health::progressing("Pending deletion")
    } else {
        Health::progressing(format!(
            "Pending deletion (waiting for finalizers: {})",
            finalizers.join(", ")
        ))
    }
}

/// A field that is present but not of the type its kind's schema gives it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum ReadError {
    #[error("{path} is not {expected}")]
    WrongType {
        path: String,
        expected: &'static str,
    },
    #[error("annotation {name} is not a JSON list of conditions: {reason}")]
    BadAnnotation { name: &'static str, reason: String },
}

fn wrong_type(path: &[&str], expected: &'static str) -> ReadError {
    let path = if path.is_empty() {
        "the object".to_owned()
    } else {
        path.join(".")
    };
    ReadError::WrongType { path, expected }
}

// The readers below give Go's zero values for absent fields (and JSON nulls), the
// way Argo's typed structs see them, so the per-kind code can mirror Argo's
// comparisons one for one. A field of the wrong type is an error instead.

/// The value at `path`, `None` when any step is absent or null.
fn field<'a>(object: &'a Value, path: &[&str]) -> Result<Option<&'a Value>, ReadError> {
    let mut current = object;
    for (depth, key) in path.iter().enumerate() {
        let Value::Object(map) = current else {
            return Err(wrong_type(&path[..depth], "an object"));
        };
        match map.get(*key) {
            None | Some(Value::Null) => return Ok(None),
            Some(next) => current = next,
        }
    }
    Ok(Some(current))
}

fn int(object: &Value, path: &[&str]) -> Result<Option<i64>, ReadError> {
    match field(object, path)? {
        None => Ok(None),
        Some(value) => value
            .as_i64()
            .map(Some)
            .ok_or_else(|| wrong_type(path, "an integer")),
    }
}

fn int_or_zero(object: &Value, path: &[&str]) -> Result<i64, ReadError> {
    Ok(int(object, path)?.unwrap_or(0))
}

fn text<'a>(object: &'a Value, path: &[&str]) -> Result<&'a str, ReadError> {
    match field(object, path)? {
        None => Ok(""),
        Some(value) => value.as_str().ok_or_else(|| wrong_type(path, "a string")),
    }
}

fn flag(object: &Value, path: &[&str]) -> Result<bool, ReadError> {
    match field(object, path)? {
        None => Ok(false),
        Some(value) => value.as_bool().ok_or_else(|| wrong_type(path, "a boolean")),
    }
}

fn items<'a>(object: &'a Value, path: &[&str]) -> Result<&'a [Value], ReadError> {
    match field(object, path)? {
        None => Ok(&[]),
        Some(value) => value
            .as_array()
            .map(Vec::as_slice)
            .ok_or_else(|| wrong_type(path, "a list")),
    }
}

/// For identity fields and the generic fallback, where a malformed value should
/// not turn an object `Unknown`: absent, null or mistyped all read as `None`.
fn lenient<'a>(object: &'a Value, path: &[&str]) -> Option<&'a Value> {
    field(object, path).ok().flatten()
}

fn lenient_text<'a>(object: &'a Value, path: &[&str]) -> &'a str {
    lenient(object, path).and_then(Value::as_str).unwrap_or("")
}

fn name(object: &Value) -> &str {
    lenient_text(object, &["metadata", "name"])
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn readers_give_zero_values_for_absent_and_null() {
        let object = json!({"status": {"replicas": null}});
        assert_eq!(int(&object, &["status", "replicas"]), Ok(None));
        assert_eq!(int_or_zero(&object, &["status", "ready"]), Ok(0));
        assert_eq!(text(&object, &["spec", "type"]), Ok(""));
        assert_eq!(flag(&object, &["spec", "paused"]), Ok(false));
        assert_eq!(items(&object, &["status", "conditions"]), Ok(&[][..]));
    }

    #[test]
    fn readers_reject_wrong_types_with_the_path() {
        let object = json!({"spec": {"replicas": "3"}, "status": "broken"});
        let err = int(&object, &["spec", "replicas"]).unwrap_err();
        assert_eq!(err.to_string(), "spec.replicas is not an integer");
        let err = int(&object, &["status", "replicas"]).unwrap_err();
        assert_eq!(err.to_string(), "status is not an object");
    }

    #[test]
    fn malformed_objects_are_unknown() {
        let object = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web"}, "spec": {"replicas": "three"}
        });
        let health = assess(&object);
        assert_eq!(health.status, HealthStatus::Unknown);
        assert_eq!(
            health.message,
            "cannot read Deployment: spec.replicas is not an integer"
        );
    }

    #[test]
    fn not_even_an_object_is_healthy_without_a_signal() {
        assert_eq!(assess(&json!("text")).status, HealthStatus::Healthy);
    }

    #[test]
    fn worst_of_nothing_is_healthy() {
        assert_eq!(worst([]), HealthStatus::Healthy);
    }
}
