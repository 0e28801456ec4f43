//! The resource types the sandbox serves: the built-in kinds of a Kubernetes 1.32
//! cluster that driftdeck needs, and the ones CustomResourceDefinitions add at run
//! time. Discovery, routing and the store all look types up here, so a CRD that is
//! created starts being served everywhere at once.

use std::sync::Arc;

use serde_json::Value;

use super::table::PrinterColumn;

/// The subresources a type serves besides the object itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subresources {
    pub status: bool,
    /// JSON pointers of the replica fields for `/scale`: (spec, status, selector).
    pub scale: Option<ScalePaths>,
    /// `pods/log`.
    pub log: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScalePaths {
    pub spec_replicas: String,
    pub status_replicas: String,
    pub label_selector: Option<String>,
}

impl ScalePaths {
    fn workload() -> Self {
        Self {
            spec_replicas: "/spec/replicas".into(),
            status_replicas: "/status/replicas".into(),
            label_selector: Some("/status/selector".into()),
        }
    }
}

/// One served resource: `deployments` in `apps/v1`.
#[derive(Clone, Debug)]
pub struct ResourceType {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub plural: String,
    pub singular: String,
    pub namespaced: bool,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    pub subresources: Subresources,
    /// Whether strategic merge patches are understood (built-in kinds only).
    pub strategic: bool,
    /// A CRD's `additionalPrinterColumns` for `kubectl get`.
    pub printer_columns: Vec<PrinterColumn>,
}

impl ResourceType {
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `deployments.apps`, `pods`: how Kubernetes names a resource in messages.
    pub fn qualified_plural(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// Whether this type and `other` store the same objects (same group and plural,
    /// any version).
    pub fn same_resource(&self, other: &ResourceType) -> bool {
        self.group == other.group && self.plural == other.plural
    }
}

struct Builtin {
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
    short_names: &'static [&'static str],
    status: bool,
    scale: bool,
    categories: &'static [&'static str],
}

const fn builtin(
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
    short_names: &'static [&'static str],
) -> Builtin {
    Builtin {
        group,
        version,
        kind,
        plural,
        namespaced,
        short_names,
        status: false,
        scale: false,
        categories: &[],
    }
}

const fn with_status(mut b: Builtin) -> Builtin {
    b.status = true;
    b
}

const fn with_scale(mut b: Builtin) -> Builtin {
    b.scale = true;
    b
}

const fn in_all(mut b: Builtin) -> Builtin {
    b.categories = &["all"];
    b
}

const BUILTINS: &[Builtin] = &[
    with_status(builtin("", "v1", "Namespace", "namespaces", false, &["ns"])),
    builtin("", "v1", "ConfigMap", "configmaps", true, &["cm"]),
    builtin("", "v1", "Secret", "secrets", true, &[]),
    in_all(with_status(builtin(
        "",
        "v1",
        "Service",
        "services",
        true,
        &["svc"],
    ))),
    builtin("", "v1", "ServiceAccount", "serviceaccounts", true, &["sa"]),
    in_all(with_status(builtin("", "v1", "Pod", "pods", true, &["po"]))),
    builtin("", "v1", "Event", "events", true, &["ev"]),
    builtin("", "v1", "Endpoints", "endpoints", true, &["ep"]),
    with_status(builtin(
        "",
        "v1",
        "PersistentVolumeClaim",
        "persistentvolumeclaims",
        true,
        &["pvc"],
    )),
    with_status(builtin("", "v1", "Node", "nodes", false, &["no"])),
    in_all(with_scale(with_status(builtin(
        "apps",
        "v1",
        "Deployment",
        "deployments",
        true,
        &["deploy"],
    )))),
    in_all(with_scale(with_status(builtin(
        "apps",
        "v1",
        "ReplicaSet",
        "replicasets",
        true,
        &["rs"],
    )))),
    in_all(with_scale(with_status(builtin(
        "apps",
        "v1",
        "StatefulSet",
        "statefulsets",
        true,
        &["sts"],
    )))),
    in_all(with_status(builtin(
        "apps",
        "v1",
        "DaemonSet",
        "daemonsets",
        true,
        &["ds"],
    ))),
    in_all(with_status(builtin(
        "batch",
        "v1",
        "Job",
        "jobs",
        true,
        &[],
    ))),
    in_all(with_status(builtin(
        "batch",
        "v1",
        "CronJob",
        "cronjobs",
        true,
        &["cj"],
    ))),
    with_status(builtin(
        "networking.k8s.io",
        "v1",
        "Ingress",
        "ingresses",
        true,
        &["ing"],
    )),
    in_all(with_status(builtin(
        "autoscaling",
        "v2",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        true,
        &["hpa"],
    ))),
    builtin(
        "rbac.authorization.k8s.io",
        "v1",
        "Role",
        "roles",
        true,
        &[],
    ),
    builtin(
        "rbac.authorization.k8s.io",
        "v1",
        "RoleBinding",
        "rolebindings",
        true,
        &[],
    ),
    builtin(
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRole",
        "clusterroles",
        false,
        &[],
    ),
    builtin(
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRoleBinding",
        "clusterrolebindings",
        false,
        &[],
    ),
    with_status(builtin(
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        false,
        &["crd", "crds"],
    )),
];

