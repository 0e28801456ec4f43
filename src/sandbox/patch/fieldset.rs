//! Sets of field paths, the ownership unit of server-side apply, and their
//! `FieldsV1` JSON form as it appears in `metadata.managedFields`.
//!
//! It owns the path vocabulary of structured-merge-diff (`f:` field, `k:` keyed
//! list item, `v:` set value, `i:` index, `.` for an item or map itself) and how
//! paths print in conflict messages. It knows nothing of kinds or objects: which
//! paths an object has is computed elsewhere.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::{Map, Value};

/// One step of a field path. The derived order (fields, then keys, then values,
/// then indices) is structured-merge-diff's, so `FieldsV1` comes out sorted as
/// Kubernetes writes it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathElement {
    /// A field of an object: `f:name`.
    Field(String),
    /// An item of an associative list, by its key fields: `k:{"name":"app"}`. Holds
    /// the compact JSON object, key fields sorted by name as Kubernetes sorts them.
    Key(String),
    /// An item of a set list: `v:"x"`. Holds the compact JSON value.
    Value(String),
    /// An item of a list by position: `i:0` (read from `FieldsV1`, never produced).
    Index(usize),
}

impl PathElement {
    /// The element for an associative-list item with these key fields.
    pub fn key<'a>(fields: impl IntoIterator<Item = (&'a str, &'a Value)>) -> Self {
        let mut fields: Vec<_> = fields.into_iter().collect();
        fields.sort_by(|a, b| a.0.cmp(b.0));
        let object: Map<String, Value> = fields
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value.clone()))
            .collect();
        Self::Key(Value::Object(object).to_string())
    }

    /// The element for a set-list item.
    pub fn value(value: &Value) -> Self {
        Self::Value(value.to_string())
    }

    fn parse(text: &str) -> Option<Self> {
        let (prefix, rest) = text.split_once(':')?;
        match prefix {
            "f" => Some(Self::Field(rest.to_owned())),
            "k" => match serde_json::from_str(rest).ok()? {
                Value::Object(key) => Some(Self::key(key.iter().map(|(k, v)| (k.as_str(), v)))),
                _ => None,
            },
            "v" => serde_json::from_str::<Value>(rest)
                .ok()
                .map(|v| Self::value(&v)),
            "i" => rest.parse().ok().map(Self::Index),
            _ => None,
        }
    }

    fn to_fields_v1_key(&self) -> String {
        match self {
            Self::Field(name) => format!("f:{name}"),
            Self::Key(json) => format!("k:{json}"),
            Self::Value(json) => format!("v:{json}"),
            Self::Index(index) => format!("i:{index}"),
        }
    }
}

/// As structured-merge-diff prints paths: `.spec.containers[name="app"].image`.
impl fmt::Display for PathElement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Field(name) => write!(f, ".{name}"),
            Self::Key(json) => {
                let fields = match serde_json::from_str::<Value>(json) {
                    Ok(Value::Object(fields)) => fields,
                    _ => return write!(f, "[{json}]"),
                };
                let parts: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
                write!(f, "[{}]", parts.join(","))
            }
            Self::Value(json) => write!(f, "[={json}]"),
            Self::Index(index) => write!(f, "[{index}]"),
        }
    }
}

/// A path from the object root.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FieldPath(pub Vec<PathElement>);

impl FieldPath {
    /// A path of plain field names, e.g. `FieldPath::fields(&["spec", "replicas"])`.
    pub fn fields(names: &[&str]) -> Self {
        Self(
            names
                .iter()
                .map(|n| PathElement::Field((*n).to_owned()))
                .collect(),
        )
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|element| element.fmt(f))
    }
}

/// Why a `fieldsV1` value could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FieldsError {
    #[error("fieldsV1 at {at:?}: expected an object, found {found}")]
    NotAnObject { at: String, found: String },
    #[error("fieldsV1 at {at:?}: {element:?} is not a path element (f:, k:, v:, i: or .)")]
    BadElement { at: String, element: String },
}

