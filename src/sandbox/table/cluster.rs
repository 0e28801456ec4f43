//! Printers for configuration, cluster and access kinds: ConfigMap, Secret,
//! Namespace, Node, ServiceAccount, PersistentVolumeClaim, Role/ClusterRole and
//! RoleBinding/ClusterRoleBinding.

use std::collections::BTreeSet;

use serde_json::Value;

use super::format::{join_strings, none_if_empty};
use super::view::{View, field};
use super::{AGE, CREATED_DESCRIPTION, Column, NAME, Printer};

pub const CONFIG_MAP: Printer = Printer {
    columns: &[
        NAME,
        Column::new("Data", "string", "Data contains the configuration data."),
        AGE,
    ],
    row: |cm| {
        let data = cm.len("/data") + cm.len("/binaryData");
        vec![cm.name(), data.into(), cm.age()].into()
    },
};

pub const SECRET: Printer = Printer {
    columns: &[
        NAME,
        Column::new(
            "Type",
            "string",
            "Used to facilitate programmatic handling of secret data.",
        ),
        Column::new("Data", "string", "Data contains the secret data."),
        AGE,
    ],
    row: |secret| {
        let type_ = match secret.str("/type") {
            "" => "Opaque",
            type_ => type_,
        };
        // `stringData` is write-only and merged into `data` on a real server; count
        // its keys too in case a stored object still carries it.
        let mut keys: BTreeSet<&str> = BTreeSet::new();
        for pointer in ["/data", "/stringData"] {
            if let Some(map) = secret.at(pointer).and_then(Value::as_object) {
                keys.extend(map.keys().map(String::as_str));
            }
        }
        vec![secret.name(), type_.into(), keys.len().into(), secret.age()].into()
    },
};

pub const NAMESPACE: Printer = Printer {
    columns: &[
        NAME,
        Column::new("Status", "string", "The status of the namespace"),
        AGE,
    ],
    row: |ns| {
        let phase = match ns.str("/status/phase") {
            "" => "Active",
            phase => phase,
        };
        vec![ns.name(), phase.into(), ns.age()].into()
    },
};

pub const NODE: Printer = Printer {
    columns: &[
        NAME,
        Column::new("Status", "string", "The status of the node"),
        Column::new("Roles", "string", "The roles of the node"),
        AGE,
        Column::new("Version", "string", "Kubelet Version reported by the node."),
        Column::wide(
            "Internal-IP",
            "string",
            "List of addresses reachable to the node. Queried from cloud provider, if available.",
        ),
        Column::wide(
            "External-IP",
            "string",
            "List of addresses reachable to the node. Queried from cloud provider, if available.",
        ),
        Column::wide(
            "OS-Image",
            "string",
            "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
        ),
        Column::wide(
            "Kernel-Version",
            "string",
            "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
        ),
        Column::wide(
            "Container-Runtime",
            "string",
            "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
        ),
    ],
    row: |node| {
        let info = |name: &str| none_unknown(node.str(&format!("/status/nodeInfo/{name}")));
        vec![
            node.name(),
            node_status(node).into(),
            none_if_empty(node_roles(node)).into(),
            node.age(),
            node.str("/status/nodeInfo/kubeletVersion").into(),
            node_address(node, "InternalIP").into(),
            node_address(node, "ExternalIP").into(),
            info("osImage").into(),
            info("kernelVersion").into(),
            info("containerRuntimeVersion").into(),
        ]
        .into()
    },
};

/// `Ready`, `NotReady` or `Unknown`, then `SchedulingDisabled` when cordoned.
fn node_status(node: &View) -> String {
    let ready = node
        .list("/status/conditions")
        .iter()
        .rfind(|c| field(c, "type") == "Ready");
    let mut status = vec![match ready {
        Some(c) if field(c, "status") == "True" => "Ready",
        Some(_) => "NotReady",
        None => "Unknown",
    }];
    if node.at("/spec/unschedulable").and_then(Value::as_bool) == Some(true) {
        status.push("SchedulingDisabled");
    }
    status.join(",")
}

/// The `node-role.kubernetes.io/<role>` label keys and `kubernetes.io/role`
/// values, sorted.
fn node_roles(node: &View) -> String {
    let mut roles = BTreeSet::new();
    if let Some(labels) = node.at("/metadata/labels").and_then(Value::as_object) {
        for (key, value) in labels {
            let value = value.as_str().unwrap_or_default();
            if let Some(role) = key.strip_prefix("node-role.kubernetes.io/") {
                if !role.is_empty() {
                    roles.insert(role);
                }
            } else if key == "kubernetes.io/role" && !value.is_empty() {
                roles.insert(value);
            }
        }
    }
    roles.into_iter().collect::<Vec<_>>().join(",")
}

