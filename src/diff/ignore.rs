//! An app's `ignoreDifferences` rules: which apply to an object, and removing the
//! fields they name from a side before it is compared, so an ignored field never
//! shows up as a change, in a text or in the unified diff.

use serde_json::Value;

use crate::model::{IgnoreDifference, ResourceKey};

use super::pointer;

/// The pointers of every rule whose selector matches `key`; a selector field left
/// out matches anything.
pub(super) fn pointers_for<'r>(rules: &'r [IgnoreDifference], key: &ResourceKey) -> Vec<&'r str> {
    rules
        .iter()
        .filter(|rule| matches(rule, key))
        .flat_map(|rule| rule.json_pointers.iter().map(String::as_str))
        .collect()
}

fn matches(rule: &IgnoreDifference, key: &ResourceKey) -> bool {
    let fits = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|want| want == have);
    fits(&rule.group, &key.group)
        && fits(&rule.kind, &key.kind)
        && fits(&rule.namespace, &key.namespace)
        && fits(&rule.name, &key.name)
}

/// Removes each pointed field from `object`. Pointers may index into lists
/// (`/spec/containers/0/image`); one that names nothing is skipped.
pub(super) fn strip(object: &mut Value, pointers: &[&str]) {
    for target in pointers {
        pointer::remove(object, target);
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

    fn rule(kind: Option<&str>, name: Option<&str>, pointers: &[&str]) -> IgnoreDifference {
        IgnoreDifference {
            group: Some("apps".into()),
            kind: kind.map(Into::into),
            namespace: None,
            name: name.map(Into::into),
            json_pointers: pointers.iter().map(|p| (*p).to_owned()).collect(),
        }
    }

    #[test]
    fn selectors_match_by_each_given_field() {
        let key = ResourceKey::new("apps", "Deployment", "web", "api");
        let rules = [
            rule(Some("Deployment"), None, &["/spec/replicas"]),
            rule(None, Some("api"), &["/metadata/labels"]),
            rule(Some("StatefulSet"), None, &["/spec/x"]),
            rule(None, Some("other"), &["/spec/y"]),
            IgnoreDifference {
                json_pointers: vec!["/spec/z".into()],
                ..IgnoreDifference::default()
            },
        ];
        assert_eq!(
            pointers_for(&rules, &key),
            ["/spec/replicas", "/metadata/labels", "/spec/z"]
        );
        let core = ResourceKey::new("", "Deployment", "web", "api");
        assert_eq!(pointers_for(&rules, &core), ["/spec/z"]);
    }

    #[test]
    fn strip_removes_fields_inside_lists() {
        let mut object =
            json!({"spec": {"replicas": 3, "containers": [{"name": "a", "image": "x"}]}});
        strip(
            &mut object,
            &[
                "/spec/replicas",
                "/spec/containers/0/image",
                "/spec/missing",
            ],
        );
        assert_eq!(object, json!({"spec": {"containers": [{"name": "a"}]}}));
    }
}
