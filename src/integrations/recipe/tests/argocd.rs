//! The recipes of Argo CD `Application`s.

use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use super::*;
use crate::model::{HelmParameter, KustomizeReplicas};

#[test]
fn an_argo_cd_helm_source_brings_its_value_files_values_and_parameters() {
    let object = application(json!({
        "destination": {"server": "https://kubernetes.default.svc", "namespace": "shop"},
        "source": {
            "repoURL": "https://git.example.com/shop.git",
            "path": "charts/shop",
            "targetRevision": "main",
            "helm": {
                "valueFiles": ["values-prod.yaml"],
                "values": "replicas: 2\nimage:\n  tag: v2\n",
                "parameters": [
                    {"name": "image.tag", "value": "v3"},
                    {"name": "port", "value": "8080", "forceString": true}
                ],
                "releaseName": "storefront",
                "skipCrds": true
            }
        }
    }));
    let recipe = recipe(AppKind::Application, &object).unwrap();
    assert_eq!(
        recipe,
        Recipe {
            path: "charts/shop".into(),
            render: RenderKind::Helm,
            // Argo CD's way, though a chart has no directory to read.
            directory: DirectoryOptions { recurse: false },
            namespace: "shop".into(),
            helm: HelmOptions {
                value_files: vec!["values-prod.yaml".into()],
                values: Some(json!({"replicas": 2, "image": {"tag": "v2"}})),
                release_name: Some("storefront".into()),
                parameters: vec![
                    HelmParameter {
                        name: "image.tag".into(),
                        value: "v3".into(),
                        force_string: false
                    },
                    HelmParameter {
                        name: "port".into(),
                        value: "8080".into(),
                        force_string: true
                    },
                ],
                skip_crds: true,
                replace_chart_values: false,
                capabilities: None,
                namespace: None,
                chart_version: None,
            },
            git: Some(GitSource {
                url: "https://git.example.com/shop.git".into(),
                target_revision: Some("main".into()),
                index: None,
            }),
            ..Recipe::default()
        }
    );
}

#[test]
fn argo_cd_values_object_wins_over_values_and_the_release_defaults_to_the_app() {
    let object = application(json!({
        "destination": {"name": "in-cluster", "namespace": "shop"},
        "source": {
            "repoURL": "https://git.example.com/shop.git",
            "path": "charts/shop",
            "helm": {"values": "a: 1", "valuesObject": {"a": 2}, "namespace": "other"}
        }
    }));
    let recipe = recipe(AppKind::Application, &object).unwrap();
    assert_eq!(recipe.helm.values, Some(json!({"a": 2})));
    assert_eq!(recipe.helm.release_name.as_deref(), Some("shop"));
    assert_eq!(recipe.namespace, "shop");
    assert_eq!(recipe.helm.namespace.as_deref(), Some("other"));
}

#[test]
fn a_plain_argo_cd_source_renders_by_what_its_path_holds() {
    let object = application(json!({
        "destination": {"namespace": "shop"},
        "source": {"repoURL": "https://git.example.com/shop.git", "path": "apps/shop",
                   "kustomize": {}}
    }));
    let recipe = recipe(AppKind::Application, &object).unwrap();
    assert_eq!(recipe.render, RenderKind::Auto);
    assert_eq!(recipe.path, "apps/shop");
    assert!(recipe.kustomize.lays_nothing() && !recipe.kustomize.generate);
    assert!(recipe.notes.is_empty(), "{:?}", recipe.notes);
}

#[test]
fn a_multi_source_app_renders_its_one_rendering_source() {
    let object = application(json!({
        "destination": {"namespace": "shop"},
        "sources": [
            {"repoURL": "https://git.example.com/values.git", "ref": "values"},
            {"repoURL": "https://git.example.com/shop.git", "path": "apps/shop"}
        ]
    }));
    let recipe = recipe(AppKind::Application, &object).unwrap();
    assert_eq!(recipe.path, "apps/shop");
    assert_eq!(
        recipe.git,
        Some(GitSource {
            url: "https://git.example.com/shop.git".into(),
            target_revision: None,
            index: Some(1),
        })
    );
    let two = application(json!({
        "destination": {"namespace": "shop"},
        "sources": [
            {"repoURL": "https://git.example.com/a.git", "path": "a"},
            {"repoURL": "https://git.example.com/b.git", "path": "b"}
        ]
    }));
    assert_eq!(
        refused(AppKind::Application, &two),
        "a multi-source app with 2 sources that render; driftdeck renders one"
    );
}

#[test]
fn what_argo_cd_renders_that_driftdeck_cannot_is_refused_by_name() {
    let with_source = |source: Value| {
        application(json!({"destination": {"namespace": "shop"}, "source": source}))
    };
    let cases = [
        (
            with_source(json!({"repoURL": "https://charts.example.com", "chart": "shop"})),
            "its chart comes from a Helm repository; driftdeck renders from Git only",
        ),
        (
            with_source(
                json!({"repoURL": "https://git.example.com/s.git", "path": "a",
                               "plugin": {"name": "cdk8s"}}),
            ),
            "it renders with a config management plugin, which driftdeck does not run",
        ),
        (
            with_source(
                json!({"repoURL": "https://git.example.com/s.git", "path": "a",
                               "helm": {"valueFiles": ["$values/prod.yaml"]}}),
            ),
            "its value file $values/prod.yaml comes from another source, which driftdeck \
             does not combine",
        ),
        (
            with_source(
                json!({"repoURL": "https://git.example.com/s.git", "path": "a",
                               "helm": {"valueFiles": ["https://x.example.com/v.yaml"]}}),
            ),
            "its value file https://x.example.com/v.yaml is a URL, which driftdeck does not \
             fetch",
        ),
        (
            with_source(
                json!({"repoURL": "https://git.example.com/s.git", "path": "a",
                               "helm": {"fileParameters": [{"name": "a", "path": "f"}]}}),
            ),
            "it sets Helm values from files (helm.fileParameters), which driftdeck does not \
             read",
        ),
        (
            application(json!({
                "destination": {"server": "https://prod.example.com", "namespace": "shop"},
                "source": {"repoURL": "https://git.example.com/s.git", "path": "a"}
            })),
            "it deploys to another cluster than the one it is defined in; driftdeck compares \
             only apps deployed to their own cluster",
        ),
    ];
    for (object, reason) in cases {
        assert_eq!(refused(AppKind::Application, &object), reason);
    }
    let malformed = with_source(json!({"repoURL": "https://git.example.com/s.git",
                                       "path": "a", "helm": {"values": "a: [1"}}));
    assert!(
        refused(AppKind::Application, &malformed)
            .starts_with("spec.source.helm.values is not YAML: "),
    );
}

