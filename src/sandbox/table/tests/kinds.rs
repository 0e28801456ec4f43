//! The printers of the other built-in kinds.

use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use super::{ago, cells, headers, meta, print, row};

fn template(selector: Value) -> Value {
    json!({"selector": selector, "template": {"spec": {
        "containers": [{"name": "web", "image": "nginx:1.27"}, {"name": "log", "image": "fluent-bit:3"}],
        "nodeSelector": {"kubernetes.io/os": "linux"}}}})
}

#[test]
fn workload_controllers() {
    let selector = json!({"matchLabels": {"app": "web"}});
    let mut spec = template(selector.clone());
    spec["replicas"] = 3.into();
    let deployment = json!({"metadata": meta("web", 7200), "spec": spec.clone(),
        "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}});
    let table = print("apps", "Deployment", &[deployment]);
    assert_eq!(
        headers(&table, false),
        ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    );
    assert_eq!(
        headers(&table, true)[5..],
        ["CONTAINERS", "IMAGES", "SELECTOR"]
    );
    assert_eq!(
        cells(&table)[0],
        json!([
            "web",
            "2/3",
            3,
            2,
            "120m",
            "web,log",
            "nginx:1.27,fluent-bit:3",
            "app=web"
        ])
    );

    let rs = json!({"metadata": meta("web-5d4f8", 600), "spec": spec,
        "status": {"replicas": 3, "readyReplicas": 1}});
    let table = print("apps", "ReplicaSet", &[rs]);
    assert_eq!(
        headers(&table, false),
        ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    );
    assert_eq!(
        cells(&table)[0],
        json!([
            "web-5d4f8",
            3,
            3,
            1,
            "10m",
            "web,log",
            "nginx:1.27,fluent-bit:3",
            "app=web"
        ])
    );

    // `replicas` absent reads as the server's default of 1.
    let sts = json!({"metadata": meta("db", 90), "spec": template(selector.clone()),
        "status": {"readyReplicas": 1}});
    let table = print("apps", "StatefulSet", &[sts]);
    assert_eq!(
        headers(&table, true),
        ["NAME", "READY", "AGE", "CONTAINERS", "IMAGES"]
    );
    assert_eq!(
        cells(&table)[0],
        json!(["db", "1/1", "90s", "web,log", "nginx:1.27,fluent-bit:3"])
    );

    let ds = json!({"metadata": meta("agent", 3 * 86_400), "spec": template(selector),
        "status": {"desiredNumberScheduled": 3, "currentNumberScheduled": 3, "numberReady": 2,
            "updatedNumberScheduled": 3, "numberAvailable": 2}});
    let table = print("apps", "DaemonSet", &[ds]);
    assert_eq!(
        headers(&table, false),
        [
            "NAME",
            "DESIRED",
            "CURRENT",
            "READY",
            "UP-TO-DATE",
            "AVAILABLE",
            "NODE SELECTOR",
            "AGE"
        ]
    );
    assert_eq!(
        cells(&table)[0],
        json!([
            "agent",
            3,
            3,
            2,
            3,
            2,
            "kubernetes.io/os=linux",
            "3d",
            "web,log",
            "nginx:1.27,fluent-bit:3",
            "app=web"
        ])
    );
}

#[test]
fn jobs_and_cron_jobs() {
    let job = |spec: Value, status: Value| {
        let mut object = json!({"metadata": meta("backup", 600),
            "spec": template(json!({"matchLabels": {"job": "backup"}})), "status": status});
        for (key, value) in spec.as_object().unwrap() {
            object["spec"][key] = value.clone();
        }
        row("batch", "Job", object)
    };
    let complete = job(
        json!({"completions": 1}),
        json!({"succeeded": 1, "startTime": ago(600), "completionTime": ago(540),
            "conditions": [{"type": "Complete", "status": "True"}]}),
    );
    assert_eq!(
        complete,
        json!([
            "backup",
            "Complete",
            "1/1",
            "60s",
            "10m",
            "web,log",
            "nginx:1.27,fluent-bit:3",
            "job=backup"
        ])
    );
    let running = job(json!({"parallelism": 3}), json!({"startTime": ago(200)}));
    assert_eq!(
        (&running[1], &running[2], &running[3]),
        (&json!("Running"), &json!("0/1 of 3"), &json!("3m20s"))
    );
    let failed = job(
        json!({"completions": 2}),
        json!({"conditions": [{"type": "Complete", "status": "False"}, {"type": "Failed", "status": "True"}]}),
    );
    assert_eq!(
        (&failed[1], &failed[2], &failed[3]),
        (&json!("Failed"), &json!("0/2"), &json!(""))
    );
    let suspended = job(
        json!({"suspend": true}),
        json!({"conditions": [{"type": "Suspended", "status": "True"}]}),
    );
    assert_eq!(
        (&suspended[1], &suspended[2]),
        (&json!("Suspended"), &json!("0/1"))
    );

    let cron = json!({"metadata": meta("nightly", 86_400 * 10),
        "spec": {"schedule": "0 3 * * *", "timeZone": "Europe/Paris",
            "jobTemplate": {"spec": template(json!(null))}},
        "status": {"active": [{"name": "nightly-1"}], "lastScheduleTime": ago(3600 * 7)}});
    let table = print("batch", "CronJob", &[cron]);
    assert_eq!(
        headers(&table, false),
        [
            "NAME",
            "SCHEDULE",
            "TIMEZONE",
            "SUSPEND",
            "ACTIVE",
            "LAST SCHEDULE",
            "AGE"
        ]
    );
    assert_eq!(
        cells(&table)[0],
        json!([
            "nightly",
            "0 3 * * *",
            "Europe/Paris",
            "False",
            1,
            "7h",
            "10d",
            "web,log",
            "nginx:1.27,fluent-bit:3",
            "<none>"
        ])
    );
    let idle = row(
        "batch",
        "CronJob",
        json!({"metadata": meta("idle", 60), "spec": {"schedule": "@hourly", "suspend": true}}),
    );
    assert_eq!(
        idle.as_array().unwrap()[2..6],
        [json!("<none>"), json!("True"), json!(0), json!("<none>")]
    );
}

#[test]
fn services_by_type() {
    let service = |spec: Value, status: Value| {
        row(
            "",
            "Service",
            json!({"metadata": meta("web", 120), "spec": spec, "status": status}),
        )
    };
    let cluster_ip = service(
        json!({"clusterIP": "10.96.0.10", "selector": {"app": "web"},
            "ports": [{"port": 80, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}]}),
        json!({}),
    );
    assert_eq!(
        cluster_ip,
        json!([
            "web",
            "ClusterIP",
            "10.96.0.10",
            "<none>",
            "80/TCP,53/UDP",
            "2m",
            "app=web"
        ])
    );
    let node_port = service(
        json!({"type": "NodePort", "clusterIPs": ["10.96.0.11"], "ports": [{"port": 80, "nodePort": 30080}]}),
        json!({}),
    );
    assert_eq!(
        node_port.as_array().unwrap()[1..5],
        [
            json!("NodePort"),
            json!("10.96.0.11"),
            json!("<none>"),
            json!("80:30080/TCP")
        ]
    );
    let pending = service(
        json!({"type": "LoadBalancer", "clusterIP": "10.96.0.12"}),
        json!({}),
    );
    assert_eq!(
        (&pending[3], &pending[4], &pending[6]),
        (&json!("<pending>"), &json!("<none>"), &json!("<none>"))
    );
    let balanced = service(
        json!({"type": "LoadBalancer", "externalIPs": ["192.0.2.9"]}),
        json!({"loadBalancer": {"ingress": [{"ip": "203.0.113.5"}]}}),
    );
    assert_eq!(
        (&balanced[2], &balanced[3]),
        (&json!("<none>"), &json!("203.0.113.5,192.0.2.9"))
    );
    let external = service(
        json!({"type": "ExternalName", "externalName": "db.example.com"}),
        json!({}),
    );
    assert_eq!(external[3], "db.example.com");
}

#[test]
fn endpoints_list_three_then_count_the_rest() {
    let endpoints = |subsets: Value| {
        row(
            "",
            "Endpoints",
            json!({"metadata": meta("web", 30), "subsets": subsets}),
        )
    };
    assert_eq!(endpoints(json!([]))[1], "<none>");
    let two = endpoints(
        json!([{"addresses": [{"ip": "10.244.0.5"}, {"ip": "fd00::5"}], "ports": [{"port": 8080}]}]),
    );
    assert_eq!(two, json!(["web", "10.244.0.5:8080,[fd00::5]:8080", "30s"]));
    let many = endpoints(json!([
        {"addresses": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}], "ports": [{"port": 80}, {"port": 443}]},
        {"addresses": [{"ip": "10.0.0.3"}]},
    ]));
    assert_eq!(many[1], "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 2 more...");
    let not_ready =
        endpoints(json!([{"notReadyAddresses": [{"ip": "10.0.0.1"}], "ports": [{"port": 80}]}]));
    assert_eq!(not_ready[1], "<none>");
}

