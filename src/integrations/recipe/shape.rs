//! The parts of a [`Recipe`] applied around driftdeck's renderer: a HelmRelease's
//! values merged from its `valuesFrom` ConfigMaps, a Kustomization's post-build
//! variables (which the renderer substitutes), and the rendered objects given the
//! common metadata. Pure: the ConfigMaps' data is passed in.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{Recipe, Substitution, ValuesRef};
use crate::model::Manifest;
use crate::render::substitute;
use crate::yaml::LayerError;

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
            Some(path) => at_path(path, text)?,
            None => match crate::yaml::values_layer(text) {
                Ok(Some(map)) => map,
                Ok(None) => continue,
                Err(LayerError::NotAMap) => {
                    return Err(format!(
                        "valuesFrom: ConfigMap {} key {} is not a YAML map",
                        reference.name, reference.key
                    ));
                }
                Err(LayerError::NotYaml(error)) => {
                    return Err(format!(
                        "valuesFrom: ConfigMap {} key {} is not YAML: {error}",
                        reference.name, reference.key
                    ));
                }
            },
        };
        crate::yaml::merge(&mut values, layer);
    }
    if let Some(inline) = inline {
        crate::yaml::merge(&mut values, inline.clone());
    }
    let empty = values.as_object().is_some_and(Map::is_empty);
    Ok((!empty).then_some(values))
}

/// `value` nested at a dotted path (`a.b.c`), typed as Helm's `--set` types it.
fn at_path(path: &str, value: &str) -> Result<Value, String> {
    let parts: Vec<&str> = path.split('.').collect();
    if parts.len() > MAX_PATH_PARTS
        || parts
            .iter()
            .any(|part| part.is_empty() || part.contains(['[', ']', '\\', ',', '=']))
    {
        return Err(format!(
            "valuesFrom targetPath {path}: driftdeck reads dotted paths only (a.b.c)"
        ));
    }
    Ok(parts.iter().rev().fold(set_value(value), |inner, part| {
        let mut map = Map::new();
        map.insert((*part).to_owned(), inner);
        Value::Object(map)
    }))
}

/// The most parts a `targetPath` may have.
const MAX_PATH_PARTS: usize = 32;

/// A value as Helm's `--set` reads it: `true`, `false`, `null`, and integers
/// without a leading zero are typed; anything else (a float too) is a string.
fn set_value(text: &str) -> Value {
    // Quoted, it stays text, without its quotes (as Flux strips them).
    for quote in ['"', '\''] {
        if text.len() >= 2 && text.starts_with(quote) && text.ends_with(quote) {
            return Value::String(text[1..text.len() - 1].to_owned());
        }
    }
    match text {
        _ if text.eq_ignore_ascii_case("true") => Value::Bool(true),
        _ if text.eq_ignore_ascii_case("false") => Value::Bool(false),
        _ if text.eq_ignore_ascii_case("null") => Value::Null,
        "0" => Value::from(0),
        _ if !text.starts_with('0') => text
            .parse::<i64>()
            .map_or_else(|_| Value::String(text.to_owned()), Value::from),
        _ => Value::String(text.to_owned()),
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

/// The rendered objects as the engine applies them: a chart's hooks and tests
/// left out, Flux's common labels and annotations added (kustomize-controller adds
/// them as it applies, after the substitution, which neither reads nor changes
/// them).
pub fn shape(manifests: &mut Vec<Manifest>, recipe: &Recipe) {
    // Helm hooks and tests run beside a release; neither engine compares them.
    if recipe.render == crate::model::RenderKind::Helm {
        manifests.retain(|manifest| {
            manifest
                .object
                .pointer("/metadata/annotations/helm.sh~1hook")
                .is_none()
        });
    }
    for manifest in manifests.iter_mut() {
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
    }
}
