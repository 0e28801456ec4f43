//! Ingress health: Argo CD's `getIngressHealth` — `Progressing` until the
//! ingress controller publishes an address, `Healthy` after.

use serde_json::Value;

use super::ReadError;
use super::service::load_balancer_addresses;
use crate::model::Health;

pub(super) fn assess(object: &Value) -> Result<Health, ReadError> {
    let addresses = load_balancer_addresses(object)?;
    Ok(if addresses.is_empty() {
        Health::progressing("Waiting for the ingress controller to assign an address")
    } else {
        Health::healthy(format!("Ingress at {}", addresses.join(", ")))
    })
}
