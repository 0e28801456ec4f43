//! ReplicaSet health: Argo CD's `getAppsv1ReplicaSetHealth` — a `ReplicaFailure`
//! condition (quota, admission) is `Degraded`, missing replicas are `Progressing`.

use serde_json::Value;

use super::deployment::replica_summary;
use super::{ReadError, conditions, int, int_or_zero};
use crate::model::Health;

pub(super) fn assess(object: &Value) -> Result<Health, ReadError> {
    let generation = int_or_zero(object, &["metadata", "generation"])?;
    let observed = int_or_zero(object, &["status", "observedGeneration"])?;
    if generation > observed {
        return Ok(Health::progressing(
            "Waiting for rollout to finish: observed replica set generation less than desired generation",
        ));
    }

    let conditions = conditions::read(object)?;
    if let Some(failure) = conditions::find(&conditions, "ReplicaFailure").filter(|c| c.is_true()) {
        return Ok(Health::degraded(failure.message_or_summary()));
    }
    let desired = int(object, &["spec", "replicas"])?;
    let available = int_or_zero(object, &["status", "availableReplicas"])?;
    if let Some(desired) = desired
        && available < desired
    {
        return Ok(Health::progressing(format!(
            "Waiting for rollout to finish: {available} out of {desired} new replicas are available..."
        )));
    }
    let replicas = int_or_zero(object, &["status", "replicas"])?;
    Ok(Health::healthy(replica_summary(
        available,
        desired.unwrap_or(replicas),
    )))
}
