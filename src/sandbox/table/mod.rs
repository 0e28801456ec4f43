//! Server-side printing: the `meta.k8s.io/v1` Table that `kubectl get` asks for with
//! `Accept: application/json;as=Table;...` and prints column by column. The columns
//! and cells follow the API server's printers (`pkg/printers/internalversion` for
//! built-in kinds, the apiextensions table convertor for custom resources, the
//! default convertor for everything else), because kubectl shows exactly what the
//! server returns and users compare it with real clusters.
//!
//! This module only reads objects; it owns no state and must not touch the store.
//! The caller sets the list metadata (`resourceVersion`, `continue`) and picks the
//! clock, so tests pass a fixed `now`.

mod autoscaling;
mod cluster;
mod custom;
mod duration;
mod events;
mod format;
mod jsonpath;
mod network;
mod pods;
mod view;
mod workloads;

use jiff::Timestamp;
use serde_json::{Map, Value, json};

pub use duration::human_duration;
use view::View;

/// What each row carries besides its cells (`?includeObject=`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IncludeObject {
    /// Cells only.
    None,
    /// A `PartialObjectMetadata`: what kubectl needs for `-A`, `--show-labels` and
    /// `-L` without the cost of whole objects.
    #[default]
    Metadata,
    /// The whole object.
    Object,
}

/// One of a CRD version's `additionalPrinterColumns`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PrinterColumn {
    pub name: String,
    /// `string`, `integer`, `number`, `boolean` or `date` (shown as an age).
    pub type_: String,
    /// A JSONPath without braces, like `.status.replicas`.
    pub json_path: String,
    pub description: String,
    /// 0 for the default view, more for `-o wide`.
    pub priority: i64,
    pub format: String,
}

/// A column as the built-in printers declare it.
#[derive(Clone, Copy, Debug)]
struct Column {
    name: &'static str,
    type_: &'static str,
    format: &'static str,
    description: &'static str,
    priority: i64,
}

impl Column {
    /// A column of the default view.
    const fn new(name: &'static str, type_: &'static str, description: &'static str) -> Self {
        Self {
            name,
            type_,
            format: "",
            description,
            priority: 0,
        }
    }

    /// A column kubectl shows only with `-o wide`.
    const fn wide(name: &'static str, type_: &'static str, description: &'static str) -> Self {
        Self {
            priority: 1,
            ..Self::new(name, type_, description)
        }
    }

    fn definition(&self) -> Value {
        json!({
            "name": self.name,
            "type": self.type_,
            "format": self.format,
            "description": self.description,
            "priority": self.priority,
        })
    }
}

const NAME_DESCRIPTION: &str = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

const CREATED_DESCRIPTION: &str = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

/// Every printer's first column.
const NAME: Column = Column {
    format: "name",
    ..Column::new("Name", "string", NAME_DESCRIPTION)
};

/// The age column, computed from `metadata.creationTimestamp`.
const AGE: Column = Column::new("Age", "string", CREATED_DESCRIPTION);

/// The cells of one row and, for pods, the row conditions the server adds.
#[derive(Debug, Default)]
struct Row {
    cells: Vec<Value>,
    conditions: Vec<Value>,
}

impl From<Vec<Value>> for Row {
    fn from(cells: Vec<Value>) -> Self {
        Self {
            cells,
            conditions: Vec::new(),
        }
    }
}

/// A built-in kind's printer: its columns and how to fill one row.
struct Printer {
    columns: &'static [Column],
    row: fn(&View) -> Row,
}

