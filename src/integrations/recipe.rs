//! How an Argo CD or Flux app turns its Git source into manifests, read from the
//! app's object, so that driftdeck's renderer can produce what the engine applies:
//! the path, the namespace, Helm value files, values and parameters, Flux's
//! target namespace, common metadata and post-build substitutions. What driftdeck
//! cannot reproduce is refused ([`RecipeError::NotRendered`], naming the field);
//! what it renders without is said in [`Recipe::notes`], shown beside the diff.
//!
//! Pure: the ConfigMaps a recipe names (`valuesFrom`, `substituteFrom`) are read
//! by the caller. Nothing is taken from a Secret: a recipe that needs one is
//! refused.
//!
//! Per engine:
//!
//! - **Argo CD `Application`** (`spec.source`; a multi-source app only when
//!   exactly one source renders and the others are `ref`s its value files do not
//!   use): `path`; `helm.valueFiles` (relative to the chart; `$ref/…` and URLs
//!   refused), `helm.values` or `helm.valuesObject` (which wins), `helm.parameters`
//!   (`--set`, `--set-string` with `forceString`), `helm.releaseName` (default:
//!   the app's name), `helm.namespace`, `helm.skipCrds`; namespace
//!   `spec.destination.namespace`. Refused: a chart from a Helm repository
//!   (`chart`), a config management plugin, `helm.fileParameters`, a destination
//!   other than the cluster the app is defined in. `spec.source.kustomize`
//!   (`namePrefix`, `nameSuffix`, `namespace`, `images` in `kustomize edit set
//!   image` form, `replicas`, `patches`, `components`, `commonLabels` — to
//!   `labels` without selectors with `labelWithoutSelector` —, `commonAnnotations`)
//!   is laid over the kustomization, which kustomize then builds. Noted: the other
//!   kustomize fields and `directory` include/exclude/jsonnet.
//! - **Flux `Kustomization`** (from a `GitRepository`): `spec.path` built by
//!   kustomize, with a kustomization written where there is none;
//!   `targetNamespace`, `namePrefix`, `nameSuffix`, `images`, `patches` and
//!   `components` laid over it, as kustomize-controller does; `commonMetadata`;
//!   `postBuild.substitute` and `substituteFrom` ConfigMaps, substituted in what
//!   kustomize built. Refused: another source kind, `substituteFrom` a Secret,
//!   remote clusters (`spec.kubeConfig`). Noted: `decryption`.
//! - **Flux `HelmRelease`** with `spec.chart.spec.sourceRef` a `GitRepository`:
//!   the chart at `spec.chart.spec.chart`, `valuesFiles` (relative to the
//!   repository; they replace the chart's own `values.yaml`, as Flux packages
//!   them), `valuesFrom` ConfigMaps (in order, `targetPath` honoured) under
//!   `spec.values`, `releaseName` (default `[targetNamespace-]name`), namespace
//!   `targetNamespace` else the release's. Refused: `spec.chartRef`, charts from a
//!   `HelmRepository` or `Bucket`, `valuesFrom` a Secret, remote clusters.
//!   Noted: `postRenderers`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::read::{Fault, Identity, Node, identify};
use super::{AppKind, MappingError};
use crate::error::{Classified, ErrorKind};
use crate::model::{DirectoryOptions, HelmOptions, KustomizeImage, KustomizeOptions, RenderKind};
use crate::render::substitute;
pub use shape::{release_values, shape, substitution_vars};

/// The longest release name Helm accepts.
const MAX_RELEASE_NAME: usize = 53;

/// Argo CD's name for the cluster it runs in.
pub const IN_CLUSTER: &str = "https://kubernetes.default.svc";

/// What driftdeck needs to render an engine app as its engine would.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recipe {
    /// The path within the repository (`""`: the whole repository).
    pub path: String,
    pub render: RenderKind,
    /// Argo CD reads a plain directory's own files only, unless `directory.recurse`.
    pub directory: DirectoryOptions,
    /// Where objects without a namespace go.
    pub namespace: String,
    pub helm: HelmOptions,
    /// Flux `valuesFrom` ConfigMaps, merged in order under `helm.values`.
    pub values_from: Vec<ValuesRef>,
    /// What the engine lays over the kustomization (Flux's target namespace, name
    /// prefix, images, patches, components; Argo CD's `kustomize` options), and,
    /// once the caller has read them, the post-build variables.
    pub kustomize: KustomizeOptions,
    /// Flux `commonMetadata`: labels and annotations added to every object.
    pub common_labels: Map<String, Value>,
    pub common_annotations: Map<String, Value>,
    /// Flux `postBuild`: where the variables come from.
    pub substitution: Option<Substitution>,
    /// What the engine applies that the rendering leaves out.
    pub notes: Vec<String>,
    /// Argo CD: the source rendered (for a multi-source app, not always the first).
    pub git: Option<GitSource>,
}

/// The Git source of an Argo CD app that driftdeck renders.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GitSource {
    /// `repoURL`, its password dropped.
    pub url: String,
    pub target_revision: Option<String>,
    /// Its index in `spec.sources` (the commit is `status.sync.revisions[index]`);
    /// `None` for `spec.source`.
    pub index: Option<usize>,
}

