//! An engine's kustomize options laid over the kustomization at an app's path in
//! a temporary export, so that kustomize applies them itself: the namespace (with
//! its RoleBinding subjects and name references), prefixes and suffixes, images,
//! replicas, patches, components and labels. Where the path has no kustomization
//! and the options ask for one (Flux), one is written listing the path's
//! manifests, as kustomize-controller writes it. The edited file is written back
//! as JSON, which kustomize reads as YAML.

use std::path::Path;

use serde_json::{Map, Value};

use super::RenderError;
use super::kustomize::FILE_NAMES;
use crate::model::KustomizeOptions;

/// Lays `options` over the kustomization at `path` of the export at `root`,
/// writing one first if asked to. The components and patch files the options
/// name come from a cluster object: each must be in the export, or nothing is
/// built.
pub(super) fn write(
    root: &Path,
    path: &str,
    options: &KustomizeOptions,
) -> Result<(), RenderError> {
    let dir = root.join(path);
    let shown = super::kustomize::display_path(path);
    let existing = FILE_NAMES
        .iter()
        .map(|name| dir.join(name))
        .find(|path| path.is_file());
    let fail = |reason: String| RenderError::Kustomization {
        path: shown.to_owned(),
        reason,
    };
    let mut options = options.clone();
    if options.ignore_missing_components {
        options
            .components
            .retain(|component| in_export(root, path, component, true));
    }
    inside(root, path, &options).map_err(fail)?;
    let (file, mut kustomization) = match existing {
        Some(_) if options.lays_nothing() => return Ok(()),
        Some(file) => {
            let bytes = std::fs::read(&file).map_err(RenderError::Export)?;
            let text = String::from_utf8(bytes)
                .map_err(|_| fail("its kustomization is not UTF-8".into()))?;
            let parsed = crate::yaml::documents(&text)
                .map_err(|e| fail(format!("its kustomization is not YAML: {e}")))?
                .into_iter()
                .next()
                .map(|d| d.value)
                .unwrap_or_else(|| Value::Object(Map::new()));
            let Value::Object(map) = parsed else {
                return Err(fail("its kustomization is not a YAML map".into()));
            };
            (file, map)
        }
        None if options.generate => {
            let mut resources = Vec::new();
            list(&dir, Path::new(""), &mut resources).map_err(RenderError::Export)?;
            (dir.join(FILE_NAMES[0]), generated(resources))
        }
        None => {
            return Err(fail(
                "the engine lays kustomize options over it, and it has no kustomization".into(),
            ));
        }
    };
    lay(&mut kustomization, &options);
    let json = serde_json::to_string_pretty(&Value::Object(kustomization))
        .map_err(|e| RenderError::Export(std::io::Error::other(e)))?;
    std::fs::write(file, json).map_err(RenderError::Export)
}

/// Refuses a component or patch file that is not in the export: outside the
/// repository, a URL (kustomize would fetch it), or absent at this commit.
fn inside(root: &Path, path: &str, options: &KustomizeOptions) -> Result<(), String> {
    let patch_files = options
        .patches
        .iter()
        .filter_map(|patch| patch.get("path").and_then(Value::as_str));
    let named = options
        .components
        .iter()
        .map(|c| (c.as_str(), true))
        .chain(patch_files.map(|p| (p, false)));
    for (name, folder) in named {
        if !in_export(root, path, name, folder) {
            let what = if folder { "component" } else { "patch file" };
            return Err(format!(
                "the {what} {} is not in the repository at this commit",
                crate::model::text::one_line(name)
            ));
        }
    }
    Ok(())
}

/// Whether `name`, relative to `path`, is a folder (or file) of the export.
fn in_export(root: &Path, path: &str, name: &str, folder: bool) -> bool {
    crate::git::within_root(&Path::new(path).join(name))
        .map(|clean| root.join(clean))
        .is_some_and(|at| if folder { at.is_dir() } else { at.is_file() })
}

/// The kustomization kustomize-controller writes for a path without one.
fn generated(resources: Vec<String>) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert(
        "apiVersion".into(),
        "kustomize.config.k8s.io/v1beta1".into(),
    );
    map.insert("kind".into(), "Kustomization".into());
    map.insert(
        "resources".into(),
        Value::Array(resources.into_iter().map(Value::String).collect()),
    );
    map
}