/// The Table for `objects` of one kind, as the API server prints them at `now`.
///
/// `extra_columns` are a custom resource's declared printer columns; a custom kind
/// without them gets NAME and AGE, as the apiextensions server defaults them. The
/// table's `metadata` holds the object's `resourceVersion` when there is exactly one
/// object; a caller rendering a list replaces it with the list's.
pub fn table(
    group: &str,
    kind: &str,
    objects: &[&Value],
    now: Timestamp,
    extra_columns: &[PrinterColumn],
    include_object: IncludeObject,
) -> Value {
    let (definitions, rows): (Vec<Value>, Vec<Row>) = if let Some(printer) = builtin(group, kind) {
        (
            printer.columns.iter().map(Column::definition).collect(),
            objects
                .iter()
                .map(|object| (printer.row)(&View::new(object, now)))
                .collect(),
        )
    } else if !extra_columns.is_empty() || !custom::is_builtin_group(group) {
        let columns = custom::Columns::new(extra_columns);
        (
            columns.definitions(),
            objects
                .iter()
                .map(|object| columns.row(&View::new(object, now)).into())
                .collect(),
        )
    } else {
        (
            custom::DEFAULT_COLUMNS
                .iter()
                .map(Column::definition)
                .collect(),
            objects
                .iter()
                .map(|object| custom::default_row(&View::new(object, now)).into())
                .collect(),
        )
    };
    let rows: Vec<Value> = rows
        .into_iter()
        .zip(objects)
        .map(|(row, object)| row_value(row, object, include_object))
        .collect();
    let mut metadata = Map::new();
    if let [only] = objects
        && let Some(version) = only.pointer("/metadata/resourceVersion")
    {
        metadata.insert("resourceVersion".into(), version.clone());
    }
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": definitions,
        "rows": rows,
    })
}

fn row_value(row: Row, object: &Value, include: IncludeObject) -> Value {
    let mut value = Map::new();
    value.insert("cells".into(), Value::Array(row.cells));
    if !row.conditions.is_empty() {
        value.insert("conditions".into(), Value::Array(row.conditions));
    }
    match include {
        IncludeObject::None => {}
        IncludeObject::Metadata => {
            value.insert(
                "object".into(),
                json!({
                    "kind": "PartialObjectMetadata",
                    "apiVersion": "meta.k8s.io/v1",
                    "metadata": object.get("metadata").cloned().unwrap_or_else(|| json!({})),
                }),
            );
        }
        IncludeObject::Object => {
            value.insert("object".into(), object.clone());
        }
    }
    Value::Object(value)
}

/// The printer the API server registers for a built-in kind. Matching the group as
/// well keeps a custom `Pod` in some other group from borrowing pod columns.
fn builtin(group: &str, kind: &str) -> Option<Printer> {
    let printer = match (group, kind) {
        ("", "Pod") => pods::PRINTER,
        ("apps", "Deployment") => workloads::DEPLOYMENT,
        ("apps", "ReplicaSet") => workloads::REPLICA_SET,
        ("apps", "StatefulSet") => workloads::STATEFUL_SET,
        ("apps", "DaemonSet") => workloads::DAEMON_SET,
        ("batch", "Job") => workloads::JOB,
        ("batch", "CronJob") => workloads::CRON_JOB,
        ("", "Service") => network::SERVICE,
        ("", "Endpoints") => network::ENDPOINTS,
        ("networking.k8s.io" | "extensions", "Ingress") => network::INGRESS,
        ("", "ConfigMap") => cluster::CONFIG_MAP,
        ("", "Secret") => cluster::SECRET,
        ("", "Namespace") => cluster::NAMESPACE,
        ("", "Node") => cluster::NODE,
        ("", "ServiceAccount") => cluster::SERVICE_ACCOUNT,
        ("", "PersistentVolumeClaim") => cluster::PVC,
        ("autoscaling", "HorizontalPodAutoscaler") => autoscaling::HPA,
        ("rbac.authorization.k8s.io", "Role" | "ClusterRole") => cluster::ROLE,
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => {
            cluster::ROLE_BINDING
        }
        ("", "Event") => events::CORE,
        ("events.k8s.io", "Event") => events::EVENTS_API,
        _ => return None,
    };
    Some(printer)
}

#[cfg(test)]
mod tests;
