//! The order a sync applies objects in: Argo CD's `argocd.argoproj.io/sync-wave`
//! annotation first (lower waves first, default 0), then by kind so that what others
//! depend on exists first (Namespace, CRD, RBAC, ConfigMap/Secret, Service,
//! workloads, the rest), then by key for a stable order. Prunes go in reverse.

use serde_json::Value;

use crate::model::ResourceKey;

pub const WAVE_ANNOTATION: &str = "argocd.argoproj.io/sync-wave";

/// The kinds in apply order; unlisted kinds come after them.
const KIND_ORDER: &[&str] = &[
    "Namespace",
    "CustomResourceDefinition",
    "ServiceAccount",
    "ClusterRole",
    "ClusterRoleBinding",
    "Role",
    "RoleBinding",
    "ConfigMap",
    "Secret",
    "PersistentVolumeClaim",
    "Service",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "CronJob",
    "Ingress",
    "HorizontalPodAutoscaler",
];

/// An object's wave (0 when unannotated or unreadable).
pub fn wave(object: &Value) -> i64 {
    object
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(WAVE_ANNOTATION))
        .and_then(Value::as_str)
        .and_then(|w| w.trim().parse().ok())
        .unwrap_or(0)
}

fn kind_rank(kind: &str) -> usize {
    KIND_ORDER
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(KIND_ORDER.len())
}

/// The sort key of an object in apply order.
pub fn order_key(key: &ResourceKey, object: &Value) -> (i64, usize, ResourceKey) {
    (wave(object), kind_rank(&key.kind), key.clone())
}

/// Groups `(key, object)` pairs into waves in apply order.
pub fn waves(items: &[(ResourceKey, Value)]) -> Vec<(i64, Vec<&(ResourceKey, Value)>)> {
    let mut sorted: Vec<&(ResourceKey, Value)> = items.iter().collect();
    sorted.sort_by_key(|(key, object)| order_key(key, object));
    let mut grouped: Vec<(i64, Vec<&(ResourceKey, Value)>)> = Vec::new();
    for item in sorted {
        let w = wave(&item.1);
        match grouped.last_mut() {
            Some((current, members)) if *current == w => members.push(item),
            _ => grouped.push((w, vec![item])),
        }
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(kind: &str, name: &str, wave: Option<&str>) -> (ResourceKey, Value) {
        let mut object = json!({"kind": kind, "metadata": {"name": name}});
        if let Some(wave) = wave {
            object["metadata"]["annotations"] = json!({WAVE_ANNOTATION: wave});
        }
        (ResourceKey::new("", kind, "", name), object)
    }

    #[test]
    fn waves_then_kinds_then_names() {
        let items = vec![
            item("Deployment", "web", None),
            item("Service", "web", None),
            item("Job", "migrate", Some("-1")),
            item("Namespace", "web", None),
            item("Widget", "w", None),
            item("ConfigMap", "b", None),
            item("ConfigMap", "a", None),
            item("Deployment", "late", Some("5")),
            item("Secret", "bad-wave", Some("soon")),
        ];
        let order: Vec<(i64, Vec<&str>)> = waves(&items)
            .into_iter()
            .map(|(w, members)| (w, members.iter().map(|(k, _)| k.name.as_str()).collect()))
            .collect();
        assert_eq!(
            order,
            vec![
                (-1, vec!["migrate"]),
                (0, vec!["web", "a", "b", "bad-wave", "web", "web", "w"]),
                (5, vec!["late"]),
            ]
        );
        let kinds: Vec<&str> = waves(&items)[1]
            .1
            .iter()
            .map(|(k, _)| k.kind.as_str())
            .collect();
        assert_eq!(
            kinds,
            vec![
                "Namespace",
                "ConfigMap",
                "ConfigMap",
                "Secret",
                "Service",
                "Deployment",
                "Widget"
            ]
        );
    }
}
