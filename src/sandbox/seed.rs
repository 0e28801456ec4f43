//! What a fresh sandbox holds, like a new kind cluster: the system namespaces,
//! three Ready nodes and the `kubernetes` Service.

use serde_json::{Value, json};

use super::api::{Api, WriteOptions};

pub const NODES: [&str; 3] = ["sandbox-node-1", "sandbox-node-2", "sandbox-node-3"];

pub fn seed(api: &Api) {
    let options = WriteOptions::new("kube-apiserver");
    let create = |group: &str, kind: &str, namespace: &str, object: Value| {
        // Seeding an empty store cannot conflict; a failure here is a bug worth
        // seeing in tests, not worth stopping the sandbox for.
        if let Ok(rtype) = api.kind_type(group, kind)
            && let Err(error) = api.create(&rtype, namespace, object, &options)
        {
            debug_assert!(false, "seeding {kind}: {error}");
        }
    };
    for namespace in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        create(
            "",
            "Namespace",
            "",
            json!({"metadata": {"name": namespace}}),
        );
    }
    for (i, node) in NODES.iter().enumerate() {
        create("", "Node", "", node_object(node, i));
    }
    create(
        "",
        "Service",
        "default",
        json!({
            "metadata": {"name": "kubernetes", "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"clusterIP": "10.96.0.1", "ports": [{"name": "https", "port": 443, "targetPort": 6443}]},
        }),
    );
}

fn node_object(name: &str, index: usize) -> Value {
    let role = if index == 0 {
        "control-plane"
    } else {
        "worker"
    };
    json!({
        "metadata": {
            "name": name,
            "labels": {
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                format!("node-role.kubernetes.io/{role}"): "",
            },
        },
        "spec": {"podCIDR": format!("10.244.{index}.0/24")},
    })
}

/// The status a Ready node reports (the node controller keeps it fresh).
pub fn node_status(index: usize, now: &str) -> Value {
    let condition = |kind: &str, status: &str, reason: &str, message: &str| {
        json!({"type": kind, "status": status, "reason": reason, "message": message,
               "lastHeartbeatTime": now, "lastTransitionTime": now})
    };
    json!({
        "capacity": {"cpu": "4", "memory": "16318Mi", "pods": "110", "ephemeral-storage": "100Gi"},
        "allocatable": {"cpu": "4", "memory": "16216Mi", "pods": "110", "ephemeral-storage": "100Gi"},
        "conditions": [
            condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
        ],
        "addresses": [
            {"type": "InternalIP", "address": format!("172.18.0.{}", index + 2)},
            {"type": "Hostname", "address": NODES.get(index).copied().unwrap_or_default()},
        ],
        "nodeInfo": {
            "kubeletVersion": "v1.32.0", "kubeProxyVersion": "v1.32.0",
            "containerRuntimeVersion": "containerd://1.7.18", "operatingSystem": "linux",
            "architecture": "amd64", "osImage": "driftdeck sandbox", "kernelVersion": "6.1.0",
            "machineID": format!("sandbox{index}"), "systemUUID": format!("sandbox-{index}"), "bootID": format!("boot-{index}"),
        },
    })
}
