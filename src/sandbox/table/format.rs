//! Cell formats shared by several printers: label selectors and label sets as
//! apimachinery's `String()` writes them, container name and image lists, and load
//! balancer addresses.

use std::collections::BTreeSet;

use serde_json::Value;

/// A label selector as `LabelSelectorAsSelector(...).String()` writes it:
/// requirements sorted by key, `k=v`, `k in (a,b)`, `k notin (a)`, `k`, `!k`.
/// An absent or empty selector writes "" (`Nothing`/`Everything`); an unknown
/// operator `<invalid>`, as the deployment printer reports a conversion error.
pub fn selector(selector: Option<&Value>) -> String {
    let Some(selector) = selector.filter(|s| !s.is_null()) else {
        return String::new();
    };
    let mut requirements: Vec<(String, String)> = Vec::new();
    if let Some(labels) = selector.get("matchLabels").and_then(Value::as_object) {
        for (key, value) in labels {
            let value = value.as_str().unwrap_or_default();
            requirements.push((key.clone(), format!("{key}={value}")));
        }
    }
    let expressions = selector
        .get("matchExpressions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for expression in expressions {
        let text = |field: &str| {
            expression
                .get(field)
                .and_then(Value::as_str)
                .unwrap_or_default()
        };
        let key = text("key");
        let mut values: Vec<&str> = expression
            .get("values")
            .and_then(Value::as_array)
            .map(|vs| vs.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        values.sort_unstable();
        let values = values.join(",");
        let requirement = match text("operator") {
            "In" => format!("{key} in ({values})"),
            "NotIn" => format!("{key} notin ({values})"),
            "Exists" => key.to_owned(),
            "DoesNotExist" => format!("!{key}"),
            _ => return "<invalid>".to_owned(),
        };
        requirements.push((key.to_owned(), requirement));
    }
    requirements.sort_by(|a, b| a.0.cmp(&b.0));
    requirements
        .into_iter()
        .map(|(_, requirement)| requirement)
        .collect::<Vec<_>>()
        .join(",")
}

/// `metav1.FormatLabelSelector`: like [`selector`], with `<none>` for nothing and
/// `<error>` for an unknown operator.
pub fn label_selector(value: Option<&Value>) -> String {
    match selector(value) {
        invalid if invalid == "<invalid>" => "<error>".to_owned(),
        text => none_if_empty(text),
    }
}

/// `labels.FormatLabels`: a label map as sorted `k=v` pairs, `<none>` when empty.
pub fn labels(map: Option<&Value>) -> String {
    let mut pairs: Vec<String> = map
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    pairs.sort_unstable();
    none_if_empty(pairs.join(","))
}

/// `layoutContainerCells`: the names and the images of a pod template's
/// containers, each comma-separated.
pub fn containers(pod_spec: Option<&Value>) -> (Value, Value) {
    let containers = pod_spec
        .and_then(|spec| spec.get("containers"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let field = |name: &str| {
        containers
            .iter()
            .map(|c| c.get(name).and_then(Value::as_str).unwrap_or_default())
            .collect::<Vec<_>>()
            .join(",")
    };
    (field("name").into(), field("image").into())
}

/// `loadBalancerStatusStringer` (wide, as the server prints): each ingress point's
/// IP, else its hostname, sorted and de-duplicated.
pub fn load_balancer(status: Option<&Value>) -> String {
    let points: BTreeSet<&str> = status
        .and_then(|s| s.get("ingress"))
        .and_then(Value::as_array)
        .map(|ingress| {
            ingress
                .iter()
                .filter_map(|point| {
                    let field = |name| {
                        point
                            .get(name)
                            .and_then(Value::as_str)
                            .filter(|s| !s.is_empty())
                    };
                    field("ip").or_else(|| field("hostname"))
                })
                .collect()
        })
        .unwrap_or_default();
    points.into_iter().collect::<Vec<_>>().join(",")
}

pub fn none_if_empty(text: String) -> String {
    if text.is_empty() {
        "<none>".to_owned()
    } else {
        text
    }
}

/// Go's `strings.Join` over the string entries of a list.
pub fn join_strings(list: &[Value], separator: &str) -> String {
    list.iter()
        .filter_map(Value::as_str)
        .collect::<Vec<_>>()
        .join(separator)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selectors_print_as_apimachinery_does() {
        let cases = [
            (json!(null), ""),
            (json!({}), ""),
            (
                json!({"matchLabels": {"tier": "web", "app": "shop"}}),
                "app=shop,tier=web",
            ),
            (
                json!({"matchLabels": {"app": "shop"}, "matchExpressions": [
                    {"key": "env", "operator": "In", "values": ["prod", "dev"]},
                    {"key": "zone", "operator": "NotIn", "values": ["b"]},
                    {"key": "canary", "operator": "DoesNotExist"},
                    {"key": "beta", "operator": "Exists"}]}),
                "app=shop,beta,!canary,env in (dev,prod),zone notin (b)",
            ),
            (
                json!({"matchExpressions": [{"key": "a", "operator": "Near"}]}),
                "<invalid>",
            ),
        ];
        for (value, want) in cases {
            assert_eq!(selector(Some(&value)), want, "{value}");
        }
        assert_eq!(label_selector(None), "<none>");
    }

    #[test]
    fn label_sets_sort_and_default_to_none() {
        assert_eq!(labels(Some(&json!({"b": "2", "a": "1"}))), "a=1,b=2");
        assert_eq!(labels(Some(&json!({}))), "<none>");
        assert_eq!(labels(None), "<none>");
    }

    #[test]
    fn load_balancer_points_prefer_ips_and_sort() {
        let status = json!({"ingress": [{"hostname": "lb.example.com"}, {"ip": "10.0.0.9"}, {"ip": "10.0.0.1", "hostname": "x"}]});
        assert_eq!(
            load_balancer(Some(&status)),
            "10.0.0.1,10.0.0.9,lb.example.com"
        );
        assert_eq!(load_balancer(None), "");
    }
}