/// What source-controller leaves out of every artifact by default (its VCS, CI
/// and extra exclusions); the rest of the tree, hidden names too, is Flux's.
const FLUX_EXCLUDED_FOLDERS: [&str; 3] = [".git", ".github", ".circleci"];
const FLUX_EXCLUDED_FILES: [&str; 10] = [
    ".travis.yml",
    ".gitlab-ci.yml",
    "appveyor.yml",
    ".drone.yml",
    "cloudbuild.yaml",
    "codeship-services.yml",
    "codeship-steps.yml",
    ".goreleaser.yml",
    ".sops.yaml",
    ".flux.yaml",
];

/// Every `.yaml`/`.yml` file below `dir`, and every folder holding a
/// kustomization (listed, not entered), in name order, as kustomize-controller
/// lists them in the artifact source-controller made.
fn list(root: &Path, below: &Path, into: &mut Vec<String>) -> std::io::Result<()> {
    let mut entries: Vec<_> =
        std::fs::read_dir(root.join(below))?.collect::<Result<Vec<_>, _>>()?;
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let relative = below.join(name);
        let shown = relative.to_string_lossy().replace('\\', "/");
        let folder = entry.file_type()?.is_dir();
        if (folder && FLUX_EXCLUDED_FOLDERS.contains(&name))
            || (!folder && FLUX_EXCLUDED_FILES.contains(&name))
        {
            continue;
        }
        if folder {
            if FILE_NAMES
                .iter()
                .any(|f| root.join(&relative).join(f).is_file())
            {
                into.push(shown);
            } else {
                list(root, &relative, into)?;
            }
        } else if below.as_os_str().is_empty() && FILE_NAMES.contains(&name) {
            continue;
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            into.push(shown);
        }
    }
    Ok(())
}

/// `options` over a kustomization's fields, as Flux's generator and Argo CD's
/// `kustomize edit` calls set them.
fn lay(kustomization: &mut Map<String, Value>, options: &KustomizeOptions) {
    for (field, value) in [
        ("namespace", &options.namespace),
        ("namePrefix", &options.name_prefix),
        ("nameSuffix", &options.name_suffix),
    ] {
        if let Some(value) = value.as_ref().filter(|v| !v.is_empty()) {
            kustomization.insert(field.into(), Value::String(value.clone()));
        }
    }
    for image in &options.images {
        let value = serde_json::to_value(image).unwrap_or(Value::Null);
        if options.merge_images {
            merge_image(kustomization, image);
        } else {
            replace_by_name(kustomization, "images", &image.name, value);
        }
    }
    for replicas in &options.replicas {
        let value = serde_json::to_value(replicas).unwrap_or(Value::Null);
        replace_by_name(kustomization, "replicas", &replicas.name, value);
    }
    append(kustomization, "patches", options.patches.iter().cloned());
    append(
        kustomization,
        "components",
        options.components.iter().cloned().map(Value::String),
    );
    if !options.common_labels.is_empty() {
        if options.labels_without_selector {
            let mut entry = Map::new();
            entry.insert("pairs".into(), Value::Object(options.common_labels.clone()));
            entry.insert("includeSelectors".into(), Value::Bool(false));
            append(kustomization, "labels", [Value::Object(entry)]);
        } else {
            merge_map(kustomization, "commonLabels", &options.common_labels);
        }
    }
    merge_map(
        kustomization,
        "commonAnnotations",
        &options.common_annotations,
    );
}

