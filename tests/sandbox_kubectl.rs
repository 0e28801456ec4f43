//! A real `kubectl` against the sandbox: every verb the sandbox issue names, with
//! the outputs a user would look at.

mod common;

use std::time::Duration;

use common::cluster::{Cluster, WEB_APP, manifests, path_str};
use serde_json::Value;

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn ready_web(cluster: &Cluster) -> tempfile::TempDir {
    let dir = manifests(&[("app.yaml", WEB_APP)]);
    cluster.ok(&["apply", "-f", path_str(dir.path())]);
    cluster.ok(&[
        "rollout",
        "status",
        "deployment/web",
        "-n",
        "web",
        "--timeout=30s",
    ]);
    dir
}

#[test]
fn version_discovery_and_get() {
    let cluster = Cluster::start();
    let version = cluster.ok(&["version", "-o", "json"]);
    assert_eq!(json(&version)["serverVersion"]["minor"], "32");
    let resources = cluster.ok(&["api-resources"]);
    for line in [
        "deployments",
        "deploy",
        "customresourcedefinitions",
        "horizontalpodautoscalers",
    ] {
        assert!(
            resources.contains(line),
            "{line} missing from:\n{resources}"
        );
    }
    let nodes = cluster.ok(&["get", "nodes"]);
    assert!(nodes.contains("sandbox-node-1"), "{nodes}");
    assert!(nodes.contains("Ready"), "{nodes}");
    let namespaces = json(&cluster.ok(&["get", "namespaces", "-o", "json"]));
    let names: Vec<&str> = namespaces["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["metadata"]["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"kube-system") && names.contains(&"default"),
        "{names:?}"
    );
    let missing = cluster.run(&["get", "configmap", "nope"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("configmaps \"nope\" not found"));
}

#[test]
fn apply_directory_then_get_in_every_form() {
    let cluster = Cluster::start();
    let _dir = ready_web(&cluster);
    let all = cluster.ok(&["get", "deploy,rs,pods,svc,cm", "-A"]);
    assert!(all.contains("deployment.apps/web"), "{all}");
    assert!(all.contains("2/2"), "deployment shows READY 2/2:\n{all}");
    let yaml = cluster.ok(&["get", "deploy", "web", "-n", "web", "-o", "yaml"]);
    // Defaulting as a real API server does, so naive diffs see false drift.
    for defaulted in [
        "imagePullPolicy: IfNotPresent",
        "terminationMessagePath: /dev/termination-log",
        "dnsPolicy: ClusterFirst",
        "revisionHistoryLimit: 10",
        "maxSurge: 25%",
    ] {
        assert!(yaml.contains(defaulted), "{defaulted} missing:\n{yaml}");
    }
    let by_label = cluster.ok(&["get", "cm", "-n", "web", "-l", "app=web", "-o", "name"]);
    assert_eq!(by_label.trim(), "configmap/web-config");
    let none = cluster.ok(&["get", "cm", "-n", "web", "-l", "app=other", "-o", "name"]);
    assert_eq!(none.trim(), "");
    let service = json(&cluster.ok(&["get", "svc", "web", "-n", "web", "-o", "json"]));
    assert!(
        service["spec"]["clusterIP"]
            .as_str()
            .unwrap()
            .starts_with("10.96.")
    );
    assert_eq!(service["spec"]["sessionAffinity"], "None");
    cluster.eventually(
        Duration::from_secs(10),
        "endpoints with two addresses",
        |c| {
            let endpoints = json(&c.ok(&["get", "endpoints", "web", "-n", "web", "-o", "json"]));
            endpoints["subsets"][0]["addresses"]
                .as_array()
                .is_some_and(|a| a.len() == 2)
        },
    );
    let events = cluster.ok(&["get", "events", "-n", "web"]);
    assert!(
        events.contains("ScalingReplicaSet") && events.contains("Started"),
        "{events}"
    );
    let describe = cluster.ok(&["describe", "deploy", "web", "-n", "web"]);
    assert!(describe.contains("NewReplicaSet:"), "{describe}");
    assert!(describe.contains("Scaled up replica set"), "{describe}");
}

