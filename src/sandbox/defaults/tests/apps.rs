//! Deployment, ReplicaSet, StatefulSet and DaemonSet.

use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use super::{Case, check, defaulted};

/// The pod template every minimal workload below is written with.
fn template() -> Value {
    json!({
        "metadata": {"labels": {"app": "web"}},
        "spec": {"containers": [{"name": "web", "image": "nginx"}]},
    })
}

/// What that template reads back as.
fn stored_template() -> Value {
    json!({
        "metadata": {"creationTimestamp": null, "labels": {"app": "web"}},
        "spec": {
            "containers": [{
                "image": "nginx",
                "imagePullPolicy": "Always",
                "name": "web",
                "resources": {},
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File",
            }],
            "dnsPolicy": "ClusterFirst",
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "securityContext": {},
            "terminationGracePeriodSeconds": 30,
        },
    })
}

fn selector() -> Value {
    json!({"matchLabels": {"app": "web"}})
}

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "minimal deployment",
            group: "apps",
            kind: "Deployment",
            manifest: json!({
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "web"},
                "spec": {"selector": selector(), "template": template()},
            }),
            stored: json!({
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "web"},
                "spec": {
                    "progressDeadlineSeconds": 600,
                    "replicas": 1,
                    "revisionHistoryLimit": 10,
                    "selector": selector(),
                    "strategy": {
                        "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
                        "type": "RollingUpdate",
                    },
                    "template": stored_template(),
                },
            }),
        },
        Case {
            name: "deployment with a partial rolling update",
            group: "apps",
            kind: "Deployment",
            manifest: json!({"kind": "Deployment", "spec": {
                "replicas": 0,
                "strategy": {"rollingUpdate": {"maxSurge": 1}},
                "selector": selector(), "template": template(),
            }}),
            stored: json!({"kind": "Deployment", "spec": {
                "progressDeadlineSeconds": 600,
                "replicas": 0,
                "revisionHistoryLimit": 10,
                "selector": selector(),
                "strategy": {"rollingUpdate": {"maxSurge": 1, "maxUnavailable": "25%"}, "type": "RollingUpdate"},
                "template": stored_template(),
            }}),
        },
        Case {
            name: "deployment with recreate",
            group: "apps",
            kind: "Deployment",
            manifest: json!({"kind": "Deployment", "spec": {
                "replicas": 3, "revisionHistoryLimit": 0, "progressDeadlineSeconds": 60,
                "strategy": {"type": "Recreate"},
                "selector": selector(), "template": template(),
            }}),
            stored: json!({"kind": "Deployment", "spec": {
                "progressDeadlineSeconds": 60,
                "replicas": 3,
                "revisionHistoryLimit": 0,
                "selector": selector(),
                "strategy": {"type": "Recreate"},
                "template": stored_template(),
            }}),
        },
        Case {
            name: "minimal replicaset",
            group: "apps",
            kind: "ReplicaSet",
            manifest: json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web"},
                "spec": {"selector": selector(), "template": template()}}),
            stored: json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web"},
                "spec": {"replicas": 1, "selector": selector(), "template": stored_template()}}),
        },
        Case {
            name: "minimal statefulset with a claim template",
            group: "apps",
            kind: "StatefulSet",
            manifest: json!({
                "apiVersion": "apps/v1",
                "kind": "StatefulSet",
                "metadata": {"name": "db"},
                "spec": {
                    "serviceName": "db",
                    "selector": selector(),
                    "template": template(),
                    "volumeClaimTemplates": [{
                        "metadata": {"name": "data"},
                        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
                    }],
                },
            }),
            stored: json!({
                "apiVersion": "apps/v1",
                "kind": "StatefulSet",
                "metadata": {"name": "db"},
                "spec": {
                    "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
                    "podManagementPolicy": "OrderedReady",
                    "replicas": 1,
                    "revisionHistoryLimit": 10,
                    "selector": selector(),
                    "serviceName": "db",
                    "template": stored_template(),
                    "updateStrategy": {"rollingUpdate": {"partition": 0}, "type": "RollingUpdate"},
                    "volumeClaimTemplates": [{
                        "apiVersion": "v1",
                        "kind": "PersistentVolumeClaim",
                        "metadata": {"creationTimestamp": null, "name": "data"},
                        "spec": {
                            "accessModes": ["ReadWriteOnce"],
                            "resources": {"requests": {"storage": "1Gi"}},
                            "volumeMode": "Filesystem",
                        },
                        "status": {"phase": "Pending"},
                    }],
                },
            }),
        },
        Case {
            // Only an absent type gets a rollingUpdate block (and so a partition).
            name: "statefulset with an explicit rolling update type",
            group: "apps",
            kind: "StatefulSet",
            manifest: json!({"kind": "StatefulSet", "spec": {
                "podManagementPolicy": "Parallel",
                "updateStrategy": {"type": "RollingUpdate"},
                "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Delete"},
                "selector": selector(), "template": template(),
            }}),
            stored: json!({"kind": "StatefulSet", "spec": {
                "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Delete", "whenScaled": "Retain"},
                "podManagementPolicy": "Parallel",
                "replicas": 1,
                "revisionHistoryLimit": 10,
                "selector": selector(),
                "template": stored_template(),
                "updateStrategy": {"type": "RollingUpdate"},
            }}),
        },
        Case {
            name: "minimal daemonset",
            group: "apps",
            kind: "DaemonSet",
            manifest: json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
                "spec": {"selector": selector(), "template": template()}}),
            stored: json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
            "spec": {
                "revisionHistoryLimit": 10,
                "selector": selector(),
                "template": stored_template(),
                "updateStrategy": {
                    "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1},
                    "type": "RollingUpdate",
                },
            }}),
        },
        Case {
            name: "daemonset on delete",
            group: "apps",
            kind: "DaemonSet",
            manifest: json!({"kind": "DaemonSet", "spec": {"updateStrategy": {"type": "OnDelete"},
                "selector": selector(), "template": template()}}),
            stored: json!({"kind": "DaemonSet", "spec": {
                "revisionHistoryLimit": 10,
                "selector": selector(),
                "template": stored_template(),
                "updateStrategy": {"type": "OnDelete"},
            }}),
        },
    ]
}

#[test]
fn workloads_match_their_fixtures() {
    check(cases());
}

#[test]
fn user_values_in_workloads_are_kept() {
    let deployment = json!({"kind": "Deployment", "spec": {
        "replicas": 5, "revisionHistoryLimit": 2, "progressDeadlineSeconds": 120,
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "50%", "maxUnavailable": 0}},
        "selector": selector(), "template": stored_template(),
    }});
    assert_eq!(defaulted("apps", "Deployment", &deployment), deployment);
    let stateful_set = json!({"kind": "StatefulSet", "spec": {
        "replicas": 0, "revisionHistoryLimit": 1, "podManagementPolicy": "Parallel",
        "updateStrategy": {"type": "OnDelete"},
        "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Delete", "whenScaled": "Delete"},
        "selector": selector(), "template": stored_template(),
        "volumeClaimTemplates": [{"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"creationTimestamp": null, "name": "d"},
            "spec": {"volumeMode": "Block", "resources": {}}, "status": {"phase": "Pending"}}],
    }});
    assert_eq!(
        defaulted("apps", "StatefulSet", &stateful_set),
        stateful_set
    );
    let daemon_set = json!({"kind": "DaemonSet", "spec": {
        "revisionHistoryLimit": 3,
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "10%", "maxUnavailable": 0}},
        "selector": selector(), "template": stored_template(),
    }});
    assert_eq!(defaulted("apps", "DaemonSet", &daemon_set), daemon_set);
}
