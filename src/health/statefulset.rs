//! StatefulSet health: Argo CD's `getAppsv1StatefulSetHealth`, after kubectl's
//! `rollout status`, including its handling of partitions and `OnDelete`.

use serde_json::Value;

use super::{ReadError, field, int, int_or_zero, text};
use crate::model::Health;

pub(super) fn assess(object: &Value) -> Result<Health, ReadError> {
    let generation = int_or_zero(object, &["metadata", "generation"])?;
    let observed = int_or_zero(object, &["status", "observedGeneration"])?;
    if observed == 0 || generation > observed {
        return Ok(Health::progressing(
            "Waiting for statefulset spec update to be observed...",
        ));
    }

    let desired = int(object, &["spec", "replicas"])?;
    let ready = int_or_zero(object, &["status", "readyReplicas"])?;
    let updated = int_or_zero(object, &["status", "updatedReplicas"])?;
    if let Some(desired) = desired
        && ready < desired
    {
        return Ok(Health::progressing(format!(
            "Waiting for {} pods to be ready...",
            desired - ready
        )));
    }

    let strategy = text(object, &["spec", "updateStrategy", "type"])?;
    let update_revision = text(object, &["status", "updateRevision"])?;
    let rolling = field(object, &["spec", "updateStrategy", "rollingUpdate"])?;
    if strategy == "RollingUpdate" && rolling.is_some() {
        // The API server defaults `partition: 0`, so this is the usual path: pods
        // below the partition keep the old revision on purpose, and the rollout is
        // done once every pod at or above it is updated.
        let partition = int(
            object,
            &["spec", "updateStrategy", "rollingUpdate", "partition"],
        )?;
        if let (Some(desired), Some(partition)) = (desired, partition)
            && updated < desired - partition
        {
            return Ok(Health::progressing(format!(
                "Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...",
                desired - partition
            )));
        }
        return Ok(Health::healthy(match partition {
            Some(partition) if partition > 0 => {
                format!("partitioned roll out complete: {updated} new pods have been updated...")
            }
            _ => format!("rolling update complete: {updated} pods at revision {update_revision}"),
        }));
    }
    if strategy == "OnDelete" {
        // Pods only change when someone deletes them, so there is no rollout to
        // wait for: ready pods are all there is to say.
        return Ok(Health::healthy(format!(
            "statefulset has {ready} ready pods"
        )));
    }

    let current_revision = text(object, &["status", "currentRevision"])?;
    if update_revision != current_revision {
        return Ok(Health::progressing(format!(
            "waiting for statefulset rolling update to complete {updated} pods at revision {update_revision}..."
        )));
    }
    let current = int_or_zero(object, &["status", "currentReplicas"])?;
    Ok(Health::healthy(format!(
        "statefulset rolling update complete {current} pods at revision {current_revision}..."
    )))
}
