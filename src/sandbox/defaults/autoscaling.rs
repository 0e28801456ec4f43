//! `autoscaling` defaults for HorizontalPodAutoscaler.
//!
//! v2 (`pkg/apis/autoscaling/v2/defaults.go`): `minReplicas: 1`, a CPU-80%
//! utilisation metric when no metric is given, and, only when the user wrote a
//! `behavior`, its missing parts filled from the controller's built-in rules. An
//! HPA without `behavior` reads back without one: the 300 s scale-down window is a
//! controller flag, not an API default. v1 gets `minReplicas` only; its CPU target
//! default lives in conversion annotations the sandbox does not model.

use serde_json::{Value, json};

use super::fields::{Object, child, default_unset, each, existing, is_zero};
use super::quantity::canonicalize;

/// `autoscaling.DefaultCPUUtilization`.
const DEFAULT_CPU_UTILIZATION: u32 = 80;
const METRIC_SOURCES: [&str; 5] = [
    "resource",
    "containerResource",
    "pods",
    "object",
    "external",
];

pub(super) fn default_horizontal_pod_autoscaler(hpa: &mut Object) {
    let v1 = hpa.get("apiVersion").and_then(Value::as_str) == Some("autoscaling/v1");
    let Some(spec) = child(hpa, "spec") else {
        return;
    };
    default_unset(spec, "minReplicas", 1);
    if v1 {
        return;
    }
    if is_zero(spec.get("metrics")) {
        spec.insert(
            "metrics".to_owned(),
            json!([{
                "type": "Resource",
                "resource": {
                    "name": "cpu",
                    "target": {"type": "Utilization", "averageUtilization": DEFAULT_CPU_UTILIZATION},
                },
            }]),
        );
    }
    for metric in each(spec, "metrics") {
        for source in METRIC_SOURCES {
            if let Some(target) = existing(metric, source).and_then(|s| existing(s, "target")) {
                for key in ["value", "averageValue"] {
                    if let Some(quantity) = target.get_mut(key) {
                        canonicalize(quantity);
                    }
                }
            }
        }
    }
    if let Some(behavior) = existing(spec, "behavior") {
        if let Some(up) = child(behavior, "scaleUp") {
            fill_rules(up, Some(0), scale_up_policies());
        }
        if let Some(down) = child(behavior, "scaleDown") {
            fill_rules(down, None, scale_down_policies());
        }
    }
}

/// `copyHPAScalingRules`: each field the user left nil comes from the defaults.
fn fill_rules(rules: &mut Object, stabilization_seconds: Option<u32>, policies: Value) {
    default_unset(rules, "selectPolicy", "Max");
    if let Some(seconds) = stabilization_seconds {
        default_unset(rules, "stabilizationWindowSeconds", seconds);
    }
    default_unset(rules, "policies", policies);
}

/// Scale up by 4 pods or 100 %, whichever is more, every 15 s.
fn scale_up_policies() -> Value {
    json!([
        {"type": "Pods", "value": 4, "periodSeconds": 15},
        {"type": "Percent", "value": 100, "periodSeconds": 15},
    ])
}

/// Scale down by up to 100 % every 15 s.
fn scale_down_policies() -> Value {
    json!([{"type": "Percent", "value": 100, "periodSeconds": 15}])
}
