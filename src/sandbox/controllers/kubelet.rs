//! The scheduler and the kubelets: pods get a node, then each container goes
//! ContainerCreating → Running → Ready after short delays; crashing images exit
//! (their logs end in a stack trace) and restart with a doubling CrashLoopBackOff;
//! images that cannot be pulled sit in ErrImagePull/ImagePullBackOff; Job pods run
//! to completion. Terminating pods are removed after a short grace. Phase,
//! conditions, IPs and Events follow from the container states.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::super::api::meta;
use super::super::logs::{self, Behaviour, LogSource};
use super::super::seed::NODES;
use super::super::workload::{self, Fate};
use super::context::{Ctl, is_terminating, time_at};

const MANAGER: &str = "kubelet";

/// From creation to the container running (pull and start).
const START_DELAY: SignedDuration = SignedDuration::from_secs(1);
/// From running to Ready when there is no readiness probe delay.
const READY_DELAY: SignedDuration = SignedDuration::from_secs(1);
/// How long a terminating pod lingers before it is gone.
const TERMINATION: SignedDuration = SignedDuration::from_secs(1);
/// The first crash-loop back-off; it doubles per restart up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: i64 = 10;
const MAX_BACKOFF: i64 = 160;

pub fn reconcile(ctl: &Ctl) {
    let pods = ctl.list("", "Pod");
    for (i, pod) in pods.iter().enumerate() {
        if is_terminating(pod) {
            finish_termination(ctl, pod);
            continue;
        }
        let Some(pod) = schedule(ctl, pod, i) else {
            continue;
        };
        run(ctl, &pod);
    }
}

fn finish_termination(ctl: &Ctl, pod: &Value) {
    let finalizers = pod
        .pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|f| !f.is_empty());
    let since = time_at(pod, "/metadata/deletionTimestamp").map(|deadline| {
        let grace = pod
            .pointer("/metadata/deletionGracePeriodSeconds")
            .and_then(Value::as_i64)
            .unwrap_or(30);
        deadline
            .checked_sub(SignedDuration::from_secs(grace.clamp(0, 86_400)))
            .unwrap_or(deadline)
    });
    if !finalizers && since.is_none_or(|s| ctl.since(s) >= TERMINATION) {
        ctl.delete(pod);
    }
}

/// Binds an unscheduled pod to a node (spread by position), as the scheduler does.
fn schedule(ctl: &Ctl, pod: &Arc<Value>, index: usize) -> Option<Arc<Value>> {
    if meta::str_field(pod, "/spec/nodeName").is_some() {
        return Some(pod.clone());
    }
    let node = NODES[(index + meta::name(pod).len()) % NODES.len()];
    let mut bound = (**pod).clone();
    bound["spec"]["nodeName"] = node.into();
    let bound = ctl.update(bound, "kube-scheduler")?;
    ctl.event(
        &bound,
        false,
        "Scheduled",
        &format!(
            "Successfully assigned {}/{} to {node}",
            meta::namespace(pod),
            meta::name(pod)
        ),
        "default-scheduler",
    );
    Some(bound)
}

fn node_index(pod: &Value) -> usize {
    let node = meta::str_field(pod, "/spec/nodeName").unwrap_or_default();
    NODES.iter().position(|n| *n == node).unwrap_or(0)
}

/// A stable pod IP in the node's pod CIDR.
fn pod_ip(pod: &Value) -> String {
    let uid = meta::uid(pod);
    let octet = uid
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
        % 250
        + 2;
    format!("10.244.{}.{octet}", node_index(pod))
}

