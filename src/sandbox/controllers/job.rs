//! The Job controller (pods up to `parallelism` until `completions` succeed, or
//! `backoffLimit` failures end it) and the CronJob controller (a Job per schedule
//! time, concurrency policy, history limits, `lastScheduleTime`).

use std::str::FromStr;
use std::sync::Arc;

use jiff::tz::TimeZone;
use serde_json::{Value, json};

use super::super::api::meta;
use super::context::{Ctl, controller_ref, int_at, is_terminating, pod_ready, time_at};
use super::replicaset::create_pod;

const MANAGER: &str = "kube-controller-manager";

fn has_condition(object: &Value, kind: &str) -> bool {
    object
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter().any(|c| {
                c.get("type").and_then(Value::as_str) == Some(kind)
                    && c.get("status").and_then(Value::as_str) == Some("True")
            })
        })
}

pub fn finished(job: &Value) -> bool {
    has_condition(job, "Complete") || has_condition(job, "Failed")
}

fn phase(pod: &Value) -> &str {
    meta::str_field(pod, "/status/phase").unwrap_or("Pending")
}

pub fn reconcile_jobs(ctl: &Ctl) {
    let pods = ctl.list("", "Pod");
    for job in ctl.list("batch", "Job") {
        if is_terminating(&job) {
            continue;
        }
        let owned: Vec<&Arc<Value>> = ctl.owned_by(&job, &pods);
        reconcile_job(ctl, &job, &owned);
    }
}

fn reconcile_job(ctl: &Ctl, job: &Value, owned: &[&Arc<Value>]) {
    let now = ctl.now_text();
    if finished(job) {
        if let (Some(ttl), Some(done)) = (
            int_at(job, "/spec/ttlSecondsAfterFinished"),
            time_at(job, "/status/completionTime")
                .or_else(|| time_at(job, "/status/conditions/0/lastTransitionTime")),
        ) && ctl.since(done) >= jiff::SignedDuration::from_secs(ttl)
        {
            ctl.delete(job);
        }
        return;
    }
    let completions = int_at(job, "/spec/completions").unwrap_or(1);
    let parallelism = int_at(job, "/spec/parallelism").unwrap_or(1);
    let backoff_limit = int_at(job, "/spec/backoffLimit").unwrap_or(6);
    let suspended = job.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true);
    let count = |p: &str| owned.iter().filter(|pod| phase(pod) == p).count() as i64;
    let succeeded = count("Succeeded");
    let restarts: i64 = owned
        .iter()
        .flat_map(|p| {
            p.pointer("/status/containerStatuses")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|s| s.get("restartCount").and_then(Value::as_i64))
        .sum();
    let failed = count("Failed") + restarts;
    let active: Vec<&&Arc<Value>> = owned
        .iter()
        .filter(|p| !matches!(phase(p), "Succeeded" | "Failed") && !is_terminating(p))
        .collect();
    let mut status = json!({
        "startTime": job.pointer("/status/startTime").cloned().unwrap_or_else(|| now.clone().into()),
        "active": active.len(),
        "succeeded": succeeded,
        "failed": failed,
        "ready": active.iter().filter(|p| pod_ready(p)).count(),
        "terminating": 0,
        "uncountedTerminatedPods": {},
    });
    // A condition keeps its times while it holds, so an unchanged Job is not rewritten.
    let condition = |kind: &str, reason: &str, message: &str| {
        let since = job
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .and_then(|cs| {
                cs.iter()
                    .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
            })
            .and_then(|c| c.get("lastTransitionTime").cloned())
            .unwrap_or_else(|| now.clone().into());
        json!({"type": kind, "status": "True", "lastProbeTime": since, "lastTransitionTime": since, "reason": reason, "message": message})
    };
    if succeeded >= completions {
        status["conditions"] = json!([
            condition(
                "SuccessCriteriaMet",
                "CompletionsReached",
                "Reached expected number of succeeded pods"
            ),
            condition(
                "Complete",
                "CompletionsReached",
                "Reached expected number of succeeded pods"
            ),
        ]);
        status["completionTime"] = now.clone().into();
        status["active"] = 0.into();
        ctl.event(job, false, "Completed", "Job completed", "job-controller");
    } else if failed > backoff_limit {
        status["conditions"] = json!([
            condition(
                "FailureTarget",
                "BackoffLimitExceeded",
                "Job has reached the specified backoff limit"
            ),
            condition(
                "Failed",
                "BackoffLimitExceeded",
                "Job has reached the specified backoff limit"
            ),
        ]);
        status["active"] = 0.into();
        for pod in &active {
            ctl.terminate_pod(pod);
        }
        ctl.event(
            job,
            true,
            "BackoffLimitExceeded",
            "Job has reached the specified backoff limit",
            "job-controller",
        );
    } else if suspended {
        status["conditions"] = json!([condition("Suspended", "JobSuspended", "Job suspended")]);
        for pod in &active {
            ctl.terminate_pod(pod);
        }
    } else {
        let wanted = parallelism.min(completions - succeeded) - active.len() as i64;
        for _ in 0..wanted.clamp(0, super::BURST) {
            if let Some(pod) = create_pod(ctl, job, "", None) {
                ctl.event(
                    job,
                    false,
                    "SuccessfulCreate",
                    &format!("Created pod: {}", meta::name(&pod)),
                    "job-controller",
                );
            }
        }
    }
    if let Some(map) = status.as_object_mut() {
        map.retain(|k, v| k == "active" || k == "ready" || v.as_i64() != Some(0));
    }
    ctl.set_status(job, status, MANAGER);
}

