//! Pods, containers and volumes: the defaults every pod spec gets, and what only
//! Pods (not templates) get from `SetDefaults_Pod` and admission.

use pretty_assertions::assert_eq;
use serde_json::json;

use super::{Case, check, defaulted};

const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "minimal pod",
            group: "",
            kind: "Pod",
            manifest: json!({
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "web", "namespace": "shop"},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}]},
            }),
            stored: json!({
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "web", "namespace": "shop"},
                "spec": {
                    "containers": [{
                        "image": "nginx:1.27",
                        "imagePullPolicy": "IfNotPresent",
                        "name": "web",
                        "ports": [{"containerPort": 80, "protocol": "TCP"}],
                        "resources": {},
                        "terminationMessagePath": "/dev/termination-log",
                        "terminationMessagePolicy": "File",
                    }],
                    "dnsPolicy": "ClusterFirst",
                    "enableServiceLinks": true,
                    "preemptionPolicy": "PreemptLowerPriority",
                    "priority": 0,
                    "restartPolicy": "Always",
                    "schedulerName": "default-scheduler",
                    "securityContext": {},
                    "serviceAccount": "default",
                    "serviceAccountName": "default",
                    "terminationGracePeriodSeconds": 30,
                    "tolerations": [
                        {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready",
                         "operator": "Exists", "tolerationSeconds": 300},
                        {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable",
                         "operator": "Exists", "tolerationSeconds": 300},
                    ],
                },
            }),
        },
        Case {
            name: "pod with probes, env, resources, hooks and init/ephemeral containers",
            group: "",
            kind: "Pod",
            manifest: json!({
                "kind": "Pod",
                "metadata": {"name": "api"},
                "spec": {
                    "serviceAccountName": "api",
                    "tolerations": [{"operator": "Exists"}],
                    "initContainers": [{"name": "migrate", "image": "api:latest"}],
                    "containers": [{
                        "name": "api",
                        "image": format!("ghcr.io/shop/api@{DIGEST}"),
                        "resources": {"limits": {"cpu": 0.5, "memory": "1024Mi"}, "requests": {"cpu": "100m"}},
                        "env": [
                            {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
                            {"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}},
                            {"name": "MEM", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1024Ki"}}},
                            {"name": "PLAIN", "value": "x"},
                        ],
                        "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}},
                        "readinessProbe": {"tcpSocket": {"port": 8080}, "periodSeconds": 0, "failureThreshold": 5},
                        "startupProbe": {"exec": {"command": ["true"]}},
                        "lifecycle": {"preStop": {"httpGet": {"path": "/drain", "port": 8080}}},
                    }],
                    "ephemeralContainers": [{"name": "debug", "image": "busybox:1.36"}],
                },
            }),
            stored: json!({
                "kind": "Pod",
                "metadata": {"name": "api"},
                "spec": {
                    "containers": [{
                        "env": [
                            {"name": "NODE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}},
                            {"name": "CPU", "valueFrom": {"resourceFieldRef": {"divisor": "0", "resource": "limits.cpu"}}},
                            {"name": "MEM", "valueFrom": {"resourceFieldRef": {"divisor": "1Mi", "resource": "limits.memory"}}},
                            {"name": "PLAIN", "value": "x"},
                        ],
                        "image": format!("ghcr.io/shop/api@{DIGEST}"),
                        "imagePullPolicy": "IfNotPresent",
                        "lifecycle": {"preStop": {"httpGet": {"path": "/drain", "port": 8080, "scheme": "HTTP"}}},
                        "livenessProbe": {
                            "failureThreshold": 3,
                            "httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"},
                            "periodSeconds": 10,
                            "successThreshold": 1,
                            "timeoutSeconds": 1,
                        },
                        "name": "api",
                        "readinessProbe": {
                            "failureThreshold": 5,
                            "periodSeconds": 10,
                            "successThreshold": 1,
                            "tcpSocket": {"port": 8080},
                            "timeoutSeconds": 1,
                        },
                        "resources": {
                            "limits": {"cpu": "500m", "memory": "1Gi"},
                            "requests": {"cpu": "100m", "memory": "1Gi"},
                        },
                        "startupProbe": {
                            "exec": {"command": ["true"]},
                            "failureThreshold": 3,
                            "periodSeconds": 10,
                            "successThreshold": 1,
                            "timeoutSeconds": 1,
                        },
                        "terminationMessagePath": "/dev/termination-log",
                        "terminationMessagePolicy": "File",
                    }],
                    "dnsPolicy": "ClusterFirst",
                    "enableServiceLinks": true,
                    "ephemeralContainers": [{
                        "image": "busybox:1.36",
                        "imagePullPolicy": "IfNotPresent",
                        "name": "debug",
                        "resources": {},
                        "terminationMessagePath": "/dev/termination-log",
                        "terminationMessagePolicy": "File",
                    }],
                    "initContainers": [{
                        "image": "api:latest",
                        "imagePullPolicy": "Always",
                        "name": "migrate",
                        "resources": {},
                        "terminationMessagePath": "/dev/termination-log",
                        "terminationMessagePolicy": "File",
                    }],
                    "preemptionPolicy": "PreemptLowerPriority",
                    "priority": 0,
                    "restartPolicy": "Always",
                    "schedulerName": "default-scheduler",
                    "securityContext": {},
                    "serviceAccount": "api",
                    "serviceAccountName": "api",
                    "terminationGracePeriodSeconds": 30,
                    // An empty-key Exists toleration already tolerates both taints.
                    "tolerations": [{"operator": "Exists"}],
                },
            }),
        },
        Case {
            name: "pod volumes",
            group: "",
            kind: "Pod",
            manifest: json!({"kind": "Pod", "spec": {
                "priorityClassName": "system-node-critical",
                "containers": [{"name": "c", "image": "app:v1", "imagePullPolicy": "Never"}],
                "volumes": [
                    {"name": "scratch"},
                    {"name": "cache", "emptyDir": {"medium": "Memory", "sizeLimit": "0.5Gi"}},
                    {"name": "config", "configMap": {"name": "app"}},
                    {"name": "creds", "secret": {"secretName": "app", "defaultMode": 256}},
                    {"name": "host", "hostPath": {"path": "/var/log"}},
                    {"name": "pvc", "persistentVolumeClaim": {"claimName": "data"}},
                    {"name": "info", "downwardAPI": {"items": [
                        {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
                    ]}},
                    {"name": "token", "projected": {"sources": [
                        {"serviceAccountToken": {"path": "token"}},
                        {"configMap": {"name": "kube-root-ca.crt"}},
                        {"downwardAPI": {"items": [{"path": "cpu", "resourceFieldRef": {
                            "containerName": "c", "resource": "requests.cpu"}}]}},
                    ]}},
                    {"name": "tmp", "ephemeral": {"volumeClaimTemplate": {"spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "1024Mi"}},
                    }}}},
                ],
            }}),
            stored: json!({"kind": "Pod", "spec": {
                "containers": [{
                    "image": "app:v1",
                    "imagePullPolicy": "Never",
                    "name": "c",
                    "resources": {},
                    "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File",
                }],
                "dnsPolicy": "ClusterFirst",
                "enableServiceLinks": true,
                "preemptionPolicy": "PreemptLowerPriority",
                "priority": 2_000_001_000,
                "priorityClassName": "system-node-critical",
                "restartPolicy": "Always",
                "schedulerName": "default-scheduler",
                "securityContext": {},
                "serviceAccount": "default",
                "serviceAccountName": "default",
                "terminationGracePeriodSeconds": 30,
                "tolerations": [
                    {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready",
                     "operator": "Exists", "tolerationSeconds": 300},
                    {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable",
                     "operator": "Exists", "tolerationSeconds": 300},
                ],
                "volumes": [
                    {"emptyDir": {}, "name": "scratch"},
                    {"emptyDir": {"medium": "Memory", "sizeLimit": "512Mi"}, "name": "cache"},
                    {"configMap": {"defaultMode": 420, "name": "app"}, "name": "config"},
                    {"name": "creds", "secret": {"defaultMode": 256, "secretName": "app"}},
                    {"hostPath": {"path": "/var/log", "type": ""}, "name": "host"},
                    {"name": "pvc", "persistentVolumeClaim": {"claimName": "data"}},
                    {"downwardAPI": {"defaultMode": 420, "items": [
                        {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.labels"}, "path": "labels"},
                    ]}, "name": "info"},
                    {"name": "token", "projected": {"defaultMode": 420, "sources": [
                        {"serviceAccountToken": {"expirationSeconds": 3600, "path": "token"}},
                        {"configMap": {"name": "kube-root-ca.crt"}},
                        {"downwardAPI": {"items": [{"path": "cpu", "resourceFieldRef": {
                            "containerName": "c", "divisor": "0", "resource": "requests.cpu"}}]}},
                    ]}},
                    {"ephemeral": {"volumeClaimTemplate": {
                        "metadata": {"creationTimestamp": null},
                        "spec": {
                            "accessModes": ["ReadWriteOnce"],
                            "resources": {"requests": {"storage": "1Gi"}},
                            "volumeMode": "Filesystem",
                        },
                    }}, "name": "tmp"},
                ],
            }}),
        },
        Case {
            name: "pod with every default written differently",
            group: "",
            kind: "Pod",
            manifest: kept_pod(),
            stored: kept_pod(),
        },
    ]
}

/// A Pod whose every defaulted field already holds a non-default value.
fn kept_pod() -> serde_json::Value {
    json!({"kind": "Pod", "metadata": {"name": "kept"}, "spec": {
        "containers": [{
            "name": "c",
            "image": "app",
            "imagePullPolicy": "IfNotPresent",
            "terminationMessagePath": "/tmp/log",
            "terminationMessagePolicy": "FallbackToLogsOnError",
            "resources": {"limits": {"cpu": "2"}, "requests": {"cpu": "1"}},
            "ports": [{"containerPort": 53, "protocol": "UDP"}],
            "livenessProbe": {"httpGet": {"port": 443, "scheme": "HTTPS"},
                "timeoutSeconds": 5, "periodSeconds": 30, "successThreshold": 1, "failureThreshold": 9},
            "env": [{"name": "N", "valueFrom": {"fieldRef": {"apiVersion": "v2", "fieldPath": "x"}}}],
        }],
        "dnsPolicy": "Default",
        "enableServiceLinks": false,
        "preemptionPolicy": "Never",
        "priority": 0,
        "restartPolicy": "Never",
        "schedulerName": "custom",
        "securityContext": {"runAsUser": 1000},
        "serviceAccount": "robot",
        "serviceAccountName": "robot",
        "terminationGracePeriodSeconds": 0,
        "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists"},
                        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"}],
        "volumes": [
            {"name": "s", "secret": {"secretName": "s", "defaultMode": 0}},
            {"name": "h", "hostPath": {"path": "/", "type": "Directory"}},
        ],
    }})
}

#[test]
fn pods_match_their_fixtures() {
    check(cases());
}

#[test]
fn templates_get_spec_defaults_but_not_pod_only_ones() {
    let deployment = json!({"kind": "Deployment", "spec": {"template": {"spec": {
        "containers": [{"name": "c", "image": "app:v1",
                        "resources": {"limits": {"cpu": "1"}}}],
    }}}});
    let stored = defaulted("apps", "Deployment", &deployment);
    let spec = &stored["spec"]["template"]["spec"];
    for pod_only in [
        "enableServiceLinks",
        "priority",
        "preemptionPolicy",
        "serviceAccountName",
        "serviceAccount",
        "tolerations",
    ] {
        assert_eq!(spec.get(pod_only), None, "{pod_only}");
    }
    assert_eq!(
        spec["containers"][0]["resources"],
        json!({"limits": {"cpu": "1"}})
    );
    assert_eq!(spec["dnsPolicy"], json!("ClusterFirst"));
}

#[test]
fn limits_fill_only_missing_requests_in_pods() {
    let pod = json!({"kind": "Pod", "spec": {"containers": [{"name": "c", "image": "a:1",
        "resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "250m"}}}]}});
    let stored = defaulted("", "Pod", &pod);
    assert_eq!(
        stored["spec"]["containers"][0]["resources"],
        json!({"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "250m", "memory": "1Gi"}})
    );
}

#[test]
fn host_network_pods_get_host_ports() {
    let pod = json!({"kind": "Pod", "spec": {"hostNetwork": true, "containers": [{"name": "c", "image": "a:1",
        "ports": [{"containerPort": 8080}, {"containerPort": 9090, "hostPort": 19090}]}]}});
    let stored = defaulted("", "Pod", &pod);
    assert_eq!(
        stored["spec"]["containers"][0]["ports"],
        json!([
            {"containerPort": 8080, "hostPort": 8080, "protocol": "TCP"},
            {"containerPort": 9090, "hostPort": 19090, "protocol": "TCP"},
        ])
    );
}

#[test]
fn only_uncovered_taints_get_default_tolerations() {
    let pod = json!({"kind": "Pod", "spec": {"containers": [], "tolerations": [
        {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 60},
        {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"},
    ]}});
    let stored = defaulted("", "Pod", &pod);
    assert_eq!(
        stored["spec"]["tolerations"],
        json!([
            {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 60},
            {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"},
            {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300},
        ])
    );
}

#[test]
fn priority_comes_only_from_classes_every_cluster_has() {
    let with_class = |class: &str| {
        let pod = json!({"kind": "Pod", "spec": {"priorityClassName": class, "containers": []}});
        let stored = defaulted("", "Pod", &pod);
        (
            stored["spec"].get("priority").cloned(),
            stored["spec"].get("preemptionPolicy").cloned(),
        )
    };
    assert_eq!(
        with_class("system-cluster-critical"),
        (
            Some(json!(2_000_000_000)),
            Some(json!("PreemptLowerPriority"))
        )
    );
    // A user-made class needs the store's PriorityClass objects.
    assert_eq!(with_class("batch-low"), (None, None));
}

#[test]
fn the_deprecated_service_account_field_mirrors_the_name() {
    let template = |spec: serde_json::Value| {
        let deployment = json!({"kind": "Deployment", "spec": {"template": {"spec": spec}}});
        let stored = defaulted("apps", "Deployment", &deployment);
        let spec = &stored["spec"]["template"]["spec"];
        (
            spec.get("serviceAccountName").cloned(),
            spec.get("serviceAccount").cloned(),
        )
    };
    let both = |name: &str| (Some(json!(name)), Some(json!(name)));
    assert_eq!(
        template(json!({"serviceAccountName": "builder"})),
        both("builder")
    );
    assert_eq!(
        template(json!({"serviceAccount": "legacy"})),
        both("legacy")
    );
    // The deprecated field is rewritten from the real one, as the server does.
    assert_eq!(
        template(json!({"serviceAccountName": "new", "serviceAccount": "old"})),
        both("new")
    );
    assert_eq!(template(json!({})), (None, None));
}

#[test]
fn zero_valued_plain_fields_are_defaulted_but_zero_pointers_kept() {
    let pod = json!({"kind": "Pod", "spec": {
        "dnsPolicy": "",
        "terminationGracePeriodSeconds": 0,
        "containers": [{"name": "c", "image": "a:1", "imagePullPolicy": "",
            "readinessProbe": {"exec": {"command": ["x"]}, "timeoutSeconds": 0, "successThreshold": 0}}],
        "volumes": [{"name": "s", "secret": {"secretName": "s", "defaultMode": 0}}],
    }});
    let stored = defaulted("", "Pod", &pod);
    assert_eq!(stored["spec"]["dnsPolicy"], json!("ClusterFirst"));
    assert_eq!(stored["spec"]["terminationGracePeriodSeconds"], json!(0));
    assert_eq!(
        stored["spec"]["containers"][0]["imagePullPolicy"],
        json!("IfNotPresent")
    );
    assert_eq!(
        stored["spec"]["containers"][0]["readinessProbe"]["timeoutSeconds"],
        json!(1)
    );
    assert_eq!(
        stored["spec"]["containers"][0]["readinessProbe"]["successThreshold"],
        json!(1)
    );
    assert_eq!(
        stored["spec"]["volumes"][0]["secret"]["defaultMode"],
        json!(0)
    );
}

#[test]
fn null_fields_count_as_unset() {
    let pod = json!({"kind": "Pod", "spec": {"securityContext": null, "terminationGracePeriodSeconds": null,
        "tolerations": null, "containers": [{"name": "c", "image": "a:1", "resources": null}]}});
    let stored = defaulted("", "Pod", &pod);
    assert_eq!(stored["spec"]["securityContext"], json!({}));
    assert_eq!(stored["spec"]["terminationGracePeriodSeconds"], json!(30));
    assert_eq!(
        stored["spec"]["tolerations"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(stored["spec"]["containers"][0]["resources"], json!({}));
}