#[test]
fn watch_streams_changes() {
    let cluster = Cluster::start();
    cluster.ok_with_input(
        &["apply", "-f", "-"],
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: watched}\ndata: {a: '1'}\n",
    );
    let sandbox_kubeconfig = cluster.sandbox.kubeconfig().to_owned();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        let status = std::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&sandbox_kubeconfig)
            .args(["label", "configmap", "watched", "changed=yes"])
            .output()
            .unwrap();
        assert!(status.status.success());
    });
    let output = cluster.bounded(
        &[
            "get",
            "configmaps",
            "-w",
            "-o",
            "custom-columns=NAME:.metadata.name,CHANGED:.metadata.labels.changed",
        ],
        Duration::from_secs(4),
    );
    writer.join().unwrap();
    assert!(output.contains("watched"), "{output}");
    assert!(
        output.contains("yes"),
        "the label change arrives on the watch:\n{output}"
    );
}

#[test]
fn server_side_apply_conflicts_and_force() {
    let cluster = Cluster::start();
    let dir = manifests(&[("app.yaml", WEB_APP)]);
    let path = path_str(dir.path());
    let applied = cluster.ok(&["apply", "--server-side", "-f", path]);
    assert!(
        applied.contains("deployment.apps/web serverside-applied"),
        "{applied}"
    );
    let fields = cluster.ok(&[
        "get",
        "deploy",
        "web",
        "-n",
        "web",
        "-o",
        "jsonpath={.metadata.managedFields[*].manager}",
    ]);
    assert!(fields.contains("kubectl"), "{fields}");
    // Another manager takes spec.replicas; re-applying with a different value conflicts.
    cluster.ok(&["scale", "deploy/web", "-n", "web", "--replicas=3"]);
    let changed = WEB_APP.replace("replicas: 2", "replicas: 4");
    let dir2 = manifests(&[("app.yaml", &changed)]);
    let conflict = cluster.run(&["apply", "--server-side", "-f", path_str(dir2.path())]);
    assert!(!conflict.status.success());
    let stderr = String::from_utf8_lossy(&conflict.stderr);
    assert!(
        stderr.contains("conflict") && stderr.contains(".spec.replicas"),
        "{stderr}"
    );
    cluster.ok(&[
        "apply",
        "--server-side",
        "--force-conflicts",
        "-f",
        path_str(dir2.path()),
    ]);
    let replicas = cluster.ok(&[
        "get",
        "deploy",
        "web",
        "-n",
        "web",
        "-o",
        "jsonpath={.spec.replicas}",
    ]);
    assert_eq!(replicas, "4");
}

#[test]
fn dry_run_and_diff() {
    let cluster = Cluster::start();
    let dir = manifests(&[("app.yaml", WEB_APP)]);
    let path = path_str(dir.path());
    // As on a real cluster, a server dry run cannot create into a namespace that
    // does not exist yet, so the namespace comes first.
    cluster.ok_with_input(
        &["apply", "-f", "-"],
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: web}\n",
    );
    let dry = cluster.ok(&["apply", "--dry-run=server", "-f", path]);
    assert!(
        dry.contains("deployment.apps/web created (server dry run)"),
        "{dry}"
    );
    assert!(
        !cluster
            .run(&["get", "deploy", "web", "-n", "web"])
            .status
            .success(),
        "dry run stores nothing"
    );
    cluster.ok(&["apply", "--server-side", "-f", path]);
    let same = cluster.run(&["diff", "--server-side", "-f", path]);
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&same.stdout)
    );
    let changed = WEB_APP.replace("LOG_LEVEL: info", "LOG_LEVEL: debug");
    let dir2 = manifests(&[("app.yaml", &changed)]);
    let different = cluster.run(&["diff", "--server-side", "-f", path_str(dir2.path())]);
    assert_eq!(different.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&different.stdout);
    assert!(
        diff.contains("-  LOG_LEVEL: info") && diff.contains("+  LOG_LEVEL: debug"),
        "{diff}"
    );
}

