//! Argo CD and Flux apps in one context, straight from the Kubernetes API (no Argo
//! CD API server, no `argocd` or `flux` binary): every `Application`,
//! `Kustomization` and `HelmRelease` in any namespace, each Flux app read with its
//! source object, mapped by `integrations` into one status model. A kind the
//! cluster does not serve is simply absent; a kind it refuses to list is a
//! problem, said as such; an object that cannot be mapped is a problem too, and the
//! rest is still read.

use std::collections::HashMap;

use serde_json::Value;

use crate::cluster::{Catalog, list};
use crate::cluster::{ClusterError, Connection};
use crate::error::Classified;
use crate::integrations::{AppKind, ExternalApp, MappingError, argocd, flux};
use crate::model::ResourceKey;

pub use crate::integrations::flux::SOURCE_GROUP;
/// The API groups of Argo CD and Flux apps and sources.
pub const GROUPS: [&str; 4] = [
    "argoproj.io",
    "kustomize.toolkit.fluxcd.io",
    "helm.toolkit.fluxcd.io",
    SOURCE_GROUP,
];
/// The Flux source kinds an app can name.
const SOURCE_KINDS: [&str; 5] = [
    "GitRepository",
    "OCIRepository",
    "HelmRepository",
    "Bucket",
    "HelmChart",
];

/// What one context holds of Argo CD and Flux.
#[derive(Clone, Debug, Default)]
pub struct Discovered {
    pub apps: Vec<ExternalApp>,
    /// Kinds that could not be listed (forbidden, unreachable) and objects that
    /// could not be read, one line each.
    pub problems: Vec<String>,
}

/// Lists and maps every Argo CD and Flux app the context serves.
/// A context's connection and the Argo CD and Flux kinds it serves now (their
/// groups are discovered every time: CRDs installed after the session began are
/// seen without a hard refresh).
pub async fn engines_of(
    clusters: &super::clusters::Clusters,
    context: Option<&str>,
) -> Result<(Connection, Catalog), String> {
    let session = clusters
        .session(context)
        .await
        .map_err(|e| crate::error::one_line(&e))?;
    let catalog = crate::cluster::discover_groups(&session.connection, &GROUPS)
        .await
        .map_err(|e| crate::error::one_line(&e))?;
    Ok((session.connection, catalog))
}

pub async fn discover(connection: &Connection, catalog: &Catalog) -> Discovered {
    let mut found = Discovered::default();
    let mut sources: HashMap<ResourceKey, Value> = HashMap::new();
    for kind in SOURCE_KINDS {
        for source in listed(connection, catalog, SOURCE_GROUP, kind, &mut found).await {
            if let Some(key) = key_of(&source, SOURCE_GROUP, kind) {
                sources.insert(key, source);
            }
        }
    }
    for kind in [
        AppKind::Application,
        AppKind::Kustomization,
        AppKind::HelmRelease,
    ] {
        for object in listed(connection, catalog, kind.group(), kind.label(), &mut found).await {
            match map(kind, &object, &sources, &mut found.problems) {
                Ok(app) => found.apps.push(app),
                Err(error) => found.problems.push(error.to_string()),
            }
        }
    }
    found.apps.sort_by(|a, b| {
        (a.namespace.as_str(), a.name.as_str(), a.kind.label()).cmp(&(
            b.namespace.as_str(),
            b.name.as_str(),
            b.kind.label(),
        ))
    });
    found
}

/// The objects of a kind in every namespace; nothing when the kind is not served.
async fn listed(
    connection: &Connection,
    catalog: &Catalog,
    group: &str,
    kind: &str,
    found: &mut Discovered,
) -> Vec<Value> {
    let Some(served) = catalog.get(group, kind) else {
        return Vec::new();
    };
    match list(connection, served, None, None).await {
        Ok(objects) => objects,
        Err(error) => {
            found.problems.push(cannot_list(kind, group, &error));
            Vec::new()
        }
    }
}

fn cannot_list(kind: &str, group: &str, error: &ClusterError) -> String {
    let hint = error
        .hint()
        .map(|hint| format!(" (hint: {hint})"))
        .unwrap_or_default();
    format!(
        "{}: cannot list {kind}.{group}: {error}{hint}",
        error.kind().label()
    )
}

/// A Flux app is read with its source when the context has it (its sync compares
/// the applied revision with the source's artifact).
fn map(
    kind: AppKind,
    object: &Value,
    sources: &HashMap<ResourceKey, Value>,
    problems: &mut Vec<String>,
) -> Result<ExternalApp, MappingError> {
    let with = |source: Option<&Value>| match kind {
        AppKind::Application => argocd::from_application(object),
        AppKind::Kustomization => flux::from_kustomization(object, source),
        AppKind::HelmRelease => flux::from_helm_release(object, source),
    };
    let alone = with(None)?;
    let source = alone
        .source
        .as_ref()
        .and_then(|s| s.object.as_ref())
        .and_then(|key| sources.get(key));
    match source {
        // A source that cannot be read leaves the app as its own status tells.
        Some(source) => Ok(with(Some(source)).unwrap_or_else(|error| {
            problems.push(error.to_string());
            alone
        })),
        None => Ok(alone),
    }
}

fn key_of(object: &Value, group: &str, kind: &str) -> Option<ResourceKey> {
    let metadata = object.get("metadata")?;
    Some(ResourceKey::new(
        group,
        kind,
        metadata.get("namespace")?.as_str()?,
        metadata.get("name")?.as_str()?,
    ))
}