#[test]
fn ingresses() {
    let ingress = |spec: Value, status: Value| {
        let object = json!({"metadata": meta("shop", 45), "spec": spec, "status": status});
        let table = print("networking.k8s.io", "Ingress", &[object]);
        assert_eq!(
            headers(&table, true),
            ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"]
        );
        cells(&table).remove(0)
    };
    let plain = ingress(json!({"rules": [{"http": {}}]}), json!({}));
    assert_eq!(plain, json!(["shop", "<none>", "*", "", "80", "45s"]));
    let full = ingress(
        json!({"ingressClassName": "nginx", "tls": [{"hosts": ["a.example"]}],
            "rules": [{"host": "a.example"}, {}, {"host": "b.example"}, {"host": "c.example"}, {"host": "d.example"}]}),
        json!({"loadBalancer": {"ingress": [{"hostname": "lb.example"}]}}),
    );
    assert_eq!(
        full,
        json!([
            "shop",
            "nginx",
            "a.example,b.example,c.example + 2 more...",
            "lb.example",
            "80, 443",
            "45s"
        ])
    );
}

#[test]
fn configuration_kinds() {
    let cm = json!({"metadata": meta("settings", 5), "data": {"a": "1", "b": "2"}, "binaryData": {"c": "AA=="}});
    let table = print("", "ConfigMap", &[cm]);
    assert_eq!(headers(&table, true), ["NAME", "DATA", "AGE"]);
    assert_eq!(cells(&table)[0], json!(["settings", 3, "5s"]));

    let secret = json!({"metadata": meta("tls", 5), "type": "kubernetes.io/tls",
        "data": {"tls.crt": "", "tls.key": ""}});
    let plain = json!({"metadata": meta("plain", 5), "stringData": {"a": "b"}});
    let table = print("", "Secret", &[secret, plain]);
    assert_eq!(headers(&table, true), ["NAME", "TYPE", "DATA", "AGE"]);
    assert_eq!(
        cells(&table),
        [
            json!(["tls", "kubernetes.io/tls", 2, "5s"]),
            json!(["plain", "Opaque", 1, "5s"])
        ]
    );

    let namespaces = print(
        "",
        "Namespace",
        &[
            json!({"metadata": meta("shop", 86_400 * 400)}),
            json!({"metadata": meta("old", 60), "status": {"phase": "Terminating"}}),
        ],
    );
    assert_eq!(headers(&namespaces, true), ["NAME", "STATUS", "AGE"]);
    assert_eq!(
        cells(&namespaces),
        [
            json!(["shop", "Active", "400d"]),
            json!(["old", "Terminating", "60s"])
        ]
    );

    let sa = print(
        "",
        "ServiceAccount",
        &[json!({"metadata": meta("default", 60), "secrets": [{"name": "x"}]})],
    );
    assert_eq!(headers(&sa, true), ["NAME", "SECRETS", "AGE"]);
    assert_eq!(cells(&sa)[0], json!(["default", 1, "60s"]));
}

