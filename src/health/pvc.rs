//! PersistentVolumeClaim health: Argo CD's `getCorev1PVCHealth`, by phase.

use serde_json::Value;

use super::{ReadError, text};
use crate::model::Health;

pub(super) fn assess(object: &Value) -> Result<Health, ReadError> {
    let volume = text(object, &["spec", "volumeName"])?;
    match text(object, &["status", "phase"])? {
        "Bound" => Ok(Health::healthy(format!("Bound to volume {volume}"))),
        // Also the steady state of a `WaitForFirstConsumer` class until a pod
        // uses the claim; Argo does not tell the two apart and neither do we.
        "Pending" => {
            let class = text(object, &["spec", "storageClassName"])?;
            Ok(Health::progressing(if class.is_empty() {
                "Waiting for a volume to be bound".to_owned()
            } else {
                format!("Waiting for a volume to be bound (storage class {class})")
            }))
        }
        "Lost" => Ok(Health::degraded(format!(
            "The bound volume {volume} no longer exists; the claim has lost its data"
        ))),
        "" => Ok(Health::unknown("Claim has no phase yet")),
        phase => Ok(Health::unknown(format!("Claim phase is {phase}"))),
    }
}
