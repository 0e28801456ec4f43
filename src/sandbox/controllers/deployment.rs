//! The Deployment controller: one ReplicaSet per pod template (named by its
//! `pod-template-hash`, annotated with the revision), rolling updates that scale the
//! new ReplicaSet up and the old ones down as new pods become available (or
//! Recreate), old ReplicaSets pruned to `revisionHistoryLimit`, and status with
//! `observedGeneration` and the Available/Progressing conditions.

use std::sync::Arc;

use jiff::SignedDuration;
use serde_json::{Value, json};

use super::super::api::meta;
use super::context::{
    Ctl, condition, controller_ref, int_at, is_terminating, template_hash, time_at,
};

const MANAGER: &str = "kube-controller-manager";
const REVISION: &str = "deployment.kubernetes.io/revision";

pub fn reconcile(ctl: &Ctl) {
    let replica_sets = ctl.list("apps", "ReplicaSet");
    for deployment in ctl.list("apps", "Deployment") {
        if is_terminating(&deployment) {
            continue;
        }
        let owned: Vec<Arc<Value>> = ctl
            .owned_by(&deployment, &replica_sets)
            .into_iter()
            .cloned()
            .collect();
        reconcile_one(ctl, &deployment, &owned);
    }
}

fn revision(rs: &Value) -> i64 {
    rs.pointer("/metadata/annotations")
        .and_then(|a| a.get(REVISION))
        .and_then(Value::as_str)
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

fn reconcile_one(ctl: &Ctl, deployment: &Value, owned: &[Arc<Value>]) {
    let Some(template) = deployment.pointer("/spec/template") else {
        return;
    };
    let desired = int_at(deployment, "/spec/replicas").unwrap_or(1);
    let hash = template_hash(template);
    let name = meta::name(deployment);
    let new_name = format!("{name}-{hash}");
    let paused = deployment.pointer("/spec/paused").and_then(Value::as_bool) == Some(true);
    let recreate = deployment
        .pointer("/spec/strategy/type")
        .and_then(Value::as_str)
        == Some("Recreate");
    let max_revision = owned.iter().map(|rs| revision(rs)).max().unwrap_or(0);
    let mut new_rs = owned.iter().find(|rs| meta::name(rs) == new_name).cloned();
    let old: Vec<&Arc<Value>> = owned
        .iter()
        .filter(|rs| meta::name(rs) != new_name)
        .collect();
    let old_pods: i64 = old
        .iter()
        .map(|rs| int_at(rs, "/status/replicas").unwrap_or(0))
        .sum();

    if new_rs.is_none() && !paused {
        new_rs = create_replica_set(
            ctl,
            deployment,
            template,
            &hash,
            &new_name,
            max_revision + 1,
            0,
        );
    } else if let Some(rs) = &new_rs
        && revision(rs) < max_revision
    {
        // A rollback to an older template makes its ReplicaSet the newest revision.
        let mut updated = (**rs).clone();
        updated["metadata"]["annotations"][REVISION] = (max_revision + 1).to_string().into();
        new_rs = ctl.update(updated, MANAGER).or(new_rs);
    }
    let Some(new_rs) = new_rs else {
        write_status(ctl, deployment, None, &old, desired, paused);
        return;
    };
    if !paused {
        if recreate {
            // Recreate: every old pod goes before the new ones start.
            for rs in &old {
                scale(ctl, deployment, rs, 0);
            }
            scale(
                ctl,
                deployment,
                &new_rs,
                if old_pods > 0 { 0 } else { desired },
            );
        } else {
            roll(ctl, deployment, &new_rs, &old, desired);
        }
        prune_history(ctl, deployment, &old);
    }
    write_status(ctl, deployment, Some(&new_rs), &old, desired, paused);
}

/// One step of a rolling update, as the real controller computes it: the new
/// ReplicaSet grows within `maxSurge` above the desired count, old ones shrink as
/// far as `maxUnavailable` allows, unavailable old pods first.
fn roll(ctl: &Ctl, deployment: &Value, new_rs: &Value, old: &[&Arc<Value>], desired: i64) {
    let (surge, unavailable) = surge_and_unavailable(deployment, desired);
    let spec = |rs: &Value| int_at(rs, "/spec/replicas").unwrap_or(0);
    let available = |rs: &Value| int_at(rs, "/status/availableReplicas").unwrap_or(0);
    let old_spec: i64 = old.iter().map(|rs| spec(rs)).sum();
    let new_spec = spec(new_rs);
    let new_target = if old_spec == 0 {
        desired
    } else {
        desired.min(new_spec.max(desired + surge - old_spec))
    };
    scale(ctl, deployment, new_rs, new_target);
    let all_pods = new_target + old_spec;
    let min_available = desired - unavailable;
    let new_unavailable = (new_target - available(new_rs)).max(0);
    let mut budget = (all_pods - min_available - new_unavailable).max(0);
    let mut oldest_first = old.to_vec();
    oldest_first.sort_by_key(|rs| revision(rs));
    // Old pods that are not available cost no availability: they go first.
    for rs in &oldest_first {
        let idle = (spec(rs) - available(rs)).max(0);
        if idle > 0 {
            scale(ctl, deployment, rs, spec(rs) - idle);
        }
    }
    for rs in oldest_first {
        let current = available(rs).min(spec(rs));
        let cut = current.min(budget);
        if cut > 0 {
            scale(ctl, deployment, rs, current - cut);
            budget -= cut;
        }
    }
}

/// `maxSurge` (rounded up) and `maxUnavailable` (rounded down) resolved against
/// the desired count; both zero would deadlock, so unavailable becomes 1.
fn surge_and_unavailable(deployment: &Value, desired: i64) -> (i64, i64) {
    let resolve = |pointer: &str, round_up: bool| match deployment.pointer(pointer) {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => {
            s.strip_suffix('%')
                .and_then(|p| p.parse::<i64>().ok())
                .map(|p| {
                    if round_up {
                        (desired * p + 99) / 100
                    } else {
                        desired * p / 100
                    }
                })
        }
        _ => None,
    };
    let surge = resolve("/spec/strategy/rollingUpdate/maxSurge", true).unwrap_or((desired + 3) / 4);
    let unavailable =
        resolve("/spec/strategy/rollingUpdate/maxUnavailable", false).unwrap_or(desired / 4);
    if surge == 0 && unavailable == 0 {
        (0, 1)
    } else {
        (surge, unavailable)
    }
}

fn create_replica_set(
    ctl: &Ctl,
    deployment: &Value,
    template: &Value,
    hash: &str,
    name: &str,
    revision: i64,
    replicas: i64,
) -> Option<Arc<Value>> {
    let mut template = template.clone();
    template["metadata"]["labels"]["pod-template-hash"] = hash.into();
    let mut selector = deployment
        .pointer("/spec/selector")
        .cloned()
        .unwrap_or(json!({}));
    selector["matchLabels"]["pod-template-hash"] = hash.into();
    let labels = template
        .pointer("/metadata/labels")
        .cloned()
        .unwrap_or(json!({}));
    let desired = int_at(deployment, "/spec/replicas").unwrap_or(1);
    let replica_set = json!({
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": name,
            "namespace": meta::namespace(deployment),
            "labels": labels,
            "annotations": {
                REVISION: revision.to_string(),
                "deployment.kubernetes.io/desired-replicas": desired.to_string(),
                "deployment.kubernetes.io/max-replicas": (desired + (desired + 3) / 4).to_string(),
            },
            "ownerReferences": [controller_ref(deployment)],
        },
        "spec": {
            "replicas": replicas,
            "minReadySeconds": deployment.pointer("/spec/minReadySeconds").cloned().unwrap_or(json!(0)),
            "selector": selector,
            "template": template,
        },
    });
    ctl.create("apps", "ReplicaSet", replica_set, MANAGER)
}