/// `f` on the list in `field` (a new one when absent or not a list).
fn with_list(kustomization: &mut Map<String, Value>, field: &str, f: impl FnOnce(&mut Vec<Value>)) {
    let mut items = match kustomization.remove(field) {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    f(&mut items);
    kustomization.insert(field.into(), Value::Array(items));
}

/// `kustomize edit set image` (Argo CD): over an image of the same name, only
/// what the override gives changes; a tag drops the digest and a digest the tag.
fn merge_image(kustomization: &mut Map<String, Value>, image: &crate::model::KustomizeImage) {
    with_list(kustomization, "images", |list| {
        let Some(Value::Object(existing)) = list
            .iter_mut()
            .find(|item| item.get("name").and_then(Value::as_str) == Some(image.name.as_str()))
        else {
            list.push(serde_json::to_value(image).unwrap_or(Value::Null));
            return;
        };
        if let Some(new_name) = &image.new_name {
            existing.insert("newName".into(), new_name.clone().into());
        }
        if let Some(tag) = &image.new_tag {
            existing.insert("newTag".into(), tag.clone().into());
            existing.remove("digest");
        }
        if let Some(digest) = &image.digest {
            existing.insert("digest".into(), digest.clone().into());
            existing.remove("newTag");
        }
    });
}

fn append(
    kustomization: &mut Map<String, Value>,
    field: &str,
    items: impl IntoIterator<Item = Value>,
) {
    let mut items = items.into_iter().peekable();
    if items.peek().is_some() {
        with_list(kustomization, field, |list| list.extend(items));
    }
}

fn replace_by_name(kustomization: &mut Map<String, Value>, field: &str, name: &str, value: Value) {
    with_list(kustomization, field, |list| {
        match list
            .iter_mut()
            .find(|item| item.get("name").and_then(Value::as_str) == Some(name))
        {
            Some(item) => *item = value,
            None => list.push(value),
        }
    });
}

fn merge_map(kustomization: &mut Map<String, Value>, field: &str, over: &Map<String, Value>) {
    if over.is_empty() {
        return;
    }
    let entry = kustomization
        .entry(field)
        .or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        *entry = Value::Object(Map::new());
    }
    if let Some(map) = entry.as_object_mut() {
        map.extend(over.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{KustomizeImage, KustomizeReplicas};
    use serde_json::json;

    #[test]
    fn options_replace_by_name_append_and_merge() {
        let Value::Object(mut kustomization) = json!({
            "resources": ["a.yaml"],
            "namePrefix": "old-",
            "images": [{"name": "nginx", "newTag": "1"}, {"name": "redis", "newTag": "7"}],
            "replicas": [{"name": "web", "count": 1}],
            "patches": [{"path": "p.yaml"}],
            "commonLabels": {"team": "a", "tier": "web"},
        }) else {
            unreachable!()
        };
        let options = KustomizeOptions {
            namespace: Some("shop".into()),
            name_prefix: Some("new-".into()),
            images: vec![KustomizeImage {
                name: "nginx".into(),
                new_tag: Some("2".into()),
                ..KustomizeImage::default()
            }],
            replicas: vec![
                KustomizeReplicas {
                    name: "web".into(),
                    count: 3,
                },
                KustomizeReplicas {
                    name: "worker".into(),
                    count: 2,
                },
            ],
            patches: vec![json!({"patch": "x", "target": {"kind": "Deployment"}})],
            components: vec!["../components/tls".into()],
            common_labels: json!({"team": "b"}).as_object().unwrap().clone(),
            common_annotations: json!({"owner": "ops"}).as_object().unwrap().clone(),
            ..KustomizeOptions::default()
        };
        lay(&mut kustomization, &options);
        assert_eq!(
            Value::Object(kustomization),
            json!({
                "resources": ["a.yaml"],
                "namespace": "shop",
                "namePrefix": "new-",
                "images": [{"name": "nginx", "newTag": "2"}, {"name": "redis", "newTag": "7"}],
                "replicas": [{"name": "web", "count": 3}, {"name": "worker", "count": 2}],
                "patches": [{"path": "p.yaml"}, {"patch": "x", "target": {"kind": "Deployment"}}],
                "components": ["../components/tls"],
                "commonLabels": {"team": "b", "tier": "web"},
                "commonAnnotations": {"owner": "ops"},
            })
        );
    }

    #[test]
    fn argo_cd_image_overrides_change_only_what_they_give() {
        let Value::Object(mut kustomization) = json!({"images": [
            {"name": "nginx", "newName": "registry.local/nginx", "digest": "sha256:a"},
        ]}) else {
            unreachable!()
        };
        let options = KustomizeOptions {
            images: vec![
                KustomizeImage {
                    name: "nginx".into(),
                    new_tag: Some("2".into()),
                    ..KustomizeImage::default()
                },
                KustomizeImage {
                    name: "redis".into(),
                    digest: Some("sha256:b".into()),
                    ..KustomizeImage::default()
                },
            ],
            merge_images: true,
            ..KustomizeOptions::default()
        };
        lay(&mut kustomization, &options);
        assert_eq!(
            Value::Object(kustomization),
            json!({"images": [
                {"name": "nginx", "newName": "registry.local/nginx", "newTag": "2"},
                {"name": "redis", "digest": "sha256:b"},
            ]})
        );
    }

    #[test]
    fn labels_without_selector_go_to_labels() {
        let mut kustomization = Map::new();
        let options = KustomizeOptions {
            common_labels: json!({"team": "b"}).as_object().unwrap().clone(),
            labels_without_selector: true,
            ..KustomizeOptions::default()
        };
        lay(&mut kustomization, &options);
        assert_eq!(
            Value::Object(kustomization),
            json!({"labels": [{"pairs": {"team": "b"}, "includeSelectors": false}]})
        );
    }

    #[test]
    fn a_generated_kustomization_lists_manifests_and_kustomized_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for file in [
            "b.yaml",
            "a.yml",
            "notes.md",
            ".hidden.yaml",
            "sub/c.yaml",
            "base/kustomization.yaml",
            "base/d.yaml",
            ".git/x.yaml",
            ".github/workflows/ci.yaml",
            "sub/.sops.yaml",
            "cloudbuild.yaml",
            ".config/e.yaml",
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let options = KustomizeOptions {
            generate: true,
            namespace: Some("shop".into()),
            ..KustomizeOptions::default()
        };
        write(root, "", &options).unwrap();
        let written: Value =
            serde_json::from_slice(&std::fs::read(root.join("kustomization.yaml")).unwrap())
                .unwrap();
        assert_eq!(
            written,
            json!({
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                // Hidden names are Flux's too; source-controller's default
                // exclusions are not.
                "resources": [".config/e.yaml", ".hidden.yaml", "a.yml", "b.yaml", "base", "sub/c.yaml"],
                "namespace": "shop",
            })
        );
    }

    #[test]
    fn without_a_kustomization_the_options_fail_unless_one_may_be_written() {
        let dir = tempfile::tempdir().unwrap();
        let shop = dir.path().join("apps/shop");
        std::fs::create_dir_all(&shop).unwrap();
        let options = KustomizeOptions {
            name_prefix: Some("p-".into()),
            ..KustomizeOptions::default()
        };
        let error = write(dir.path(), "apps/shop", &options).unwrap_err();
        assert!(error.to_string().contains("apps/shop"), "{error}");
        std::fs::write(shop.join("kustomization.yaml"), "- a list").unwrap();
        let error = write(dir.path(), "apps/shop", &options).unwrap_err();
        assert!(error.to_string().contains("not a YAML map"), "{error}");
    }

    #[test]
    fn components_and_patch_files_must_be_in_the_repository() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("tree");
        for folder in ["apps/shop", "components/tls"] {
            std::fs::create_dir_all(root.join(folder)).unwrap();
        }
        std::fs::write(root.join("apps/shop/kustomization.yaml"), "resources: []\n").unwrap();
        std::fs::write(root.join("apps/shop/p.yaml"), "[]\n").unwrap();
        std::fs::create_dir_all(dir.path().join("outside")).unwrap();
        let with = |components: &[&str], patch: &str| KustomizeOptions {
            components: components.iter().map(|c| (*c).to_owned()).collect(),
            patches: vec![json!({"path": patch})],
            ..KustomizeOptions::default()
        };
        write(
            &root,
            "apps/shop",
            &with(&["../../components/tls"], "p.yaml"),
        )
        .unwrap();
        // Asked to, a missing component is left out (one outside too: never read).
        let lenient = KustomizeOptions {
            ignore_missing_components: true,
            ..with(
                &[
                    "../../components/gone",
                    "../../../outside",
                    "../../components/tls",
                ],
                "p.yaml",
            )
        };
        write(&root, "apps/shop", &lenient).unwrap();
        let written: Value = serde_json::from_slice(
            &std::fs::read(root.join("apps/shop/kustomization.yaml")).unwrap(),
        )
        .unwrap();
        assert_eq!(
            written["components"],
            json!(["../../components/tls", "../../components/tls"]),
            "the first write's, then the second's"
        );
        for (options, said) in [
            (
                with(&["../../../outside"], "p.yaml"),
                "component ../../../outside",
            ),
            (
                with(&["https://github.com/x/y//c"], "p.yaml"),
                "component https://",
            ),
            (
                with(&["../../components/gone"], "p.yaml"),
                "component ../../components/gone",
            ),
            (
                with(&[], "../../../../etc/hostname"),
                "patch file ../../../../etc/hostname",
            ),
            (with(&["/etc"], "p.yaml"), "component /etc"),
        ] {
            let error = write(&root, "apps/shop", &options).unwrap_err().to_string();
            assert!(
                error.contains(said) && error.contains("not in the repository"),
                "{error}"
            );
        }
    }
}