/// A set of field paths. A path in the set is owned itself; its prefixes are not
/// owned unless they are in the set too (that is what `.` records).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSet {
    paths: BTreeSet<FieldPath>,
}

impl FieldSet {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    pub fn insert(&mut self, path: FieldPath) {
        self.paths.insert(path);
    }

    pub fn contains(&self, path: &FieldPath) -> bool {
        self.paths.contains(path)
    }

    /// The paths in sorted order (a path before the paths under it).
    pub fn iter(&self) -> impl Iterator<Item = &FieldPath> {
        self.paths.iter()
    }

    pub fn union(&self, other: &Self) -> Self {
        Self {
            paths: self.paths.union(&other.paths).cloned().collect(),
        }
    }

    pub fn intersection(&self, other: &Self) -> Self {
        Self {
            paths: self.paths.intersection(&other.paths).cloned().collect(),
        }
    }

    /// The paths of `self` that are not in `other` (exact paths, not subtrees).
    pub fn difference(&self, other: &Self) -> Self {
        Self {
            paths: self.paths.difference(&other.paths).cloned().collect(),
        }
    }

    /// Reads the `fieldsV1` of a managedFields entry.
    pub fn from_fields_v1(value: &Value) -> Result<Self, FieldsError> {
        let mut set = Self::new();
        read_node(value, &mut Vec::new(), &mut set)?;
        Ok(set)
    }

    /// Writes the `fieldsV1` form: `{}` for an owned leaf, `".": {}` beside the
    /// children of an owned path that also has owned paths under it.
    pub fn to_fields_v1(&self) -> Value {
        let mut root = Map::new();
        for path in &self.paths {
            let mut node = &mut root;
            for element in &path.0 {
                let slot = node
                    .entry(element.to_fields_v1_key())
                    .or_insert_with(|| Value::Object(Map::new()));
                let Value::Object(child) = slot else {
                    break; // only objects are ever inserted
                };
                node = child;
            }
        }
        mark_owned_parents(&mut root, &self.paths, &mut Vec::new());
        Value::Object(root)
    }
}

impl FromIterator<FieldPath> for FieldSet {
    fn from_iter<I: IntoIterator<Item = FieldPath>>(iter: I) -> Self {
        Self {
            paths: iter.into_iter().collect(),
        }
    }
}

/// Adds `".": {}` to every node that is itself in the set and has children.
fn mark_owned_parents(
    node: &mut Map<String, Value>,
    paths: &BTreeSet<FieldPath>,
    prefix: &mut Vec<PathElement>,
) {
    let keys: Vec<String> = node.keys().cloned().collect();
    for key in keys {
        let Some(element) = PathElement::parse(&key) else {
            continue;
        };
        prefix.push(element);
        if let Some(Value::Object(child)) = node.get_mut(&key)
            && !child.is_empty()
        {
            mark_owned_parents(child, paths, prefix);
            if paths.contains(&FieldPath(prefix.clone())) {
                child.shift_insert(0, ".".into(), Value::Object(Map::new()));
            }
        }
        prefix.pop();
    }
}

