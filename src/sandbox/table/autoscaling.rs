//! The HorizontalPodAutoscaler printer, whose TARGETS column (`formatHPAMetrics`)
//! pairs each metric's current value with its target: `cpu: 45%/80%`,
//! `100m/200m (avg)`, `<unknown>` before the first reading, at most two metrics
//! and then `+ N more...`. Objects in the `autoscaling/v1` shape (one CPU
//! percentage) print as the server's conversion to v2 would.

use serde_json::{Value, json};

use super::view::{View, field};
use super::{AGE, Column, NAME, Printer};

pub const HPA: Printer = Printer {
    columns: &[
        NAME,
        Column::new(
            "Reference",
            "string",
            "reference to scaled resource; horizontal pod autoscaler will learn the current resource consumption and will set the desired number of pods by using its Scale subresource.",
        ),
        Column::new(
            "Targets",
            "string",
            "metrics contains the specifications for which to use to calculate the desired replica count.",
        ),
        Column::new(
            "MinPods",
            "string",
            "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.",
        ),
        Column::new(
            "MaxPods",
            "string",
            "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.",
        ),
        Column::new(
            "Replicas",
            "string",
            "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.",
        ),
        AGE,
    ],
    row: |hpa| {
        let reference = format!(
            "{}/{}",
            hpa.str("/spec/scaleTargetRef/kind"),
            hpa.str("/spec/scaleTargetRef/name")
        );
        // `minReplicas` defaults to 1 on the server, so absent reads as 1.
        let min = hpa.int_or("/spec/minReplicas", 1).to_string();
        vec![
            hpa.name(),
            reference.into(),
            targets(hpa).into(),
            min.into(),
            hpa.int("/spec/maxReplicas").into(),
            hpa.int("/status/currentReplicas").into(),
            hpa.age(),
        ]
        .into()
    },
};

/// The metric specs and statuses, converting the v1 shape to v2's.
fn metrics(hpa: &View) -> (Vec<Value>, Vec<Value>) {
    if let Some(target) = hpa.at("/spec/targetCPUUtilizationPercentage") {
        let spec = json!({"type": "Resource", "resource": {"name": "cpu",
            "target": {"type": "Utilization", "averageUtilization": target}}});
        let status = match hpa.at("/status/currentCPUUtilizationPercentage") {
            Some(current) => vec![json!({"type": "Resource", "resource": {"name": "cpu",
                "current": {"averageUtilization": current}}})],
            None => Vec::new(),
        };
        return (vec![spec], status);
    }
    (
        hpa.list("/spec/metrics").to_vec(),
        hpa.list("/status/currentMetrics").to_vec(),
    )
}

fn targets(hpa: &View) -> String {
    const MAX: usize = 2;
    let (specs, statuses) = metrics(hpa);
    if specs.is_empty() {
        return "<none>".to_owned();
    }
    let mut list: Vec<String> = specs
        .iter()
        .enumerate()
        .map(|(index, spec)| target(spec, statuses.get(index)))
        .collect();
    if list.len() > MAX {
        let more = list.len() - MAX;
        list.truncate(MAX);
        return format!("{} + {more} more...", list.join(", "));
    }
    list.join(", ")
}

/// One metric: the source's key in the spec and status is the type name with a
/// lower-case first letter (`Resource` → `resource`).
fn target(spec: &Value, status: Option<&Value>) -> String {
    let (key, named) = match field(spec, "type") {
        "External" => ("external", false),
        "Pods" => ("pods", false),
        "Object" => ("object", false),
        "Resource" => ("resource", true),
        "ContainerResource" => ("containerResource", true),
        _ => return "<unknown type>".to_owned(),
    };
    let source = spec.get(key);
    let target = source.and_then(|s| s.get("target"));
    let current = status
        .and_then(|s| s.get(key))
        .and_then(|s| s.get("current"));
    let quantity = |value: Option<&Value>, name: &str| -> Option<String> {
        match value?.get(name)? {
            Value::String(text) => Some(text.clone()),
            Value::Number(number) => Some(number.to_string()),
            _ => None,
        }
    };
    let unknown = || "<unknown>".to_owned();
    let current_average = || quantity(current, "averageValue").unwrap_or_else(unknown);
    if named {
        let name = source.map(|s| field(s, "name")).unwrap_or_default();
        let pair = match quantity(target, "averageValue") {
            Some(average) => format!("{}/{average}", current_average()),
            None => {
                let percent =
                    |value| quantity(value, "averageUtilization").map(|p| format!("{p}%"));
                let current = percent(current).unwrap_or_else(unknown);
                let target = percent(target).unwrap_or_else(|| "<auto>".to_owned());
                format!("{current}/{target}")
            }
        };
        return format!("{name}: {pair}");
    }
    let target_average = quantity(target, "averageValue");
    match (key, target_average) {
        ("pods", average) => format!("{}/{}", current_average(), average.unwrap_or_default()),
        (_, Some(average)) => format!("{}/{average} (avg)", current_average()),
        (_, None) => format!(
            "{}/{}",
            quantity(current, "value").unwrap_or_else(unknown),
            quantity(target, "value").unwrap_or_default()
        ),
    }
}
