//! Server-side apply and `metadata.managedFields`: who owns which fields of an
//! object, how an apply merges, prunes and conflicts, and how every other write
//! moves ownership. Semantics follow Kubernetes' structured-merge-diff and its
//! `fieldmanager` (manager identity, stripped metadata, conflict messages).
//!
//! It owns the managedFields entries; paths come from `fieldset`, object walks
//! from `structured`, list rules from [`crate::model::lists`]. Pure: the caller
//! passes the clock (`now`) and stores the result.
//!
//! `status`: for kinds with a status subresource, an apply to the main resource
//! must not touch `status`; callers remove it from the configuration before
//! calling [`apply`], as the API server's reset strategy does.

use serde_json::{Map, Value, json};

use super::fieldset::{FieldPath, FieldSet};
pub use super::structured::ShapeError;
use super::structured::{Comparison, Schema};

/// How a manager last wrote its fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Operation {
    Apply,
    Update,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Apply => "Apply",
            Self::Update => "Update",
        }
    }
}

/// A field an apply wanted to change that another manager owns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    pub manager: String,
    pub operation: Operation,
    pub api_version: String,
    pub subresource: Option<String>,
    /// As Kubernetes prints it: `.spec.template.spec.containers[name="app"].image`.
    pub field: String,
}

impl Conflict {
    /// The manager as the API server names it: `"kubectl-edit" using apps/v1`,
    /// `"helm"` (appliers carry no version), `"x" with subresource "status" …`.
    pub fn manager_description(&self) -> String {
        let mut text = format!("{:?}", self.manager);
        if let Some(subresource) = &self.subresource {
            text.push_str(&format!(" with subresource {subresource:?}"));
        }
        if self.operation == Operation::Update {
            text.push_str(&format!(" using {}", self.api_version));
        }
        text
    }
}

/// Why an apply was refused.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// A 409 unless the client forces.
    #[error("{}", conflict_message(.0))]
    Conflict(Vec<Conflict>),
    /// The configuration's lists break its kind's rules (a 422/400).
    #[error(transparent)]
    Invalid(#[from] ShapeError),
    #[error("metadata.managedFields must be nil")]
    ManagedFieldsInConfig,
}

/// The owner Kubernetes invents for the fields of an object that predates any
/// managedFields when it is first applied to.
const BEFORE_FIRST_APPLY: &str = "before-first-apply";

/// Paths Kubernetes never records as owned (`fieldmanager`'s strip set).
const STRIPPED: &[&[&str]] = &[
    &["apiVersion"],
    &["kind"],
    &["metadata"],
    &["metadata", "name"],
    &["metadata", "namespace"],
    &["metadata", "creationTimestamp"],
    &["metadata", "selfLink"],
    &["metadata", "uid"],
    &["metadata", "clusterName"],
    &["metadata", "generation"],
    &["metadata", "managedFields"],
    &["metadata", "resourceVersion"],
];

/// The fields an applier of `object` owns: every leaf (scalars, nulls, empty
/// objects, atomic lists and objects), each item of associative lists (`.` plus
/// its fields) and each value of set lists, minus the identity and server
/// metadata Kubernetes never records (apiVersion, kind, name, namespace, uid, …).
pub fn fields_of(group: &str, kind: &str, object: &Value) -> Result<FieldSet, ShapeError> {
    Ok(Schema { group, kind }
        .paths(object, true)?
        .difference(&stripped()))
}

