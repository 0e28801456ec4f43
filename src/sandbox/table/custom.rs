//! Tables for kinds without a built-in printer. A custom resource prints NAME and
//! its CRD's `additionalPrinterColumns` (NAME and AGE when it declares none), with
//! cells typed as the apiextensions table convertor types them; a built-in kind the
//! sandbox has no printer for prints the default convertor's NAME and CREATED AT,
//! which is also what CustomResourceDefinitions themselves print.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::jsonpath::JsonPath;
use super::view::View;
use super::{CREATED_DESCRIPTION, Column, NAME, PrinterColumn};

/// The default convertor's columns.
pub const DEFAULT_COLUMNS: &[Column] =
    &[NAME, Column::new("Created At", "date", CREATED_DESCRIPTION)];

pub fn default_row(view: &View) -> Vec<Value> {
    vec![
        view.name(),
        view.rfc3339("/metadata/creationTimestamp").into(),
    ]
}

/// The API groups Kubernetes serves itself; any other group is a CRD's. A name
/// like `gateway.networking.k8s.io` is a CRD's group despite its suffix, so the
/// list is explicit.
pub fn is_builtin_group(group: &str) -> bool {
    matches!(
        group,
        "" | "admissionregistration.k8s.io"
            | "apiextensions.k8s.io"
            | "apiregistration.k8s.io"
            | "apps"
            | "authentication.k8s.io"
            | "authorization.k8s.io"
            | "autoscaling"
            | "batch"
            | "certificates.k8s.io"
            | "coordination.k8s.io"
            | "discovery.k8s.io"
            | "events.k8s.io"
            | "extensions"
            | "flowcontrol.apiserver.k8s.io"
            | "internal.apiserver.k8s.io"
            | "networking.k8s.io"
            | "node.k8s.io"
            | "policy"
            | "rbac.authorization.k8s.io"
            | "resource.k8s.io"
            | "scheduling.k8s.io"
            | "storage.k8s.io"
            | "storagemigration.k8s.io"
    )
}

/// A custom resource's columns after NAME, each with its parsed path (`None` when
/// the path is outside the supported subset: its cells stay empty).
pub struct Columns {
    columns: Vec<(PrinterColumn, Option<JsonPath>)>,
}

impl Columns {
    pub fn new(declared: &[PrinterColumn]) -> Self {
        let columns = if declared.is_empty() {
            // What the apiextensions server serves for a version that declares none.
            vec![PrinterColumn {
                name: "Age".into(),
                type_: "date".into(),
                json_path: ".metadata.creationTimestamp".into(),
                description: CREATED_DESCRIPTION.into(),
                priority: 0,
                format: String::new(),
            }]
        } else {
            declared.to_vec()
        };
        Self {
            columns: columns
                .into_iter()
                .map(|c| {
                    let path = JsonPath::parse(&c.json_path);
                    (c, path)
                })
                .collect(),
        }
    }

    pub fn definitions(&self) -> Vec<Value> {
        let mut definitions = vec![NAME.definition()];
        definitions.extend(self.columns.iter().map(|(column, _)| {
            let description = if column.description.is_empty() {
                format!(
                    "Custom resource definition column (in JSONPath format): {}",
                    column.json_path
                )
            } else {
                column.description.clone()
            };
            json!({
                "name": column.name,
                "type": column.type_,
                "format": column.format,
                "description": description,
                "priority": column.priority,
            })
        }));
        definitions
    }

    pub fn row(&self, view: &View) -> Vec<Value> {
        let mut cells = vec![view.name()];
        cells.extend(self.columns.iter().map(|(column, path)| {
            // As the convertor does, only the first match counts.
            let found = path
                .as_ref()
                .and_then(|p| p.find(view.object).into_iter().next());
            match found {
                None | Some(Value::Null) => Value::Null,
                Some(value) => cell(view, &column.type_, value),
            }
        }));
        cells
    }
}

/// `cellForJSONValue`, plus the convertor's text rendering for string columns.
fn cell(view: &View, type_: &str, value: &Value) -> Value {
    match (type_, value) {
        ("string", Value::String(_)) => value.clone(),
        ("string", Value::Object(_) | Value::Array(_)) => go_json(value).into(),
        ("string", other) => other.to_string().into(),
        ("integer", Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f.trunc() as i64))
            .map_or(Value::Null, Value::from),
        ("number", Value::Number(_)) | ("boolean", Value::Bool(_)) => value.clone(),
        ("date", Value::String(text)) if text.is_empty() => "<unknown>".into(),
        ("date", Value::String(text)) => match text.parse::<jiff::Timestamp>() {
            Ok(time) => view.age_of(time).into(),
            Err(_) => "<invalid>".into(),
        },
        _ => Value::Null,
    }
}

/// Compact JSON with object keys sorted, as Go's `json.Marshal` writes a map.
fn go_json(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let sorted: BTreeMap<&String, Value> =
                    map.iter().map(|(k, v)| (k, sorted(v))).collect();
                Value::Object(sorted.into_iter().map(|(k, v)| (k.clone(), v)).collect())
            }
            Value::Array(list) => Value::Array(list.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}
