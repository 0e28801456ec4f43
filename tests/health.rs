//! Health checks against realistic objects: one table maps each fixture in
//! `tests/fixtures/health/` to the status and a message fragment a user should see,
//! in the style of gitops-engine's health tests. Also the app-level `worst`.

use std::fs;
use std::path::PathBuf;

use driftdeck::health;
use driftdeck::model::{Health, HealthStatus};
use serde_json::Value;

use HealthStatus::{Degraded, Healthy, Missing, Progressing, Suspended, Unknown};

/// `(fixture, expected status, fragment the message must contain)`; an empty
/// fragment asserts an empty message. Kept one case per line so the table reads
/// as a table.
#[rustfmt::skip]
const CASES: &[(&str, HealthStatus, &str)] = &[
    // Deployment
    ("deployment-healthy", Healthy, "3 of 3 replicas available"),
    ("deployment-rollout-new-replicas", Progressing, "Waiting for rollout to finish: 2 out of 4 new replicas have been updated..."),
    ("deployment-rollout-old-replicas", Progressing, "Waiting for rollout to finish: 1 old replicas are pending termination..."),
    ("deployment-rollout-unavailable", Progressing, "Waiting for rollout to finish: 1 of 2 updated replicas are available..."),
    ("deployment-generation-not-observed", Progressing, "observed deployment generation less than desired generation"),
    ("deployment-progress-deadline", Degraded, "Deployment \"checkout\" exceeded its progress deadline"),
    ("deployment-paused", Suspended, "Deployment is paused"),
    ("deployment-scaled-to-zero", Healthy, "Scaled to zero replicas"),
    ("deployment-deleting", Progressing, "Pending deletion (waiting for finalizers: foregroundDeletion)"),
    ("deployment-malformed", Unknown, "cannot read Deployment: spec.replicas is not an integer"),
    // StatefulSet
    ("statefulset-healthy", Healthy, "rolling update complete: 3 pods at revision postgres-6c7d9f8b54"),
    ("statefulset-pods-not-ready", Progressing, "Waiting for 2 pods to be ready..."),
    ("statefulset-partitioned-rollout", Progressing, "Waiting for partitioned roll out to finish: 1 out of 3 new pods have been updated..."),
    ("statefulset-partitioned-complete", Healthy, "partitioned roll out complete: 3 new pods have been updated..."),
    ("statefulset-ondelete", Healthy, "statefulset has 3 ready pods"),
    ("statefulset-not-observed", Progressing, "Waiting for statefulset spec update to be observed..."),
    ("statefulset-revision-rollout", Progressing, "waiting for statefulset rolling update to complete 1 pods at revision etcd-9f8e7d6c5b..."),
    // DaemonSet
    ("daemonset-healthy", Healthy, "3 of 3 pods available"),
    ("daemonset-rollout", Progressing, "Waiting for daemon set \"node-exporter\" rollout to finish: 1 out of 3 new pods have been updated..."),
    ("daemonset-unavailable", Progressing, "Waiting for daemon set \"fluent-bit\" rollout to finish: 3 of 4 updated pods are available..."),
    ("daemonset-ondelete", Healthy, "daemon set 1 out of 3 new pods have been updated"),
    // ReplicaSet
    ("replicaset-healthy", Healthy, "3 of 3 replicas available"),
    ("replicaset-replica-failure", Degraded, "exceeded quota: compute-quota"),
    ("replicaset-scaling-up", Progressing, "Waiting for rollout to finish: 3 out of 4 new replicas are available..."),
    // Pod
    ("pod-running-ready", Healthy, "Running, 2/2 containers ready"),
    ("pod-crashloopbackoff", Degraded, "container \"api\" is in CrashLoopBackOff: back-off 2m40s restarting failed container=api"),
    ("pod-imagepullbackoff", Degraded, "container \"web\" is in ImagePullBackOff: Back-off pulling image \"ghcr.io/example/web:1.9.0-typo\""),
    ("pod-errimagepull", Degraded, "ErrImagePull: failed to pull and unpack image"),
    ("pod-config-error", Degraded, "CreateContainerConfigError: secret \"worker-credentials\" not found"),
    ("pod-pending-unschedulable", Progressing, "Unschedulable: 0/3 nodes are available: 3 Insufficient cpu."),
    ("pod-container-creating", Progressing, "container \"web\" is waiting: ContainerCreating"),
    ("pod-init-crashloop", Progressing, "init container \"migrate\" is waiting: CrashLoopBackOff"),
    ("pod-running-not-ready", Progressing, "Running, 0/1 containers ready: containers with unready status: [api]"),
    ("pod-running-restarted-not-ready", Degraded, "container \"cache\" is not ready after 3 restarts (last exit: OOMKilled, exit code 137)"),
    ("pod-succeeded", Healthy, "Pod completed successfully"),
    ("pod-failed-oomkilled", Degraded, "container \"report\" was OOMKilled (exit code 137)"),
    ("pod-failed-exit-code", Degraded, "container \"smoke\" failed with exit code 2"),
    ("pod-failed-termination-message", Degraded, "migration 0042_add_orders_index failed: relation \"orders\" does not exist"),
    ("pod-evicted", Degraded, "Evicted: The node was low on resource: memory."),
    ("pod-hook-running", Progressing, "Pod is running"),
    ("pod-unknown-phase", Unknown, "NodeLost: Node worker-4 which was running pod"),
    // Job
    ("job-complete", Healthy, "Reached expected number of succeeded pods"),
    ("job-complete-legacy", Healthy, "Job completed: 5 succeeded"),
    ("job-failed", Degraded, "BackoffLimitExceeded: Job has reached the specified backoff limit"),
    ("job-running", Progressing, "Job is running: 2 active, 1 succeeded, 1 failed"),
    ("job-suspended", Suspended, "Job is suspended: Job suspended"),
    ("job-resumed", Progressing, "Job is running: 1 active"),
    // CronJob
    ("cronjob-healthy", Healthy, "CronJob has completed its last execution successfully (at 2024-05-07T00:00:42Z)"),
    ("cronjob-suspended", Suspended, "CronJob is suspended"),
    ("cronjob-last-run-failed", Degraded, "CronJob has not completed its last execution successfully (last scheduled at 2024-05-07T01:00:00Z, last success at 2024-05-06T23:00:51Z)"),
    ("cronjob-never-succeeded", Degraded, "never succeeded"),
    ("cronjob-running", Progressing, "The job scheduled at 2024-05-07T06:00:00Z is running"),
    ("cronjob-not-scheduled", Healthy, "CronJob has not been scheduled yet"),
    // Service and Ingress
    ("service-clusterip", Healthy, ""),
    ("service-loadbalancer-pending", Progressing, "Waiting for the load balancer to be assigned an address"),
    ("service-loadbalancer-ready", Healthy, "Load balancer at 203.0.113.10"),
    ("ingress-no-address", Progressing, "Waiting for the ingress controller to assign an address"),
    ("ingress-with-address", Healthy, "Ingress at k8s-shop-web-3f2a1b0c9d-1234567890.eu-west-1.elb.amazonaws.com"),
    // PersistentVolumeClaim
    ("pvc-bound", Healthy, "Bound to volume pvc-8c7b6a5f-4e3d-4c2b-a1f0-9e8d7c6b5a4f"),
    ("pvc-pending", Progressing, "Waiting for a volume to be bound (storage class gp3)"),
    ("pvc-lost", Degraded, "pvc-1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b no longer exists"),
    // HorizontalPodAutoscaler
    ("hpa-v2-healthy", Healthy, "3 replicas (min 2, max 10); the desired count is within the acceptable range"),
    ("hpa-v2-unable-to-scale", Degraded, "FailedGetScale: the HPA controller was unable to get the target's current scale"),
    ("hpa-v2-metrics-unavailable", Degraded, "FailedGetResourceMetric: the HPA was unable to compute the replica count"),
    ("hpa-v2-no-conditions", Progressing, "Waiting to Autoscale"),
    ("hpa-v1-annotation", Healthy, "2 replicas (min 2, max 5); the desired replica count is less than the minimum replica count"),
    // Namespace and APIService
    ("namespace-active", Healthy, ""),
    ("namespace-terminating", Progressing, "Pending deletion"),
    ("apiservice-available", Healthy, "Passed: all checks passed"),
    ("apiservice-unavailable", Progressing, "MissingEndpoints: endpoints for service/metrics-server"),
    // Kinds without a health signal
    ("configmap", Healthy, ""),
    ("clusterrolebinding", Healthy, ""),
    ("custom-no-status", Healthy, ""),
    ("custom-unreadable-status", Healthy, "no health check for PodDisruptionBudget"),
    // Custom resources, by shared condition conventions
    ("certificate-ready", Healthy, "Certificate is up to date and has not expired"),
    ("certificate-ready-false", Degraded, "DoesNotExist: Issuing certificate as Secret does not exist"),
    ("database-ready-false", Degraded, "ProvisioningFailed: volume provisioning failed: storageclass \"fast-ssd\" not found"),
    ("database-ready-false-progressing", Progressing, "Reconciling: 2 of 3 instances are ready"),
    ("database-generation-not-observed", Progressing, "Waiting for the controller to observe generation 5 (observed 4)"),
    ("flux-kustomization-stalled", Degraded, "Stalled: BuildFailed: kustomize build failed"),
    ("flux-helmrelease-reconciling", Progressing, "Progressing: Running 'upgrade' action with timeout of 5m0s"),
    ("flux-helmrelease-retrying", Degraded, "UpgradeFailed: Helm upgrade failed for release apps/podinfo"),
    ("flux-gitrepository-suspended", Suspended, "GitRepository is suspended"),
    ("flux-gitrepository-ready", Healthy, "stored artifact for revision"),
    ("crossplane-bucket-not-synced", Degraded, "Not synced: ReconcileError: create failed"),
    ("custom-available-false", Degraded, "MinimumReplicasUnavailable: 0 of 2 replicas are available"),
];

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/health")
}

