//! Job and CronJob.

use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use super::{Case, check, defaulted};

const UID: &str = "863452e6-a8c8-4b9f-bfd2-3c5d1f0e2a71";

fn pi_container() -> Value {
    json!({"name": "pi", "image": "perl:5.34.0", "command": ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"]})
}

fn stored_pi_container() -> Value {
    json!({
        "command": ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"],
        "image": "perl:5.34.0",
        "imagePullPolicy": "IfNotPresent",
        "name": "pi",
        "resources": {},
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    })
}

fn generated_labels() -> Value {
    json!({
        "batch.kubernetes.io/controller-uid": UID,
        "batch.kubernetes.io/job-name": "pi",
        "controller-uid": UID,
        "job-name": "pi",
    })
}

/// The pod spec part of a Job template that reads back, for `restart_policy`.
fn stored_job_pod_spec(restart_policy: &str) -> Value {
    json!({
        "containers": [stored_pi_container()],
        "dnsPolicy": "ClusterFirst",
        "restartPolicy": restart_policy,
        "schedulerName": "default-scheduler",
        "securityContext": {},
        "terminationGracePeriodSeconds": 30,
    })
}

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "the pi job from the Kubernetes docs",
            group: "batch",
            kind: "Job",
            manifest: json!({
                "apiVersion": "batch/v1",
                "kind": "Job",
                "metadata": {"name": "pi", "namespace": "default", "uid": UID},
                "spec": {
                    "backoffLimit": 4,
                    "template": {"spec": {"containers": [pi_container()], "restartPolicy": "Never"}},
                },
            }),
            stored: json!({
                "apiVersion": "batch/v1",
                "kind": "Job",
                "metadata": {"labels": generated_labels(), "name": "pi", "namespace": "default", "uid": UID},
                "spec": {
                    "backoffLimit": 4,
                    "completionMode": "NonIndexed",
                    "completions": 1,
                    "parallelism": 1,
                    "podReplacementPolicy": "TerminatingOrFailed",
                    "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": UID}},
                    "suspend": false,
                    "template": {
                        "metadata": {"creationTimestamp": null, "labels": generated_labels()},
                        "spec": stored_job_pod_spec("Never"),
                    },
                },
            }),
        },
        Case {
            // The job's own labels come from the template as the user wrote it.
            name: "job with template labels, parallel, failure policy",
            group: "batch",
            kind: "Job",
            manifest: json!({
                "kind": "Job",
                "metadata": {"name": "pi", "uid": UID},
                "spec": {
                    "parallelism": 3,
                    "podFailurePolicy": {"rules": [{"action": "Ignore",
                        "onPodConditions": [{"type": "DisruptionTarget"}]}]},
                    "template": {
                        "metadata": {"labels": {"app": "pi"}},
                        "spec": {"containers": [pi_container()], "restartPolicy": "OnFailure"},
                    },
                },
            }),
            stored: json!({
                "kind": "Job",
                "metadata": {"labels": {"app": "pi"}, "name": "pi", "uid": UID},
                "spec": {
                    "backoffLimit": 6,
                    "completionMode": "NonIndexed",
                    "parallelism": 3,
                    "podFailurePolicy": {"rules": [{"action": "Ignore",
                        "onPodConditions": [{"status": "True", "type": "DisruptionTarget"}]}]},
                    "podReplacementPolicy": "Failed",
                    "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": UID}},
                    "suspend": false,
                    "template": {
                        "metadata": {"creationTimestamp": null, "labels": {
                            "app": "pi",
                            "batch.kubernetes.io/controller-uid": UID,
                            "batch.kubernetes.io/job-name": "pi",
                            "controller-uid": UID,
                            "job-name": "pi",
                        }},
                        "spec": stored_job_pod_spec("OnFailure"),
                    },
                },
            }),
        },
        Case {
            name: "indexed job with a manual selector",
            group: "batch",
            kind: "Job",
            manifest: json!({
                "kind": "Job",
                "metadata": {"name": "pi", "uid": UID},
                "spec": {
                    "completions": 5,
                    "completionMode": "Indexed",
                    "backoffLimitPerIndex": 1,
                    "manualSelector": true,
                    "selector": {"matchLabels": {"run": "pi"}},
                    "template": {
                        "metadata": {"labels": {"run": "pi"}},
                        "spec": {"containers": [pi_container()], "restartPolicy": "Never"},
                    },
                },
            }),
            stored: json!({
                "kind": "Job",
                "metadata": {"labels": {"run": "pi"}, "name": "pi", "uid": UID},
                "spec": {
                    "backoffLimit": 2_147_483_647,
                    "backoffLimitPerIndex": 1,
                    "completionMode": "Indexed",
                    "completions": 5,
                    "manualSelector": true,
                    "parallelism": 1,
                    "podReplacementPolicy": "TerminatingOrFailed",
                    "selector": {"matchLabels": {"run": "pi"}},
                    "suspend": false,
                    "template": {
                        "metadata": {"creationTimestamp": null, "labels": {"run": "pi"}},
                        "spec": stored_job_pod_spec("Never"),
                    },
                },
            }),
        },
        Case {
            name: "minimal cronjob",
            group: "batch",
            kind: "CronJob",
            manifest: json!({
                "apiVersion": "batch/v1",
                "kind": "CronJob",
                "metadata": {"name": "hello"},
                "spec": {
                    "schedule": "* * * * *",
                    "jobTemplate": {"spec": {"template": {"spec": {
                        "containers": [pi_container()], "restartPolicy": "OnFailure",
                    }}}},
                },
            }),
            stored: json!({
                "apiVersion": "batch/v1",
                "kind": "CronJob",
                "metadata": {"name": "hello"},
                "spec": {
                    "concurrencyPolicy": "Allow",
                    "failedJobsHistoryLimit": 1,
                    "jobTemplate": {
                        "metadata": {"creationTimestamp": null},
                        // No Job defaults here: only the Jobs it creates get them.
                        "spec": {"template": {
                            "metadata": {"creationTimestamp": null},
                            "spec": stored_job_pod_spec("OnFailure"),
                        }},
                    },
                    "schedule": "* * * * *",
                    "successfulJobsHistoryLimit": 3,
                    "suspend": false,
                },
            }),
        },
    ]
}