/// Server-side apply of `config` by `manager` onto `live` (`None` creates).
///
/// The result is live merged with config, minus the fields this manager applied
/// last time, no longer applies, and nobody else owns; its managedFields give the
/// manager exactly the fields of `config`. A field whose value changes and that
/// another manager owns is a conflict, unless `force` takes it from them.
#[allow(clippy::too_many_arguments)] // mirrors the request: every argument is one of its parts
pub fn apply(
    group: &str,
    kind: &str,
    api_version: &str,
    live: Option<&Value>,
    config: &Value,
    manager: &str,
    force: bool,
    now: &str,
) -> Result<Value, ApplyError> {
    let schema = Schema { group, kind };
    if config
        .pointer("/metadata/managedFields")
        .is_some_and(|v| !v.is_null())
    {
        return Err(ApplyError::ManagedFieldsInConfig);
    }
    let applied = fields_of(group, kind, config)?;
    let before = live.map_or_else(|| json!({}), without_managed_fields);
    let mut others = live_entries(schema, live, &before, api_version, now);
    let mine = others
        .iter()
        .position(|e| e.is(manager, Operation::Apply, api_version, None));
    let previous = mine.map(|i| others.remove(i));

    let mut merged = schema.merge(live, config)?;
    if let Some(previous) = &previous {
        prune(schema, &mut merged, &previous.fields, &others, &applied);
    }
    let after = without_managed_fields(&merged);
    let comparison = schema.compare(&before, &after);
    settle_conflicts(&mut others, &comparison, force)?;

    // As the API server does, an apply that changes nothing keeps the entry's time.
    let unchanged = before == after
        && previous
            .as_ref()
            .is_some_and(|p| p.fields == applied && p.api_version == api_version);
    let mut entry = Entry::new(manager, Operation::Apply, api_version, None, applied, now);
    if unchanged {
        entry.time = previous.and_then(|p| p.time);
    }
    others.push(entry);
    write_entries(&mut merged, others);
    Ok(merged)
}

/// The live object's entries; an object that has none yet is owned wholly by
/// `before-first-apply`, as Kubernetes does, so a first apply cannot silently
/// overwrite what was there.
fn live_entries(
    schema: Schema<'_>,
    live: Option<&Value>,
    before: &Value,
    api_version: &str,
    now: &str,
) -> Vec<Entry> {
    let Some(live) = live else {
        return Vec::new();
    };
    let entries = read_entries(live).unwrap_or_default();
    if !entries.is_empty() {
        return entries;
    }
    let owned = schema
        .paths(before, false)
        .unwrap_or_default()
        .difference(&stripped());
    vec![Entry::new(
        BEFORE_FIRST_APPLY,
        Operation::Update,
        api_version,
        None,
        owned,
        now,
    )]
}

/// Removes what the applier applied last time, no longer applies, and no other
/// manager owns.
fn prune(
    schema: Schema<'_>,
    merged: &mut Value,
    previously_applied: &FieldSet,
    others: &[Entry],
    applied: &FieldSet,
) {
    let owned = others
        .iter()
        .fold(applied.clone(), |all, e| all.union(&e.fields));
    let present = schema.paths(merged, false).unwrap_or_default();
    let prune = present.intersection(previously_applied).difference(&owned);
    schema.remove(merged, &prune, &owned);
}

/// Fails on fields that change and other managers own, unless `force`; then
/// takes those fields, and every removed one, from the other managers.
fn settle_conflicts(
    others: &mut [Entry],
    comparison: &Comparison,
    force: bool,
) -> Result<(), ApplyError> {
    let changed = comparison.added.union(&comparison.modified);
    if !force {
        let mut conflicts: Vec<Conflict> = others
            .iter()
            .flat_map(|entry| {
                let lost = entry.fields.intersection(&changed);
                lost.iter().map(|p| entry.conflict(p)).collect::<Vec<_>>()
            })
            .collect();
        if !conflicts.is_empty() {
            conflicts.sort_by(|a, b| {
                let key = |c: &Conflict| (c.manager.clone(), c.operation, c.subresource.clone());
                key(a).cmp(&key(b))
            });
            return Err(ApplyError::Conflict(conflicts));
        }
    }
    for entry in others.iter_mut() {
        entry.fields = entry
            .fields
            .difference(&changed)
            .difference(&comparison.removed);
    }
    Ok(())
}