#[test]
fn scale_patch_rollout_and_logs() {
    let cluster = Cluster::start();
    let _dir = ready_web(&cluster);
    cluster.ok(&["scale", "deploy/web", "-n", "web", "--replicas=3"]);
    cluster.ok(&[
        "rollout",
        "status",
        "deploy/web",
        "-n",
        "web",
        "--timeout=30s",
    ]);
    cluster.ok(&[
        "patch",
        "deploy",
        "web",
        "-n",
        "web",
        "--type",
        "merge",
        "-p",
        r#"{"metadata":{"labels":{"merge":"yes"}}}"#,
    ]);
    cluster.ok(&[
        "patch",
        "deploy",
        "web",
        "-n",
        "web",
        "--type",
        "json",
        "-p",
        r#"[{"op":"add","path":"/metadata/labels/json","value":"yes"}]"#,
    ]);
    cluster.ok(&[
        "patch", "deploy", "web", "-n", "web", "--type", "strategic", "-p",
        r#"{"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"EXTRA","value":"1"}]}]}}}}"#,
    ]);
    let deploy = json(&cluster.ok(&["get", "deploy", "web", "-n", "web", "-o", "json"]));
    assert_eq!(deploy["metadata"]["labels"]["merge"], "yes");
    assert_eq!(deploy["metadata"]["labels"]["json"], "yes");
    let env = deploy["spec"]["template"]["spec"]["containers"][0]["env"]
        .as_array()
        .unwrap();
    let names: Vec<&str> = env.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        vec!["MODE", "EXTRA"],
        "strategic merge keeps MODE and adds EXTRA"
    );
    assert_eq!(
        deploy["metadata"]["generation"], 3,
        "two template changes bump the generation twice"
    );
    cluster.ok(&[
        "rollout",
        "status",
        "deploy/web",
        "-n",
        "web",
        "--timeout=30s",
    ]);
    cluster.ok(&["rollout", "restart", "deploy/web", "-n", "web"]);
    cluster.ok(&[
        "rollout",
        "status",
        "deploy/web",
        "-n",
        "web",
        "--timeout=30s",
    ]);
    let rs = cluster.ok(&["get", "rs", "-n", "web", "-o", "name"]);
    assert_eq!(rs.lines().count(), 3, "one ReplicaSet per template:\n{rs}");
    let logs = cluster.ok(&["logs", "deploy/web", "-n", "web", "--tail=5"]);
    assert!(!logs.trim().is_empty());
    assert!(logs.lines().count() <= 5, "{logs}");
    let pod = cluster.ok(&[
        "get",
        "pods",
        "-n",
        "web",
        "-o",
        "jsonpath={.items[0].metadata.name}",
    ]);
    let followed = cluster.bounded(
        &["logs", "-f", &pod, "-n", "web", "--timestamps"],
        Duration::from_secs(3),
    );
    assert!(followed.lines().count() >= 2, "{followed}");
    assert!(
        followed.starts_with("20"),
        "timestamps lead each line: {followed}"
    );
}

#[test]
fn crash_loops_and_pull_failures_are_visible() {
    let cluster = Cluster::start();
    for (name, image) in [
        ("crasher", "ghcr.io/acme/api:2.0-crash"),
        ("unpullable", "registry.example.invalid/api:1"),
    ] {
        let deployment = format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec: {{containers: [{{name: main, image: {image:?}}}]}}\n"
        );
        cluster.ok_with_input(&["apply", "-f", "-"], &deployment);
    }
    cluster.eventually(Duration::from_secs(15), "ImagePullBackOff", |c| {
        c.ok(&["get", "pods", "-l", "app=unpullable"])
            .contains("ImagePullBackOff")
    });
    cluster.eventually(Duration::from_secs(20), "a crash and a restart", |c| {
        let pods = json(&c.ok(&["get", "pods", "-l", "app=crasher", "-o", "json"]));
        pods["items"][0]["status"]["containerStatuses"][0]["restartCount"]
            .as_i64()
            .unwrap_or(0)
            >= 1
    });
    let pod = cluster.ok(&[
        "get",
        "pods",
        "-l",
        "app=crasher",
        "-o",
        "jsonpath={.items[0].metadata.name}",
    ]);
    let previous = cluster.ok(&["logs", &pod, "--previous"]);
    let last = previous.lines().last().unwrap_or_default();
    assert!(
        previous.contains("panic")
            || previous.contains("Exception")
            || previous.contains("Traceback")
            || previous.contains("Error"),
        "{previous}"
    );
    assert!(!last.is_empty(), "{previous}");
}

#[test]
fn custom_resource_definitions_serve_their_kind() {
    let cluster = Cluster::start();
    let crd = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Size, type: string, jsonPath: .spec.size}
"#;
    cluster.ok_with_input(&["apply", "-f", "-"], crd);
    cluster.ok_with_input(
        &["apply", "-f", "-"],
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: large}\n",
    );
    let widgets = cluster.ok(&["get", "wd"]);
    assert!(
        widgets.contains("w1") && widgets.contains("large"),
        "{widgets}"
    );
    cluster.ok(&["delete", "crd", "widgets.example.com"]);
    assert!(!cluster.run(&["get", "widgets"]).status.success());
}

#[test]
fn delete_directory_removes_everything_it_applied() {
    let cluster = Cluster::start();
    let dir = ready_web(&cluster);
    let deleted = cluster.ok(&["delete", "-f", path_str(dir.path())]);
    assert!(
        deleted.contains("deployment.apps \"web\" deleted"),
        "{deleted}"
    );
    assert!(!cluster.run(&["get", "ns", "web"]).status.success());
    let pods = cluster.ok(&["get", "pods", "-A", "-o", "name"]);
    assert_eq!(pods.trim(), "", "pods went with their namespace");
}

