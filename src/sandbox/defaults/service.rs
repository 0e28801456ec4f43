//! Service defaults, and which Services get a cluster IP.
//!
//! `SetDefaults_Service` supplies type, session affinity, port protocols, target
//! ports and the traffic policies; the IP-family fields come from the Service
//! registry's allocator, reproduced here for a single-stack IPv4 cluster (the
//! sandbox's). Allocating `clusterIP`, `clusterIPs` and node ports is the store's:
//! it needs cluster state, so this module only answers [`needs_cluster_ip`].

use serde_json::{Value, json};

use super::fields::{Object, child, default_unset, default_zero, each, existing, is_zero, text};

/// `DefaultClientIPServiceAffinitySeconds`: three hours.
const CLIENT_IP_TIMEOUT_SECONDS: u32 = 10_800;

/// Whether a Service of this shape is given a cluster IP: every type but
/// ExternalName, unless it is headless (`clusterIP: None`). Says nothing about
/// whether one is already set; the store decides whether to allocate or keep it.
pub fn needs_cluster_ip(service: &Value) -> bool {
    match service.get("spec").and_then(Value::as_object) {
        Some(spec) => text(spec, "type") != "ExternalName" && !is_headless(spec),
        None => true,
    }
}

/// `clusterIP: None` (or the same as the first of `clusterIPs`).
fn is_headless(spec: &Object) -> bool {
    let first_ip = spec
        .get("clusterIPs")
        .and_then(|ips| ips.get(0))
        .and_then(Value::as_str);
    text(spec, "clusterIP") == "None" || first_ip == Some("None")
}

pub(super) fn default_service(service: &mut Object) {
    let Some(spec) = child(service, "spec") else {
        return;
    };
    default_zero(spec, "sessionAffinity", "None");
    if text(spec, "sessionAffinity") == "ClientIP" {
        let client_ip = child(spec, "sessionAffinityConfig").and_then(|c| child(c, "clientIP"));
        if let Some(client_ip) = client_ip {
            default_unset(client_ip, "timeoutSeconds", CLIENT_IP_TIMEOUT_SECONDS);
        }
    }
    default_zero(spec, "type", "ClusterIP");
    for port in each(spec, "ports") {
        default_zero(port, "protocol", "TCP");
        if let Some(number) = port.get("port").filter(|p| p.is_number()).cloned() {
            default_zero(port, "targetPort", number);
        }
    }
    let service_type = text(spec, "type").to_owned();
    let exposed = matches!(service_type.as_str(), "NodePort" | "LoadBalancer");
    if exposed {
        default_zero(spec, "externalTrafficPolicy", "Cluster");
    }
    if exposed || service_type == "ClusterIP" {
        default_unset(spec, "internalTrafficPolicy", "Cluster");
    }
    if service_type == "LoadBalancer" {
        default_unset(spec, "allocateLoadBalancerNodePorts", true);
    }
    if service_type != "ExternalName" {
        default_ip_families(spec);
    }
}

/// The allocator's `initIPFamilyFields` on a single-stack IPv4 cluster.
fn default_ip_families(spec: &mut Object) {
    let headless = is_headless(spec);
    let selectorless = existing(spec, "selector").is_none_or(|s| s.is_empty());
    // Headless Services without a selector carry DNS records of both families.
    let both_families = headless && selectorless;
    let policy = if both_families {
        "RequireDualStack"
    } else {
        "SingleStack"
    };
    default_unset(spec, "ipFamilyPolicy", policy);
    if is_zero(spec.get("ipFamilies")) {
        let requested_ip = spec
            .get("clusterIPs")
            .and_then(|ips| ips.get(0))
            .or_else(|| spec.get("clusterIP"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let primary = if requested_ip.contains(':') {
            "IPv6"
        } else {
            "IPv4"
        };
        spec.insert("ipFamilies".to_owned(), json!([primary]));
    }
    // The allocator completes a one-family list the user wrote, too, unless the
    // policy pins a single stack.
    let single = text(spec, "ipFamilyPolicy") == "SingleStack";
    if both_families
        && !single
        && let Some(families) = spec.get_mut("ipFamilies").and_then(Value::as_array_mut)
        && let [only] = families.as_slice()
    {
        let other = if only == "IPv6" { "IPv4" } else { "IPv6" };
        families.push(other.into());
    }
}
