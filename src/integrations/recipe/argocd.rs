//! An Argo CD `Application`'s recipe: its one rendering source (a multi-source
//! app's, when the others are only `ref`s), Helm options, kustomize options laid
//! over the kustomization, and a directory's recursion.

use serde_json::{Map, Value};

use super::{GitSource, IN_CLUSTER, Read, Recipe};
use crate::integrations::read::{Fault, Node};
use crate::model::{HelmParameter, KustomizeImage, KustomizeReplicas, RenderKind};

pub(super) fn argocd(root: &Node<'_>) -> Read {
    let remote = root
        .text(&["spec", "destination", "server"])?
        .is_some_and(|server| server != IN_CLUSTER)
        || root
            .text(&["spec", "destination", "name"])?
            .is_some_and(|name| name != "in-cluster");
    if remote {
        return Ok(Err(
            "it deploys to another cluster than the one it is defined in; driftdeck \
             compares only apps deployed to their own cluster"
                .into(),
        ));
    }
    let (index, source) = match root.at(&["spec", "source"])? {
        Some(source) => (None, source),
        None => match single_source(root)? {
            Ok((index, source)) => (Some(index), source),
            Err(reason) => return Ok(Err(reason)),
        },
    };
    if source.text(&["chart"])?.is_some() {
        return Ok(Err(
            "its chart comes from a Helm repository; driftdeck renders from Git only".into(),
        ));
    }
    if source.at(&["plugin"])?.is_some() {
        return Ok(Err(
            "it renders with a config management plugin, which driftdeck does not run".into(),
        ));
    }
    let mut recipe = Recipe {
        path: source.string(&["path"])?.unwrap_or_default(),
        namespace: root
            .string(&["spec", "destination", "namespace"])?
            .unwrap_or_else(|| "default".into()),
        ..Recipe::default()
    };
    recipe.helm.release_name = root.string(&["metadata", "name"])?;
    recipe.git = Some(GitSource {
        url: crate::integrations::without_password(source.required(&["repoURL"])?),
        target_revision: source.string(&["targetRevision"])?,
        index,
    });
    // As Argo CD counts source types: a field that sets nothing does not count.
    let directory_set = source.value.get("directory").is_some_and(|d| {
        ["recurse", "include", "exclude", "jsonnet"]
            .iter()
            .any(|key| set(d, key))
    });
    if set(source.value, "helm") && (set(source.value, "kustomize") || directory_set) {
        return Ok(Err(
            "its source sets helm and kustomize (or directory) at once, which Argo CD \
             refuses (multiple application sources defined)"
                .into(),
        ));
    }
    if let Some(helm) = source.at(&["helm"])? {
        recipe.render = RenderKind::Helm;
        if let Err(reason) = argocd_helm(&helm, &mut recipe)? {
            return Ok(Err(reason));
        }
    }
    if let Some(kustomize) = source.at(&["kustomize"])?
        && kustomize
            .value
            .as_object()
            .is_some_and(|map| !map.is_empty())
        && let Err(reason) = argocd_kustomize(&kustomize, &mut recipe)?
    {
        return Ok(Err(reason));
    }
    recipe.directory.recurse = false;
    if let Some(directory) = source.at(&["directory"])? {
        recipe.directory.recurse = directory.value.get("recurse") == Some(&Value::Bool(true));
        if ["include", "exclude", "jsonnet"]
            .iter()
            .any(|key| set(directory.value, key))
        {
            recipe
                .notes
                .push("spec.source.directory include, exclude and jsonnet are not applied".into());
        }
    }
    Ok(Ok(recipe))
}

