//! APIService health: Argo CD's `getApiregistrationv1APIServiceHealth` — the
//! `Available` condition. An unavailable aggregated API is `Progressing`, not
//! `Degraded`, as in Argo: it is usually its backing Deployment still starting,
//! and that Deployment carries its own health.

use serde_json::Value;

use super::{ReadError, conditions};
use crate::model::Health;

pub(super) fn assess(object: &Value) -> Result<Health, ReadError> {
    let conditions = conditions::read(object)?;
    Ok(match conditions::find(&conditions, "Available") {
        Some(available) if available.is_true() => Health::healthy(available.summary()),
        Some(available) => Health::progressing(available.summary()),
        None => Health::progressing("Waiting to be processed"),
    })
}
