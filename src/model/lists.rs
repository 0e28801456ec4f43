//! How the list fields of built-in Kubernetes kinds merge: the
//! `x-kubernetes-list-type` / `list-map-keys` that server-side apply reads and the
//! `patchStrategy` / `patchMergeKey` that strategic merge patches read.
//!
//! This is the one table of list semantics (plus the few objects apply treats as
//! one value); the patch code asks it and never hard-codes a field name. Pure
//! data: no IO, no knowledge of how patches work.
//! Values are the ones in Kubernetes' Go types (`k8s.io/api`); anything this table
//! does not name is atomic for apply and replaced by strategic patches, which is
//! also what Kubernetes does for custom resources without list annotations.

/// How server-side apply treats a list (`x-kubernetes-list-type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListType {
    /// Replaced whole; one owner for the whole list.
    Atomic,
    /// Scalars merged as a set; each value owned on its own.
    Set,
    /// Objects merged item by item, identified by these key fields.
    Map(&'static [&'static str]),
}

/// How a strategic merge patch treats a list whose strategy is `merge`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrategicList {
    /// Objects merged item by item by this field (`patchMergeKey`).
    MergeByKey(&'static str),
    /// Scalars unioned.
    MergePrimitives,
}

/// The apply list type of the list at `path` (field names from the object root,
/// list indices skipped) in an object of `group`/`kind`.
pub fn list_type(group: &str, kind: &str, path: &[&str]) -> ListType {
    rule(group, kind, path).map_or(ListType::Atomic, |r| r.apply)
}

/// The strategic merge strategy of the list at `path`; `None` means the patch's
/// list replaces the original.
pub fn strategic_merge_key(group: &str, kind: &str, path: &[&str]) -> Option<StrategicList> {
    rule(group, kind, path).and_then(|r| r.strategic)
}

/// The value an associative-list key field takes when an item leaves it out.
///
/// Kubernetes' OpenAPI gives `protocol` of container and service ports a default
/// of `TCP`, and structured-merge-diff uses schema defaults for missing key fields,
/// so `{containerPort: 80}` and `{containerPort: 80, protocol: TCP}` are one item.
/// Only meaningful for the key fields of the lists in this table.
pub fn map_key_default(key_field: &str) -> Option<&'static str> {
    match key_field {
        "protocol" => Some("TCP"),
        _ => None,
    }
}

/// Whether the object at `path` is replaced whole by apply and owned as one field
/// (`+structType=atomic`): the label selectors of workloads and of topology
/// spread constraints. Strategic merge patches still merge them key by key.
pub fn is_atomic_object(group: &str, kind: &str, path: &[&str]) -> bool {
    if let Some(spec) = pod_spec_path(group, kind, path) {
        return spec == ["topologySpreadConstraints", "labelSelector"];
    }
    match (group, kind) {
        ("apps", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet") | ("batch", "Job") => {
            path == ["spec", "selector"]
        }
        ("batch", "CronJob") => path == ["spec", "jobTemplate", "spec", "selector"],
        _ => false,
    }
}

#[derive(Clone, Copy)]
struct Rule {
    apply: ListType,
    strategic: Option<StrategicList>,
}

const fn keyed(keys: &'static [&'static str], merge_key: &'static str) -> Rule {
    Rule {
        apply: ListType::Map(keys),
        strategic: Some(StrategicList::MergeByKey(merge_key)),
    }
}

const ATOMIC: Rule = Rule {
    apply: ListType::Atomic,
    strategic: None,
};

const SET: Rule = Rule {
    apply: ListType::Set,
    strategic: Some(StrategicList::MergePrimitives),
};

const BY_NAME: Rule = keyed(&["name"], "name");
const BY_TYPE: Rule = keyed(&["type"], "type");

fn rule(group: &str, kind: &str, path: &[&str]) -> Option<Rule> {
    if let Some(rest) = path.strip_prefix(&["metadata"]) {
        return metadata_rule(rest);
    }
    if let Some(template) = pod_template_path(group, kind)
        && let Some(["metadata", meta @ ..]) = path.strip_prefix(template)
    {
        return metadata_rule(meta);
    }
    match pod_spec_path(group, kind, path) {
        Some(spec) => pod_spec_rule(spec),
        None => kind_rule(group, kind, path),
    }
}

