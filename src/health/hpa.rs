//! HorizontalPodAutoscaler health: Argo CD's `getHPAHealth`. `autoscaling/v1`
//! keeps its conditions as JSON in an annotation, `v2` in `status.conditions`;
//! both are judged by the same condition reasons.

use serde_json::Value;

use super::conditions::{self, Condition};
use super::{ReadError, int, int_or_zero, lenient_text, text};
use crate::model::Health;

const V1_CONDITIONS_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/conditions";

/// Argo's verdict while the controller has not reported yet.
const WAITING: &str = "Waiting to Autoscale";

pub(super) fn assess(object: &Value) -> Result<Health, ReadError> {
    if lenient_text(object, &["apiVersion"]) == "autoscaling/v1" {
        let annotation = text(
            object,
            &["metadata", "annotations", V1_CONDITIONS_ANNOTATION],
        )?;
        if annotation.is_empty() {
            return Ok(Health::progressing(WAITING));
        }
        let list: Vec<Value> =
            serde_json::from_str(annotation).map_err(|err| ReadError::BadAnnotation {
                name: V1_CONDITIONS_ANNOTATION,
                reason: err.to_string(),
            })?;
        judge(object, &conditions::parse(&list))
    } else {
        judge(object, &conditions::read(object)?)
    }
}

/// Argo walks the conditions in order and takes the first that is on its
/// degraded or healthy list. We look for a failure in all of them first: the
/// controller lists `AbleToScale` before `ScalingActive`, so Argo reads
/// "SucceededRescale" as healthy even when metrics have since stopped working.
fn judge(object: &Value, conditions: &[Condition<'_>]) -> Result<Health, ReadError> {
    if let Some(failure) = conditions.iter().find(|c| is_degraded(c)) {
        return Ok(Health::degraded(failure.summary()));
    }
    if let Some(fine) = conditions.iter().find(|c| is_healthy(c)) {
        return Ok(Health::healthy(format!(
            "{}; {}",
            replica_range(object)?,
            fine.message_or_summary()
        )));
    }
    Ok(Health::progressing(WAITING))
}

/// Argo lists `FailedGetScale`, `FailedUpdateScale`, `FailedGetResourceMetric`
/// and `InvalidSelector`; the controller has more failure reasons of the same
/// families (`FailedGetExternalMetric`, `InvalidMetricSourceType`, …), so we
/// take every `Failed*` / `Invalid*` reason on a false `AbleToScale` or
/// `ScalingActive`. `ScalingActive=False/ScalingDisabled` (target scaled to
/// zero) is deliberate and stays out.
fn is_degraded(condition: &Condition<'_>) -> bool {
    matches!(condition.type_name, "AbleToScale" | "ScalingActive")
        && condition.is_false()
        && (condition.reason.starts_with("Failed") || condition.reason.starts_with("Invalid"))
}

/// Argo's healthy list: a successful rescale, or any `ScalingLimited` verdict,
/// which means the controller computed a desired count (pinned to min or max,
/// or within range).
fn is_healthy(condition: &Condition<'_>) -> bool {
    matches!(
        (condition.type_name, condition.reason),
        ("AbleToScale", "SucceededRescale")
            | (
                "ScalingLimited",
                "DesiredWithinRange" | "TooFewReplicas" | "TooManyReplicas"
            )
    )
}

fn replica_range(object: &Value) -> Result<String, ReadError> {
    let current = int_or_zero(object, &["status", "currentReplicas"])?;
    let min = int(object, &["spec", "minReplicas"])?.unwrap_or(1);
    let max = int_or_zero(object, &["spec", "maxReplicas"])?;
    Ok(format!("{current} replicas (min {min}, max {max})"))
}
