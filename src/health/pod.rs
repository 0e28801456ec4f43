//! Pod health: Argo CD's `getCorev1PodHealth`. Long-running pods
//! (`restartPolicy: Always`) are judged by their containers' waiting reasons and
//! readiness; run-to-completion pods only by phase, because Argo uses those as sync
//! hooks and an image pull hiccup must not fail a hook that would then succeed.

use serde_json::Value;

use super::{ReadError, conditions, field, int_or_zero, items, text};
use crate::model::Health;

pub(super) fn assess(object: &Value) -> Result<Health, ReadError> {
    let restart_policy = text(object, &["spec", "restartPolicy"])?;
    let statuses = items(object, &["status", "containerStatuses"])?;
    let init_statuses = items(object, &["status", "initContainerStatuses"])?;
    let pod_message = pod_message(object)?;

    if restart_policy == "Always" {
        let mut problems = Vec::new();
        for status in statuses {
            let reason = text(status, &["state", "waiting", "reason"])?;
            if is_error_reason(reason) {
                let message = text(status, &["state", "waiting", "message"])?;
                let container = text(status, &["name"])?;
                problems.push(if message.is_empty() {
                    format!("container \"{container}\" is in {reason}")
                } else {
                    format!("container \"{container}\" is in {reason}: {message}")
                });
            }
        }
        if !problems.is_empty() {
            return Ok(Health::degraded(problems.join("; ")));
        }
    }

    let conditions = conditions::read(object)?;
    let phase = text(object, &["status", "phase"])?;
    match phase {
        "Pending" => Ok(Health::progressing(if pod_message.is_empty() {
            pending_reason(&conditions, init_statuses, statuses)?
        } else {
            pod_message
        })),
        "Succeeded" => Ok(Health::healthy(or(pod_message, || {
            "Pod completed successfully".to_owned()
        }))),
        "Failed" => {
            if !pod_message.is_empty() {
                return Ok(Health::degraded(pod_message));
            }
            for status in init_statuses.iter().chain(statuses) {
                if let Some(message) = failure(status)? {
                    return Ok(Health::degraded(message));
                }
            }
            Ok(Health::degraded("Pod failed"))
        }
        "Running" => match restart_policy {
            "Always" => running(pod_message, &conditions, statuses),
            // Finite pods are hooks or one-off tasks: running is not done yet.
            "OnFailure" | "Never" => Ok(Health::progressing(or(pod_message, || {
                "Pod is running".to_owned()
            }))),
            _ => Ok(Health::unknown(or(pod_message, || {
                format!("Pod is running with restart policy \"{restart_policy}\"")
            }))),
        },
        _ => Ok(Health::unknown(or(pod_message, || {
            if phase.is_empty() {
                "Pod has no phase yet".to_owned()
            } else {
                format!("Pod phase is {phase}")
            }
        }))),
    }
}

/// Argo's test for a waiting container that will not start by itself
/// (`ErrImagePull`, `ImagePullBackOff`, `CrashLoopBackOff`,
/// `CreateContainerConfigError`, …), plus `InvalidImageName`, which is just as
/// final but matches none of Argo's patterns.
fn is_error_reason(reason: &str) -> bool {
    reason.starts_with("Err")
        || reason.ends_with("Error")
        || reason.ends_with("BackOff")
        || reason == "InvalidImageName"
}

/// `status.message`, prefixed by `status.reason` when the kubelet or evictor set
/// one ("Evicted: The node was low on resource: memory.").
fn pod_message(object: &Value) -> Result<String, ReadError> {
    let message = text(object, &["status", "message"])?;
    let reason = text(object, &["status", "reason"])?;
    Ok(match (reason.is_empty(), message.is_empty()) {
        (false, false) => format!("{reason}: {message}"),
        (false, true) => reason.to_owned(),
        (true, _) => message.to_owned(),
    })
}

/// Argo shows the pod's own message; when the pod has none we say what we see.
fn or(message: String, fallback: impl FnOnce() -> String) -> String {
    if message.is_empty() {
        fallback()
    } else {
        message
    }
}

fn running(
    pod_message: String,
    conditions: &[conditions::Condition<'_>],
    statuses: &[Value],
) -> Result<Health, ReadError> {
    let ready_count = statuses
        .iter()
        .filter(|s| s.get("ready").and_then(Value::as_bool) == Some(true))
        .count();
    let ready = conditions::find(conditions, "Ready");
    if ready.is_some_and(|c| c.is_true()) {
        return Ok(Health::healthy(or(pod_message, || {
            format!("Running, {ready_count}/{} containers ready", statuses.len())
        })));
    }
    // Not ready after a container has already died once: it is failing, not
    // starting.
    for status in statuses {
        if let Some(terminated) = field(status, &["lastState", "terminated"])? {
            let container = text(status, &["name"])?;
            let restarts = int_or_zero(status, &["restartCount"])?;
            let reason = text(terminated, &["reason"])?;
            let exit_code = int_or_zero(terminated, &["exitCode"])?;
            return Ok(Health::degraded(or(pod_message, || {
                format!(
                    "container \"{container}\" is not ready after {restarts} restarts (last exit: {reason}, exit code {exit_code})"
                )
            })));
        }
    }
    Ok(Health::progressing(or(pod_message, || match ready {
        Some(ready) if !ready.message.is_empty() => format!(
            "Running, {ready_count}/{} containers ready: {}",
            statuses.len(),
            ready.message
        ),
        _ => format!("Running, {ready_count}/{} containers ready", statuses.len()),
    })))
}

/// Why a pod is still pending: unschedulable, or a container still waiting
/// (pulling, creating, or an init container crash-looping).
fn pending_reason(
    conditions: &[conditions::Condition<'_>],
    init_statuses: &[Value],
    statuses: &[Value],
) -> Result<String, ReadError> {
    if let Some(scheduled) = conditions::find(conditions, "PodScheduled").filter(|c| c.is_false()) {
        return Ok(scheduled.summary());
    }
    for (role, status) in init_statuses
        .iter()
        .map(|s| ("init container", s))
        .chain(statuses.iter().map(|s| ("container", s)))
    {
        let reason = text(status, &["state", "waiting", "reason"])?;
        if reason.is_empty() {
            continue;
        }
        let container = text(status, &["name"])?;
        let message = text(status, &["state", "waiting", "message"])?;
        return Ok(if message.is_empty() {
            format!("{role} \"{container}\" is waiting: {reason}")
        } else {
            format!("{role} \"{container}\" is waiting: {reason}: {message}")
        });
    }
    Ok("Pod is pending".to_owned())
}

/// Argo's `getFailMessage`: the container's own termination message, else
/// OOMKilled, else a non-zero exit code.
fn failure(status: &Value) -> Result<Option<String>, ReadError> {
    let Some(terminated) = field(status, &["state", "terminated"])? else {
        return Ok(None);
    };
    let container = text(status, &["name"])?;
    let message = text(terminated, &["message"])?;
    let reason = text(terminated, &["reason"])?;
    let exit_code = int_or_zero(terminated, &["exitCode"])?;
    Ok(if !message.is_empty() {
        Some(message.trim_end().to_owned())
    } else if reason == "OOMKilled" {
        Some(format!(
            "container \"{container}\" was OOMKilled (exit code {exit_code})"
        ))
    } else if exit_code != 0 {
        Some(format!(
            "container \"{container}\" failed with exit code {exit_code}"
        ))
    } else {
        None
    })
}
