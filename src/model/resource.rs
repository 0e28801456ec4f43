//! Kubernetes object identity (`ResourceKey`) and a parsed desired object (`Manifest`).

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;
use serde_json::Value;

/// The identity of a Kubernetes object: API group (empty for the core group), kind,
/// namespace (empty for cluster-scoped objects) and name. Versions are deliberately
/// not part of the key: `apps/v1` and `apps/v1beta2` Deployments are the same object.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ResourceKey {
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl ResourceKey {
    pub fn new(
        group: impl Into<String>,
        kind: impl Into<String>,
        namespace: impl Into<String>,
        name: impl Into<String>,
    ) -> Self {
        Self {
            group: group.into(),
            kind: kind.into(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    /// The group part of an `apiVersion` (`apps/v1` → `apps`, `v1` → ``).
    pub fn group_of(api_version: &str) -> &str {
        api_version.rsplit_once('/').map_or("", |(group, _)| group)
    }

    pub fn is_namespaced(&self) -> bool {
        !self.namespace.is_empty()
    }
}

/// `group/kind/namespace/name` with `core` for the empty group and `-` for no
/// namespace: the same form the CLI accepts as a resource selector.
impl fmt::Display for ResourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let group = if self.group.is_empty() {
            "core"
        } else {
            &self.group
        };
        let namespace = if self.namespace.is_empty() {
            "-"
        } else {
            &self.namespace
        };
        write!(f, "{group}/{}/{namespace}/{}", self.kind, self.name)
    }
}

/// Where a desired object came from: a file (relative to the repository root, or the
/// command that produced it), the document's index among the file's non-empty
/// documents (from 0) and the line its content starts on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceRef {
    pub file: PathBuf,
    pub document: usize,
    pub line: u64,
    /// The index within a `kind: List` document's `items`.
    pub item: Option<usize>,
}

impl fmt::Display for SourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{} (document {}",
            self.file.display(),
            self.line,
            self.document + 1
        )?;
        match self.item {
            Some(item) => write!(f, ", item {})", item + 1),
            None => f.write_str(")"),
        }
    }
}

/// One desired object: its key, its full body and where it was read from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Manifest {
    pub key: ResourceKey,
    pub api_version: String,
    pub object: Value,
    pub source: SourceRef,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_of_core_and_named_groups() {
        assert_eq!(ResourceKey::group_of("v1"), "");
        assert_eq!(ResourceKey::group_of("apps/v1"), "apps");
        assert_eq!(
            ResourceKey::group_of("networking.k8s.io/v1"),
            "networking.k8s.io"
        );
    }

    #[test]
    fn display_names_core_group_and_cluster_scope() {
        let ns = ResourceKey::new("", "Namespace", "", "web");
        assert_eq!(ns.to_string(), "core/Namespace/-/web");
        let deploy = ResourceKey::new("apps", "Deployment", "web", "api");
        assert_eq!(deploy.to_string(), "apps/Deployment/web/api");
    }
}
