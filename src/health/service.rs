//! Service health: Argo CD's `getCorev1ServiceHealth` — only a `LoadBalancer`
//! can be unhealthy, by not having an address yet. Also owns reading
//! `status.loadBalancer.ingress`, which Ingress shares.

use serde_json::Value;

use super::{ReadError, items, text};
use crate::model::Health;

pub(super) fn assess(object: &Value) -> Result<Health, ReadError> {
    if text(object, &["spec", "type"])? != "LoadBalancer" {
        return Ok(Health::healthy(""));
    }
    let addresses = load_balancer_addresses(object)?;
    Ok(if addresses.is_empty() {
        Health::progressing("Waiting for the load balancer to be assigned an address")
    } else {
        Health::healthy(format!("Load balancer at {}", addresses.join(", ")))
    })
}

/// The IPs or hostnames in `status.loadBalancer.ingress`. An entry with neither
/// still counts (Argo only counts entries), shown as "(no address)".
pub(super) fn load_balancer_addresses(object: &Value) -> Result<Vec<String>, ReadError> {
    let mut addresses = Vec::new();
    for entry in items(object, &["status", "loadBalancer", "ingress"])? {
        let ip = text(entry, &["ip"])?;
        let hostname = text(entry, &["hostname"])?;
        addresses.push(match (ip.is_empty(), hostname.is_empty()) {
            (false, _) => ip.to_owned(),
            (true, false) => hostname.to_owned(),
            (true, true) => "(no address)".to_owned(),
        });
    }
    Ok(addresses)
}