fn node_address(node: &View, kind: &str) -> String {
    node.list("/status/addresses")
        .iter()
        .find(|a| field(a, "type") == kind)
        .map_or_else(|| "<none>".to_owned(), |a| field(a, "address").to_owned())
}

fn none_unknown(text: &str) -> String {
    if text.is_empty() {
        "<unknown>".to_owned()
    } else {
        text.to_owned()
    }
}

pub const SERVICE_ACCOUNT: Printer = Printer {
    columns: &[
        NAME,
        Column::new(
            "Secrets",
            "string",
            "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.",
        ),
        AGE,
    ],
    row: |sa| vec![sa.name(), sa.len("/secrets").into(), sa.age()].into(),
};

pub const PVC: Printer = Printer {
    columns: &[
        NAME,
        Column::new(
            "Status",
            "string",
            "phase represents the current phase of PersistentVolumeClaim.",
        ),
        Column::new(
            "Volume",
            "string",
            "volumeName is the binding reference to the PersistentVolume backing this claim.",
        ),
        Column::new(
            "Capacity",
            "string",
            "capacity represents the actual resources of the underlying volume.",
        ),
        Column::new(
            "Access Modes",
            "string",
            "accessModes contains the actual access modes the volume backing the PVC has.",
        ),
        Column::new(
            "StorageClass",
            "string",
            "storageClassName is the name of the StorageClass required by the claim.",
        ),
        Column::new(
            "VolumeAttributesClass",
            "string",
            "volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.",
        ),
        AGE,
        Column::wide(
            "VolumeMode",
            "string",
            "volumeMode defines what type of volume is required by the claim.",
        ),
    ],
    row: |pvc| {
        let phase = if pvc
            .at("/metadata/deletionTimestamp")
            .is_some_and(|t| !t.is_null())
        {
            "Terminating"
        } else {
            pvc.str("/status/phase")
        };
        let volume = pvc.str("/spec/volumeName");
        // Capacity and modes are the bound volume's, so they stay blank until bound.
        let (capacity, modes) = if volume.is_empty() {
            (String::new(), String::new())
        } else {
            (
                pvc.str("/status/capacity/storage").to_owned(),
                access_modes(pvc.list("/status/accessModes")),
            )
        };
        let class = match pvc.at("/metadata/annotations/volume.beta.kubernetes.io~1storage-class") {
            Some(Value::String(class)) => class.as_str(),
            _ => pvc.str("/spec/storageClassName"),
        };
        let attributes = match pvc.str("/spec/volumeAttributesClassName") {
            "" => "<unset>",
            name => name,
        };
        let mode = match pvc.str("/spec/volumeMode") {
            "" => "<unset>",
            mode => mode,
        };
        vec![
            pvc.name(),
            phase.into(),
            volume.into(),
            capacity.into(),
            modes.into(),
            class.into(),
            attributes.into(),
            pvc.age(),
            mode.into(),
        ]
        .into()
    },
};

/// `GetAccessModesAsString`: abbreviations in a fixed order, whatever the order
/// of the list.
fn access_modes(modes: &[Value]) -> String {
    let has = |mode: &str| modes.iter().any(|m| m.as_str() == Some(mode));
    [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    ]
    .into_iter()
    .filter(|(mode, _)| has(mode))
    .map(|(_, short)| short)
    .collect::<Vec<_>>()
    .join(",")
}

pub const ROLE: Printer = Printer {
    columns: &[NAME, Column::new("Created At", "date", CREATED_DESCRIPTION)],
    row: |role| {
        vec![
            role.name(),
            role.rfc3339("/metadata/creationTimestamp").into(),
        ]
        .into()
    },
};

pub const ROLE_BINDING: Printer = Printer {
    columns: &[
        NAME,
        Column::new(
            "Role",
            "string",
            "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.",
        ),
        AGE,
        Column::wide("Users", "string", "Users in the roleBinding"),
        Column::wide("Groups", "string", "Groups in the roleBinding"),
        Column::wide(
            "ServiceAccounts",
            "string",
            "ServiceAccounts in the roleBinding",
        ),
    ],
    row: |binding| {
        let role = format!(
            "{}/{}",
            binding.str("/roleRef/kind"),
            binding.str("/roleRef/name")
        );
        let subjects = binding.list("/subjects");
        let of_kind = |kind: &str| -> Vec<Value> {
            subjects
                .iter()
                .filter(|s| field(s, "kind") == kind)
                .map(|s| match kind {
                    "ServiceAccount" => {
                        format!("{}/{}", field(s, "namespace"), field(s, "name")).into()
                    }
                    _ => field(s, "name").into(),
                })
                .collect()
        };
        vec![
            binding.name(),
            role.into(),
            binding.age(),
            join_strings(&of_kind("User"), ", ").into(),
            join_strings(&of_kind("Group"), ", ").into(),
            join_strings(&of_kind("ServiceAccount"), ", ").into(),
        ]
        .into()
    },
};