#[test]
fn argo_cd_kustomize_options_are_laid_over_the_kustomization() {
    let object = application(json!({
        "destination": {"server": "https://kubernetes.default.svc", "namespace": "shop"},
        "source": {"repoURL": "https://git.example.com/shop.git", "path": "apps/shop",
            "kustomize": {
                "namePrefix": "eu-",
                "nameSuffix": "-v2",
                "namespace": "shop-eu",
                "images": ["nginx:1.27", "redis=registry.local/redis:7"],
                "replicas": [{"name": "web", "count": 3}, {"name": "worker", "count": "2"}],
                "patches": [{"patch": "[]", "target": {"kind": "Deployment"}}],
                "components": ["../components/tls"],
                "commonLabels": {"team": "shop"},
                "labelWithoutSelector": true,
                "commonAnnotations": {"owner": "ops"},
                "version": "v5.4.0"
            }}
    }));
    let recipe = recipe(AppKind::Application, &object).unwrap();
    assert_eq!(recipe.render, RenderKind::Kustomize);
    assert_eq!(
        recipe.kustomize,
        KustomizeOptions {
            generate: false,
            merge_images: true,
            namespace: Some("shop-eu".into()),
            name_prefix: Some("eu-".into()),
            name_suffix: Some("-v2".into()),
            images: vec![
                KustomizeImage {
                    name: "nginx".into(),
                    new_tag: Some("1.27".into()),
                    ..KustomizeImage::default()
                },
                KustomizeImage {
                    name: "redis".into(),
                    new_name: Some("registry.local/redis".into()),
                    new_tag: Some("7".into()),
                    ..KustomizeImage::default()
                },
            ],
            replicas: vec![
                KustomizeReplicas {
                    name: "web".into(),
                    count: 3
                },
                KustomizeReplicas {
                    name: "worker".into(),
                    count: 2
                },
            ],
            patches: vec![json!({"patch": "[]", "target": {"kind": "Deployment"}})],
            components: vec!["../components/tls".into()],
            common_labels: json!({"team": "shop"}).as_object().unwrap().clone(),
            labels_without_selector: true,
            common_annotations: json!({"owner": "ops"}).as_object().unwrap().clone(),
            substitute: None,
            ignore_missing_components: false,
        }
    );
    assert_eq!(
        recipe.notes,
        vec!["spec.source.kustomize.version not applied: the build may differ from Argo CD's"]
    );
    let bad = application(json!({
        "destination": {"server": "https://kubernetes.default.svc"},
        "source": {"repoURL": "https://git.example.com/shop.git", "path": "a",
            "kustomize": {"images": ["=x"]}}
    }));
    assert_eq!(
        refused(AppKind::Application, &bad),
        "spec.source.kustomize.images: =x is not an image override"
    );
    let both = application(json!({
        "destination": {"server": "https://kubernetes.default.svc"},
        "source": {"repoURL": "https://git.example.com/shop.git", "path": "a",
            "helm": {"releaseName": "x"}, "kustomize": {"namePrefix": "p-"}}
    }));
    assert_eq!(
        refused(AppKind::Application, &both),
        "its source sets helm and kustomize (or directory) at once, which Argo CD refuses \
         (multiple application sources defined)"
    );
    // An empty `directory` sets nothing, as Argo CD counts it.
    let helm = application(json!({
        "destination": {"server": "https://kubernetes.default.svc"},
        "source": {"repoURL": "https://git.example.com/shop.git", "path": "a",
            "helm": {"releaseName": "x"}, "directory": {"jsonnet": {}}}
    }));
    assert_eq!(
        super::recipe(AppKind::Application, &helm).unwrap().render,
        RenderKind::Helm
    );
}

#[test]
fn an_argo_cd_directory_reads_the_paths_own_files_unless_it_recurses() {
    let spec = |directory: Value| {
        application(json!({
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "shop"},
            "source": {"repoURL": "https://git.example.com/shop.git", "path": "apps/shop",
                "directory": directory}
        }))
    };
    let read = |directory: Value| {
        recipe(AppKind::Application, &spec(directory))
            .unwrap()
            .directory
            .recurse
    };
    assert!(!read(Value::Null));
    assert!(!read(json!({"recurse": false})));
    assert!(read(json!({"recurse": true})));
    // Flux builds every path with kustomize, writing a kustomization where there is
    // none (which lists every manifest below the path).
    let object = kustomization(
        json!({"path": "./apps/web", "sourceRef": {"kind": "GitRepository", "name": "fleet"}}),
    );
    let flux = recipe(AppKind::Kustomization, &object).unwrap();
    assert_eq!(flux.render, RenderKind::Kustomize);
    assert!(flux.kustomize.generate);
}