/// Records a write that is not an apply (create, update, any patch) by `manager`:
/// it gains every field that was added or changed from `old` to `new` (recorded
/// as an `Update` at `api_version`, on `subresource` if any), other managers lose
/// them, and removed fields leave everyone. Returns `new` with its managedFields.
///
/// As in Kubernetes, managedFields sent with a main-resource write replace the
/// stored ones (so clients can edit them), `[{}]` clears them, and anything
/// unreadable falls back to the stored ones.
#[allow(clippy::too_many_arguments)] // mirrors the request: every argument is one of its parts
pub fn record_update(
    group: &str,
    kind: &str,
    api_version: &str,
    old: Option<&Value>,
    new: &Value,
    manager: &str,
    subresource: Option<&str>,
    now: &str,
) -> Value {
    let mut result = new.clone();
    if new.pointer("/metadata/managedFields") == Some(&json!([{}])) {
        write_entries(&mut result, Vec::new());
        return result;
    }
    let sent = match subresource {
        None => read_entries(new).filter(|entries| !entries.is_empty()),
        Some(_) => None,
    };
    let mut entries = sent
        .or_else(|| old.and_then(read_entries))
        .unwrap_or_default();
    let before = old.map_or_else(|| json!({}), without_managed_fields);
    let comparison = Schema { group, kind }.compare(&before, &without_managed_fields(new));
    let changed = comparison
        .added
        .union(&comparison.modified)
        .difference(&stripped());
    for entry in &mut entries {
        entry.fields = entry
            .fields
            .difference(&changed)
            .difference(&comparison.removed);
    }
    if !changed.is_empty() {
        match entries
            .iter_mut()
            .find(|e| e.is(manager, Operation::Update, api_version, subresource))
        {
            Some(entry) => {
                entry.fields = entry.fields.union(&changed);
                entry.time = Some(now.to_owned());
            }
            None => entries.push(Entry::new(
                manager,
                Operation::Update,
                api_version,
                subresource,
                changed,
                now,
            )),
        }
    }
    write_entries(&mut result, entries);
    result
}

/// One managedFields entry.
#[derive(Clone, Debug)]
struct Entry {
    manager: String,
    operation: Operation,
    api_version: String,
    time: Option<String>,
    subresource: Option<String>,
    fields: FieldSet,
}

impl Entry {
    fn new(
        manager: &str,
        operation: Operation,
        api_version: &str,
        subresource: Option<&str>,
        fields: FieldSet,
        now: &str,
    ) -> Self {
        Self {
            manager: manager.to_owned(),
            operation,
            api_version: api_version.to_owned(),
            time: Some(now.to_owned()),
            subresource: subresource.map(str::to_owned),
            fields,
        }
    }

    /// Kubernetes' manager identity: appliers are one manager whatever version
    /// they apply; updaters are one per API version.
    fn is(
        &self,
        manager: &str,
        operation: Operation,
        api_version: &str,
        subresource: Option<&str>,
    ) -> bool {
        self.manager == manager
            && self.operation == operation
            && self.subresource.as_deref() == subresource
            && (operation == Operation::Apply || self.api_version == api_version)
    }

    fn conflict(&self, path: &FieldPath) -> Conflict {
        Conflict {
            manager: self.manager.clone(),
            operation: self.operation,
            api_version: self.api_version.clone(),
            subresource: self.subresource.clone(),
            field: path.to_string(),
        }
    }

    fn read(value: &Value) -> Option<Self> {
        let text = |key: &str| {
            value
                .get(key)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        };
        let operation = match text("operation")? {
            "Apply" => Operation::Apply,
            "Update" => Operation::Update,
            _ => return None,
        };
        let fields = match value.get("fieldsV1") {
            None | Some(Value::Null) => FieldSet::new(),
            Some(fields) if text("fieldsType") == Some("FieldsV1") => {
                FieldSet::from_fields_v1(fields).ok()?
            }
            Some(_) => return None,
        };
        Some(Self {
            manager: text("manager").unwrap_or_default().to_owned(),
            operation,
            api_version: text("apiVersion").unwrap_or_default().to_owned(),
            time: text("time").map(str::to_owned),
            subresource: text("subresource").map(str::to_owned),
            fields,
        })
    }