/// The rest of `path` when it lies inside the kind's PodSpec.
fn pod_spec_path<'p>(group: &str, kind: &str, path: &'p [&'p str]) -> Option<&'p [&'p str]> {
    if (group, kind) == ("", "Pod") {
        return path.strip_prefix(&["spec"]);
    }
    path.strip_prefix(pod_template_path(group, kind)?)?
        .strip_prefix(&["spec"])
}

/// ObjectMeta, the same in every kind (custom resources included).
fn metadata_rule(path: &[&str]) -> Option<Rule> {
    match path {
        ["ownerReferences"] => Some(keyed(&["uid"], "uid")),
        ["finalizers"] => Some(SET),
        // Written by the server only; users never merge into it.
        ["managedFields"] => Some(ATOMIC),
        _ => None,
    }
}

/// Where a kind keeps its pod template (`metadata` + `spec`).
fn pod_template_path(group: &str, kind: &str) -> Option<&'static [&'static str]> {
    match (group, kind) {
        ("apps", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet")
        | ("batch", "Job")
        | ("", "ReplicationController") => Some(&["spec", "template"]),
        ("batch", "CronJob") => Some(&["spec", "jobTemplate", "spec", "template"]),
        ("", "PodTemplate") => Some(&["template"]),
        _ => None,
    }
}

/// PodSpec, relative to the spec.
fn pod_spec_rule(path: &[&str]) -> Option<Rule> {
    match path {
        ["containers" | "initContainers" | "ephemeralContainers"] => Some(BY_NAME),
        [
            "containers" | "initContainers" | "ephemeralContainers",
            field @ ..,
        ] => container_rule(field),
        ["volumes" | "imagePullSecrets" | "resourceClaims" | "schedulingGates"] => Some(BY_NAME),
        ["hostAliases"] => Some(keyed(&["ip"], "ip")),
        ["topologySpreadConstraints"] => {
            Some(keyed(&["topologyKey", "whenUnsatisfiable"], "topologyKey"))
        }
        ["tolerations" | "readinessGates"] => Some(ATOMIC),
        _ => None,
    }
}

fn container_rule(path: &[&str]) -> Option<Rule> {
    match path {
        ["ports"] => Some(keyed(&["containerPort", "protocol"], "containerPort")),
        ["env"] => Some(BY_NAME),
        ["volumeMounts"] => Some(keyed(&["mountPath"], "mountPath")),
        ["volumeDevices"] => Some(keyed(&["devicePath"], "devicePath")),
        // `+listType=map` without a patch strategy.
        ["resources", "claims"] => Some(Rule {
            apply: ListType::Map(&["name"]),
            strategic: None,
        }),
        ["envFrom" | "resizePolicy"] => Some(ATOMIC),
        _ => None,
    }
}

/// Lists outside metadata and pod specs, by kind.
fn kind_rule(group: &str, kind: &str, path: &[&str]) -> Option<Rule> {
    match (group, kind, path) {
        ("", "Service", ["spec", "ports"]) => Some(keyed(&["port", "protocol"], "port")),
        ("", "Pod" | "Node" | "PersistentVolumeClaim" | "Service", ["status", "conditions"])
        | (
            "apps",
            "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet",
            ["status", "conditions"],
        ) => Some(BY_TYPE),
        // Kubernetes' own quirk: Job conditions carry a strategic merge key but
        // are `+listType=atomic` for apply.
        ("batch", "Job", ["status", "conditions"]) => Some(Rule {
            apply: ListType::Atomic,
            strategic: Some(StrategicList::MergeByKey("type")),
        }),
        ("", "Pod", ["status", "podIPs"]) => Some(keyed(&["ip"], "ip")),
        ("", "Node", ["status", "addresses"]) => Some(BY_TYPE),
        ("", "Node", ["spec", "podCIDRs"]) => Some(SET),
        ("", "Node", ["spec", "taints"]) => Some(ATOMIC),
        ("networking.k8s.io", "Ingress", ["spec", "rules" | "tls"])
        | ("networking.k8s.io", "Ingress", ["spec", "rules", "http", "paths"])
        | ("rbac.authorization.k8s.io", "Role" | "ClusterRole", ["rules"])
        | ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding", ["subjects"]) => {
            Some(ATOMIC)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOYMENT_POD: &[&str] = &["spec", "template", "spec"];

    fn at(prefix: &[&'static str], rest: &[&'static str]) -> Vec<&'static str> {
        prefix.iter().chain(rest).copied().collect()
    }

    #[test]
    fn metadata_lists_are_the_same_in_every_kind() {
        for (group, kind) in [
            ("", "ConfigMap"),
            ("apps", "Deployment"),
            ("example.com", "Widget"),
        ] {
            let owners = ["metadata", "ownerReferences"];
            assert_eq!(list_type(group, kind, &owners), ListType::Map(&["uid"]));
            assert_eq!(
                strategic_merge_key(group, kind, &owners),
                Some(StrategicList::MergeByKey("uid"))
            );
            let finalizers = ["metadata", "finalizers"];
            assert_eq!(list_type(group, kind, &finalizers), ListType::Set);
            assert_eq!(
                strategic_merge_key(group, kind, &finalizers),
                Some(StrategicList::MergePrimitives)
            );
            let managed = ["metadata", "managedFields"];
            assert_eq!(list_type(group, kind, &managed), ListType::Atomic);
            assert_eq!(strategic_merge_key(group, kind, &managed), None);
        }
    }

    #[test]
    fn every_pod_template_shares_the_pod_spec_rules() {
        let templates: [(&str, &str, &[&'static str]); 8] = [
            ("", "Pod", &["spec"]),
            ("apps", "Deployment", DEPLOYMENT_POD),
            ("apps", "ReplicaSet", DEPLOYMENT_POD),
            ("apps", "StatefulSet", DEPLOYMENT_POD),
            ("apps", "DaemonSet", DEPLOYMENT_POD),
            ("batch", "Job", DEPLOYMENT_POD),
            (
                "batch",
                "CronJob",
                &["spec", "jobTemplate", "spec", "template", "spec"],
            ),
            ("", "PodTemplate", &["template", "spec"]),
        ];
        for (group, kind, spec) in templates {
            let containers = at(spec, &["containers"]);
            assert_eq!(
                list_type(group, kind, &containers),
                ListType::Map(&["name"]),
                "{kind}"
            );
            assert_eq!(
                strategic_merge_key(group, kind, &containers),
                Some(StrategicList::MergeByKey("name"))
            );
            let ports = at(spec, &["initContainers", "ports"]);
            assert_eq!(
                list_type(group, kind, &ports),
                ListType::Map(&["containerPort", "protocol"])
            );
            assert_eq!(
                strategic_merge_key(group, kind, &ports),
                Some(StrategicList::MergeByKey("containerPort"))
            );
            let tolerations = at(spec, &["tolerations"]);
            assert_eq!(list_type(group, kind, &tolerations), ListType::Atomic);
            assert_eq!(strategic_merge_key(group, kind, &tolerations), None);
        }
    }

    #[test]
    fn pod_spec_table() {
        let cases: [(&[&'static str], ListType, Option<StrategicList>); 14] = [
            (
                &["containers", "env"],
                ListType::Map(&["name"]),
                Some(StrategicList::MergeByKey("name")),
            ),
            (&["containers", "envFrom"], ListType::Atomic, None),
            (
                &["containers", "volumeMounts"],
                ListType::Map(&["mountPath"]),
                Some(StrategicList::MergeByKey("mountPath")),
            ),
            (
                &["ephemeralContainers", "volumeDevices"],
                ListType::Map(&["devicePath"]),
                Some(StrategicList::MergeByKey("devicePath")),
            ),
            (
                &["containers", "resources", "claims"],
                ListType::Map(&["name"]),
                None,
            ),
            (&["containers", "args"], ListType::Atomic, None),
            (
                &["volumes"],
                ListType::Map(&["name"]),
                Some(StrategicList::MergeByKey("name")),
            ),
            (
                &["imagePullSecrets"],
                ListType::Map(&["name"]),
                Some(StrategicList::MergeByKey("name")),
            ),
            (
                &["hostAliases"],
                ListType::Map(&["ip"]),
                Some(StrategicList::MergeByKey("ip")),
            ),
            (
                &["topologySpreadConstraints"],
                ListType::Map(&["topologyKey", "whenUnsatisfiable"]),
                Some(StrategicList::MergeByKey("topologyKey")),
            ),
            (
                &["resourceClaims"],
                ListType::Map(&["name"]),
                Some(StrategicList::MergeByKey("name")),
            ),
            (&["readinessGates"], ListType::Atomic, None),
            (&["volumes", "projected", "sources"], ListType::Atomic, None),
            (
                &[
                    "affinity",
                    "nodeAffinity",
                    "requiredDuringSchedulingIgnoredDuringExecution",
                    "nodeSelectorTerms",
                ],
                ListType::Atomic,
                None,
            ),
        ];
        for (rest, apply, strategic) in cases {
            let path = at(DEPLOYMENT_POD, rest);
            assert_eq!(list_type("apps", "Deployment", &path), apply, "{path:?}");
            assert_eq!(
                strategic_merge_key("apps", "Deployment", &path),
                strategic,
                "{path:?}"
            );
        }
    }

    #[test]
    fn kind_specific_lists() {
        let ports = ["spec", "ports"];
        assert_eq!(
            list_type("", "Service", &ports),
            ListType::Map(&["port", "protocol"])
        );
        assert_eq!(
            strategic_merge_key("", "Service", &ports),
            Some(StrategicList::MergeByKey("port"))
        );
        let conditions = ["status", "conditions"];
        for (group, kind) in [
            ("", "Pod"),
            ("apps", "Deployment"),
            ("apps", "ReplicaSet"),
            ("apps", "StatefulSet"),
            ("apps", "DaemonSet"),
            ("", "Node"),
            ("", "PersistentVolumeClaim"),
        ] {
            assert_eq!(
                list_type(group, kind, &conditions),
                ListType::Map(&["type"]),
                "{kind}"
            );
            assert_eq!(
                strategic_merge_key(group, kind, &conditions),
                Some(StrategicList::MergeByKey("type"))
            );
        }
        assert_eq!(list_type("batch", "Job", &conditions), ListType::Atomic);
        assert_eq!(
            strategic_merge_key("batch", "Job", &conditions),
            Some(StrategicList::MergeByKey("type"))
        );
        assert_eq!(
            list_type("", "Node", &["status", "addresses"]),
            ListType::Map(&["type"])
        );
        assert_eq!(
            list_type("networking.k8s.io", "Ingress", &["spec", "rules"]),
            ListType::Atomic
        );
        assert_eq!(
            strategic_merge_key("rbac.authorization.k8s.io", "ClusterRole", &["rules"]),
            None
        );
        assert_eq!(
            strategic_merge_key("rbac.authorization.k8s.io", "RoleBinding", &["subjects"]),
            None
        );
    }

    #[test]
    fn unknown_lists_are_atomic_and_replaced() {
        // A custom resource that happens to be called Deployment gets no pod rules.
        let path = at(DEPLOYMENT_POD, &["containers"]);
        assert_eq!(
            list_type("example.com", "Deployment", &path),
            ListType::Atomic
        );
        assert_eq!(
            strategic_merge_key("example.com", "Deployment", &path),
            None
        );
        assert_eq!(list_type("", "ConfigMap", &["data"]), ListType::Atomic);
        assert_eq!(
            strategic_merge_key("", "Service", &["spec", "externalIPs"]),
            None
        );
    }

    #[test]
    fn label_selectors_of_workloads_are_atomic_objects() {
        assert!(is_atomic_object(
            "apps",
            "Deployment",
            &["spec", "selector"]
        ));
        assert!(is_atomic_object(
            "batch",
            "CronJob",
            &["spec", "jobTemplate", "spec", "selector"]
        ));
        let spread = at(
            DEPLOYMENT_POD,
            &["topologySpreadConstraints", "labelSelector"],
        );
        assert!(is_atomic_object("apps", "StatefulSet", &spread));
        // A Service selector is a plain map of labels.
        assert!(!is_atomic_object("", "Service", &["spec", "selector"]));
        assert!(!is_atomic_object(
            "apps",
            "Deployment",
            &["spec", "template", "metadata"]
        ));
    }

    #[test]
    fn protocol_defaults_to_tcp_as_a_key() {
        assert_eq!(map_key_default("protocol"), Some("TCP"));
        assert_eq!(map_key_default("name"), None);
    }
}
