use std::collections::BTreeMap;

use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use super::*;
use crate::model::{Manifest, ResourceKey, SourceRef};

fn application(spec: Value) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "shop", "namespace": "argocd"},
        "spec": spec,
    })
}

fn kustomization(spec: Value) -> Value {
    json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "web", "namespace": "flux-system"},
        "spec": spec,
    })
}

fn helm_release(spec: Value) -> Value {
    json!({
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": "podinfo", "namespace": "flux-system"},
        "spec": spec,
    })
}

fn refused(kind: AppKind, object: &Value) -> String {
    match recipe(kind, object) {
        Err(RecipeError::NotRendered { reason, .. }) => reason,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_flux_kustomization_brings_its_namespace_metadata_and_variables() {
    let object = kustomization(json!({
        "sourceRef": {"kind": "GitRepository", "name": "fleet"},
        "path": "./apps/web",
        "targetNamespace": "web",
        "commonMetadata": {"labels": {"team": "shop"}, "annotations": {"owner": "ops"}},
        "postBuild": {
            "substitute": {"cluster_env": "prod"},
            "substituteFrom": [{"kind": "ConfigMap", "name": "vars", "optional": true}]
        },
        "patches": [{"patch": "[]", "target": {"kind": "Deployment"}}],
        "images": [{"name": "nginx", "newName": "registry.local/nginx", "newTag": "2"}],
        "namePrefix": "eu-",
        "components": ["../../components/tls"]
    }));
    let recipe = recipe(AppKind::Kustomization, &object).unwrap();
    assert_eq!(
        recipe,
        Recipe {
            path: "./apps/web".into(),
            render: RenderKind::Kustomize,
            namespace: "web".into(),
            kustomize: KustomizeOptions {
                generate: true,
                namespace: Some("web".into()),
                name_prefix: Some("eu-".into()),
                images: vec![KustomizeImage {
                    name: "nginx".into(),
                    new_name: Some("registry.local/nginx".into()),
                    new_tag: Some("2".into()),
                    digest: None,
                }],
                patches: vec![json!({"patch": "[]", "target": {"kind": "Deployment"}})],
                components: vec!["../../components/tls".into()],
                ..KustomizeOptions::default()
            },
            common_labels: json!({"team": "shop"}).as_object().unwrap().clone(),
            common_annotations: json!({"owner": "ops"}).as_object().unwrap().clone(),
            substitution: Some(Substitution {
                vars: BTreeMap::from([("cluster_env".into(), "prod".into())]),
                from: vec![("vars".into(), true)],
            }),
            ..Recipe::default()
        }
    );
    let plain = kustomization(json!({"sourceRef": {"kind": "GitRepository", "name": "f"}}));
    let plain = super::recipe(AppKind::Kustomization, &plain).unwrap();
    assert_eq!(
        (plain.path.as_str(), plain.namespace.as_str()),
        ("", "flux-system")
    );
}

#[test]
fn what_flux_renders_that_driftdeck_cannot_is_refused_by_name() {
    let git = json!({"kind": "GitRepository", "name": "fleet"});
    let cases = [
        (
            AppKind::Kustomization,
            kustomization(json!({"sourceRef": {"kind": "OCIRepository", "name": "o"}})),
            "its source is a OCIRepository; driftdeck renders from Git only",
        ),
        (
            AppKind::Kustomization,
            kustomization(json!({"sourceRef": git, "postBuild":
                {"substituteFrom": [{"kind": "Secret", "name": "creds"}]}})),
            "its post-build variables come from Secret creds; driftdeck does not read Secrets",
        ),
        (
            AppKind::Kustomization,
            kustomization(json!({"sourceRef": git, "postBuild": {"substitute": {"a-b": "x"}}})),
            "spec.postBuild.substitute: `a-b` is not a valid variable name (letters, digits \
             and `_`, not first a digit)",
        ),
        (
            AppKind::Kustomization,
            kustomization(json!({"sourceRef": git, "kubeConfig": {"secretRef": {"name": "k"}}})),
            "it applies to another cluster (spec.kubeConfig); driftdeck compares only apps \
             deployed to their own cluster",
        ),
        (
            AppKind::HelmRelease,
            helm_release(json!({"chartRef": {"kind": "OCIRepository", "name": "podinfo"}})),
            "its chart is a source artifact (spec.chartRef); driftdeck renders charts from Git \
             only",
        ),
        (
            AppKind::HelmRelease,
            helm_release(json!({"chart": {"spec": {"chart": "podinfo",
                "sourceRef": {"kind": "HelmRepository", "name": "podinfo"}}}})),
            "its chart comes from a HelmRepository; driftdeck renders charts from Git only",
        ),
        (
            AppKind::HelmRelease,
            helm_release(
                json!({"chart": {"spec": {"chart": "./charts/podinfo", "sourceRef": git}},
                "valuesFrom": [{"kind": "Secret", "name": "podinfo-values"}]}),
            ),
            "its values come from Secret podinfo-values (valuesFrom); driftdeck does not read \
             Secrets",
        ),
    ];
    for (kind, object, reason) in cases {
        assert_eq!(refused(kind, &object), reason);
    }
}

#[test]
fn a_helm_release_from_git_brings_its_chart_values_and_release_name() {
    let object = helm_release(json!({
        "targetNamespace": "apps",
        "chart": {"spec": {
            "chart": "./charts/podinfo",
            "sourceRef": {"kind": "GitRepository", "name": "fleet"},
            "valuesFiles": ["charts/podinfo/values.yaml", "envs/prod.yaml"],
            "reconcileStrategy": "Revision"
        }},
        "valuesFrom": [
            {"kind": "ConfigMap", "name": "common"},
            {"kind": "ConfigMap", "name": "tag", "valuesKey": "tag",
             "targetPath": "image.tag", "optional": true}
        ],
        "values": {"replicaCount": 2},
        "postRenderers": [{"kustomize": {"patches": []}}]
    }));
    let recipe = recipe(AppKind::HelmRelease, &object).unwrap();
    assert_eq!(
        recipe,
        Recipe {
            path: "charts/podinfo".into(),
            render: RenderKind::Helm,
            namespace: "apps".into(),
            helm: HelmOptions {
                value_files: vec![
                    "../../charts/podinfo/values.yaml".into(),
                    "../../envs/prod.yaml".into()
                ],
                values: Some(json!({"replicaCount": 2})),
                release_name: Some("apps-podinfo".into()),
                replace_chart_values: true,
                ..HelmOptions::default()
            },
            values_from: vec![
                ValuesRef {
                    name: "common".into(),
                    key: "values.yaml".into(),
                    target_path: None,
                    optional: false
                },
                ValuesRef {
                    name: "tag".into(),
                    key: "tag".into(),
                    target_path: Some("image.tag".into()),
                    optional: true
                },
            ],
            notes: vec![
                "spec.postRenderers are not applied: those changes may show as drift".into()
            ],
            ..Recipe::default()
        }
    );
}

#[test]
fn a_release_by_chart_version_and_a_long_release_name_are_said() {
    let long = "a-release-name-that-goes-on-and-on-past-what-helm-allows";
    let object = helm_release(json!({
        "releaseName": long,
        "chart": {"spec": {"chart": "charts/podinfo",
            "sourceRef": {"kind": "GitRepository", "name": "fleet"}}}
    }));
    let recipe = recipe(AppKind::HelmRelease, &object).unwrap();
    assert_eq!(recipe.helm.release_name.as_deref(), Some(long));
    assert_eq!(
        recipe.notes,
        [
            format!(
                "the release name {long} is longer than Helm allows and Flux shortens it; \
                 driftdeck renders with it as it is"
            ),
            "reconcileStrategy ChartVersion: Flux builds the chart again only when the \
             version in its Chart.yaml changes, so changes in Git without a new version show \
             here but are not applied"
                .into(),
        ]
    );
    let mut released = object.clone();
    released["status"] =
        json!({"history": [{"name": "a-release-name-that-goes-on-and-on-p-0123456789ab"}]});
    let recipe = super::recipe(AppKind::HelmRelease, &released).unwrap();
    assert_eq!(
        recipe.helm.release_name.as_deref(),
        Some("a-release-name-that-goes-on-and-on-p-0123456789ab")
    );
    assert_eq!(recipe.notes.len(), 1);
}

#[test]
fn release_values_merge_in_order_with_spec_values_last() {
    let refs = [
        ValuesRef {
            name: "common".into(),
            key: "values.yaml".into(),
            target_path: None,
            optional: false,
        },
        ValuesRef {
            name: "tag".into(),
            key: "tag".into(),
            target_path: Some("image.tag".into()),
            optional: false,
        },
        ValuesRef {
            name: "absent".into(),
            key: "values.yaml".into(),
            target_path: None,
            optional: true,
        },
    ];
    let found = [
        Some("image: {repository: nginx, tag: '1'}\nreplicaCount: 1\n".to_owned()),
        Some("2.0".to_owned()),
        None,
    ];
    let values = release_values(&refs, &found, Some(&json!({"replicaCount": 3}))).unwrap();
    assert_eq!(
        values,
        Some(json!({"image": {"repository": "nginx", "tag": "2.0"}, "replicaCount": 3}))
    );
    assert_eq!(
        release_values(&refs[..1], &[None], None),
        Err("valuesFrom: ConfigMap common has no key values.yaml (and is not optional)".into())
    );
    assert_eq!(
        release_values(&refs[..1], &[Some("- a\n".into())], None),
        Err("valuesFrom: ConfigMap common key values.yaml is not a YAML map".into())
    );
    assert_eq!(release_values(&[], &[], None), Ok(None));
    // A targetPath value is typed as Helm's --set types it; quoted, it stays text.
    let typed = |text: &str| {
        let at = [ValuesRef {
            name: "v".into(),
            key: "v".into(),
            target_path: Some("a.b".into()),
            optional: false,
        }];
        release_values(&at, &[Some(text.to_owned())], None)
            .unwrap()
            .unwrap()["a"]["b"]
            .clone()
    };
    assert_eq!(typed("3"), json!(3));
    assert_eq!(typed("true"), json!(true));
    assert_eq!(typed("007"), json!("007"));
    assert_eq!(typed("2.0"), json!("2.0"));
    assert_eq!(typed("'3'"), json!("3"));
    assert_eq!(typed("\"x\""), json!("x"));
}

#[test]
fn inline_variables_win_over_config_maps_and_later_config_maps_over_earlier() {
    let substitution = Substitution {
        vars: BTreeMap::from([("a".into(), "inline".into())]),
        from: vec![
            ("first".into(), false),
            ("second".into(), false),
            ("gone".into(), true),
        ],
    };
    let found = [
        Some(BTreeMap::from([
            ("a".into(), "first".into()),
            ("b".into(), "first".into()),
            ("c".into(), "first".into()),
        ])),
        Some(BTreeMap::from([("b".into(), "second".into())])),
        None,
    ];
    assert_eq!(
        substitution_vars(&substitution, &found).unwrap(),
        BTreeMap::from([
            ("a".into(), "inline".into()),
            ("b".into(), "second".into()),
            ("c".into(), "first".into()),
        ])
    );
    // Line breaks go, as kustomize-controller drops them.
    let broken = Substitution {
        vars: BTreeMap::from([("a".into(), "in\nline\n".into())]),
        from: vec![("file".into(), false)],
    };
    let found = [Some(BTreeMap::from([("b".into(), "prod\n".into())]))];
    assert_eq!(
        substitution_vars(&broken, &found).unwrap(),
        BTreeMap::from([("a".into(), "inline".into()), ("b".into(), "prod".into())])
    );
    let strict = Substitution {
        from: vec![("gone".into(), false)],
        ..Substitution::default()
    };
    assert_eq!(
        substitution_vars(&strict, &[None]),
        Err("postBuild.substituteFrom: ConfigMap gone does not exist (and is not optional)".into())
    );
}

#[test]
fn shaping_adds_the_common_metadata_and_leaves_out_a_charts_hooks() {
    let manifest = |kind: &str, object: Value| Manifest {
        key: ResourceKey::new("", kind, "", "web"),
        api_version: "v1".into(),
        object,
        source: SourceRef {
            file: "<kustomize build>".into(),
            document: 0,
            line: 1,
            item: None,
        },
    };
    let mut manifests = vec![
        manifest(
            "ConfigMap",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web"}}),
        ),
        manifest(
            "Namespace",
            json!({"apiVersion": "v1", "kind": "Namespace",
                   "metadata": {"name": "web", "labels": {"keep": "yes", "team": "old"}}}),
        ),
    ];
    let recipe = Recipe {
        common_labels: json!({"team": "shop"}).as_object().unwrap().clone(),
        common_annotations: json!({"owner": "ops"}).as_object().unwrap().clone(),
        ..Recipe::default()
    };
    shape(&mut manifests, &recipe);
    assert_eq!(
        manifests[0].object,
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web",
               "labels": {"team": "shop"}, "annotations": {"owner": "ops"}}})
    );
    assert_eq!(
        manifests[1].object.pointer("/metadata/labels"),
        Some(&json!({"keep": "yes", "team": "shop"}))
    );
    let hook = |name: &str, hook: Option<&str>| {
        let mut object = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}});
        if let Some(hook) = hook {
            object["metadata"]["annotations"] = json!({"helm.sh/hook": hook});
        }
        manifest("Pod", object)
    };
    let mut chart = vec![hook("app", None), hook("test", Some("test"))];
    let helm = Recipe {
        render: RenderKind::Helm,
        ..Recipe::default()
    };
    shape(&mut chart, &helm);
    assert_eq!(chart.len(), 1);
    assert_eq!(chart[0].object["metadata"]["name"], "app");
}

mod argocd;