fn from_builtin(b: &Builtin) -> ResourceType {
    ResourceType {
        group: b.group.into(),
        version: b.version.into(),
        kind: b.kind.into(),
        plural: b.plural.into(),
        singular: b.kind.to_lowercase(),
        namespaced: b.namespaced,
        short_names: b.short_names.iter().map(|s| (*s).into()).collect(),
        categories: b.categories.iter().map(|s| (*s).into()).collect(),
        subresources: Subresources {
            status: b.status,
            scale: b.scale.then(ScalePaths::workload),
            log: b.kind == "Pod",
        },
        strategic: true,
        printer_columns: Vec::new(),
    }
}

/// The served types: the built-ins, then one entry per served version of every
/// established CRD.
#[derive(Clone, Debug)]
pub struct Registry {
    types: Vec<Arc<ResourceType>>,
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

impl Registry {
    pub fn new() -> Self {
        Self {
            types: BUILTINS.iter().map(|b| Arc::new(from_builtin(b))).collect(),
        }
    }

    pub fn all(&self) -> &[Arc<ResourceType>] {
        &self.types
    }

    /// The type served at `group/version/plural`.
    pub fn lookup(&self, group: &str, version: &str, plural: &str) -> Option<Arc<ResourceType>> {
        self.types
            .iter()
            .find(|t| t.group == group && t.version == version && t.plural == plural)
            .cloned()
    }

    /// The type of `kind` in `group` (the first served version).
    pub fn by_kind(&self, group: &str, kind: &str) -> Option<Arc<ResourceType>> {
        self.types
            .iter()
            .find(|t| t.group == group && t.kind == kind)
            .cloned()
    }

    /// The groups in discovery order (core first), each with its versions.
    pub fn groups(&self) -> Vec<(String, Vec<String>)> {
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for t in &self.types {
            match groups.iter_mut().find(|(g, _)| *g == t.group) {
                Some((_, versions)) => {
                    if !versions.contains(&t.version) {
                        versions.push(t.version.clone());
                    }
                }
                None => groups.push((t.group.clone(), vec![t.version.clone()])),
            }
        }
        groups
    }

    /// Registers (or re-registers) the types a CRD declares; returns what changed so
    /// the caller can log it.
    pub fn register_crd(&mut self, crd: &Value) -> Result<Vec<Arc<ResourceType>>, String> {
        let types = types_of_crd(crd)?;
        let first = types.first().cloned();
        if let Some(first) = first {
            self.types.retain(|t| !t.same_resource(&first));
        }
        let added: Vec<Arc<ResourceType>> = types.into_iter().map(Arc::new).collect();
        self.types.extend(added.iter().cloned());
        Ok(added)
    }

    /// Stops serving the resource a deleted CRD declared.
    pub fn unregister_crd(&mut self, crd: &Value) {
        let group = crd.pointer("/spec/group").and_then(Value::as_str);
        let plural = crd.pointer("/spec/names/plural").and_then(Value::as_str);
        if let (Some(group), Some(plural)) = (group, plural) {
            self.types
                .retain(|t| !(t.group == group && t.plural == plural));
        }
    }
}

fn str_at<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer).and_then(Value::as_str)
}