/// `spec.source.kustomize`, laid over the kustomization as Argo CD's
/// `kustomize edit` calls lay it; an app with such options is built by kustomize.
fn argocd_kustomize(
    kustomize: &Node<'_>,
    recipe: &mut Recipe,
) -> Result<Result<(), String>, Fault> {
    recipe.render = RenderKind::Kustomize;
    let options = &mut recipe.kustomize;
    options.name_prefix = kustomize.string(&["namePrefix"])?;
    options.name_suffix = kustomize.string(&["nameSuffix"])?;
    options.namespace = kustomize.string(&["namespace"])?;
    options.merge_images = true;
    options.ignore_missing_components = kustomize.flag(&["ignoreMissingComponents"])?;
    for image in kustomize.items(&["images"])? {
        let Some(text) = image.text(&[])? else {
            continue;
        };
        match KustomizeImage::parse(text) {
            Some(image) => options.images.push(image),
            None => {
                return Ok(Err(format!(
                    "spec.source.kustomize.images: {} is not an image override",
                    crate::model::text::one_line(text)
                )));
            }
        }
    }
    for replicas in kustomize.items(&["replicas"])? {
        let name = replicas.required(&["name"])?.to_owned();
        let count = match replicas.value.get("count") {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.parse().ok(),
            _ => None,
        };
        let Some(count) = count else {
            return Err(replicas.malformed_at("count", "a number of replicas"));
        };
        options.replicas.push(KustomizeReplicas { name, count });
    }
    for patch in kustomize.items(&["patches"])? {
        if !patch.value.is_object() {
            return Err(patch.malformed("a kustomize patch"));
        }
        options.patches.push(patch.value.clone());
    }
    for component in kustomize.items(&["components"])? {
        if let Some(component) = component.string(&[])? {
            options.components.push(component);
        }
    }
    for (field, into) in [
        ("commonLabels", &mut options.common_labels),
        ("commonAnnotations", &mut options.common_annotations),
    ] {
        if let Some(map) = kustomize.at(&[field])? {
            *into = map
                .value
                .as_object()
                .cloned()
                .ok_or_else(|| map.malformed("a map"))?;
        }
    }
    options.labels_without_selector = kustomize.flag(&["labelWithoutSelector"])?;
    let unapplied: Vec<&str> = [
        "commonAnnotationsEnvsubst",
        "labelIncludeTemplates",
        "version",
        "kubeVersion",
        "apiVersions",
    ]
    .into_iter()
    .filter(|field| set(kustomize.value, field))
    .collect();
    if !unapplied.is_empty() {
        recipe.notes.push(format!(
            "spec.source.kustomize.{} not applied: the build may differ from Argo CD's",
            unapplied.join(", .")
        ));
    }
    Ok(Ok(()))
}

/// Whether `field` of `object` holds something (not null, empty or `false`).
fn set(object: &Value, field: &str) -> bool {
    object.get(field).is_some_and(|v| {
        !v.is_null()
            && v != ""
            && v != &Value::Bool(false)
            && v != &Value::Array(vec![])
            && v != &Value::Object(Map::new())
    })
}

/// The one source of a multi-source app that renders, when the others are only
/// `ref`s (whose files its value files would name with `$ref/…`).
fn single_source<'a>(root: &Node<'a>) -> Result<Result<(usize, Node<'a>), String>, Fault> {
    let sources = root.items(&["spec", "sources"])?;
    let mut rendering = Vec::new();
    for (index, source) in sources.into_iter().enumerate() {
        let is_ref_only = source.text(&["ref"])?.is_some()
            && source.text(&["path"])?.is_none()
            && source.text(&["chart"])?.is_none();
        if !is_ref_only {
            rendering.push((index, source));
        }
    }
    Ok(match rendering.len() {
        1 => Ok(rendering.remove(0)),
        0 => Err("it names no source to render".into()),
        n => Err(format!(
            "a multi-source app with {n} sources that render; driftdeck renders one"
        )),
    })
}

fn argocd_helm(helm: &Node<'_>, recipe: &mut Recipe) -> Result<Result<(), String>, Fault> {
    for file in helm.items(&["valueFiles"])? {
        let Some(file) = file.text(&[])? else {
            continue;
        };
        if file.starts_with('$') {
            return Ok(Err(format!(
                "its value file {file} comes from another source, which driftdeck does not \
                 combine"
            )));
        }
        if file.contains("://") {
            return Ok(Err(format!(
                "its value file {file} is a URL, which driftdeck does not fetch"
            )));
        }
        recipe.helm.value_files.push(file.to_owned());
    }
    if helm.flag(&["ignoreMissingValueFiles"])? {
        recipe
            .notes
            .push("helm.ignoreMissingValueFiles: a missing value file fails here".into());
    }
    recipe.helm.values = match helm.at(&["valuesObject"])? {
        Some(object) => Some(object.value.clone()),
        None => match helm.text(&["values"])? {
            None => None,
            Some(text) => match crate::yaml::documents(text) {
                Ok(documents) => documents.into_iter().next().map(|d| d.value),
                Err(error) => {
                    return Ok(Err(format!("spec.source.helm.values is not YAML: {error}")));
                }
            },
        },
    };
    for parameter in helm.items(&["parameters"])? {
        recipe.helm.parameters.push(HelmParameter {
            name: parameter.required(&["name"])?.to_owned(),
            value: parameter.string(&["value"])?.unwrap_or_default(),
            force_string: parameter.flag(&["forceString"])?,
        });
    }
    if !helm.items(&["fileParameters"])?.is_empty() {
        return Ok(Err(
            "it sets Helm values from files (helm.fileParameters), which driftdeck does not \
             read"
                .into(),
        ));
    }
    if let Some(release) = helm.string(&["releaseName"])? {
        recipe.helm.release_name = Some(release);
    }
    // Argo CD templates with it (`.Release.Namespace`) but still applies objects
    // without a namespace to the destination's.
    recipe.helm.namespace = helm.string(&["namespace"])?;
    recipe.helm.skip_crds = helm.flag(&["skipCrds"])?;
    Ok(Ok(()))
}
