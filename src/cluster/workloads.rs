//! Support actions on workloads and pods: the pods a workload selects, container
//! logs (a stream of lines), events in a namespace, rolling restart and scale. All
//! text that comes back is outside text: callers neutralise it before printing.

use futures_util::{AsyncBufReadExt, Stream, StreamExt};
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::api::{Api, DynamicObject, ListParams, LogParams, Patch, PatchParams};
use serde_json::{Value, json};

use super::{ClusterError, Connection, Served};

/// A workload's label selector as a list selector string (`matchLabels` and
/// `matchExpressions`), or None when it selects nothing expressible.
pub fn selector_string(workload: &Value) -> Option<String> {
    let selector = workload.pointer("/spec/selector")?;
    let mut terms: Vec<String> = Vec::new();
    if let Some(labels) = selector.get("matchLabels").and_then(Value::as_object) {
        for (key, value) in labels {
            terms.push(format!("{key}={}", value.as_str()?));
        }
    }
    if let Some(expressions) = selector.get("matchExpressions").and_then(Value::as_array) {
        for expression in expressions {
            let key = expression.get("key")?.as_str()?;
            let values: Vec<&str> = expression
                .get("values")
                .and_then(Value::as_array)
                .map(|v| v.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            terms.push(match expression.get("operator")?.as_str()? {
                "In" => format!("{key} in ({})", values.join(",")),
                "NotIn" => format!("{key} notin ({})", values.join(",")),
                "Exists" => key.to_owned(),
                "DoesNotExist" => format!("!{key}"),
                _ => return None,
            });
        }
    }
    (!terms.is_empty()).then(|| terms.join(","))
}

/// The pods a workload selects, in its namespace.
pub async fn pods_of(connection: &Connection, workload: &Value) -> Result<Vec<Pod>, ClusterError> {
    let Some(selector) = selector_string(workload) else {
        return Ok(Vec::new());
    };
    let namespace = workload
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("default");
    let pods: Api<Pod> = Api::namespaced(connection.client.clone(), namespace);
    pods.list(&ListParams::default().labels(&selector))
        .await
        .map(|list| list.items)
        .map_err(|e| ClusterError::from_kube(&connection.context, e))
}

/// What part of a container's log to read.
#[derive(Clone, Debug, Default)]
pub struct LogRequest {
    pub container: Option<String>,
    pub previous: bool,
    pub tail: Option<i64>,
    pub follow: bool,
    pub timestamps: bool,
}

/// A pod's log as a stream of lines (ending when the log does, or never while
/// following).
pub async fn log_lines(
    connection: &Connection,
    namespace: &str,
    pod: &str,
    request: &LogRequest,
) -> Result<impl Stream<Item = Result<String, std::io::Error>> + use<>, ClusterError> {
    let pods: Api<Pod> = Api::namespaced(connection.client.clone(), namespace);
    let params = LogParams {
        container: request.container.clone(),
        previous: request.previous,
        tail_lines: request.tail,
        follow: request.follow,
        timestamps: request.timestamps,
        ..LogParams::default()
    };
    let stream = pods
        .log_stream(pod, &params)
        .await
        .map_err(|e| ClusterError::from_kube(&connection.context, e))?;
    Ok(stream.lines().boxed())
}

/// The Events of a namespace, oldest first.
pub async fn events(connection: &Connection, namespace: &str) -> Result<Vec<Event>, ClusterError> {
    let api: Api<Event> = Api::namespaced(connection.client.clone(), namespace);
    let mut events = api
        .list(&ListParams::default())
        .await
        .map_err(|e| ClusterError::from_kube(&connection.context, e))?
        .items;
    events.sort_by_key(|e| {
        e.last_timestamp
            .as_ref()
            .map(|t| t.0)
            .or_else(|| e.metadata.creation_timestamp.as_ref().map(|t| t.0))
    });
    Ok(events)
}

fn params(manager: &str) -> PatchParams {
    PatchParams {
        field_manager: Some(manager.to_owned()),
        ..PatchParams::default()
    }
}

fn dynamic(connection: &Connection, served: &Served, namespace: &str) -> Api<DynamicObject> {
    if served.namespaced {
        Api::namespaced_with(connection.client.clone(), namespace, &served.resource)
    } else {
        Api::all_with(connection.client.clone(), &served.resource)
    }
}

/// A rolling restart, as `kubectl rollout restart` does it: a new annotation on
/// the pod template.
pub async fn restart(
    connection: &Connection,
    served: &Served,
    namespace: &str,
    name: &str,
    manager: &str,
) -> Result<(), ClusterError> {
    let now = jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let patch = json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": now}}}}});
    dynamic(connection, served, namespace)
        .patch(name, &params(manager), &Patch::Merge(&patch))
        .await
        .map(|_| ())
        .map_err(|e| ClusterError::from_kube(&connection.context, e))
}

/// Sets a workload's replicas through its `/scale` subresource.
pub async fn scale(
    connection: &Connection,
    served: &Served,
    namespace: &str,
    name: &str,
    replicas: i32,
    manager: &str,
) -> Result<(), ClusterError> {
    let patch = json!({"spec": {"replicas": replicas}});
    dynamic(connection, served, namespace)
        .patch_scale(name, &params(manager), &Patch::Merge(&patch))
        .await
        .map(|_| ())
        .map_err(|e| ClusterError::from_kube(&connection.context, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_become_list_selectors() {
        let workload = json!({"spec": {"selector": {
            "matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}, {"key": "canary", "operator": "DoesNotExist"}]
        }}});
        assert_eq!(
            selector_string(&workload).unwrap(),
            "app=web,tier in (a,b),!canary"
        );
        assert!(selector_string(&json!({"spec": {}})).is_none());
    }
}
