//! Waiting for an app to become healthy after a sync: its desired objects are read
//! again (from the API server) until every desired object is Healthy (or Suspended), or the time is up.
//! Degraded is reported but waited on: a rollout may still recover before the
//! timeout, as `kubectl rollout status` waits through restarts.

use std::time::Duration;

use super::live;
use super::target::{Cluster, Desired};
use crate::health;
use crate::model::{Health, HealthStatus, ResourceKey};

/// How often health is checked while waiting.
const POLL: Duration = Duration::from_millis(500);

/// The health of each desired object at the end of the wait.
pub struct Waited {
    pub healthy: bool,
    pub resources: Vec<(ResourceKey, Health)>,
}

pub async fn healthy(desired: &Desired, cluster: &Cluster, timeout: Duration) -> Waited {
    let deadline = tokio::time::Instant::now() + timeout;
    let session = cluster.session();
    loop {
        // Read from the API server, not the watches: right after an apply a watch
        // may still hold the object as it was, which could pass for healthy.
        let state = live::fetch_desired_now(&session, &desired.manifests).await;
        let resources: Vec<(ResourceKey, Health)> = desired
            .manifests
            .iter()
            .map(|m| {
                let health = state
                    .objects
                    .get(&m.key)
                    .map_or_else(health::missing, health::assess);
                (m.key.clone(), health)
            })
            .collect();
        let healthy = resources
            .iter()
            .all(|(_, h)| matches!(h.status, HealthStatus::Healthy | HealthStatus::Suspended));
        if healthy || tokio::time::Instant::now() >= deadline {
            return Waited { healthy, resources };
        }
        tokio::time::sleep(POLL).await;
    }
}
