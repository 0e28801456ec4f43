//! Services, and which of them get a cluster IP.

use pretty_assertions::assert_eq;
use serde_json::json;

use super::super::needs_cluster_ip;
use super::{Case, check, defaulted};

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "minimal cluster-ip service",
            group: "",
            kind: "Service",
            manifest: json!({
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "web"},
                "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}, {"name": "metrics", "port": 9090, "targetPort": "http-metrics"}]},
            }),
            stored: json!({
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "web"},
                "spec": {
                    "internalTrafficPolicy": "Cluster",
                    "ipFamilies": ["IPv4"],
                    "ipFamilyPolicy": "SingleStack",
                    "ports": [
                        {"port": 80, "protocol": "TCP", "targetPort": 80},
                        {"name": "metrics", "port": 9090, "protocol": "TCP", "targetPort": "http-metrics"},
                    ],
                    "selector": {"app": "web"},
                    "sessionAffinity": "None",
                    "type": "ClusterIP",
                },
            }),
        },
        Case {
            name: "node-port service",
            group: "",
            kind: "Service",
            manifest: json!({"kind": "Service", "spec": {"type": "NodePort", "selector": {"app": "web"},
                "ports": [{"port": 53, "protocol": "UDP", "targetPort": 0}]}}),
            stored: json!({"kind": "Service", "spec": {
                "externalTrafficPolicy": "Cluster",
                "internalTrafficPolicy": "Cluster",
                "ipFamilies": ["IPv4"],
                "ipFamilyPolicy": "SingleStack",
                "ports": [{"port": 53, "protocol": "UDP", "targetPort": 53}],
                "selector": {"app": "web"},
                "sessionAffinity": "None",
                "type": "NodePort",
            }}),
        },
        Case {
            name: "load balancer with client-ip affinity",
            group: "",
            kind: "Service",
            manifest: json!({"kind": "Service", "spec": {"type": "LoadBalancer", "sessionAffinity": "ClientIP",
                "externalTrafficPolicy": "Local", "selector": {"app": "web"}, "ports": [{"port": 443}]}}),
            stored: json!({"kind": "Service", "spec": {
                "allocateLoadBalancerNodePorts": true,
                "externalTrafficPolicy": "Local",
                "internalTrafficPolicy": "Cluster",
                "ipFamilies": ["IPv4"],
                "ipFamilyPolicy": "SingleStack",
                "ports": [{"port": 443, "protocol": "TCP", "targetPort": 443}],
                "selector": {"app": "web"},
                "sessionAffinity": "ClientIP",
                "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 10800}},
                "type": "LoadBalancer",
            }}),
        },
        Case {
            name: "external-name service",
            group: "",
            kind: "Service",
            manifest: json!({"kind": "Service", "spec": {"type": "ExternalName", "externalName": "db.example.com"}}),
            stored: json!({"kind": "Service", "spec": {
                "externalName": "db.example.com",
                "sessionAffinity": "None",
                "type": "ExternalName",
            }}),
        },
        Case {
            name: "headless service with a selector",
            group: "",
            kind: "Service",
            manifest: json!({"kind": "Service", "spec": {"clusterIP": "None", "selector": {"app": "db"},
                "ports": [{"port": 5432}]}}),
            stored: json!({"kind": "Service", "spec": {
                "clusterIP": "None",
                "internalTrafficPolicy": "Cluster",
                "ipFamilies": ["IPv4"],
                "ipFamilyPolicy": "SingleStack",
                "ports": [{"port": 5432, "protocol": "TCP", "targetPort": 5432}],
                "selector": {"app": "db"},
                "sessionAffinity": "None",
                "type": "ClusterIP",
            }}),
        },
        Case {
            // Selectorless headless Services carry DNS records of both families.
            name: "headless service without a selector",
            group: "",
            kind: "Service",
            manifest: json!({"kind": "Service", "spec": {"clusterIP": "None"}}),
            stored: json!({"kind": "Service", "spec": {
                "clusterIP": "None",
                "internalTrafficPolicy": "Cluster",
                "ipFamilies": ["IPv4", "IPv6"],
                "ipFamilyPolicy": "RequireDualStack",
                "sessionAffinity": "None",
                "type": "ClusterIP",
            }}),
        },
    ]
}

#[test]
fn services_match_their_fixtures() {
    check(cases());
}

#[test]
fn allocation_is_left_to_the_store() {
    let service = json!({"kind": "Service", "spec": {"type": "NodePort", "ports": [{"port": 80}]}});
    let stored = defaulted("", "Service", &service);
    for allocated in ["clusterIP", "clusterIPs", "healthCheckNodePort"] {
        assert_eq!(stored["spec"].get(allocated), None, "{allocated}");
    }
    assert_eq!(stored["spec"]["ports"][0].get("nodePort"), None);
}

#[test]
fn a_requested_ipv6_cluster_ip_names_its_family() {
    let service =
        json!({"kind": "Service", "spec": {"clusterIP": "fd00::10", "ports": [{"port": 80}]}});
    let stored = defaulted("", "Service", &service);
    assert_eq!(stored["spec"]["ipFamilies"], json!(["IPv6"]));
}

#[test]
fn user_values_in_services_are_kept() {
    let service = json!({"kind": "Service", "spec": {
        "type": "LoadBalancer",
        "sessionAffinity": "ClientIP",
        "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 60}},
        "externalTrafficPolicy": "Local",
        "internalTrafficPolicy": "Local",
        "allocateLoadBalancerNodePorts": false,
        "ipFamilyPolicy": "PreferDualStack",
        "ipFamilies": ["IPv4"],
        "clusterIP": "10.96.0.20",
        "ports": [{"port": 80, "protocol": "SCTP", "targetPort": 8080, "nodePort": 30080}],
    }});
    assert_eq!(defaulted("", "Service", &service), service);
}

#[test]
fn cluster_ips_go_to_every_service_but_headless_and_external_name() {
    let table = [
        (json!({"spec": {}}), true),
        (json!({}), true),
        (json!({"spec": {"type": "ClusterIP"}}), true),
        (json!({"spec": {"type": "NodePort"}}), true),
        (
            json!({"spec": {"type": "LoadBalancer", "clusterIP": "10.96.0.9"}}),
            true,
        ),
        (json!({"spec": {"clusterIP": ""}}), true),
        (json!({"spec": {"clusterIP": "None"}}), false),
        (json!({"spec": {"clusterIPs": ["None"]}}), false),
        (
            json!({"spec": {"type": "ExternalName", "externalName": "x.example"}}),
            false,
        ),
    ];
    for (service, expected) in table {
        assert_eq!(needs_cluster_ip(&service), expected, "{service}");
    }
}