#[test]
fn nodes() {
    let mut metadata = meta("node-1", 86_400 * 2 + 3600 * 5);
    metadata["labels"] = json!({"node-role.kubernetes.io/control-plane": "",
        "node-role.kubernetes.io/": "", "kubernetes.io/role": "edge"});
    let node = json!({"metadata": metadata, "spec": {"unschedulable": true},
        "status": {"conditions": [{"type": "MemoryPressure", "status": "False"}, {"type": "Ready", "status": "True"}],
            "addresses": [{"type": "InternalIP", "address": "172.18.0.2"}, {"type": "Hostname", "address": "node-1"}],
            "nodeInfo": {"kubeletVersion": "v1.32.0", "osImage": "Debian GNU/Linux 12 (bookworm)"}}});
    let not_ready = json!({"metadata": meta("node-3", 10),
        "status": {"conditions": [{"type": "Ready", "status": "Unknown"}]}});
    let table = print(
        "",
        "Node",
        &[node, json!({"metadata": meta("node-2", 10)}), not_ready],
    );
    assert_eq!(
        headers(&table, false),
        ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    );
    assert_eq!(
        headers(&table, true)[5..],
        [
            "INTERNAL-IP",
            "EXTERNAL-IP",
            "OS-IMAGE",
            "KERNEL-VERSION",
            "CONTAINER-RUNTIME"
        ]
    );
    let unknown = json!("<unknown>");
    assert_eq!(
        cells(&table),
        [
            json!([
                "node-1",
                "Ready,SchedulingDisabled",
                "control-plane,edge",
                "2d5h",
                "v1.32.0",
                "172.18.0.2",
                "<none>",
                "Debian GNU/Linux 12 (bookworm)",
                unknown,
                unknown
            ]),
            json!([
                "node-2", "Unknown", "<none>", "10s", "", "<none>", "<none>", unknown, unknown,
                unknown
            ]),
            json!([
                "node-3", "NotReady", "<none>", "10s", "", "<none>", "<none>", unknown, unknown,
                unknown
            ]),
        ]
    );
}