#[test]
fn jobs_match_their_fixtures() {
    check(cases());
}

#[test]
fn without_a_uid_no_selector_is_generated() {
    let job = json!({"kind": "Job", "metadata": {"name": "pi"},
        "spec": {"template": {"spec": {"containers": [pi_container()], "restartPolicy": "Never"}}}});
    let stored = defaulted("batch", "Job", &job);
    assert_eq!(stored["spec"].get("selector"), None);
    assert_eq!(stored["metadata"].get("labels"), None);
    assert_eq!(
        stored["spec"]["template"]["metadata"],
        json!({"creationTimestamp": null})
    );
}

#[test]
fn job_templates_keep_an_absent_restart_policy_for_validation() {
    let job = json!({"kind": "Job", "metadata": {"name": "pi", "uid": UID},
        "spec": {"template": {"spec": {"containers": [pi_container()]}}}});
    let stored = defaulted("batch", "Job", &job);
    assert_eq!(
        stored["spec"]["template"]["spec"].get("restartPolicy"),
        None
    );
}

#[test]
fn completions_are_defaulted_only_with_parallelism() {
    let spec_of = |spec: Value| {
        let job = json!({"kind": "Job", "spec": spec});
        let stored = defaulted("batch", "Job", &job);
        (
            stored["spec"].get("completions").cloned(),
            stored["spec"].get("parallelism").cloned(),
        )
    };
    assert_eq!(spec_of(json!({})), (Some(json!(1)), Some(json!(1))));
    assert_eq!(spec_of(json!({"parallelism": 4})), (None, Some(json!(4))));
    assert_eq!(
        spec_of(json!({"completions": 8})),
        (Some(json!(8)), Some(json!(1)))
    );
}

#[test]
fn user_values_in_jobs_are_kept() {
    let job = json!({"kind": "Job", "metadata": {"name": "pi", "uid": UID, "labels": {"team": "a"}},
    "spec": {
        "backoffLimit": 0, "completions": 2, "parallelism": 2, "completionMode": "Indexed",
        "suspend": true, "podReplacementPolicy": "Failed",
        "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": UID}},
        "template": {
            "metadata": {"creationTimestamp": null, "labels": generated_labels()},
            "spec": stored_job_pod_spec("Never"),
        },
    }});
    assert_eq!(defaulted("batch", "Job", &job), job);
    let cron_job = json!({"kind": "CronJob", "spec": {
        "schedule": "@daily", "concurrencyPolicy": "Forbid", "suspend": true,
        "successfulJobsHistoryLimit": 0, "failedJobsHistoryLimit": 0,
        "jobTemplate": {"metadata": {"creationTimestamp": null}, "spec": {"template": {
            "metadata": {"creationTimestamp": null}, "spec": stored_job_pod_spec("Never"),
        }}},
    }});
    assert_eq!(defaulted("batch", "CronJob", &cron_job), cron_job);
}