fn load(name: &str) -> Value {
    let path = fixture_dir().join(format!("{name}.yaml"));
    let text =
        fs::read_to_string(&path).unwrap_or_else(|err| panic!("reading {}: {err}", path.display()));
    serde_saphyr::from_str(&text).unwrap_or_else(|err| panic!("parsing {name}: {err}"))
}

fn assess(name: &str) -> Health {
    health::assess(&load(name))
}

#[test]
fn fixtures_have_the_expected_health() {
    let mut failures = Vec::new();
    for (name, status, fragment) in CASES {
        let health = assess(name);
        let message_ok = if fragment.is_empty() {
            health.message.is_empty()
        } else {
            health.message.contains(fragment)
        };
        if health.status != *status || !message_ok {
            failures.push(format!(
                "{name}: got {:?} {:?}, want {status:?} containing {fragment:?}",
                health.status, health.message
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fixture_is_in_the_table() {
    let mut names: Vec<String> = fs::read_dir(fixture_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut listed: Vec<&str> = CASES.iter().map(|(name, _, _)| *name).collect();
    listed.sort_unstable();
    let unlisted: Vec<&String> = names
        .iter()
        .filter(|name| listed.binary_search(&name.as_str()).is_err())
        .collect();
    assert!(
        unlisted.is_empty(),
        "fixtures missing from CASES: {unlisted:?}"
    );
    assert_eq!(names.len(), CASES.len(), "a fixture is listed twice");
}

#[test]
fn missing_objects_are_missing() {
    let health = health::missing();
    assert_eq!(health.status, Missing);
    assert!(!health.message.is_empty());
}

#[test]
fn worst_of_no_objects_is_healthy() {
    assert_eq!(health::worst([]), Healthy);
}

#[test]
fn worst_follows_argo_order() {
    let of = |statuses: &[HealthStatus]| {
        let healths: Vec<Health> = statuses.iter().map(|s| Health::new(*s, "")).collect();
        health::worst(&healths)
    };
    assert_eq!(of(&[Healthy, Healthy]), Healthy);
    assert_eq!(of(&[Healthy, Suspended]), Suspended);
    assert_eq!(of(&[Suspended, Progressing, Healthy]), Progressing);
    assert_eq!(of(&[Progressing, Missing]), Missing);
    assert_eq!(of(&[Missing, Degraded, Progressing]), Degraded);
    assert_eq!(of(&[Degraded, Unknown]), Unknown);
    assert_eq!(of(&[Unknown, Healthy, Degraded]), Unknown);
}

#[test]
fn worst_of_an_app_mid_rollout() {
    // A ConfigMap (no health), a rolling Deployment, its crash-looping pod and a
    // Service: the app is as bad as the pod.
    let healths: Vec<Health> = [
        "configmap",
        "deployment-rollout-new-replicas",
        "pod-crashloopbackoff",
        "service-clusterip",
    ]
    .iter()
    .map(|name| assess(name))
    .collect();
    assert_eq!(health::worst(&healths), Degraded);

    let mut with_missing = vec![assess("configmap"), assess("deployment-healthy")];
    assert_eq!(health::worst(&with_missing), Healthy);
    with_missing.push(health::missing());
    assert_eq!(health::worst(&with_missing), Missing);
}
