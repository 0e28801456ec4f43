//! A minimal OpenAPI v3 index: for every served group version, the PATCH operations
//! of its resources with their query parameters. kubectl reads it to learn that the
//! server validates fields itself (`fieldValidation`), so `kubectl apply` does not
//! demand a full client-side schema. Strategic merge is deliberately not listed:
//! kubectl then computes three-way patches from its compiled-in types (built-in
//! kinds) or falls back to JSON merge patches (custom resources), as it does against
//! clusters without published schemas.

use serde_json::{Map, Value, json};

use super::super::registry::{Registry, ResourceType};

fn gv_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// A hash of the group version's types, so clients' caches turn over when CRDs
/// change what is served.
fn gv_hash(types: &[&ResourceType]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for rtype in types {
        for byte in rtype.plural.bytes().chain(rtype.kind.bytes()) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016X}")
}

fn types_of<'a>(registry: &'a Registry, group: &str, version: &str) -> Vec<&'a ResourceType> {
    registry
        .all()
        .iter()
        .filter(|t| t.group == group && t.version == version)
        .map(|t| &**t)
        .collect()
}

pub fn root(registry: &Registry) -> Value {
    let mut paths = Map::new();
    for (group, versions) in registry.groups() {
        for version in versions {
            let path = gv_path(&group, &version);
            let hash = gv_hash(&types_of(registry, &group, &version));
            paths.insert(
                path.clone(),
                json!({"serverRelativeURL": format!("/openapi/v3/{path}?hash={hash}")}),
            );
        }
    }
    json!({"paths": paths})
}

/// The document of one group version (`api/v1`, `apis/apps/v1`), if served.
pub fn group_version(registry: &Registry, path: &str) -> Option<Value> {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let (group, version) = match parts.as_slice() {
        ["api", version] => ("", *version),
        ["apis", group, version] => (*group, *version),
        _ => return None,
    };
    let types = types_of(registry, group, version);
    if types.is_empty() {
        return None;
    }
    let query = |name: &str| json!({"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": true}});
    let content: Map<String, Value> = [
        "application/json-patch+json",
        "application/merge-patch+json",
        "application/apply-patch+yaml",
    ]
    .iter()
    .map(|t| ((*t).to_owned(), json!({"schema": {"type": "object"}})))
    .collect();
    let mut paths = Map::new();
    for rtype in types {
        let prefix = format!("/{}", gv_path(group, version));
        let collection = if rtype.namespaced {
            format!("{prefix}/namespaces/{{namespace}}/{}", rtype.plural)
        } else {
            format!("{prefix}/{}", rtype.plural)
        };
        let patch = json!({
            "description": format!("partially update the specified {}", rtype.kind),
            "operationId": format!("patch{}", rtype.kind),
            "parameters": [query("dryRun"), query("fieldManager"), query("fieldValidation"), query("force")],
            "requestBody": {"content": content, "required": true},
            "responses": {"200": {"description": "OK"}},
            "x-kubernetes-action": "patch",
            "x-kubernetes-group-version-kind": {"group": group, "version": version, "kind": rtype.kind},
        });
        paths.insert(format!("{collection}/{{name}}"), json!({"patch": patch}));
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.32.0"},
        "paths": paths,
        "components": {"schemas": {}},
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_lists_every_group_version_with_patch_operations() {
        let registry = Registry::new();
        let index = root(&registry);
        let url = index["paths"]["apis/apps/v1"]["serverRelativeURL"]
            .as_str()
            .unwrap();
        assert!(url.starts_with("/openapi/v3/apis/apps/v1?hash="));
        let doc = group_version(&registry, "apis/apps/v1").unwrap();
        let patch =
            &doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"];
        assert_eq!(
            patch["x-kubernetes-group-version-kind"]["kind"],
            "Deployment"
        );
        assert!(
            patch["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == "fieldValidation")
        );
        assert!(group_version(&registry, "apis/nope/v1").is_none());
        assert!(group_version(&registry, "api/v1").is_some());
    }
}
