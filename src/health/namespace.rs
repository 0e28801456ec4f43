//! Namespace health: `Active` is healthy, `Terminating` is on its way out.
//! Argo CD has no check here; a terminating namespace carries a
//! `deletionTimestamp` and is caught by `super::assess` first anyway.

use serde_json::Value;

use super::{ReadError, text};
use crate::model::Health;

pub(super) fn assess(object: &Value) -> Result<Health, ReadError> {
    match text(object, &["status", "phase"])? {
        "Active" | "" => Ok(Health::healthy("")),
        "Terminating" => Ok(Health::progressing("Namespace is terminating")),
        phase => Ok(Health::unknown(format!("Namespace phase is {phase}"))),
    }
}