fn run(ctl: &Ctl, pod: &Value) {
    let created = time_at(pod, "/metadata/creationTimestamp").unwrap_or(ctl.now);
    let restart_policy = meta::str_field(pod, "/spec/restartPolicy")
        .unwrap_or("Always")
        .to_owned();
    let containers = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let previous: Vec<Value> = pod
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut statuses = Vec::new();
    for container in &containers {
        let name = container
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let old = previous
            .iter()
            .find(|s| s.get("name").and_then(Value::as_str) == Some(name));
        let status = next_container_status(ctl, pod, container, old, created, &restart_policy);
        statuses.push(status);
    }
    let now = ctl.now_text();
    let started = statuses.iter().all(|s| {
        s.pointer("/state/running").is_some()
            || s.pointer("/lastState/terminated").is_some()
            || s.pointer("/state/terminated").is_some()
    });
    let all_ready = !statuses.is_empty()
        && statuses
            .iter()
            .all(|s| s.get("ready") == Some(&json!(true)));
    let terminated: Vec<&Value> = statuses
        .iter()
        .filter_map(|s| s.pointer("/state/terminated"))
        .collect();
    let phase = if terminated.len() == statuses.len() && !statuses.is_empty() {
        if terminated
            .iter()
            .all(|t| t.get("exitCode") == Some(&json!(0)))
        {
            "Succeeded"
        } else {
            "Failed"
        }
    } else if started {
        "Running"
    } else {
        "Pending"
    };
    let old_conditions = pod.pointer("/status/conditions");
    let condition = |kind: &str, ok: bool, reason: Option<&str>| {
        let status = if ok { "True" } else { "False" };
        let old = old_conditions.and_then(Value::as_array).and_then(|cs| {
            cs.iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
        });
        let transition = old
            .filter(|c| c.get("status").and_then(Value::as_str) == Some(status))
            .and_then(|c| c.get("lastTransitionTime").cloned())
            .unwrap_or_else(|| now.clone().into());
        let mut entry = json!({"type": kind, "status": status, "lastProbeTime": null, "lastTransitionTime": transition});
        if let Some(reason) = reason.filter(|_| !ok) {
            entry["reason"] = reason.into();
        }
        entry
    };
    let succeeded = phase == "Succeeded";
    let not_ready_reason = if succeeded {
        Some("PodCompleted")
    } else {
        Some("ContainersNotReady")
    };
    let mut status = json!({
        "phase": phase,
        "conditions": [
            condition("PodReadyToStartContainers", started || phase != "Pending", None),
            condition("Initialized", true, None),
            condition("Ready", all_ready, not_ready_reason),
            condition("ContainersReady", all_ready, not_ready_reason),
            condition("PodScheduled", true, None),
        ],
        "hostIP": format!("172.18.0.{}", node_index(pod) + 2),
        "hostIPs": [{"ip": format!("172.18.0.{}", node_index(pod) + 2)}],
        "startTime": meta::timestamp(created),
        "containerStatuses": statuses,
        "qosClass": qos_class(&containers),
    });
    if started {
        let ip = pod_ip(pod);
        status["podIP"] = ip.clone().into();
        status["podIPs"] = json!([{"ip": ip}]);
    }
    if let Some(inits) = pod
        .pointer("/spec/initContainers")
        .and_then(Value::as_array)
    {
        let done: Vec<Value> = inits
            .iter()
            .map(|c| json!({
                "name": c.get("name").cloned().unwrap_or(Value::Null),
                "image": c.get("image").cloned().unwrap_or(Value::Null),
                "imageID": "", "ready": true, "restartCount": 0, "started": false,
                "state": {"terminated": {"exitCode": 0, "reason": "Completed",
                                          "startedAt": meta::timestamp(created), "finishedAt": meta::timestamp(created)}},
            }))
            .collect();
        status["initContainerStatuses"] = Value::Array(done);
    }
    ctl.set_status(pod, status, MANAGER);
}

fn qos_class(containers: &[Value]) -> &'static str {
    let any_resources = containers.iter().any(|c| {
        c.pointer("/resources/requests")
            .is_some_and(|r| r.as_object().is_some_and(|m| !m.is_empty()))
            || c.pointer("/resources/limits")
                .is_some_and(|r| r.as_object().is_some_and(|m| !m.is_empty()))
    });
    let guaranteed = containers.iter().all(|c| {
        let limits = c.pointer("/resources/limits");
        let requests = c.pointer("/resources/requests");
        limits.is_some_and(|l| l.get("cpu").is_some() && l.get("memory").is_some())
            && requests.is_none_or(|r| Some(r) == limits)
    });
    if guaranteed && !containers.is_empty() {
        "Guaranteed"
    } else if any_resources {
        "Burstable"
    } else {
        "BestEffort"
    }
}

