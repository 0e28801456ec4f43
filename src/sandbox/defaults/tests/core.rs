//! Namespaces, Secrets, PersistentVolumeClaims and PersistentVolumes.

use pretty_assertions::assert_eq;
use serde_json::json;

use super::{Case, check, defaulted};

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "minimal namespace",
            group: "",
            kind: "Namespace",
            manifest: json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}),
            stored: json!({
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"labels": {"kubernetes.io/metadata.name": "shop"}, "name": "shop"},
                "spec": {"finalizers": ["kubernetes"]},
                "status": {"phase": "Active"},
            }),
        },
        Case {
            // The name label is rewritten from the name, as the real server does.
            name: "namespace with labels and another finalizer",
            group: "",
            kind: "Namespace",
            manifest: json!({"kind": "Namespace", "metadata": {"name": "shop",
                "labels": {"team": "a", "kubernetes.io/metadata.name": "wrong"}},
                "spec": {"finalizers": ["example.com/cleanup"]}}),
            stored: json!({"kind": "Namespace", "metadata": {"name": "shop",
                "labels": {"team": "a", "kubernetes.io/metadata.name": "shop"}},
                "spec": {"finalizers": ["example.com/cleanup", "kubernetes"]},
                "status": {"phase": "Active"}}),
        },
        Case {
            name: "minimal secret",
            group: "",
            kind: "Secret",
            manifest: json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
                "data": {"user": "YWRtaW4="}}),
            stored: json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
                "data": {"user": "YWRtaW4="}, "type": "Opaque"}),
        },
        Case {
            // stringData is write-only and wins over data of the same key.
            name: "secret with string data",
            group: "",
            kind: "Secret",
            manifest: json!({"kind": "Secret", "type": "kubernetes.io/basic-auth",
                "data": {"username": "b2xk", "other": "eA=="},
                "stringData": {"username": "admin", "password": "s3cr3t!"}}),
            stored: json!({"kind": "Secret", "type": "kubernetes.io/basic-auth",
                "data": {"username": "YWRtaW4=", "other": "eA==", "password": "czNjcjN0IQ=="}}),
        },
        Case {
            name: "minimal persistent volume claim",
            group: "",
            kind: "PersistentVolumeClaim",
            manifest: json!({
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": "data"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10240Mi"}}},
            }),
            stored: json!({
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": "data"},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "10Gi"}},
                    "volumeMode": "Filesystem",
                },
                "status": {"phase": "Pending"},
            }),
        },
        Case {
            name: "claim cloned from a snapshot",
            group: "",
            kind: "PersistentVolumeClaim",
            manifest: json!({"kind": "PersistentVolumeClaim", "spec": {
                "volumeMode": "Block",
                "resources": {"requests": {"storage": "1Gi"}},
                "dataSource": {"apiGroup": "snapshot.storage.k8s.io", "kind": "VolumeSnapshot", "name": "snap"},
            }}),
            stored: json!({"kind": "PersistentVolumeClaim", "spec": {
                "dataSource": {"apiGroup": "snapshot.storage.k8s.io", "kind": "VolumeSnapshot", "name": "snap"},
                "dataSourceRef": {"apiGroup": "snapshot.storage.k8s.io", "kind": "VolumeSnapshot", "name": "snap"},
                "resources": {"requests": {"storage": "1Gi"}},
                "volumeMode": "Block",
            }, "status": {"phase": "Pending"}}),
        },
        Case {
            name: "claim populated through a data source reference",
            group: "",
            kind: "PersistentVolumeClaim",
            manifest: json!({"kind": "PersistentVolumeClaim", "spec": {
                "resources": {"requests": {"storage": "1Gi"}},
                "dataSourceRef": {"kind": "PersistentVolumeClaim", "name": "origin"},
            }}),
            stored: json!({"kind": "PersistentVolumeClaim", "spec": {
                "dataSource": {"kind": "PersistentVolumeClaim", "name": "origin"},
                "dataSourceRef": {"kind": "PersistentVolumeClaim", "name": "origin"},
                "resources": {"requests": {"storage": "1Gi"}},
                "volumeMode": "Filesystem",
            }, "status": {"phase": "Pending"}}),
        },
        Case {
            name: "minimal persistent volume",
            group: "",
            kind: "PersistentVolume",
            manifest: json!({"kind": "PersistentVolume", "metadata": {"name": "pv1"}, "spec": {
                "capacity": {"storage": "5120Mi"},
                "accessModes": ["ReadWriteOnce"],
                "hostPath": {"path": "/data"},
            }}),
            stored: json!({"kind": "PersistentVolume", "metadata": {"name": "pv1"}, "spec": {
                "accessModes": ["ReadWriteOnce"],
                "capacity": {"storage": "5Gi"},
                "hostPath": {"path": "/data", "type": ""},
                "persistentVolumeReclaimPolicy": "Retain",
                "volumeMode": "Filesystem",
            }, "status": {"phase": "Pending"}}),
        },
    ]
}

#[test]
fn core_objects_match_their_fixtures() {
    check(cases());
}

#[test]
fn a_deleting_namespace_keeps_its_finalizers_removed() {
    let namespace = json!({"kind": "Namespace",
        "metadata": {"name": "shop", "deletionTimestamp": "2025-01-01T00:00:00Z"},
        "spec": {}, "status": {"phase": "Terminating"}});
    let stored = defaulted("", "Namespace", &namespace);
    assert_eq!(stored["spec"], json!({}));
    assert_eq!(stored["status"], json!({"phase": "Terminating"}));
}

#[test]
fn a_generate_name_namespace_gets_no_name_label() {
    let namespace = json!({"kind": "Namespace", "metadata": {"generateName": "tmp-"}});
    let stored = defaulted("", "Namespace", &namespace);
    assert_eq!(stored["metadata"], json!({"generateName": "tmp-"}));
}

#[test]
fn a_cross_namespace_reference_has_no_old_style_data_source() {
    let claim = json!({"kind": "PersistentVolumeClaim", "spec": {
        "dataSourceRef": {"kind": "PersistentVolumeClaim", "name": "origin", "namespace": "other"}}});
    let stored = defaulted("", "PersistentVolumeClaim", &claim);
    assert_eq!(stored["spec"].get("dataSource"), None);
}

#[test]
fn user_values_in_core_objects_are_kept() {
    let secret = json!({"kind": "Secret", "type": "kubernetes.io/tls", "data": {}});
    assert_eq!(defaulted("", "Secret", &secret), secret);
    let claim = json!({"kind": "PersistentVolumeClaim", "spec": {"volumeMode": "Block",
        "resources": {"requests": {"storage": "500M"}}}, "status": {"phase": "Bound"}});
    assert_eq!(defaulted("", "PersistentVolumeClaim", &claim), claim);
    let volume = json!({"kind": "PersistentVolume", "spec": {"persistentVolumeReclaimPolicy": "Delete",
        "volumeMode": "Block", "capacity": {"storage": "1Ti"}}, "status": {"phase": "Available"}});
    assert_eq!(defaulted("", "PersistentVolume", &volume), volume);
}
