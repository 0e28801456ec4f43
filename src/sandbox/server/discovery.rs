//! Discovery documents: `/version`, `/api`, `/apis`, `/apis/{group}` and the resource
//! lists of each group version, with verbs, scope, short names, categories and
//! subresources, in the legacy (unaggregated) format every client understands.

use serde_json::{Value, json};

use super::super::registry::{Registry, ResourceType};

/// The version the sandbox reports: the Kubernetes it imitates.
pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "32",
        "gitVersion": "v1.32.0-driftdeck-sandbox",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.23.0",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

pub fn core_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    })
}

fn group_entry(group: &str, versions: &[String]) -> Value {
    let versions: Vec<Value> = versions
        .iter()
        .map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
        .collect();
    let preferred = versions.first().cloned().unwrap_or(Value::Null);
    json!({"name": group, "versions": versions, "preferredVersion": preferred})
}

pub fn groups(registry: &Registry) -> Value {
    let groups: Vec<Value> = registry
        .groups()
        .iter()
        .filter(|(group, _)| !group.is_empty())
        .map(|(group, versions)| group_entry(group, versions))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

pub fn group(registry: &Registry, name: &str) -> Option<Value> {
    registry
        .groups()
        .iter()
        .find(|(group, _)| group == name)
        .map(|(group, versions)| {
            let mut entry = group_entry(group, versions);
            entry["kind"] = "APIGroup".into();
            entry["apiVersion"] = "v1".into();
            entry
        })
}

const VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

fn resource_entries(rtype: &ResourceType) -> Vec<Value> {
    let mut entries = vec![json!({
        "name": rtype.plural,
        "singularName": rtype.singular,
        "namespaced": rtype.namespaced,
        "kind": rtype.kind,
        "verbs": VERBS,
        "shortNames": rtype.short_names,
        "categories": rtype.categories,
        "storageVersionHash": "",
    })];
    let sub = |name: &str, kind: &str, verbs: &[&str]| {
        json!({
            "name": format!("{}/{name}", rtype.plural),
            "singularName": "",
            "namespaced": rtype.namespaced,
            "kind": kind,
            "verbs": verbs,
        })
    };
    if rtype.subresources.status {
        entries.push(sub("status", &rtype.kind, &["get", "patch", "update"]));
    }
    if rtype.subresources.scale.is_some() {
        let mut scale = sub("scale", "Scale", &["get", "patch", "update"]);
        scale["group"] = "autoscaling".into();
        scale["version"] = "v1".into();
        entries.push(scale);
    }
    if rtype.subresources.log {
        entries.push(sub("log", "Pod", &["get"]));
    }
    entries
}

pub fn resources(registry: &Registry, group: &str, version: &str) -> Option<Value> {
    let mut types: Vec<&ResourceType> = registry
        .all()
        .iter()
        .filter(|t| t.group == group && t.version == version)
        .map(|t| &**t)
        .collect();
    // Alphabetical, as the API server lists them (kubectl's `get all` follows it).
    types.sort_by(|a, b| a.plural.cmp(&b.plural));
    if types.is_empty() {
        return None;
    }
    let group_version = if group.is_empty() {
        version.to_owned()
    } else {
        format!("{group}/{version}")
    };
    let resources: Vec<Value> = types.iter().flat_map(|t| resource_entries(t)).collect();
    Some(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": resources,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_lists_name_subresources() {
        let registry = Registry::new();
        let apps = resources(&registry, "apps", "v1").unwrap();
        let names: Vec<&str> = apps["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"deployments"));
        assert!(names.contains(&"deployments/scale"));
        assert!(names.contains(&"deployments/status"));
        let core = resources(&registry, "", "v1").unwrap();
        assert_eq!(core["groupVersion"], "v1");
        assert!(resources(&registry, "nope", "v1").is_none());
        assert!(
            groups(&registry)["groups"]
                .as_array()
                .unwrap()
                .iter()
                .all(|g| g["name"] != "")
        );
    }
}