#[test]
fn events_from_both_apis() {
    let core = json!({"metadata": meta("web.17a", 300), "type": "Warning", "reason": "BackOff",
        "involvedObject": {"kind": "Pod", "name": "web-1", "fieldPath": "spec.containers{web}"},
        "message": "Back-off restarting failed container web\n",
        "source": {"component": "kubelet", "host": "node-1"},
        "firstTimestamp": ago(300), "lastTimestamp": ago(20), "count": 7});
    let table = print("", "Event", &[core]);
    assert_eq!(
        headers(&table, false),
        ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    );
    assert_eq!(
        headers(&table, true),
        [
            "LAST SEEN",
            "TYPE",
            "REASON",
            "OBJECT",
            "SUBOBJECT",
            "SOURCE",
            "MESSAGE",
            "FIRST SEEN",
            "COUNT",
            "NAME"
        ]
    );
    assert_eq!(
        cells(&table)[0],
        json!([
            "20s",
            "Warning",
            "BackOff",
            "pod/web-1",
            "spec.containers{web}",
            "kubelet, node-1",
            "Back-off restarting failed container web",
            "5m",
            7,
            "web.17a"
        ])
    );

    let newer = json!({"metadata": meta("web.17b", 30), "type": "Normal", "reason": "ScalingReplicaSet",
        "regarding": {"kind": "Deployment", "name": "web"}, "note": "Scaled up replica set web-5d4f8 to 3",
        "reportingController": "deployment-controller", "reportingInstance": "cm-1", "eventTime": ago(30)});
    assert_eq!(
        row("events.k8s.io", "Event", newer),
        json!([
            "30s",
            "Normal",
            "ScalingReplicaSet",
            "deployment/web",
            "",
            "deployment-controller, cm-1",
            "Scaled up replica set web-5d4f8 to 3",
            "30s",
            1,
            "web.17b"
        ])
    );
    let series = json!({"metadata": meta("x", 30), "involvedObject": {"kind": "Node"},
        "reportingComponent": "kubelet",
        "eventTime": ago(900), "series": {"count": 4, "lastObservedTime": ago(15)}});
    let cells = row("", "Event", series);
    assert_eq!(
        (&cells[0], &cells[3], &cells[5], &cells[7], &cells[8]),
        (
            &json!("15s"),
            &json!("node"),
            &json!("kubelet"),
            &json!("15m"),
            &json!(4)
        )
    );
}

#[test]
fn persistent_volume_claims() {
    let bound = json!({"metadata": meta("data", 60),
        "spec": {"volumeName": "pv-1", "storageClassName": "standard", "volumeMode": "Filesystem",
            "resources": {"requests": {"storage": "1Gi"}}},
        "status": {"phase": "Bound", "capacity": {"storage": "2Gi"},
            "accessModes": ["ReadWriteMany", "ReadWriteOnce"]}});
    let pending = json!({"metadata": {"name": "pending", "creationTimestamp": ago(5),
            "annotations": {"volume.beta.kubernetes.io/storage-class": "legacy"}},
        "spec": {"storageClassName": "standard", "volumeAttributesClassName": "gold"},
        "status": {"phase": "Pending"}});
    let mut deleting = json!({"metadata": meta("old", 5), "status": {"phase": "Bound"}});
    deleting["metadata"]["deletionTimestamp"] = ago(1).into();
    let table = print("", "PersistentVolumeClaim", &[bound, pending, deleting]);
    assert_eq!(
        headers(&table, true),
        [
            "NAME",
            "STATUS",
            "VOLUME",
            "CAPACITY",
            "ACCESS MODES",
            "STORAGECLASS",
            "VOLUMEATTRIBUTESCLASS",
            "AGE",
            "VOLUMEMODE"
        ]
    );
    assert_eq!(
        cells(&table),
        [
            json!([
                "data",
                "Bound",
                "pv-1",
                "2Gi",
                "RWO,RWX",
                "standard",
                "<unset>",
                "60s",
                "Filesystem"
            ]),
            json!([
                "pending", "Pending", "", "", "", "legacy", "gold", "5s", "<unset>"
            ]),
            json!([
                "old",
                "Terminating",
                "",
                "",
                "",
                "",
                "<unset>",
                "5s",
                "<unset>"
            ]),
        ]
    );
}

