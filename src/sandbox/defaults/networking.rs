//! `networking.k8s.io/v1` defaults. NetworkPolicy gets its policy types and port
//! protocols (`SetDefaults_NetworkPolicy`, `SetDefaults_NetworkPolicyPort`) and the
//! always-serialised `podSelector: {}`. Ingress has no defaults in v1: `pathType`
//! is required, not defaulted, so nothing is filled in for it.

use serde_json::json;

use super::fields::{Object, child, default_unset, each, is_zero};

pub(super) fn default_network_policy(policy: &mut Object) {
    let Some(spec) = child(policy, "spec") else {
        return;
    };
    child(spec, "podSelector");
    if is_zero(spec.get("policyTypes")) {
        // Any policy implies Ingress; Egress only when it has egress rules.
        let types = if is_zero(spec.get("egress")) {
            json!(["Ingress"])
        } else {
            json!(["Ingress", "Egress"])
        };
        spec.insert("policyTypes".to_owned(), types);
    }
    for direction in ["ingress", "egress"] {
        for rule in each(spec, direction) {
            for port in each(rule, "ports") {
                default_unset(port, "protocol", "TCP");
            }
        }
    }
}
