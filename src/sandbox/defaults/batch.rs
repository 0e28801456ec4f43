//! `batch/v1` defaults: Job and CronJob.
//!
//! A Job gets `SetDefaults_Job` plus the selector the Job strategy generates on
//! create (unless `manualSelector` is true): template labels naming the job and its
//! uid, and a selector on the uid. The uid is the object's own `metadata.uid`, which
//! the store sets before defaulting; without one nothing is generated. A CronJob's
//! job template gets only pod-template defaults: Kubernetes does not run the Job
//! defaults on it, so `backoffLimit` and friends appear only on the Jobs it creates.

use serde_json::Value;

use super::fields::{
    Object, child, default_unset, default_zero, each, embedded_metadata, existing, is_unset,
};
use super::pod::{PodSite, default_template};

const CONTROLLER_UID: &str = "batch.kubernetes.io/controller-uid";
const JOB_NAME: &str = "batch.kubernetes.io/job-name";
const LEGACY_CONTROLLER_UID: &str = "controller-uid";
const LEGACY_JOB_NAME: &str = "job-name";
const BACKOFF_LIMIT: i32 = 6;

pub(super) fn default_job(job: &mut Object) {
    let Some(spec) = child(job, "spec") else {
        return;
    };
    default_job_spec(spec);
    // Defaulting copies the template's labels onto a Job that has none; on a real
    // cluster it runs again when the object is read back, after the selector labels
    // were generated, so a Job written without labels reads back with those.
    copy_template_labels(job);
    generate_selector(job);
    copy_template_labels(job);
    if let Some(spec) = existing(job, "spec") {
        default_template(spec, PodSite::JobTemplate);
    }
}

pub(super) fn default_cron_job(cron_job: &mut Object) {
    let Some(spec) = child(cron_job, "spec") else {
        return;
    };
    default_zero(spec, "concurrencyPolicy", "Allow");
    default_unset(spec, "suspend", false);
    default_unset(spec, "successfulJobsHistoryLimit", 3);
    default_unset(spec, "failedJobsHistoryLimit", 1);
    if let Some(job_template) = child(spec, "jobTemplate") {
        embedded_metadata(job_template);
        if let Some(job_spec) = child(job_template, "spec") {
            default_template(job_spec, PodSite::JobTemplate);
        }
    }
}

fn default_job_spec(spec: &mut Object) {
    // A non-parallel Job may leave both out; then both are 1.
    if is_unset(spec, "completions") && is_unset(spec, "parallelism") {
        spec.insert("completions".to_owned(), 1.into());
    }
    default_unset(spec, "parallelism", 1);
    let backoff = if is_unset(spec, "backoffLimitPerIndex") {
        BACKOFF_LIMIT
    } else {
        i32::MAX
    };
    default_unset(spec, "backoffLimit", backoff);
    default_unset(spec, "completionMode", "NonIndexed");
    default_unset(spec, "suspend", false);
    let has_failure_policy = !is_unset(spec, "podFailurePolicy");
    if let Some(policy) = existing(spec, "podFailurePolicy") {
        for rule in each(policy, "rules") {
            for pattern in each(rule, "onPodConditions") {
                default_zero(pattern, "status", "True");
            }
        }
    }
    let replacement = if has_failure_policy {
        "Failed"
    } else {
        "TerminatingOrFailed"
    };
    default_unset(spec, "podReplacementPolicy", replacement);
}

/// `obj.Labels = obj.Spec.Template.Labels` when the Job has none.
fn copy_template_labels(job: &mut Object) {
    let template_labels = job
        .get("spec")
        .and_then(|s| s.get("template"))
        .and_then(|t| t.get("metadata"))
        .and_then(|m| m.get("labels"))
        .filter(|labels| labels.as_object().is_some_and(|l| !l.is_empty()))
        .cloned();
    let Some(labels) = template_labels else {
        return;
    };
    let Some(metadata) = child(job, "metadata") else {
        return;
    };
    let job_has_labels = metadata
        .get("labels")
        .and_then(Value::as_object)
        .is_some_and(|l| !l.is_empty());
    if !job_has_labels {
        metadata.insert("labels".to_owned(), labels);
    }
}

/// The Job strategy's `generateSelector`: labels the user already wrote are kept
/// (validation rejects a conflicting one), and the selector matches the uid only.
fn generate_selector(job: &mut Object) {
    let Some(metadata) = job.get("metadata") else {
        return;
    };
    let uid = metadata
        .get("uid")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let name = metadata
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let Some(spec) = existing(job, "spec") else {
        return;
    };
    let manual = spec.get("manualSelector").and_then(Value::as_bool) == Some(true);
    if uid.is_empty() || manual {
        return;
    }
    let template_labels = child(spec, "template")
        .and_then(|t| child(t, "metadata"))
        .and_then(|m| child(m, "labels"));
    if let Some(labels) = template_labels {
        for (key, value) in [
            (LEGACY_JOB_NAME, &name),
            (JOB_NAME, &name),
            (LEGACY_CONTROLLER_UID, &uid),
            (CONTROLLER_UID, &uid),
        ] {
            labels.entry(key).or_insert_with(|| value.clone().into());
        }
    }
    if let Some(match_labels) = child(spec, "selector").and_then(|s| child(s, "matchLabels")) {
        match_labels
            .entry(CONTROLLER_UID)
            .or_insert_with(|| uid.into());
    }
}