fn read_node(
    value: &Value,
    prefix: &mut Vec<PathElement>,
    set: &mut FieldSet,
) -> Result<(), FieldsError> {
    let Value::Object(node) = value else {
        return Err(FieldsError::NotAnObject {
            at: FieldPath(prefix.clone()).to_string(),
            found: value.to_string(),
        });
    };
    for (key, child) in node {
        if key == "." && !prefix.is_empty() {
            set.insert(FieldPath(prefix.clone()));
            continue;
        }
        let element = PathElement::parse(key).ok_or_else(|| FieldsError::BadElement {
            at: FieldPath(prefix.clone()).to_string(),
            element: key.clone(),
        })?;
        prefix.push(element);
        match child {
            Value::Object(grandchildren) if grandchildren.is_empty() => {
                set.insert(FieldPath(prefix.clone()));
            }
            _ => read_node(child, prefix, set)?,
        }
        prefix.pop();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    #[test]
    fn fields_v1_round_trips_real_managed_fields() {
        let text = r#"{"f:metadata":{"f:annotations":{".":{},"f:deployment.kubernetes.io/revision":{}},"f:finalizers":{".":{},"v:\"example.com/x\"":{}},"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},"f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:env":{"k:{\"name\":\"MODE\"}":{".":{},"f:name":{},"f:value":{}}},"f:image":{},"f:name":{},"f:ports":{"k:{\"containerPort\":8080,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}},"f:tolerations":{}}}}}"#;
        let value: Value = serde_json::from_str(text).unwrap();
        let set = FieldSet::from_fields_v1(&value).unwrap();
        assert_eq!(set.iter().count(), 18);
        assert!(set.contains(&FieldPath::fields(&["spec", "replicas"])));
        assert!(!set.contains(&FieldPath::fields(&["spec"])));
        assert!(set.contains(&FieldPath::fields(&["metadata", "annotations"])));
        assert_eq!(serde_json::to_string(&set.to_fields_v1()).unwrap(), text);
    }

    #[test]
    fn paths_print_like_structured_merge_diff() {
        let path = FieldPath(vec![
            PathElement::Field("spec".into()),
            PathElement::Field("containers".into()),
            PathElement::key([("name", &json!("app"))]),
            PathElement::Field("ports".into()),
            PathElement::key([("protocol", &json!("TCP")), ("containerPort", &json!(80))]),
        ]);
        assert_eq!(
            path.to_string(),
            r#".spec.containers[name="app"].ports[containerPort=80,protocol="TCP"]"#
        );
        let set = FieldPath(vec![
            PathElement::Field("finalizers".into()),
            PathElement::value(&json!("a")),
        ]);
        assert_eq!(set.to_string(), r#".finalizers[="a"]"#);
        assert_eq!(FieldPath(vec![PathElement::Index(3)]).to_string(), "[3]");
    }

    #[test]
    fn keys_are_normalised_when_read() {
        let set = FieldSet::from_fields_v1(
            &json!({"k:{ \"protocol\": \"TCP\", \"containerPort\": 80 }": {}}),
        )
        .unwrap();
        assert!(set.contains(&FieldPath(vec![PathElement::key([
            ("containerPort", &json!(80)),
            ("protocol", &json!("TCP")),
        ])])));
        assert_eq!(
            set.to_fields_v1(),
            json!({"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {}})
        );
    }

    #[test]
    fn set_operations() {
        let a: FieldSet = [FieldPath::fields(&["a"]), FieldPath::fields(&["b"])]
            .into_iter()
            .collect();
        let b: FieldSet = [FieldPath::fields(&["b"]), FieldPath::fields(&["c"])]
            .into_iter()
            .collect();
        assert_eq!(a.union(&b).iter().count(), 3);
        assert_eq!(
            a.intersection(&b),
            [FieldPath::fields(&["b"])].into_iter().collect()
        );
        assert_eq!(
            a.difference(&b),
            [FieldPath::fields(&["a"])].into_iter().collect()
        );
        assert!(FieldSet::new().is_empty());
    }

    #[test]
    fn malformed_fields_v1_is_an_error() {
        assert_eq!(
            FieldSet::from_fields_v1(&json!({"f:spec": {"x:y": {}}}))
                .unwrap_err()
                .to_string(),
            r#"fieldsV1 at ".spec": "x:y" is not a path element (f:, k:, v:, i: or .)"#
        );
        assert_eq!(
            FieldSet::from_fields_v1(&json!({"f:spec": 1}))
                .unwrap_err()
                .to_string(),
            r#"fieldsV1 at ".spec": expected an object, found 1"#
        );
        assert!(FieldSet::from_fields_v1(&json!({"k:[1]": {}})).is_err());
    }
}
