//! The parts of a [`Recipe`] applied around driftdeck's renderer: a HelmRelease's
//! values merged from its `valuesFrom` ConfigMaps, a Kustomization's post-build
//! variables, and the rendered objects moved to the target namespace, given the
//! common metadata and substituted. Pure: the ConfigMaps' data is passed in.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{Recipe, Substitution, ValuesRef};
use crate::integrations::flux::substitute;
use crate::model::Manifest;

/// A HelmRelease's values: each `valuesFrom` entry in order (`found` holds the
/// text of its key, `None` when the ConfigMap or the key is absent), then
/// `spec.values` over them. Maps merge key by key; anything else replaces.
pub fn release_values(
    refs: &[ValuesRef],
    found: &[Option<String>],
    inline: Option<&Value>,
) -> Result<Option<Value>, String> {
    let mut values = Value::Object(Map::new());
    for (reference, text) in refs.iter().zip(found) {
        let Some(text) = text else {
            if reference.optional {
                continue;
            }
            return Err(format!(
                "valuesFrom: ConfigMap {} has no key {} (and is not optional)",
                reference.name, reference.key
            ));
        };
        let layer = match &reference.target_path {
            Some(path) => at_path(path, Value::String(text.clone()))?,
            None => match crate::yaml::documents(text) {
                Ok(documents) => match documents.into_iter().next().map(|d| d.value) {
                    Some(map @ Value::Object(_)) => map,
                    None | Some(Value::Null) => continue,
                    Some(_) => {
                        return Err(format!(
                            "valuesFrom: ConfigMap {} key {} is not a YAML map",
                            reference.name, reference.key
                        ));
                    }
                },
                Err(error) => {
                    return Err(format!(
                        "valuesFrom: ConfigMap {} key {} is not YAML: {error}",
                        reference.name, reference.key
                    ));
                }
            },
        };
        merge(&mut values, layer);
    }
    if let Some(inline) = inline {
        merge(&mut values, inline.clone());
    }
    let empty = values.as_object().is_some_and(Map::is_empty);
    Ok((!empty).then_some(values))
}

/// `value` nested at a dotted path (`a.b.c`).
fn at_path(path: &str, value: Value) -> Result<Value, String> {
    let parts: Vec<&str> = path.split('.').collect();
    if parts
        .iter()
        .any(|part| part.is_empty() || part.contains(['[', ']', '\\']))
    {
        return Err(format!(
            "valuesFrom targetPath {path}: driftdeck reads dotted paths only (a.b.c)"
        ));
    }
    Ok(parts.iter().rev().fold(value, |inner, part| {
        let mut map = Map::new();
        map.insert((*part).to_owned(), inner);
        Value::Object(map)
    }))
}

/// `over` merged into `base`: maps key by key, other values replaced.
pub fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            for (key, value) in over {
                match base.get_mut(&key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, over) => *base = over,
    }
}

/// A Kustomization's post-build variables: each `substituteFrom` ConfigMap's data
/// in order (`None` when absent), then `substitute` over them. Every value loses
/// its line breaks, as kustomize-controller strips them (a ConfigMap made
/// `--from-file` ends in one).
pub fn substitution_vars(
    substitution: &Substitution,
    found: &[Option<BTreeMap<String, String>>],
) -> Result<BTreeMap<String, String>, String> {
    let mut vars = BTreeMap::new();
    for ((name, optional), data) in substitution.from.iter().zip(found) {
        let Some(data) = data else {
            if *optional {
                continue;
            }
            return Err(format!(
                "postBuild.substituteFrom: ConfigMap {name} does not exist (and is not optional)"
            ));
        };
        for (key, value) in data {
            if !substitute::valid_name(key) {
                return Err(format!(
                    "postBuild.substituteFrom: ConfigMap {name}: {}",
                    substitute::SubstituteError::BadName { name: key.clone() }
                ));
            }
            vars.insert(key.clone(), value.replace('\n', ""));
        }
    }
    vars.extend(
        substitution
            .vars
            .iter()
            .map(|(name, value)| (name.clone(), value.replace('\n', ""))),
    );
    Ok(vars)
}

/// The rendered objects as the engine applies them: namespaced ones moved to the
/// target namespace, the common labels and annotations added, the post-build
/// variables substituted. Keys follow the objects' new names and namespaces.
pub fn shape(
    manifests: &mut [Manifest],
    recipe: &Recipe,
    vars: Option<&BTreeMap<String, String>>,
) -> Result<(), String> {
    for manifest in manifests.iter_mut() {
        if let Some(target) = &recipe.target_namespace
            && !manifest.key.namespace.is_empty()
            && let Some(metadata) = manifest
                .object
                .get_mut("metadata")
                .and_then(Value::as_object_mut)
        {
            metadata.insert("namespace".into(), Value::String(target.clone()));
        }
        for (field, common) in [
            ("labels", &recipe.common_labels),
            ("annotations", &recipe.common_annotations),
        ] {
            if common.is_empty() {
                continue;
            }
            if let Some(metadata) = manifest
                .object
                .get_mut("metadata")
                .and_then(Value::as_object_mut)
            {
                let entry = metadata
                    .entry(field)
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Some(map) = entry.as_object_mut() {
                    map.extend(common.clone());
                }
            }
        }
        // Flux substitutes nothing, not even defaults, when there are no variables.
        if let Some(vars) = vars.filter(|vars| !vars.is_empty()) {
            manifest.object = substitute::object(&manifest.object, vars)
                .map_err(|e| format!("postBuild in {}: {e}", manifest.key))?;
        }
        let metadata = |field: &str| {
            manifest
                .object
                .pointer(&format!("/metadata/{field}"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        if let Some(name) = metadata("name") {
            manifest.key.name = name;
        }
        if !manifest.key.namespace.is_empty()
            && let Some(namespace) = metadata("namespace")
        {
            manifest.key.namespace = namespace;
        }
    }
    Ok(())
}
