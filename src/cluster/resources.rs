//! Discovery (which kinds a context serves, in which version, with which scope) and
//! the object operations the engine needs, on dynamic objects as JSON values: list
//! (by namespace and label selector) and server-side apply, real or dry run.

use std::collections::HashMap;

use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, ListParams, Patch, PatchParams};
use kube::discovery::{ApiCapabilities, Discovery, Scope};
use serde_json::Value;

use super::{ClusterError, Connection};

/// One served kind: how to address it.
#[derive(Clone, Debug)]
pub struct Served {
    pub resource: ApiResource,
    pub namespaced: bool,
}

/// The kinds a context serves, by `(group, kind)`, each in its recommended version.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    kinds: HashMap<(String, String), Served>,
}

impl Catalog {
    pub fn get(&self, group: &str, kind: &str) -> Option<&Served> {
        self.kinds.get(&(group.to_owned(), kind.to_owned()))
    }

    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    /// Every `group/version` served and every `group/version/Kind`, sorted, as
    /// Helm's `--api-versions` takes them (each kind in its recommended version).
    pub fn api_versions(&self) -> Vec<String> {
        let mut versions: Vec<String> = self
            .kinds
            .iter()
            .flat_map(|((_, kind), served)| {
                let api_version = &served.resource.api_version;
                [api_version.clone(), format!("{api_version}/{kind}")]
            })
            .collect();
        versions.sort_unstable();
        versions.dedup();
        versions
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }
}

/// Runs discovery on a context.
pub async fn discover(connection: &Connection) -> Result<Catalog, ClusterError> {
    catalog(connection, Discovery::new(connection.client.clone())).await
}

/// Discovery of only `groups` (one request per group served, and the list of
/// groups): cheap enough to repeat, so CRDs installed meanwhile are seen.
pub async fn discover_groups(
    connection: &Connection,
    groups: &[&str],
) -> Result<Catalog, ClusterError> {
    catalog(
        connection,
        Discovery::new(connection.client.clone()).filter(groups),
    )
    .await
}

/// Runs `discovery` into a catalog: each kind in its group's recommended version.
async fn catalog(connection: &Connection, discovery: Discovery) -> Result<Catalog, ClusterError> {
    let discovery = discovery
        .run()
        .await
        .map_err(|e| ClusterError::from_kube(&connection.context, e))?;
    let mut kinds = HashMap::new();
    for group in discovery.groups() {
        for (resource, capabilities) in group.recommended_resources() {
            let served = served(resource, &capabilities);
            kinds
                .entry((served.resource.group.clone(), served.resource.kind.clone()))
                .or_insert(served);
        }
    }
    Ok(Catalog { kinds })
}

fn served(resource: ApiResource, capabilities: &ApiCapabilities) -> Served {
    Served {
        namespaced: capabilities.scope == Scope::Namespaced,
        resource,
    }
}

fn api(connection: &Connection, served: &Served, namespace: Option<&str>) -> Api<DynamicObject> {
    match namespace.filter(|_| served.namespaced) {
        Some(namespace) => {
            Api::namespaced_with(connection.client.clone(), namespace, &served.resource)
        }
        None => Api::all_with(connection.client.clone(), &served.resource),
    }
}

fn to_value(object: DynamicObject) -> Result<Value, ClusterError> {
    serde_json::to_value(object).map_err(|e| ClusterError::Api {
        context: String::new(),
        code: 0,
        reason: "Decode".into(),
        message: e.to_string(),
    })
}

/// The objects of a kind (in `namespace`, or everywhere), optionally by label.
pub async fn list(
    connection: &Connection,
    served: &Served,
    namespace: Option<&str>,
    labels: Option<&str>,
) -> Result<Vec<Value>, ClusterError> {
    let mut params = ListParams::default();
    if let Some(labels) = labels {
        params = params.labels(labels);
    }
    let list = api(connection, served, namespace)
        .list(&params)
        .await
        .map_err(|e| ClusterError::from_kube(&connection.context, e))?;
    list.items
        .into_iter()
        .map(|object| typed_value(served, object))
        .collect()
}

/// An object as JSON with its apiVersion and kind (real API servers leave them out
/// of list items).
pub(super) fn typed_value(served: &Served, object: DynamicObject) -> Result<Value, ClusterError> {
    let mut value = to_value(object)?;
    if let Some(map) = value.as_object_mut() {
        map.entry("apiVersion")
            .or_insert_with(|| served.resource.api_version.clone().into());
        map.entry("kind")
            .or_insert_with(|| served.resource.kind.clone().into());
    }
    Ok(value)
}

/// How a server-side apply is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApplyMode {
    /// Computed by the API server (defaulting, admission, merge), not stored.
    DryRun,
    Real,
}

/// Server-side apply of `object` with the given field manager; conflicts are
/// reported unless `force`.
pub async fn apply(
    connection: &Connection,
    served: &Served,
    object: &Value,
    manager: &str,
    force: bool,
    mode: ApplyMode,
) -> Result<Value, ClusterError> {
    let name = object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let namespace = object
        .pointer("/metadata/namespace")
        .and_then(Value::as_str);
    let mut params = PatchParams::apply(manager);
    if force {
        params = params.force();
    }
    if mode == ApplyMode::DryRun {
        params = params.dry_run();
    }
    let applied = api(connection, served, namespace)
        .patch(name, &params, &Patch::Apply(object))
        .await
        .map_err(|e| ClusterError::from_kube(&connection.context, e))?;
    to_value(applied)
}

/// One object, `None` when it does not exist.
pub async fn get(
    connection: &Connection,
    served: &Served,
    namespace: Option<&str>,
    name: &str,
) -> Result<Option<Value>, ClusterError> {
    let found = api(connection, served, namespace)
        .get_opt(name)
        .await
        .map_err(|e| ClusterError::from_kube(&connection.context, e))?;
    found.map(|object| typed_value(served, object)).transpose()
}

/// The API server's version (`v1.32.0`).
pub async fn server_version(connection: &Connection) -> Result<String, ClusterError> {
    let info = connection
        .client
        .apiserver_version()
        .await
        .map_err(|e| ClusterError::from_kube(&connection.context, e))?;
    Ok(info.git_version)
}

/// A JSON merge patch (RFC 7386) of one object, sent as `field_manager`.
pub async fn merge_patch(
    connection: &Connection,
    served: &Served,
    namespace: Option<&str>,
    name: &str,
    body: &Value,
    field_manager: &str,
) -> Result<Value, ClusterError> {
    let params = PatchParams {
        field_manager: Some(field_manager.to_owned()),
        ..PatchParams::default()
    };
    let patched = api(connection, served, namespace)
        .patch(name, &params, &Patch::Merge(body))
        .await
        .map_err(|e| ClusterError::from_kube(&connection.context, e))?;
    typed_value(served, patched)
}

/// Deletes an object (background propagation, as kubectl).
pub async fn delete(
    connection: &Connection,
    served: &Served,
    namespace: Option<&str>,
    name: &str,
) -> Result<(), ClusterError> {
    match api(connection, served, namespace)
        .delete(name, &DeleteParams::background())
        .await
    {
        Ok(_) => Ok(()),
        // Already gone is what was wanted.
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
        Err(error) => Err(ClusterError::from_kube(&connection.context, error)),
    }
}