fn strings_at(value: &Value, pointer: &str) -> Vec<String> {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The types a CRD serves, one per served version; an error names the missing field.
pub fn types_of_crd(crd: &Value) -> Result<Vec<ResourceType>, String> {
    let group = str_at(crd, "/spec/group").ok_or("spec.group: Required value")?;
    let kind = str_at(crd, "/spec/names/kind").ok_or("spec.names.kind: Required value")?;
    let plural = str_at(crd, "/spec/names/plural").ok_or("spec.names.plural: Required value")?;
    let scope = str_at(crd, "/spec/scope").ok_or("spec.scope: Required value")?;
    let namespaced = match scope {
        "Namespaced" => true,
        "Cluster" => false,
        other => {
            return Err(format!(
                "spec.scope: Unsupported value: {other:?}: supported values: \"Cluster\", \"Namespaced\""
            ));
        }
    };
    let expected_name = format!("{plural}.{group}");
    if let Some(name) = str_at(crd, "/metadata/name")
        && name != expected_name
    {
        return Err(format!(
            "metadata.name: Invalid value: {name:?}: must be spec.names.plural+\".\"+spec.group"
        ));
    }
    let singular = str_at(crd, "/spec/names/singular")
        .map(str::to_owned)
        .unwrap_or_else(|| kind.to_lowercase());
    let versions = crd
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .filter(|v| !v.is_empty())
        .ok_or("spec.versions: Required value")?;
    let mut types = Vec::new();
    for version in versions {
        let name = str_at(version, "/name").ok_or("spec.versions[].name: Required value")?;
        if version.get("served").and_then(Value::as_bool) == Some(false) {
            continue;
        }
        let subresources = version.get("subresources");
        let scale = subresources
            .and_then(|s| s.get("scale"))
            .map(|scale| ScalePaths {
                spec_replicas: json_path_to_pointer(
                    str_at(scale, "/specReplicasPath").unwrap_or(".spec.replicas"),
                ),
                status_replicas: json_path_to_pointer(
                    str_at(scale, "/statusReplicasPath").unwrap_or(".status.replicas"),
                ),
                label_selector: str_at(scale, "/labelSelectorPath").map(json_path_to_pointer),
            });
        types.push(ResourceType {
            group: group.into(),
            version: name.into(),
            kind: kind.into(),
            plural: plural.into(),
            singular: singular.clone(),
            namespaced,
            short_names: strings_at(crd, "/spec/names/shortNames"),
            categories: strings_at(crd, "/spec/names/categories"),
            subresources: Subresources {
                status: subresources.and_then(|s| s.get("status")).is_some(),
                scale,
                log: false,
            },
            strategic: false,
            printer_columns: printer_columns(version),
        });
    }
    Ok(types)
}

fn printer_columns(version: &Value) -> Vec<PrinterColumn> {
    let Some(columns) = version
        .get("additionalPrinterColumns")
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    columns
        .iter()
        .filter_map(|c| {
            Some(PrinterColumn {
                name: str_at(c, "/name")?.into(),
                type_: str_at(c, "/type").unwrap_or("string").into(),
                json_path: str_at(c, "/jsonPath")?.into(),
                description: str_at(c, "/description").unwrap_or_default().into(),
                priority: c.get("priority").and_then(Value::as_i64).unwrap_or(0),
                format: str_at(c, "/format").unwrap_or_default().into(),
            })
        })
        .collect()
}

/// `.spec.replicas` → `/spec/replicas` (the simple paths CRD scale subresources use).
fn json_path_to_pointer(path: &str) -> String {
    path.trim_start_matches('.')
        .split('.')
        .fold(String::new(), |mut pointer, part| {
            pointer.push('/');
            pointer.push_str(part);
            pointer
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn builtins_are_found_by_path_and_kind() {
        let registry = Registry::new();
        let deploy = registry.lookup("apps", "v1", "deployments").unwrap();
        assert_eq!(deploy.kind, "Deployment");
        assert!(deploy.subresources.scale.is_some());
        assert_eq!(deploy.qualified_plural(), "deployments.apps");
        assert!(registry.by_kind("", "Pod").unwrap().subresources.log);
        assert!(!registry.by_kind("", "Namespace").unwrap().namespaced);
        assert_eq!(registry.groups()[0], (String::new(), vec!["v1".into()]));
    }

    #[test]
    fn a_crd_adds_its_served_versions_and_can_be_removed() {
        let mut registry = Registry::new();
        let crd = json!({
            "metadata": {"name": "applications.argoproj.io"},
            "spec": {
                "group": "argoproj.io",
                "scope": "Namespaced",
                "names": {"kind": "Application", "plural": "applications", "shortNames": ["app"]},
                "versions": [
                    {"name": "v1alpha1", "served": true, "storage": true,
                     "subresources": {"status": {}},
                     "additionalPrinterColumns": [{"name": "Sync", "type": "string", "jsonPath": ".status.sync.status"}]},
                    {"name": "v1beta1", "served": false, "storage": false}
                ]
            }
        });
        let added = registry.register_crd(&crd).unwrap();
        assert_eq!(added.len(), 1);
        let app = registry
            .lookup("argoproj.io", "v1alpha1", "applications")
            .unwrap();
        assert!(app.subresources.status);
        assert_eq!(app.short_names, vec!["app".to_string()]);
        assert_eq!(app.printer_columns[0].json_path, ".status.sync.status");
        assert!(
            registry
                .lookup("argoproj.io", "v1beta1", "applications")
                .is_none()
        );
        registry.unregister_crd(&crd);
        assert!(registry.by_kind("argoproj.io", "Application").is_none());
    }

    #[test]
    fn a_crd_with_a_wrong_name_is_refused() {
        let crd = json!({
            "metadata": {"name": "wrong"},
            "spec": {"group": "a.io", "scope": "Cluster",
                     "names": {"kind": "A", "plural": "as"}, "versions": [{"name": "v1"}]}
        });
        assert!(types_of_crd(&crd).unwrap_err().contains("metadata.name"));
    }
}
