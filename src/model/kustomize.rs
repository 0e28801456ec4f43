//! What an engine lays over a kustomization before building it: Flux's
//! `Kustomization` fields (`targetNamespace`, `namePrefix`, `images`, `patches`,
//! …) and Argo CD's `spec.source.kustomize`, and Flux's post-build variables,
//! substituted in what kustomize built. The renderer writes the overlay into the
//! kustomization file of a temporary export, so kustomize itself applies it (its
//! name references, RoleBinding subjects and selectors included).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KustomizeOptions {
    /// With no kustomization at the path, write one listing its manifests (as
    /// kustomize-controller does); otherwise a missing kustomization fails.
    pub generate: bool,
    /// `namespace`: every namespaced object moves there.
    pub namespace: Option<String>,
    pub name_prefix: Option<String>,
    pub name_suffix: Option<String>,
    /// Each replaces the kustomization's image of the same name (Flux), or
    /// changes only the fields it gives (`merge_images`: Argo CD's `kustomize edit
    /// set image`).
    pub images: Vec<KustomizeImage>,
    pub merge_images: bool,
    /// Each replaces the kustomization's entry of the same name.
    pub replicas: Vec<KustomizeReplicas>,
    /// kustomize `patches` entries (`patch` or `path`, and `target`), appended.
    pub patches: Vec<Value>,
    /// Paths of components, relative to the app's path, appended.
    pub components: Vec<String>,
    /// A component not in the repository is left out, not an error.
    pub ignore_missing_components: bool,
    /// Labels added to every object, merged over the kustomization's.
    pub common_labels: Map<String, Value>,
    /// The labels go to `labels` without touching selectors, not `commonLabels`.
    pub labels_without_selector: bool,
    pub common_annotations: Map<String, Value>,
    /// Flux post-build variables: substituted in each built object's YAML, unless
    /// the object opts out. `None` (or none given): nothing is substituted.
    pub substitute: Option<BTreeMap<String, String>>,
}

impl KustomizeOptions {
    /// Whether nothing is laid over the kustomization's fields (one may still be
    /// written, and variables substituted in what it builds).
    pub fn lays_nothing(&self) -> bool {
        *self
            == Self {
                generate: self.generate,
                substitute: self.substitute.clone(),
                ..Self::default()
            }
    }
}

/// A kustomize `images` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KustomizeImage {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

impl KustomizeImage {
    /// Argo CD's form, as `kustomize edit set image` reads it:
    /// `[name=]newName[:tag|@digest]`; without `name=`, the image keeps its name
    /// and only the tag or digest changes.
    pub fn parse(text: &str) -> Option<Self> {
        let (name, target) = match text.split_once('=') {
            Some((name, target)) => (Some(name), target),
            None => (None, text),
        };
        let (image, tag, digest) = if let Some((image, digest)) = target.split_once('@') {
            (image, None, Some(digest))
        } else {
            match target.rsplit_once(':') {
                Some((image, tag)) if !tag.contains('/') => (image, Some(tag), None),
                _ => (target, None, None),
            }
        };
        if image.is_empty() || name.is_some_and(str::is_empty) {
            return None;
        }
        let owned = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(str::to_owned);
        Some(match name {
            Some(name) => Self {
                name: name.to_owned(),
                new_name: (image != name).then(|| image.to_owned()),
                new_tag: owned(tag),
                digest: owned(digest),
            },
            None => Self {
                name: image.to_owned(),
                new_name: None,
                new_tag: owned(tag),
                digest: owned(digest),
            },
        })
    }
}

/// A kustomize `replicas` entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KustomizeReplicas {
    pub name: String,
    pub count: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(
        name: &str,
        new_name: Option<&str>,
        tag: Option<&str>,
        digest: Option<&str>,
    ) -> KustomizeImage {
        KustomizeImage {
            name: name.into(),
            new_name: new_name.map(Into::into),
            new_tag: tag.map(Into::into),
            digest: digest.map(Into::into),
        }
    }

    #[test]
    fn argo_cd_image_overrides_read_as_kustomize_edit_reads_them() {
        assert_eq!(
            KustomizeImage::parse("nginx:1.27"),
            Some(image("nginx", None, Some("1.27"), None))
        );
        assert_eq!(
            KustomizeImage::parse("nginx=registry.local:5000/web/nginx:1.27"),
            Some(image(
                "nginx",
                Some("registry.local:5000/web/nginx"),
                Some("1.27"),
                None
            ))
        );
        assert_eq!(
            KustomizeImage::parse("registry.local:5000/nginx"),
            Some(image("registry.local:5000/nginx", None, None, None))
        );
        assert_eq!(
            KustomizeImage::parse("nginx@sha256:abc"),
            Some(image("nginx", None, None, Some("sha256:abc")))
        );
        assert_eq!(
            KustomizeImage::parse("nginx=nginx:1.28"),
            Some(image("nginx", None, Some("1.28"), None))
        );
        assert_eq!(KustomizeImage::parse("=nginx"), None);
        assert_eq!(KustomizeImage::parse(""), None);
    }

    #[test]
    fn variables_alone_leave_the_kustomization_as_it_is() {
        let options = KustomizeOptions {
            generate: true,
            substitute: Some(BTreeMap::from([("a".into(), "b".into())])),
            ..KustomizeOptions::default()
        };
        assert!(options.lays_nothing());
        let options = KustomizeOptions {
            name_prefix: Some("p-".into()),
            ..options
        };
        assert!(!options.lays_nothing());
    }
}