/// A Flux `valuesFrom` entry naming a ConfigMap in the release's namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValuesRef {
    pub name: String,
    /// The data key holding the values (default `values.yaml`).
    pub key: String,
    /// Where a single value goes (`a.b.c`), instead of merging a YAML map at the root.
    pub target_path: Option<String>,
    pub optional: bool,
}

/// A Flux Kustomization's `postBuild`: variables given inline win over those
/// read from ConfigMaps (later ConfigMaps win over earlier ones).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Substitution {
    pub vars: BTreeMap<String, String>,
    /// ConfigMaps in the Kustomization's namespace: (name, optional).
    pub from: Vec<(String, bool)>,
}

/// Why an engine app cannot be rendered by driftdeck.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RecipeError {
    #[error(transparent)]
    Mapping(#[from] MappingError),
    #[error("{object}: {reason}")]
    NotRendered { object: String, reason: String },
}

impl Classified for RecipeError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Mapping(error) => error.kind(),
            Self::NotRendered { .. } => ErrorKind::Render,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            Self::Mapping(error) => error.hint(),
            Self::NotRendered { .. } => Some(
                "no diff of driftdeck's own; the engine's verdict (sync, health, resources) \
                 is on the app screen"
                    .into(),
            ),
        }
    }
}

/// The recipe of an `Application`, `Kustomization` or `HelmRelease`.
pub fn recipe(kind: AppKind, value: &Value) -> Result<Recipe, RecipeError> {
    let Identity {
        namespace, label, ..
    } = identify(value, kind)?;
    let root = Node::root(value);
    let refuse = |reason: &str| RecipeError::NotRendered {
        object: label.clone(),
        reason: reason.to_owned(),
    };
    let read = match kind {
        AppKind::Application => argocd::argocd(&root),
        AppKind::Kustomization => kustomization(&root, &namespace),
        AppKind::HelmRelease => helm_release(&root, &namespace),
    };
    match read {
        Ok(Ok(recipe)) => Ok(recipe),
        Ok(Err(reason)) => Err(refuse(&reason)),
        Err(fault) => Err(fault.about(&label).into()),
    }
}

/// A field read, or the reason driftdeck does not render the app.
pub(super) type Read = Result<Result<Recipe, String>, Fault>;

/// Refuses a Flux app applied to another cluster.
fn flux_remote(root: &Node<'_>) -> Result<Option<String>, Fault> {
    Ok(root.at(&["spec", "kubeConfig"])?.map(|_| {
        "it applies to another cluster (spec.kubeConfig); driftdeck compares only apps \
         deployed to their own cluster"
            .to_owned()
    }))
}

fn kustomization(root: &Node<'_>, namespace: &str) -> Read {
    if let Some(reason) = flux_remote(root)? {
        return Ok(Err(reason));
    }
    let kind = root.required(&["spec", "sourceRef", "kind"])?;
    if kind != "GitRepository" {
        return Ok(Err(format!(
            "its source is a {kind}; driftdeck renders from Git only"
        )));
    }
    let target_namespace = root.string(&["spec", "targetNamespace"])?;
    let mut recipe = Recipe {
        path: root.string(&["spec", "path"])?.unwrap_or_default(),
        // kustomize-controller builds every path, writing a kustomization where
        // there is none.
        render: RenderKind::Kustomize,
        namespace: target_namespace
            .clone()
            .unwrap_or_else(|| namespace.to_owned()),
        ..Recipe::default()
    };
    let options = &mut recipe.kustomize;
    options.generate = true;
    options.namespace = target_namespace;
    options.name_prefix = root.string(&["spec", "namePrefix"])?;
    options.name_suffix = root.string(&["spec", "nameSuffix"])?;
    for image in root.items(&["spec", "images"])? {
        options.images.push(KustomizeImage {
            name: image.required(&["name"])?.to_owned(),
            new_name: image.string(&["newName"])?,
            new_tag: image.string(&["newTag"])?,
            digest: image.string(&["digest"])?,
        });
    }
    for patch in root.items(&["spec", "patches"])? {
        let mut entry = Map::new();
        entry.insert("patch".into(), patch.required(&["patch"])?.into());
        if let Some(target) = patch.at(&["target"])? {
            if !target.value.is_object() {
                return Err(target.malformed("a patch target"));
            }
            entry.insert("target".into(), target.value.clone());
        }
        options.patches.push(Value::Object(entry));
    }
    for component in root.items(&["spec", "components"])? {
        if let Some(component) = component.string(&[])? {
            options.components.push(component);
        }
    }
    options.ignore_missing_components = root.flag(&["spec", "ignoreMissingComponents"])?;
    if let Some(metadata) = root.at(&["spec", "commonMetadata"])? {
        for (field, into) in [
            ("labels", &mut recipe.common_labels),
            ("annotations", &mut recipe.common_annotations),
        ] {
            if let Some(map) = metadata.at(&[field])? {
                *into = map
                    .value
                    .as_object()
                    .cloned()
                    .ok_or_else(|| map.malformed("a map"))?;
            }
        }
    }
    if let Some(post_build) = root.at(&["spec", "postBuild"])? {
        let mut substitution = Substitution::default();
        if let Some(vars) = post_build.at(&["substitute"])? {
            let Some(map) = vars.value.as_object() else {
                return Err(vars.malformed("a map of strings"));
            };
            for (name, value) in map {
                let Some(value) = value.as_str() else {
                    return Err(vars.malformed_at(name, "a string"));
                };
                if !substitute::valid_name(name) {
                    return Ok(Err(format!(
                        "spec.postBuild.substitute: {}",
                        substitute::SubstituteError::BadName { name: name.clone() }
                    )));
                }
                substitution.vars.insert(name.clone(), value.to_owned());
            }
        }
        for from in post_build.items(&["substituteFrom"])? {
            let kind = from.required(&["kind"])?;
            let name = from.required(&["name"])?;
            if kind != "ConfigMap" {
                return Ok(Err(format!(
                    "its post-build variables come from {kind} {name}; driftdeck does not \
                     read Secrets"
                )));
            }
            substitution
                .from
                .push((name.to_owned(), from.flag(&["optional"])?));
        }
        recipe.substitution = Some(substitution);
    }
    if root.at(&["spec", "decryption"])?.is_some() {
        recipe.notes.push(
            "spec.decryption: encrypted files are compared as Git holds them (Secrets by \
             key only)"
                .into(),
        );
    }
    Ok(Ok(recipe))
}