fn backoff(restarts: i64) -> SignedDuration {
    let seconds = FIRST_BACKOFF
        .saturating_mul(1i64 << restarts.saturating_sub(1).clamp(0, 10))
        .min(MAX_BACKOFF);
    SignedDuration::from_secs(seconds)
}

/// The next status of one container, derived from its previous status and the time.
fn next_container_status(
    ctl: &Ctl,
    pod: &Value,
    container: &Value,
    old: Option<&Value>,
    created: Timestamp,
    restart_policy: &str,
) -> Value {
    let name = container
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let image = container
        .get("image")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let restarts = old
        .and_then(|s| s.get("restartCount"))
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let last_state = old
        .and_then(|s| s.get("lastState"))
        .cloned()
        .unwrap_or(json!({}));
    let base = |state: Value, ready: bool, restarts: i64, last_state: Value| {
        let running = state.get("running").is_some();
        json!({
            "name": name,
            "state": state,
            "lastState": last_state,
            "ready": ready,
            "restartCount": restarts,
            "image": image,
            "imageID": format!("{}@sha256:{}", image.split(':').next().unwrap_or(image), image_digest(image)),
            "containerID": format!("containerd://{}", image_digest(&format!("{}{name}{restarts}", meta::uid(pod)))),
            "started": running,
        })
    };
    let waiting =
        |reason: &str, message: &str| json!({"waiting": {"reason": reason, "message": message}});
    let running_since = |at: Timestamp| json!({"running": {"startedAt": meta::timestamp(at)}});
    let old_state = old.and_then(|s| s.get("state"));
    let image_changed = old
        .and_then(|s| s.get("image"))
        .and_then(Value::as_str)
        .is_some_and(|i| i != image);

    if ctl.since(created) < START_DELAY && old_state.is_none() {
        return base(waiting("ContainerCreating", ""), false, 0, json!({}));
    }
    if workload::image_fate(image) == Fate::PullFails {
        let first = old_state
            .and_then(|s| s.pointer("/waiting/reason"))
            .and_then(Value::as_str)
            != Some("ErrImagePull")
            && old_state
                .and_then(|s| s.pointer("/waiting/reason"))
                .and_then(Value::as_str)
                != Some("ImagePullBackOff");
        if first {
            ctl.event(
                pod,
                false,
                "Pulling",
                &format!("Pulling image {image:?}"),
                MANAGER,
            );
            ctl.event(pod, true, "Failed", &format!("Failed to pull image {image:?}: rpc error: code = NotFound desc = failed to pull and unpack image {image:?}: not found"), MANAGER);
            return base(
                waiting(
                    "ErrImagePull",
                    &format!("failed to pull and unpack image {image:?}: not found"),
                ),
                false,
                0,
                json!({}),
            );
        }
        let already_backing_off = old_state
            .and_then(|s| s.pointer("/waiting/reason"))
            .and_then(Value::as_str)
            == Some("ImagePullBackOff");
        if !already_backing_off {
            ctl.event(
                pod,
                false,
                "BackOff",
                &format!("Back-off pulling image {image:?}"),
                MANAGER,
            );
        }
        return base(
            waiting(
                "ImagePullBackOff",
                &format!("Back-off pulling image {image:?}"),
            ),
            false,
            0,
            json!({}),
        );
    }
    let behaviour = workload::behaviour(pod, image, u32::try_from(restarts).unwrap_or(0));
    // Running: does it stay up, exit, or become ready?
    if let Some(started) = old_state.and_then(|s| time_at(s, "/running/startedAt")) {
        if image_changed {
            ctl.event(
                pod,
                false,
                "Killing",
                &format!("Container {name} definition changed, will be restarted"),
                MANAGER,
            );
            return base(
                running_since(ctl.now),
                false,
                restarts + 1,
                json!({"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": meta::timestamp(started), "finishedAt": ctl.now_text()}}),
            );
        }
        let source = LogSource {
            pod: meta::name(pod),
            container: name,
            image,
            started,
            behaviour,
        };
        let exit = match behaviour {
            Behaviour::Crashing { .. } => started
                .checked_add(logs::crash_after(&source))
                .ok()
                .map(|at| (at, 1, "Error")),
            Behaviour::Completing => started
                .checked_add(logs::completes_after(&source))
                .ok()
                .map(|at| (at, 0, "Completed")),
            Behaviour::Serving => None,
        };
        if let Some((at, code, reason)) = exit.filter(|(at, _, _)| *at <= ctl.now) {
            let terminated = json!({"terminated": {"exitCode": code, "reason": reason,
                "startedAt": meta::timestamp(started), "finishedAt": meta::timestamp(at)}});
            let restarts_after =
                restart_policy == "Always" || (restart_policy == "OnFailure" && code != 0);
            if !restarts_after {
                return base(terminated, false, restarts, last_state);
            }
            let restarts = restarts + 1;
            ctl.event(
                pod,
                true,
                "BackOff",
                &format!(
                    "Back-off restarting failed container {name} in pod {}_{}({})",
                    meta::name(pod),
                    meta::namespace(pod),
                    meta::uid(pod)
                ),
                MANAGER,
            );
            let message = format!(
                "back-off {}s restarting failed container={name} pod={}_{}({})",
                backoff(restarts).as_secs(),
                meta::name(pod),
                meta::namespace(pod),
                meta::uid(pod)
            );
            return base(
                waiting("CrashLoopBackOff", &message),
                false,
                restarts,
                terminated,
            );
        }
        let ready_after = readiness_delay(container);
        return base(
            running_since(started),
            ctl.since(started) >= ready_after,
            restarts,
            last_state,
        );
    }
    // Waiting after a crash: restart once the back-off has passed.
    if let Some(finished) = time_at(&last_state, "/terminated/finishedAt")
        && old_state
            .and_then(|s| s.pointer("/waiting/reason"))
            .and_then(Value::as_str)
            == Some("CrashLoopBackOff")
    {
        if ctl.since(finished) >= backoff(restarts) {
            ctl.event(
                pod,
                false,
                "Started",
                &format!("Started container {name}"),
                MANAGER,
            );
            return base(running_since(ctl.now), false, restarts, last_state);
        }
        return old
            .cloned()
            .unwrap_or_else(|| base(waiting("CrashLoopBackOff", ""), false, restarts, last_state));
    }
    if let Some(terminated) = old_state.filter(|s| s.get("terminated").is_some()) {
        return base(terminated.clone(), false, restarts, last_state);
    }
    // First start.
    ctl.event(
        pod,
        false,
        "Pulled",
        &format!("Container image {image:?} already present on machine"),
        MANAGER,
    );
    ctl.event(
        pod,
        false,
        "Created",
        &format!("Created container: {name}"),
        MANAGER,
    );
    ctl.event(
        pod,
        false,
        "Started",
        &format!("Started container {name}"),
        MANAGER,
    );
    base(running_since(ctl.now), false, restarts, last_state)
}

/// How long after start a container turns Ready: its readiness probe's initial
/// delay (capped, to keep demos brisk), else a second.
fn readiness_delay(container: &Value) -> SignedDuration {
    container
        .pointer("/readinessProbe/initialDelaySeconds")
        .and_then(Value::as_i64)
        .map_or(READY_DELAY, |s| SignedDuration::from_secs(s.clamp(1, 5)))
}

fn image_digest(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!(
        "{hash:016x}{:016x}{hash:016x}{:016x}",
        hash.rotate_left(17),
        hash.rotate_left(41)
    )
}
