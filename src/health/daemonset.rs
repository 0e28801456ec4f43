//! DaemonSet health: Argo CD's `getAppsv1DaemonSetHealth`, after kubectl's
//! `rollout status`.

use serde_json::Value;

use super::{ReadError, int_or_zero, name, text};
use crate::model::Health;

pub(super) fn assess(object: &Value) -> Result<Health, ReadError> {
    let generation = int_or_zero(object, &["metadata", "generation"])?;
    let observed = int_or_zero(object, &["status", "observedGeneration"])?;
    if generation > observed {
        return Ok(Health::progressing(
            "Waiting for rollout to finish: observed daemon set generation less than desired generation",
        ));
    }

    let desired = int_or_zero(object, &["status", "desiredNumberScheduled"])?;
    let updated = int_or_zero(object, &["status", "updatedNumberScheduled"])?;
    let available = int_or_zero(object, &["status", "numberAvailable"])?;
    if text(object, &["spec", "updateStrategy", "type"])? == "OnDelete" {
        // Old pods stay until deleted by hand; an incomplete update is expected.
        return Ok(Health::healthy(format!(
            "daemon set {updated} out of {desired} new pods have been updated"
        )));
    }
    let name = name(object);
    if updated < desired {
        return Ok(Health::progressing(format!(
            "Waiting for daemon set \"{name}\" rollout to finish: {updated} out of {desired} new pods have been updated..."
        )));
    }
    if available < desired {
        return Ok(Health::progressing(format!(
            "Waiting for daemon set \"{name}\" rollout to finish: {available} of {desired} updated pods are available..."
        )));
    }
    Ok(Health::healthy(if desired == 0 {
        "No nodes to schedule on".to_owned()
    } else {
        format!("{available} of {desired} pods available")
    }))
}
