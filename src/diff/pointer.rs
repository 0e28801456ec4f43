//! RFC 6901 JSON pointers: building them while walking an object, reading the
//! ones users write in ignore rules, removing what they point at, and the order
//! changes are listed in. Pointers here are plain `String`s because that is what
//! users type and what `FieldChange` carries.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;

/// One step of a path: a map key or a list index.
#[derive(Clone, Copy, Debug)]
pub(super) enum Step<'v> {
    Field(&'v str),
    Index(usize),
}

/// Where a walk is inside an object. Keeps the steps rather than a string so the
/// list-semantics table can be asked with field names only (indices skipped).
#[derive(Debug, Default)]
pub(super) struct Path<'v> {
    steps: Vec<Step<'v>>,
}

impl<'v> Path<'v> {
    pub(super) fn push(&mut self, step: Step<'v>) {
        self.steps.push(step);
    }

    pub(super) fn pop(&mut self) {
        self.steps.pop();
    }

    /// The field names from the root, list indices skipped: the form
    /// `model::lists` takes.
    pub(super) fn fields(&self) -> Vec<&'v str> {
        self.steps
            .iter()
            .filter_map(|step| match step {
                Step::Field(name) => Some(*name),
                Step::Index(_) => None,
            })
            .collect()
    }

    pub(super) fn pointer(&self) -> String {
        let mut out = String::new();
        for step in &self.steps {
            out.push('/');
            match step {
                Step::Field(name) => out.push_str(&escape(name)),
                Step::Index(index) => out.push_str(&index.to_string()),
            }
        }
        out
    }
}

/// A key as one pointer segment: `~` → `~0`, `/` → `~1` (in that order, so an
/// escaped `/` is not escaped again).
pub(crate) fn escape(segment: &str) -> Cow<'_, str> {
    if segment.contains(['~', '/']) {
        Cow::Owned(segment.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(segment)
    }
}

/// The segments of a pointer; `None` for text that is not one (no leading `/`).
/// The empty pointer is the whole document.
pub(super) fn parse(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    // `~1` before `~0`: `~01` is a literal `~1`, not `/`.
    Some(
        rest.split('/')
            .map(|segment| segment.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

/// Removes what `pointer` names from `object`, then any map that removal left
/// empty, so both sides of a comparison lose the same shape. Emptied list items
/// stay: removing them would renumber their neighbours. A pointer that names
/// nothing, or is not a pointer, changes nothing (rules are written for many
/// objects and need not fit each one).
pub(super) fn remove(object: &mut Value, pointer: &str) {
    if let Some(segments) = parse(pointer)
        && !segments.is_empty()
    {
        remove_at(object, &segments);
    }
}

fn remove_at(value: &mut Value, segments: &[String]) -> bool {
    let Some((head, rest)) = segments.split_first() else {
        return false;
    };
    if rest.is_empty() {
        return match value {
            Value::Object(map) => map.shift_remove(head).is_some(),
            Value::Array(items) => match index(head) {
                Some(i) if i < items.len() => {
                    items.remove(i);
                    true
                }
                _ => false,
            },
            _ => false,
        };
    }
    match value {
        Value::Object(map) => {
            let Some(child) = map.get_mut(head) else {
                return false;
            };
            let removed = remove_at(child, rest);
            if removed && child.as_object().is_some_and(serde_json::Map::is_empty) {
                map.shift_remove(head);
            }
            removed
        }
        Value::Array(items) => match index(head).and_then(|i| items.get_mut(i)) {
            Some(child) => remove_at(child, rest),
            None => false,
        },
        _ => false,
    }
}

/// A list index as RFC 6901 spells it: digits, no leading zero.
fn index(segment: &str) -> Option<usize> {
    let digits = !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit());
    if !digits || (segment.len() > 1 && segment.starts_with('0')) {
        return None;
    }
    segment.parse().ok()
}

/// Segment by segment, numbers as numbers, so `/containers/2` comes before
/// `/containers/10` and a field comes right after its parent.
pub(super) fn order(a: &str, b: &str) -> Ordering {
    let mut left = a.split('/');
    let mut right = b.split('/');
    loop {
        match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let by_segment = match (index(x), index(y)) {
                    (Some(i), Some(j)) => i.cmp(&j),
                    _ => x.cmp(y),
                };
                if by_segment != Ordering::Equal {
                    return by_segment;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

    #[test]
    fn escapes_and_parses_round_trip() {
        let mut path = Path::default();
        path.push(Step::Field("metadata"));
        path.push(Step::Field("annotations"));
        path.push(Step::Field("example.com/a~b"));
        assert_eq!(path.pointer(), "/metadata/annotations/example.com~1a~0b");
        assert_eq!(
            parse(&path.pointer()).unwrap(),
            ["metadata", "annotations", "example.com/a~b"]
        );
        assert_eq!(parse("/a/~01").unwrap(), ["a", "~1"]);
        assert_eq!(parse("").unwrap(), Vec::<String>::new());
        assert_eq!(parse("spec/replicas"), None);
    }

    #[test]
    fn fields_skip_indices() {
        let mut path = Path::default();
        path.push(Step::Field("spec"));
        path.push(Step::Field("containers"));
        path.push(Step::Index(3));
        path.push(Step::Field("ports"));
        assert_eq!(path.fields(), ["spec", "containers", "ports"]);
        assert_eq!(path.pointer(), "/spec/containers/3/ports");
    }

    #[test]
    fn remove_prunes_emptied_maps_but_not_list_items() {
        let mut object = json!({
            "metadata": {"name": "a", "annotations": {"x": "1"}},
            "spec": {"containers": [{"image": "i"}, {"name": "b"}]}
        });
        remove(&mut object, "/metadata/annotations/x");
        remove(&mut object, "/spec/containers/0/image");
        remove(&mut object, "/spec/containers/7/image");
        remove(&mut object, "/spec/containers/01");
        remove(&mut object, "/nothing/here");
        remove(&mut object, "not a pointer");
        assert_eq!(
            object,
            json!({"metadata": {"name": "a"}, "spec": {"containers": [{}, {"name": "b"}]}})
        );
        remove(&mut object, "/spec/containers/1");
        assert_eq!(object["spec"]["containers"], json!([{}]));
    }

    #[test]
    fn order_is_numeric_for_indices() {
        let mut pointers = vec![
            "/spec/x",
            "/spec/c/10",
            "/spec/c/2/image",
            "/spec",
            "/spec/c/2",
        ];
        pointers.sort_by(|a, b| order(a, b));
        assert_eq!(
            pointers,
            [
                "/spec",
                "/spec/c/2",
                "/spec/c/2/image",
                "/spec/c/10",
                "/spec/x"
            ]
        );
    }
}