const EVERY_KIND: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: kinds}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: runner, namespace: kinds}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: kinds}
stringData: {password: hunter2}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: scratch, namespace: kinds}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: kinds}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: "postgres:16"}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 5Gi}}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kinds}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: "fluent/fluent-bit:3.1"}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: kinds}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: "ghcr.io/acme/migrate:1.0"}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: report, namespace: kinds}
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: report, image: "ghcr.io/acme/report:1.0"}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: kinds}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: "ghcr.io/acme/api:1.0"}]}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: api, namespace: kinds}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 2
  maxReplicas: 5
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: api, namespace: kinds}
spec:
  rules:
  - host: api.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: kinds}
rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: kinds}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: ServiceAccount, name: runner, namespace: kinds}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: kinds-viewer}
rules: [{apiGroups: [apps], resources: [deployments], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: kinds-viewer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kinds-viewer}
subjects: [{kind: ServiceAccount, name: runner, namespace: kinds}]
"#;

#[test]
fn every_kind_is_served_and_simulated() {
    let cluster = Cluster::start();
    let dir = manifests(&[("kinds.yaml", EVERY_KIND)]);
    cluster.ok(&["apply", "-f", path_str(dir.path())]);
    cluster.ok(&[
        "rollout",
        "status",
        "statefulset/db",
        "-n",
        "kinds",
        "--timeout=30s",
    ]);
    cluster.ok(&[
        "rollout",
        "status",
        "daemonset/agent",
        "-n",
        "kinds",
        "--timeout=30s",
    ]);
    cluster.ok(&[
        "wait",
        "--for=condition=complete",
        "job/migrate",
        "-n",
        "kinds",
        "--timeout=30s",
    ]);
    let pods = cluster.ok(&["get", "pods", "-n", "kinds", "-o", "name"]);
    assert!(
        pods.contains("pod/db-0") && pods.contains("pod/db-1"),
        "{pods}"
    );
    assert_eq!(
        pods.lines().filter(|p| p.starts_with("pod/agent-")).count(),
        3,
        "one per node:\n{pods}"
    );
    cluster.eventually(Duration::from_secs(10), "claims bound", |c| {
        let claims = c.ok(&["get", "pvc", "-n", "kinds"]);
        claims.contains("data-db-0") && claims.contains("scratch") && !claims.contains("Pending")
    });
    cluster.eventually(
        Duration::from_secs(10),
        "the HPA raising replicas to its minimum",
        |c| {
            c.ok(&[
                "get",
                "deploy",
                "api",
                "-n",
                "kinds",
                "-o",
                "jsonpath={.spec.replicas}",
            ]) == "2"
        },
    );
    cluster.eventually(Duration::from_secs(10), "an ingress address", |c| {
        !c.ok(&[
            "get",
            "ingress",
            "api",
            "-n",
            "kinds",
            "-o",
            "jsonpath={.status.loadBalancer.ingress[0].ip}",
        ])
        .is_empty()
    });
    let secret = json(&cluster.ok(&["get", "secret", "creds", "-n", "kinds", "-o", "json"]));
    assert_eq!(
        secret["data"]["password"], "aHVudGVyMg==",
        "stringData is encoded into data"
    );
    assert_eq!(secret["type"], "Opaque");
    let listed = cluster.ok(&[
        "get",
        "sa,secrets,pvc,sts,ds,jobs,cronjobs,deploy,hpa,ingress,roles,rolebindings",
        "-n",
        "kinds",
    ]);
    for name in [
        "serviceaccount/runner",
        "secret/creds",
        "cronjob.batch/report",
        "horizontalpodautoscaler.autoscaling/api",
        "role.rbac.authorization.k8s.io/reader",
    ] {
        assert!(listed.contains(name), "{name} missing:\n{listed}");
    }
    let cluster_wide = cluster.ok(&["get", "clusterroles,clusterrolebindings", "-o", "name"]);
    assert!(
        cluster_wide.contains("clusterrole.rbac.authorization.k8s.io/kinds-viewer"),
        "{cluster_wide}"
    );
    let yaml = cluster.ok(&["get", "sts", "db", "-n", "kinds", "-o", "yaml"]);
    assert!(yaml.contains("podManagementPolicy: OrderedReady"), "{yaml}");
}