/// A Kubernetes (5-field) cron schedule as the `cron` syntax with seconds.
pub fn parse_schedule(text: &str) -> Option<jiff_cron::Schedule> {
    let text = text.trim();
    let expression = if text.starts_with('@') {
        text.to_owned()
    } else {
        format!("0 {text}")
    };
    jiff_cron::Schedule::from_str(&expression).ok()
}

pub fn reconcile_cronjobs(ctl: &Ctl) {
    let jobs = ctl.list("batch", "Job");
    for cronjob in ctl.list("batch", "CronJob") {
        if is_terminating(&cronjob) {
            continue;
        }
        let owned: Vec<&Arc<Value>> = ctl.owned_by(&cronjob, &jobs);
        reconcile_cronjob(ctl, &cronjob, &owned);
    }
}

fn reconcile_cronjob(ctl: &Ctl, cronjob: &Value, owned: &[&Arc<Value>]) {
    let name = meta::name(cronjob);
    let suspended = cronjob.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true);
    let active: Vec<&&Arc<Value>> = owned.iter().filter(|j| !finished(j)).collect();
    let mut last_schedule = time_at(cronjob, "/status/lastScheduleTime");
    let schedule = cronjob
        .pointer("/spec/schedule")
        .and_then(Value::as_str)
        .and_then(parse_schedule);
    let Some(schedule) = schedule else {
        ctl.event(
            cronjob,
            true,
            "UnparseableSchedule",
            "unparseable schedule",
            "cronjob-controller",
        );
        return;
    };
    let since = last_schedule
        .or_else(|| time_at(cronjob, "/metadata/creationTimestamp"))
        .unwrap_or(ctl.now);
    // Only the latest missed time runs (after downtime or a resume), as the real
    // controller does; the walk over missed times is bounded.
    let due = schedule
        .after(since.to_zoned(TimeZone::UTC))
        .take(10_000)
        .map(|z| z.timestamp())
        .take_while(|t| *t <= ctl.now)
        .last();
    if let Some(at) = due
        && !suspended
    {
        let policy = cronjob
            .pointer("/spec/concurrencyPolicy")
            .and_then(Value::as_str)
            .unwrap_or("Allow");
        let skip = policy == "Forbid" && !active.is_empty();
        if policy == "Replace" {
            for job in &active {
                ctl.delete(job);
            }
        }
        if !skip {
            let job_name = format!("{name}-{}", at.as_second() / 60);
            let template = cronjob
                .pointer("/spec/jobTemplate")
                .cloned()
                .unwrap_or(json!({}));
            let mut metadata = template.get("metadata").cloned().unwrap_or(json!({}));
            metadata["name"] = job_name.clone().into();
            metadata["namespace"] = meta::namespace(cronjob).into();
            metadata["ownerReferences"] = json!([controller_ref(cronjob)]);
            metadata["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"] =
                meta::timestamp(at).into();
            let job = json!({
                "apiVersion": "batch/v1",
                "kind": "Job",
                "metadata": metadata,
                "spec": template.get("spec").cloned().unwrap_or(json!({})),
            });
            if ctl.create("batch", "Job", job, MANAGER).is_some() {
                ctl.event(
                    cronjob,
                    false,
                    "SuccessfulCreate",
                    &format!("Created job {job_name}"),
                    "cronjob-controller",
                );
            }
            last_schedule = Some(at);
        }
    }
    prune_history(ctl, cronjob, owned);
    let refs: Vec<Value> = active
        .iter()
        .map(|j| json!({"apiVersion": "batch/v1", "kind": "Job", "name": meta::name(j), "namespace": meta::namespace(j), "uid": meta::uid(j)}))
        .collect();
    let mut status = json!({});
    if !refs.is_empty() {
        status["active"] = Value::Array(refs);
    }
    if let Some(at) = last_schedule {
        status["lastScheduleTime"] = meta::timestamp(at).into();
    }
    let last_success = owned
        .iter()
        .filter_map(|j| j.pointer("/status/completionTime").and_then(Value::as_str))
        .max();
    if let Some(at) = last_success {
        status["lastSuccessfulTime"] = at.into();
    }
    ctl.set_status(cronjob, status, MANAGER);
}

fn prune_history(ctl: &Ctl, cronjob: &Value, owned: &[&Arc<Value>]) {
    for (condition, limit_field, default) in [
        ("Complete", "/spec/successfulJobsHistoryLimit", 3),
        ("Failed", "/spec/failedJobsHistoryLimit", 1),
    ] {
        let limit = usize::try_from(int_at(cronjob, limit_field).unwrap_or(default)).unwrap_or(0);
        let mut done: Vec<&&Arc<Value>> = owned
            .iter()
            .filter(|j| has_condition(j, condition))
            .collect();
        done.sort_by_key(|j| {
            meta::str_field(j, "/metadata/creationTimestamp")
                .unwrap_or_default()
                .to_owned()
        });
        let excess = done.len().saturating_sub(limit);
        for job in done.into_iter().take(excess) {
            ctl.delete(job);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubernetes_schedules_parse() {
        assert!(parse_schedule("*/5 * * * *").is_some());
        assert!(parse_schedule("0 3 * * 1").is_some());
        assert!(parse_schedule("@hourly").is_some());
        assert!(parse_schedule("not a schedule").is_none());
    }
}
