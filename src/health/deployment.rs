//! Deployment health: Argo CD's `getAppsv1DeploymentHealth`, which is kubectl's
//! `rollout status` turned into a status. Owns nothing but that reading.

use serde_json::Value;

use super::{ReadError, conditions, flag, int, int_or_zero, name};
use crate::model::Health;

pub(super) fn assess(object: &Value) -> Result<Health, ReadError> {
    if flag(object, &["spec", "paused"])? {
        return Ok(Health::suspended("Deployment is paused"));
    }
    // Until the controller has seen the latest spec, every count below describes
    // the previous one.
    let generation = int_or_zero(object, &["metadata", "generation"])?;
    let observed = int_or_zero(object, &["status", "observedGeneration"])?;
    if generation > observed {
        return Ok(Health::progressing(
            "Waiting for rollout to finish: observed deployment generation less than desired generation",
        ));
    }

    let conditions = conditions::read(object)?;
    if conditions::find(&conditions, "Progressing")
        .is_some_and(|c| c.reason == "ProgressDeadlineExceeded")
    {
        return Ok(Health::degraded(format!(
            "Deployment \"{}\" exceeded its progress deadline",
            name(object)
        )));
    }

    // `spec.replicas` is defaulted by the API server; Argo skips the first
    // comparison when it is absent and so do we.
    let desired = int(object, &["spec", "replicas"])?;
    let replicas = int_or_zero(object, &["status", "replicas"])?;
    let updated = int_or_zero(object, &["status", "updatedReplicas"])?;
    let available = int_or_zero(object, &["status", "availableReplicas"])?;
    if let Some(desired) = desired
        && updated < desired
    {
        return Ok(Health::progressing(format!(
            "Waiting for rollout to finish: {updated} out of {desired} new replicas have been updated..."
        )));
    }
    if replicas > updated {
        return Ok(Health::progressing(format!(
            "Waiting for rollout to finish: {} old replicas are pending termination...",
            replicas - updated
        )));
    }
    if available < updated {
        return Ok(Health::progressing(format!(
            "Waiting for rollout to finish: {available} of {updated} updated replicas are available..."
        )));
    }
    Ok(Health::healthy(replica_summary(
        available,
        desired.unwrap_or(replicas),
    )))
}

/// What Argo leaves empty for a healthy workload: how many are up.
pub(super) fn replica_summary(available: i64, desired: i64) -> String {
    if desired == 0 {
        "Scaled to zero replicas".to_owned()
    } else {
        format!("{available} of {desired} replicas available")
    }
}
