//! Job health: Argo CD's `getBatchv1JobHealth` — the `Failed`, `Complete` and
//! `Suspended` conditions decide; without one the Job is still running.

use serde_json::Value;

use super::{ReadError, conditions, int_or_zero};
use crate::model::Health;

pub(super) fn assess(object: &Value) -> Result<Health, ReadError> {
    // Argo looks only at condition types; we also require `status: "True"`,
    // because a resumed Job keeps a `Suspended=False` condition and Argo would
    // call that finished.
    let conditions = conditions::read(object)?;
    let holds = |type_name| conditions::find(&conditions, type_name).filter(|c| c.is_true());
    let active = int_or_zero(object, &["status", "active"])?;
    let succeeded = int_or_zero(object, &["status", "succeeded"])?;
    let failed = int_or_zero(object, &["status", "failed"])?;

    if let Some(failure) = holds("Failed") {
        return Ok(Health::degraded(failure.summary()));
    }
    if let Some(complete) = holds("Complete") {
        return Ok(Health::healthy(if complete.message.is_empty() {
            format!("Job completed: {succeeded} succeeded")
        } else {
            complete.message.to_owned()
        }));
    }
    if let Some(suspended) = holds("Suspended") {
        return Ok(Health::suspended(format!(
            "Job is suspended: {}",
            suspended.message_or_summary()
        )));
    }
    Ok(Health::progressing(format!(
        "Job is running: {active} active, {succeeded} succeeded, {failed} failed"
    )))
}
