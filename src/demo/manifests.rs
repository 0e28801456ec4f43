//! The files of the demo's apps, as functions of the settings each commit changes:
//! plain manifests (web, orders, payments), kustomize bases and overlays (api,
//! search) and a Helm chart (cache).

/// A Deployment with one container.
pub struct Workload<'a> {
    pub name: &'a str,
    pub image: &'a str,
    pub replicas: u32,
    pub port: u16,
    pub memory: &'a str,
    /// Seconds before a rollout that makes no progress is Degraded.
    pub progress_deadline: Option<u32>,
    /// Seconds a pod must stay ready before it counts as available.
    pub min_ready: Option<u32>,
    pub env_from: Option<&'a str>,
}

pub fn deployment(w: &Workload<'_>) -> String {
    let deadline = w
        .progress_deadline
        .map(|s| format!("  progressDeadlineSeconds: {s}\n"))
        .unwrap_or_default()
        + &w.min_ready
            .map(|s| format!("  minReadySeconds: {s}\n"))
            .unwrap_or_default();
    let env_from = w
        .env_from
        .map(|config| {
            format!("        envFrom:\n        - configMapRef:\n            name: {config}\n")
        })
        .unwrap_or_default();
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels:
    app.kubernetes.io/name: {name}
spec:
  replicas: {replicas}
{deadline}  selector:
    matchLabels:
      app.kubernetes.io/name: {name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {name}
    spec:
      containers:
      - name: {name}
        image: {image}
        ports:
        - containerPort: {port}
{env_from}        resources:
          requests:
            cpu: 100m
            memory: {memory}
          limits:
            memory: {memory}
",
        name = w.name,
        replicas = w.replicas,
        image = w.image,
        port = w.port,
        memory = w.memory,
    )
}

pub fn service(name: &str, port: u16, extra_ports: &[(&str, u16)]) -> String {
    let extra: String = extra_ports
        .iter()
        .map(|(port_name, number)| {
            format!("  - name: {port_name}\n    port: {number}\n    targetPort: {number}\n")
        })
        .collect();
    format!(
        "apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector:
    app.kubernetes.io/name: {name}
  ports:
  - name: http
    port: 80
    targetPort: {port}
{extra}"
    )
}

pub fn config_map(name: &str, data: &[(&str, &str)]) -> String {
    let entries: String = data
        .iter()
        .map(|(key, value)| format!("  {key}: \"{value}\"\n"))
        .collect();
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n{entries}")
}

pub fn kustomization(resources: &[&str], extra: &str) -> String {
    let list: String = resources.iter().map(|r| format!("- {r}\n")).collect();
    format!(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n{list}{extra}"
    )
}

/// An overlay setting the image tag and replicas of one Deployment.
pub fn overlay(name: &str, image: &str, tag: &str, replicas: u32, extra: &str) -> String {
    kustomization(
        &["../../base"],
        &format!(
            "images:\n- name: {image}\n  newTag: \"{tag}\"\nreplicas:\n- name: {name}\n  count: {replicas}\n{extra}"
        ),
    )
}

pub const CACHE_CHART: &str = "apiVersion: v2
name: cache
description: Redis cache for the shop
type: application
version: 0.3.0
appVersion: \"7.2.5\"
";

pub fn cache_values(memory: &str, policy: &str) -> String {
    format!(
        "replicas: 1
image: docker.io/library/redis:7.2.5
memory: {memory}
maxmemoryPolicy: {policy}
"
    )
}

pub const CACHE_DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels:
    app.kubernetes.io/name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {{ .Release.Name }}
    spec:
      containers:
      - name: redis
        image: {{ .Values.image }}
        args: [\"--maxmemory-policy\", \"{{ .Values.maxmemoryPolicy }}\"]
        ports:
        - containerPort: 6379
        resources:
          limits:
            memory: {{ .Values.memory }}
";

pub const CACHE_SERVICE: &str = "apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  selector:
    app.kubernetes.io/name: {{ .Release.Name }}
  ports:
  - name: redis
    port: 6379
    targetPort: 6379
";
