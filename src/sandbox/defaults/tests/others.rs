//! HorizontalPodAutoscaler, NetworkPolicy and RBAC bindings.

use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use super::{Case, check, defaulted};

fn target() -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"})
}

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            // No behavior is added: the 300 s scale-down window is a controller flag.
            name: "minimal hpa",
            group: "autoscaling",
            kind: "HorizontalPodAutoscaler",
            manifest: json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": "web"}, "spec": {"maxReplicas": 10, "scaleTargetRef": target()}}),
            stored: json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web"}, "spec": {
                "maxReplicas": 10,
                "metrics": [{"resource": {"name": "cpu",
                    "target": {"averageUtilization": 80, "type": "Utilization"}}, "type": "Resource"}],
                "minReplicas": 1,
                "scaleTargetRef": target(),
            }}),
        },
        Case {
            name: "hpa with a partial behavior and a memory metric",
            group: "autoscaling",
            kind: "HorizontalPodAutoscaler",
            manifest: json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "spec": {
                "minReplicas": 2, "maxReplicas": 10, "scaleTargetRef": target(),
                "metrics": [{"type": "Resource", "resource": {"name": "memory",
                    "target": {"type": "AverageValue", "averageValue": "1024Mi"}}}],
                "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}},
            }}),
            stored: json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "spec": {
                "behavior": {
                    "scaleDown": {
                        "policies": [{"periodSeconds": 15, "type": "Percent", "value": 100}],
                        "selectPolicy": "Max",
                        "stabilizationWindowSeconds": 300,
                    },
                    "scaleUp": {
                        "policies": [
                            {"periodSeconds": 15, "type": "Pods", "value": 4},
                            {"periodSeconds": 15, "type": "Percent", "value": 100},
                        ],
                        "selectPolicy": "Max",
                        "stabilizationWindowSeconds": 0,
                    },
                },
                "maxReplicas": 10,
                "metrics": [{"resource": {"name": "memory",
                    "target": {"averageValue": "1Gi", "type": "AverageValue"}}, "type": "Resource"}],
                "minReplicas": 2,
                "scaleTargetRef": target(),
            }}),
        },
        Case {
            name: "autoscaling/v1 hpa",
            group: "autoscaling",
            kind: "HorizontalPodAutoscaler",
            manifest: json!({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
                "spec": {"maxReplicas": 3, "scaleTargetRef": target()}}),
            stored: json!({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
                "spec": {"maxReplicas": 3, "minReplicas": 1, "scaleTargetRef": target()}}),
        },
        Case {
            name: "minimal network policy",
            group: "networking.k8s.io",
            kind: "NetworkPolicy",
            manifest: json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": {"name": "deny-all"}, "spec": {}}),
            stored: json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": {"name": "deny-all"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}),
        },
        Case {
            name: "network policy with egress rules",
            group: "networking.k8s.io",
            kind: "NetworkPolicy",
            manifest: json!({"kind": "NetworkPolicy", "spec": {
                "podSelector": {"matchLabels": {"app": "web"}},
                "ingress": [{"ports": [{"port": 80}]}],
                "egress": [{"ports": [{"port": 53, "protocol": "UDP"}, {"port": 443}]}],
            }}),
            stored: json!({"kind": "NetworkPolicy", "spec": {
                "egress": [{"ports": [{"port": 53, "protocol": "UDP"}, {"port": 443, "protocol": "TCP"}]}],
                "ingress": [{"ports": [{"port": 80, "protocol": "TCP"}]}],
                "podSelector": {"matchLabels": {"app": "web"}},
                "policyTypes": ["Ingress", "Egress"],
            }}),
        },
        Case {
            name: "role binding",
            group: "rbac.authorization.k8s.io",
            kind: "RoleBinding",
            manifest: json!({"kind": "RoleBinding", "metadata": {"name": "read"},
            "roleRef": {"kind": "Role", "name": "reader"},
            "subjects": [
                {"kind": "User", "name": "jane"},
                {"kind": "Group", "name": "devs"},
                {"kind": "ServiceAccount", "name": "robot", "namespace": "ci"},
            ]}),
            stored: json!({"kind": "RoleBinding", "metadata": {"name": "read"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
            "subjects": [
                {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "jane"},
                {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "devs"},
                {"kind": "ServiceAccount", "name": "robot", "namespace": "ci"},
            ]}),
        },
        Case {
            name: "cluster role binding",
            group: "rbac.authorization.k8s.io",
            kind: "ClusterRoleBinding",
            manifest: json!({"kind": "ClusterRoleBinding",
                "roleRef": {"kind": "ClusterRole", "name": "view"},
                "subjects": [{"kind": "Group", "name": "system:authenticated"}]}),
            stored: json!({"kind": "ClusterRoleBinding",
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
                "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group",
                    "name": "system:authenticated"}]}),
        },
    ]
}

#[test]
fn other_kinds_match_their_fixtures() {
    check(cases());
}

#[test]
fn user_values_in_other_kinds_are_kept() {
    let hpa = json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "spec": {
        "minReplicas": 3, "maxReplicas": 9, "scaleTargetRef": target(),
        "metrics": [{"type": "Pods", "pods": {"metric": {"name": "qps"},
            "target": {"type": "AverageValue", "averageValue": "100"}}}],
        "behavior": {
            "scaleUp": {"selectPolicy": "Disabled", "stabilizationWindowSeconds": 60, "policies": []},
            "scaleDown": {"selectPolicy": "Min", "stabilizationWindowSeconds": 10,
                "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]},
        },
    }});
    assert_eq!(
        defaulted("autoscaling", "HorizontalPodAutoscaler", &hpa),
        hpa
    );
    let policy = json!({"kind": "NetworkPolicy", "spec": {"podSelector": {},
        "policyTypes": ["Egress"], "ingress": [{"ports": [{"port": 80, "protocol": "SCTP"}]}]}});
    assert_eq!(
        defaulted("networking.k8s.io", "NetworkPolicy", &policy),
        policy
    );
}