fn scale(ctl: &Ctl, deployment: &Value, rs: &Value, replicas: i64) {
    let current = int_at(rs, "/spec/replicas").unwrap_or(0);
    if current == replicas {
        return;
    }
    let mut updated = rs.clone();
    updated["spec"]["replicas"] = replicas.into();
    let desired = int_at(deployment, "/spec/replicas").unwrap_or(1);
    updated["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] =
        desired.to_string().into();
    if ctl.update(updated, MANAGER).is_some() {
        let direction = if replicas > current { "up" } else { "down" };
        ctl.event(
            deployment,
            false,
            "ScalingReplicaSet",
            &format!(
                "Scaled {direction} replica set {} from {current} to {replicas}",
                meta::name(rs)
            ),
            "deployment-controller",
        );
    }
}

fn prune_history(ctl: &Ctl, deployment: &Value, old: &[&Arc<Value>]) {
    let limit = int_at(deployment, "/spec/revisionHistoryLimit").unwrap_or(10);
    let mut idle: Vec<&&Arc<Value>> = old
        .iter()
        .filter(|rs| {
            int_at(rs, "/spec/replicas") == Some(0)
                && int_at(rs, "/status/replicas").unwrap_or(0) == 0
        })
        .collect();
    idle.sort_by_key(|rs| revision(rs));
    let excess = idle
        .len()
        .saturating_sub(usize::try_from(limit).unwrap_or(0));
    for rs in idle.into_iter().take(excess) {
        ctl.delete(rs);
    }
}

fn write_status(
    ctl: &Ctl,
    deployment: &Value,
    new_rs: Option<&Arc<Value>>,
    old: &[&Arc<Value>],
    desired: i64,
    paused: bool,
) {
    let sum = |field: &str| -> i64 {
        let pointer = format!("/status/{field}");
        new_rs.map_or(0, |rs| int_at(rs, &pointer).unwrap_or(0))
            + old
                .iter()
                .map(|rs| int_at(rs, &pointer).unwrap_or(0))
                .sum::<i64>()
    };
    let replicas = sum("replicas");
    let ready = sum("readyReplicas");
    let available = sum("availableReplicas");
    let updated = new_rs.map_or(0, |rs| int_at(rs, "/status/replicas").unwrap_or(0));
    let new_available = new_rs.map_or(0, |rs| int_at(rs, "/status/availableReplicas").unwrap_or(0));
    let now = ctl.now_text();
    let previous = deployment.pointer("/status/conditions");
    let recreate = deployment
        .pointer("/spec/strategy/type")
        .and_then(Value::as_str)
        == Some("Recreate");
    let max_unavailable = if recreate {
        desired
    } else {
        surge_and_unavailable(deployment, desired).1
    };
    let available_condition = if available >= desired - max_unavailable {
        condition(
            previous,
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
            &now,
        )
    } else {
        condition(
            previous,
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
            &now,
        )
    };
    let rs_name = new_rs
        .map(|rs| meta::name(rs).to_owned())
        .unwrap_or_default();
    let complete = updated == desired && new_available == desired && replicas == desired;
    let deadline = int_at(deployment, "/spec/progressDeadlineSeconds").unwrap_or(600);
    let progressing = if paused {
        condition(
            previous,
            "Progressing",
            "Unknown",
            "DeploymentPaused",
            "Deployment is paused",
            &now,
        )
    } else if complete {
        condition(
            previous,
            "Progressing",
            "True",
            "NewReplicaSetAvailable",
            &format!("ReplicaSet {rs_name:?} has successfully progressed."),
            &now,
        )
    } else {
        let old_progressing = previous.and_then(Value::as_array).and_then(|cs| {
            cs.iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some("Progressing"))
        });
        let last_progress = old_progressing.and_then(|c| time_at(c, "/lastUpdateTime"));
        let already_stalled = old_progressing
            .and_then(|c| c.get("reason"))
            .and_then(Value::as_str)
            == Some("ProgressDeadlineExceeded");
        // Progress is any change in the counts; it restarts the deadline.
        let count = |field: &str| {
            deployment
                .pointer(&format!("/status/{field}"))
                .and_then(Value::as_i64)
                .unwrap_or(0)
        };
        let progressed = count("updatedReplicas") != updated
            || count("availableReplicas") != available
            || count("replicas") != replicas
            || count("readyReplicas") != ready;
        let same_generation = deployment.pointer("/status/observedGeneration")
            == deployment.pointer("/metadata/generation");
        let stalled = (already_stalled && same_generation)
            || (!progressed
                && last_progress
                    .is_some_and(|t| ctl.since(t) > SignedDuration::from_secs(deadline))
                && deployment.pointer("/status/observedGeneration")
                    == deployment.pointer("/metadata/generation"));
        if stalled {
            condition(
                previous,
                "Progressing",
                "False",
                "ProgressDeadlineExceeded",
                &format!("ReplicaSet {rs_name:?} has timed out progressing."),
                &now,
            )
        } else {
            let mut updating = condition(
                previous,
                "Progressing",
                "True",
                "ReplicaSetUpdated",
                &format!("ReplicaSet {rs_name:?} is progressing."),
                &now,
            );
            if progressed {
                updating["lastUpdateTime"] = now.clone().into();
            }
            updating
        }
    };
    let mut status = json!({
        "observedGeneration": deployment.pointer("/metadata/generation").cloned().unwrap_or(json!(1)),
        "replicas": replicas,
        "updatedReplicas": updated,
        "readyReplicas": ready,
        "availableReplicas": available,
        "conditions": [available_condition, progressing],
    });
    let unavailable = (replicas - available).max(0);
    if unavailable > 0 {
        status["unavailableReplicas"] = unavailable.into();
    }
    if let Some(map) = status.as_object_mut() {
        // The API server omits zero counts.
        map.retain(|_, v| v.as_i64() != Some(0));
    }
    ctl.set_status(deployment, status, MANAGER);
}