fn helm_release(root: &Node<'_>, namespace: &str) -> Read {
    if let Some(reason) = flux_remote(root)? {
        return Ok(Err(reason));
    }
    if root.at(&["spec", "chartRef"])?.is_some() {
        return Ok(Err(
            "its chart is a source artifact (spec.chartRef); driftdeck renders charts from \
             Git only"
                .into(),
        ));
    }
    let chart = root.required(&["spec", "chart", "spec", "chart"])?;
    let kind = root.required(&["spec", "chart", "spec", "sourceRef", "kind"])?;
    if kind != "GitRepository" {
        return Ok(Err(format!(
            "its chart comes from a {kind}; driftdeck renders charts from Git only"
        )));
    }
    let name = root.required(&["metadata", "name"])?;
    let target_namespace = root.string(&["spec", "targetNamespace"])?;
    let path = crate::git::within_root(std::path::Path::new(chart))
        .map(|clean| clean.to_string_lossy().into_owned())
        .ok_or_else(|| root.malformed_at("spec.chart.spec.chart", "a path in the repository"))?;
    let mut recipe = Recipe {
        render: RenderKind::Helm,
        namespace: target_namespace
            .clone()
            .unwrap_or_else(|| namespace.to_owned()),
        ..Recipe::default()
    };
    // Flux's value files are relative to the repository; the renderer's to the chart.
    let up = "../".repeat(std::path::Path::new(&path).components().count());
    for file in root.items(&["spec", "chart", "spec", "valuesFiles"])? {
        if let Some(file) = file.text(&[])? {
            recipe.helm.value_files.push(format!("{up}{file}"));
            recipe.helm.replace_chart_values = true;
        }
    }
    recipe.path = path;
    for from in root.items(&["spec", "valuesFrom"])? {
        let kind = from.required(&["kind"])?;
        let name = from.required(&["name"])?;
        if kind != "ConfigMap" {
            return Ok(Err(format!(
                "its values come from {kind} {name} (valuesFrom); driftdeck does not read \
                 Secrets"
            )));
        }
        recipe.values_from.push(ValuesRef {
            name: name.to_owned(),
            key: from
                .string(&["valuesKey"])?
                .unwrap_or_else(|| "values.yaml".into()),
            target_path: from.string(&["targetPath"])?,
            optional: from.flag(&["optional"])?,
        });
    }
    recipe.helm.values = root.at(&["spec", "values"])?.map(|v| v.value.clone());
    let mut release = match root.string(&["spec", "releaseName"])? {
        Some(release) => release,
        None => match &target_namespace {
            Some(target) => format!("{target}-{name}"),
            None => name.to_owned(),
        },
    };
    if release.len() > MAX_RELEASE_NAME {
        // Flux shortens it with a hash; the name it used is in its history.
        match root.items(&["status", "history"])?.first() {
            Some(newest) => release = newest.required(&["name"])?.to_owned(),
            None => recipe.notes.push(format!(
                "the release name {release} is longer than Helm allows and Flux shortens \
                 it; driftdeck renders with it as it is"
            )),
        }
    }
    recipe.helm.release_name = Some(release);
    if root.text(&["spec", "chart", "spec", "reconcileStrategy"])? != Some("Revision") {
        recipe.notes.push(
            "reconcileStrategy ChartVersion: Flux builds the chart again only when the \
             version in its Chart.yaml changes, so changes in Git without a new version \
             show here but are not applied"
                .into(),
        );
    }
    if !root.items(&["spec", "postRenderers"])?.is_empty() {
        recipe
            .notes
            .push("spec.postRenderers are not applied: those changes may show as drift".into());
    }
    Ok(Ok(recipe))
}

mod argocd;
mod shape;
#[cfg(test)]
mod tests;