    fn to_json(&self) -> Value {
        let mut entry = Map::new();
        entry.insert("manager".into(), self.manager.clone().into());
        entry.insert("operation".into(), self.operation.as_str().into());
        entry.insert("apiVersion".into(), self.api_version.clone().into());
        if let Some(time) = &self.time {
            entry.insert("time".into(), time.clone().into());
        }
        entry.insert("fieldsType".into(), "FieldsV1".into());
        entry.insert("fieldsV1".into(), self.fields.to_fields_v1());
        if let Some(subresource) = &self.subresource {
            entry.insert("subresource".into(), subresource.clone().into());
        }
        Value::Object(entry)
    }
}

/// The object's entries; `None` when any is unreadable (Kubernetes then falls
/// back or starts over rather than trust part of them).
fn read_entries(object: &Value) -> Option<Vec<Entry>> {
    let items = match object.pointer("/metadata/managedFields") {
        None | Some(Value::Null) => return Some(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return None,
    };
    let mut entries: Vec<Entry> = Vec::with_capacity(items.len());
    for item in items {
        let entry = Entry::read(item)?;
        let subresource = entry.subresource.as_deref();
        match entries.iter_mut().find(|e| {
            e.is(
                &entry.manager,
                entry.operation,
                &entry.api_version,
                subresource,
            )
        }) {
            Some(same) => same.fields = same.fields.union(&entry.fields),
            None => entries.push(entry),
        }
    }
    Some(entries)
}

/// Stores the entries with content, in the API server's order (appliers first,
/// then by time, manager, version, subresource); no entries, no field.
fn write_entries(object: &mut Value, mut entries: Vec<Entry>) {
    entries.retain(|e| !e.fields.is_empty());
    entries.sort_by(|a, b| {
        (
            a.operation,
            &a.time,
            &a.manager,
            &a.api_version,
            &a.subresource,
        )
            .cmp(&(
                b.operation,
                &b.time,
                &b.manager,
                &b.api_version,
                &b.subresource,
            ))
    });
    let Some(object) = object.as_object_mut() else {
        return;
    };
    if entries.is_empty() {
        if let Some(Value::Object(metadata)) = object.get_mut("metadata") {
            metadata.shift_remove("managedFields");
        }
        return;
    }
    let metadata = object.entry("metadata").or_insert_with(|| json!({}));
    if let Value::Object(metadata) = metadata {
        metadata.insert(
            "managedFields".into(),
            entries.iter().map(Entry::to_json).collect(),
        );
    }
}

fn without_managed_fields(object: &Value) -> Value {
    let mut copy = object.clone();
    if let Some(Value::Object(metadata)) = copy.get_mut("metadata") {
        metadata.shift_remove("managedFields");
    }
    copy
}

fn stripped() -> FieldSet {
    STRIPPED
        .iter()
        .map(|path| FieldPath::fields(path))
        .collect()
}

/// The apiserver's wording: one conflict on one line, several grouped by manager.
fn conflict_message(conflicts: &[Conflict]) -> String {
    if let [only] = conflicts {
        return format!(
            "Apply failed with 1 conflict: conflict with {}: {}",
            only.manager_description(),
            only.field
        );
    }
    let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
    for conflict in conflicts {
        let manager = conflict.manager_description();
        match groups.iter_mut().find(|(m, _)| *m == manager) {
            Some((_, fields)) => fields.push(&conflict.field),
            None => groups.push((manager, vec![&conflict.field])),
        }
    }
    let lines: Vec<String> = groups
        .iter()
        .flat_map(|(manager, fields)| {
            std::iter::once(format!("conflicts with {manager}:"))
                .chain(fields.iter().map(|f| format!("- {f}")))
        })
        .collect();
    format!(
        "Apply failed with {} conflicts: {}",
        conflicts.len(),
        lines.join("\n")
    )
}

#[cfg(test)]
#[path = "managed_tests.rs"]
mod tests;