#[test]
fn horizontal_pod_autoscalers() {
    let hpa = |spec: Value, status: Value| {
        let mut spec = spec;
        spec["scaleTargetRef"] = json!({"kind": "Deployment", "name": "web"});
        spec["maxReplicas"] = 10.into();
        let object = json!({"metadata": meta("web", 600), "spec": spec, "status": status});
        row("autoscaling", "HorizontalPodAutoscaler", object)
    };
    let v2 = hpa(
        json!({"minReplicas": 2, "metrics": [
            {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}},
            {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "512Mi"}}},
            {"type": "Pods", "pods": {"metric": {"name": "rps"}, "target": {"type": "AverageValue", "averageValue": "100"}}},
        ]}),
        json!({"currentReplicas": 3, "currentMetrics": [
            {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 45, "averageValue": "90m"}}},
        ]}),
    );
    assert_eq!(
        v2,
        json!([
            "web",
            "Deployment/web",
            "cpu: 45%/80%, memory: <unknown>/512Mi + 1 more...",
            "2",
            10,
            3,
            "10m"
        ])
    );
    let v1 = hpa(
        json!({"targetCPUUtilizationPercentage": 70}),
        json!({"currentCPUUtilizationPercentage": 12, "currentReplicas": 1}),
    );
    assert_eq!((&v1[2], &v1[3]), (&json!("cpu: 12%/70%"), &json!("1")));
    assert_eq!(hpa(json!({}), json!({}))[2], "<none>");
    let others = hpa(
        json!({"metrics": [
            {"type": "Object", "object": {"target": {"type": "Value", "value": "10k"}}},
            {"type": "External", "external": {"target": {"type": "AverageValue", "averageValue": "30"}}},
        ]}),
        json!({"currentMetrics": [{"type": "Object", "object": {"current": {"value": "7k"}}}]}),
    );
    assert_eq!(others[2], "7k/10k, <unknown>/30 (avg)");
    let odd = hpa(
        json!({"metrics": [
            {"type": "ContainerResource", "containerResource": {"name": "cpu", "container": "app",
                "target": {"type": "Utilization"}}},
            {"type": "Pods", "pods": {"target": {"averageValue": "5"}}},
            {"type": "Mystery"},
        ]}),
        json!({"currentMetrics": [{}, {"type": "Pods", "pods": {"current": {"averageValue": "3"}}}]}),
    );
    assert_eq!(odd[2], "cpu: <unknown>/<auto>, 3/5 + 1 more...");
}

#[test]
fn rbac_kinds() {
    let role = print(
        "rbac.authorization.k8s.io",
        "ClusterRole",
        &[json!({"metadata": {"name": "view", "creationTimestamp": "2026-11-20T08:30:00Z"}})],
    );
    assert_eq!(headers(&role, true), ["NAME", "CREATED AT"]);
    assert_eq!(cells(&role)[0], json!(["view", "2026-11-20T08:30:00Z"]));

    let binding = json!({"metadata": meta("read", 60), "roleRef": {"kind": "Role", "name": "reader"},
        "subjects": [{"kind": "User", "name": "ada"}, {"kind": "Group", "name": "devs"},
            {"kind": "ServiceAccount", "namespace": "shop", "name": "ci"}, {"kind": "User", "name": "bob"}]});
    let table = print("rbac.authorization.k8s.io", "RoleBinding", &[binding]);
    assert_eq!(
        headers(&table, true),
        ["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"]
    );
    assert_eq!(
        cells(&table)[0],
        json!(["read", "Role/reader", "60s", "ada, bob", "devs", "shop/ci"])
    );
}
