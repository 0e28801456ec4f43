//! Desired state of apps at a revision: plain directories, kustomize and Helm, run
//! for real (kubectl's kustomize and helm from .tools/bin, installed by
//! scripts/install-tools.sh).

mod common;

use std::sync::Arc;

use common::{TempRepo, app};
use driftdeck::error::{Classified, ErrorKind};
use driftdeck::git::GitRepo;
use driftdeck::model::{HelmOptions, RenderKind};
use driftdeck::render::{RenderError, Renderer};

/// The first rendered object of `kind`.
fn manifest<'a>(
    rendered: &'a driftdeck::render::Rendered,
    kind: &str,
) -> &'a driftdeck::model::Manifest {
    rendered
        .manifests
        .iter()
        .find(|m| m.key.kind == kind)
        .unwrap()
}

fn keys(rendered: &driftdeck::render::Rendered) -> Vec<String> {
    rendered
        .manifests
        .iter()
        .map(|m| m.key.to_string())
        .collect()
}

#[test]
fn a_directory_renders_every_manifest_below_the_path_at_the_revision() {
    let mut repo = TempRepo::new();
    repo.write(
        "apps/web/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n",
    );
    repo.write(
        "apps/web/nested/svc.yml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: other}\n",
    );
    repo.write("apps/web/ns.json", r#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop","namespace":"ignored"}}"#);
    repo.write("apps/web/README.md", "not a manifest");
    repo.write("apps/web/.hidden/x.yaml", "not: parsed");
    repo.write(
        "apps/api/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\n",
    );
    let first = repo.commit("web");
    repo.write(
        "apps/web/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 5}\n",
    );
    repo.commit("scale web");

    let git = GitRepo::open(repo.path()).unwrap();
    let renderer = Renderer::default();
    let head = git.resolve("HEAD").unwrap();
    let rendered = renderer
        .render(&app("apps/web", RenderKind::Auto), &git, &head)
        .unwrap();
    assert_eq!(rendered.kind, RenderKind::Directory);
    assert_eq!(
        keys(&rendered),
        [
            "apps/Deployment/shop/web",
            "core/Service/other/web",
            "core/Namespace/-/shop"
        ],
        "destination namespace filled in, explicit kept, cluster-scoped without"
    );
    assert_eq!(
        rendered.manifests[0].object["metadata"]["namespace"],
        "shop"
    );
    assert_eq!(rendered.manifests[0].object["spec"]["replicas"], 5);
    assert_eq!(
        rendered.manifests[1].source.file.to_str(),
        Some("apps/web/nested/svc.yml")
    );

    // Argo CD's way (no `directory.recurse`): the path's own files only; the
    // renderer's cache tells the two apart.
    let mut flat = app("apps/web", RenderKind::Auto);
    flat.directory.recurse = false;
    let rendered = renderer.render(&flat, &git, &head).unwrap();
    assert_eq!(
        keys(&rendered),
        ["apps/Deployment/shop/web", "core/Namespace/-/shop"],
        "nested/svc.yml left out"
    );

    let old = renderer
        .render(
            &app("apps/web", RenderKind::Directory),
            &git,
            &first.as_str().into_commit(),
        )
        .unwrap();
    assert_eq!(
        old.manifests[0].object["spec"]["replicas"], 2,
        "content at that revision"
    );
}

trait IntoCommit {
    fn into_commit(self) -> driftdeck::model::CommitId;
}

impl IntoCommit for &str {
    fn into_commit(self) -> driftdeck::model::CommitId {
        driftdeck::model::CommitId::new(self)
    }
}

#[test]
fn rendering_the_same_tree_again_is_served_from_the_cache() {
    let mut repo = TempRepo::new();
    repo.write(
        "apps/web/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n",
    );
    let first = repo.commit("web");
    repo.write("elsewhere.txt", "unrelated");
    let second = repo.commit("unrelated change");
    let git = GitRepo::open(repo.path()).unwrap();
    let renderer = Renderer::default();
    let spec = app("apps/web", RenderKind::Directory);
    let a = renderer
        .render(&spec, &git, &second.as_str().into_commit())
        .unwrap();
    let b = renderer
        .render(&spec, &git, &second.as_str().into_commit())
        .unwrap();
    assert!(
        Arc::ptr_eq(&a, &b),
        "same app and tree: the cached result itself"
    );
    let c = renderer
        .render(&spec, &git, &first.as_str().into_commit())
        .unwrap();
    assert_eq!(c.manifests, a.manifests, "same subtree at another commit");
    assert_eq!(c.commit.as_str(), first);
}

#[test]
fn duplicates_missing_paths_and_bad_files_are_classified_errors() {
    let mut repo = TempRepo::new();
    repo.write(
        "apps/web/a.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: same}\n",
    );
    repo.write(
        "apps/web/b.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: same, namespace: shop}\n",
    );
    repo.write("apps/bad/x.yaml", "apiVersion: v1\nkind: [\n");
    repo.commit("dupes");
    let git = GitRepo::open(repo.path()).unwrap();
    let head = git.resolve("HEAD").unwrap();
    let renderer = Renderer::default();

    let duplicate = renderer
        .render(&app("apps/web", RenderKind::Auto), &git, &head)
        .unwrap_err();
    assert!(
        matches!(duplicate, RenderError::Duplicate { .. }),
        "{duplicate}"
    );
    let message = duplicate.to_string();
    assert!(
        message.contains("apps/web/a.yaml") && message.contains("apps/web/b.yaml"),
        "names both: {message}"
    );
    assert_eq!(duplicate.kind(), ErrorKind::InvalidManifest);

    let missing = renderer
        .render(&app("apps/nope", RenderKind::Auto), &git, &head)
        .unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::NotFound, "{missing}");

    let bad = renderer
        .render(&app("apps/bad", RenderKind::Auto), &git, &head)
        .unwrap_err();
    assert!(bad.to_string().starts_with("apps/bad/x.yaml:2:"), "{bad}");
}

#[test]
fn symlinks_are_followed_inside_the_repository_and_never_out_of_it() {
    let mut repo = TempRepo::new();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.yaml");
    std::fs::write(
        &secret,
        "apiVersion: v1\nkind: Secret\nmetadata: {name: stolen}\n",
    )
    .unwrap();
    repo.write(
        "shared/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared}\n",
    );
    std::fs::create_dir_all(repo.path().join("apps/web")).unwrap();
    std::os::unix::fs::symlink(
        "../../shared/cm.yaml",
        repo.path().join("apps/web/shared.yaml"),
    )
    .unwrap();
    std::os::unix::fs::symlink(&secret, repo.path().join("apps/web/abs.yaml")).unwrap();
    std::os::unix::fs::symlink(
        "../../../../../../../../etc/passwd",
        repo.path().join("apps/web/up.yaml"),
    )
    .unwrap();
    repo.commit("links");

    let git = GitRepo::open(repo.path()).unwrap();
    let head = git.resolve("HEAD").unwrap();
    let rendered = Renderer::default()
        .render(&app("apps/web", RenderKind::Directory), &git, &head)
        .unwrap();
    assert_eq!(keys(&rendered), ["core/ConfigMap/shop/shared"]);
    assert_eq!(rendered.warnings.len(), 2, "{:?}", rendered.warnings);
    assert!(
        rendered
            .warnings
            .iter()
            .all(|w| w.contains("outside the repository"))
    );
}

#[test]
fn kustomize_renders_with_bases_outside_the_app_path() {
    let mut repo = TempRepo::new();
    repo.write("base/kustomization.yaml", "resources: [deploy.yaml]\n");
    repo.write("base/deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers: [{name: web, image: web:1}]\n");
    repo.write(
        "apps/web/kustomization.yaml",
        "resources: [../../base]\nnamePrefix: prod-\nimages: [{name: web, newTag: '2'}]\nconfigMapGenerator: [{name: settings, literals: [MODE=prod]}]\n",
    );
    repo.commit("kustomize app");
    let git = GitRepo::open(repo.path()).unwrap();
    let head = git.resolve("HEAD").unwrap();
    let rendered = Renderer::default()
        .render(&app("apps/web", RenderKind::Auto), &git, &head)
        .unwrap();
    assert_eq!(rendered.kind, RenderKind::Kustomize);
    let keys = keys(&rendered);
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(
        keys.contains(&"apps/Deployment/shop/prod-web".to_owned()),
        "{keys:?}"
    );
    let configmap = manifest(&rendered, "ConfigMap");
    assert!(
        configmap.key.name.starts_with("prod-settings-"),
        "hashed generator name: {}",
        configmap.key.name
    );
    let deploy = manifest(&rendered, "Deployment");
    assert_eq!(
        deploy.object["spec"]["template"]["spec"]["containers"][0]["image"],
        "web:2"
    );
}

#[test]
fn kustomize_failures_reach_the_user_with_the_tools_stderr() {
    let mut repo = TempRepo::new();
    repo.write("apps/web/kustomization.yaml", "resources: [missing.yaml]\n");
    repo.commit("broken kustomization");
    let git = GitRepo::open(repo.path()).unwrap();
    let head = git.resolve("HEAD").unwrap();
    let error = Renderer::default()
        .render(&app("apps/web", RenderKind::Kustomize), &git, &head)
        .unwrap_err();
    assert!(matches!(error, RenderError::ToolFailed { .. }), "{error}");
    assert_eq!(error.kind(), ErrorKind::Render);
    assert!(
        error.to_string().contains("missing.yaml"),
        "stderr is shown: {error}"
    );
}

/// A path without a kustomization, as a Flux Kustomization names it: built the
/// way kustomize-controller builds it.
fn flux_path(repo: &mut TempRepo) {
    repo.write(
        "apps/web/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: ${replicas}\n  template:\n    spec:\n      serviceAccountName: web\n      containers: [{name: web, image: nginx:1.0}]\n",
    );
    repo.write(
        "apps/web/rbac/sa.yaml",
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: web}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}\nsubjects:\n- {kind: ServiceAccount, name: web, namespace: default}\n",
    );
    repo.write(
        "apps/web/settings.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata:\n  quoted: \"${replicas}\"\n  env: '${env:=dev}'\n  literal: $${env}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: raw\n  annotations: {kustomize.toolkit.fluxcd.io/substitute: disabled}\ndata:\n  kept: ${env}\n",
    );
    repo.write("apps/web/README.md", "not a manifest\n");
    repo.write(
        "components/tls/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonAnnotations: {tls: 'on'}\n",
    );
    repo.commit("flux path");
}

#[test]
fn an_engines_kustomize_options_are_built_by_kustomize_itself() {
    use driftdeck::model::{KustomizeImage, KustomizeOptions};
    let mut repo = TempRepo::new();
    flux_path(&mut repo);
    let git = GitRepo::open(repo.path()).unwrap();
    let head = git.resolve("HEAD").unwrap();
    let mut spec = app("apps/web", RenderKind::Kustomize);
    spec.kustomize = KustomizeOptions {
        generate: true,
        namespace: Some("web-prod".into()),
        name_prefix: Some("eu-".into()),
        images: vec![KustomizeImage {
            name: "nginx".into(),
            new_tag: Some("1.27".into()),
            ..KustomizeImage::default()
        }],
        patches: vec![serde_json::json!({
            "patch": "- op: replace\n  path: /spec/template/spec/containers/0/name\n  value: main",
            "target": {"kind": "Deployment"}
        })],
        components: vec!["../../components/tls".into()],
        substitute: Some([("replicas".into(), "3".into())].into()),
        ..KustomizeOptions::default()
    };
    let rendered = Renderer::default().render(&spec, &git, &head).unwrap();
    let mut keys = keys(&rendered);
    keys.sort();
    assert_eq!(
        keys,
        [
            "apps/Deployment/web-prod/eu-web",
            "core/ConfigMap/web-prod/eu-raw",
            "core/ConfigMap/web-prod/eu-settings",
            "core/ServiceAccount/web-prod/eu-web",
            "rbac.authorization.k8s.io/RoleBinding/web-prod/eu-web",
        ]
    );
    let deploy = manifest(&rendered, "Deployment");
    assert_eq!(
        deploy.object["spec"]["replicas"], 3,
        "a number, as Flux applies it"
    );
    let pod = &deploy.object["spec"]["template"]["spec"];
    assert_eq!(pod["serviceAccountName"], "eu-web");
    assert_eq!(pod["containers"][0]["image"], "nginx:1.27");
    assert_eq!(pod["containers"][0]["name"], "main");
    assert_eq!(deploy.object["metadata"]["annotations"]["tls"], "on");
    // kustomize's namespace and name references reach the RoleBinding's subjects.
    let binding = manifest(&rendered, "RoleBinding");
    assert_eq!(
        binding.object["subjects"],
        serde_json::json!([{"kind": "ServiceAccount", "name": "eu-web", "namespace": "web-prod"}])
    );
    // kustomize writes `"${replicas}"` from Git without its quotes, so Flux's
    // substitution makes it a number; `$${…}` is a literal; an object that opts
    // out keeps its `${…}`.
    let settings = rendered
        .manifests
        .iter()
        .find(|m| m.key.name == "eu-settings")
        .unwrap();
    assert_eq!(
        settings.object["data"],
        serde_json::json!({"quoted": 3, "env": "dev", "literal": "${env}"})
    );
    let raw = rendered
        .manifests
        .iter()
        .find(|m| m.key.name == "eu-raw")
        .unwrap();
    assert_eq!(raw.object["data"]["kept"], "${env}");
}

#[test]
fn a_bad_substitution_or_kustomization_is_a_classified_error() {
    use driftdeck::model::KustomizeOptions;
    let mut repo = TempRepo::new();
    repo.write(
        "apps/web/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata:\n  a: ${env\n",
    );
    repo.write("apps/listed/kustomization.yaml", "- not\n- a map\n");
    repo.commit("bad");
    let git = GitRepo::open(repo.path()).unwrap();
    let head = git.resolve("HEAD").unwrap();
    let mut spec = app("apps/web", RenderKind::Kustomize);
    spec.kustomize = KustomizeOptions {
        generate: true,
        substitute: Some([("env".into(), "prod".into())].into()),
        ..KustomizeOptions::default()
    };
    let error = Renderer::default().render(&spec, &git, &head).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidManifest);
    assert!(error.to_string().contains("ConfigMap/web"), "{error}");
    assert!(error.hint().unwrap().contains("substitute: disabled"));
    // Without variables, Flux substitutes nothing: the text stays as it is.
    spec.kustomize.substitute = Some(Default::default());
    let rendered = Renderer::default().render(&spec, &git, &head).unwrap();
    assert_eq!(rendered.manifests[0].object["data"]["a"], "${env");
    let mut listed = app("apps/listed", RenderKind::Kustomize);
    listed.kustomize.name_prefix = Some("p-".into());
    let error = Renderer::default()
        .render(&listed, &git, &head)
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidManifest);
    assert!(
        error.to_string().contains("apps/listed") && error.to_string().contains("not a YAML map"),
        "{error}"
    );
}

fn chart(repo: &TempRepo) {
    repo.write(
        "charts/web/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    );
    repo.write(
        "charts/web/values.yaml",
        "replicas: 1\nimage: {tag: '1'}\ngreeting: hello\n",
    );
    repo.write("charts/web/values-prod.yaml", "replicas: 3\n");
    repo.write(
        "charts/web/templates/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n  namespace: {{ .Release.Namespace }}\nspec:\n  replicas: {{ .Values.replicas }}\n  template:\n    spec:\n      containers:\n        - name: web\n          image: \"web:{{ .Values.image.tag }}\"\n",
    );
    repo.write(
        "charts/web/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\ndata:\n  greeting: {{ .Values.greeting | quote }}\n",
    );
    repo.write("charts/web/crds/widget.yaml", "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec:\n  group: example.com\n  names: {kind: Widget, plural: widgets}\n  scope: Namespaced\n  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]\n");
}

#[test]
fn helm_renders_a_chart_with_value_files_and_inline_values() {
    assert!(
        driftdeck::render::Tool::find("helm", "DRIFTDECK_HELM").is_some(),
        "helm is required: run scripts/install-tools.sh (scripts/test.sh does)"
    );
    let mut repo = TempRepo::new();
    chart(&repo);
    repo.commit("chart");
    let git = GitRepo::open(repo.path()).unwrap();
    let head = git.resolve("HEAD").unwrap();
    let mut spec = app("charts/web", RenderKind::Auto);
    spec.helm = HelmOptions {
        value_files: vec!["values-prod.yaml".into()],
        values: Some(serde_json::json!({"image": {"tag": "2"}})),
        release_name: Some("storefront".into()),
        ..HelmOptions::default()
    };
    let rendered = Renderer::default().render(&spec, &git, &head).unwrap();
    assert_eq!(rendered.kind, RenderKind::Helm);
    let mut keys = keys(&rendered);
    keys.sort();
    assert_eq!(
        keys,
        [
            "apiextensions.k8s.io/CustomResourceDefinition/-/widgets.example.com",
            "apps/Deployment/shop/storefront",
            "core/ConfigMap/shop/storefront-settings",
        ]
    );
    let deploy = manifest(&rendered, "Deployment");
    assert_eq!(deploy.object["spec"]["replicas"], 3, "value file applied");
    assert_eq!(
        deploy.object["spec"]["template"]["spec"]["containers"][0]["image"], "web:2",
        "inline values last"
    );

    // A value file outside the repository is refused, not read.
    spec.helm.value_files = vec!["../../../../etc/passwd".into()];
    let error = Renderer::default().render(&spec, &git, &head).unwrap_err();
    assert!(
        error.to_string().contains("outside the repository"),
        "{error}"
    );
}

#[test]
fn helm_renders_with_the_clusters_capabilities_when_given() {
    let mut repo = TempRepo::new();
    repo.write(
        "charts/caps/Chart.yaml",
        "apiVersion: v2\nname: caps\nversion: 0.1.0\n",
    );
    repo.write(
        "charts/caps/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caps\ndata:\n  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n  widgets: {{ .Capabilities.APIVersions.Has \"example.com/v1/Widget\" | quote }}\n",
    );
    repo.commit("chart");
    let git = GitRepo::open(repo.path()).unwrap();
    let head = git.resolve("HEAD").unwrap();
    let mut spec = app("charts/caps", RenderKind::Helm);
    let read = |spec: &driftdeck::model::AppSpec| {
        let rendered = Renderer::default().render(spec, &git, &head).unwrap();
        let data = &manifest(&rendered, "ConfigMap").object["data"];
        (
            data["kube"].as_str().unwrap().to_owned(),
            data["widgets"].as_str().unwrap().to_owned(),
        )
    };
    // Helm's defaults: no Widget kind.
    assert_eq!(read(&spec).1, "false");
    spec.helm.capabilities = Some(driftdeck::model::Capabilities {
        kube_version: "v1.31.4".into(),
        api_versions: vec!["example.com/v1".into(), "example.com/v1/Widget".into()],
    });
    assert_eq!(read(&spec), ("v1.31.4".to_owned(), "true".to_owned()));
}

/// As Flux packages a chart from Git with `valuesFiles`: the files merged in order
/// replace the chart's own values.yaml, which counts only when it is listed; then
/// `--set` parameters and the templating namespace apply.
#[test]
fn helm_value_files_can_replace_the_charts_own_values() {
    let mut repo = TempRepo::new();
    chart(&repo);
    repo.write("envs/prod.yaml", "image: {tag: '3'}\n");
    repo.commit("chart");
    let git = GitRepo::open(repo.path()).unwrap();
    let head = git.resolve("HEAD").unwrap();
    let mut spec = app("charts/web", RenderKind::Helm);
    spec.helm = HelmOptions {
        value_files: vec!["values.yaml".into(), "../../envs/prod.yaml".into()],
        replace_chart_values: true,
        release_name: Some("web".into()),
        ..HelmOptions::default()
    };
    let rendered = Renderer::default().render(&spec, &git, &head).unwrap();
    let object = |kind: &str| manifest(&rendered, kind).object.clone();
    let deploy = object("Deployment");
    assert_eq!(
        deploy["spec"]["replicas"], 1,
        "the chart's own file, listed"
    );
    assert_eq!(
        deploy["spec"]["template"]["spec"]["containers"][0]["image"],
        "web:3"
    );
    assert_eq!(object("ConfigMap")["data"]["greeting"], "hello");

    // Not listed, the chart's own values are gone: only prod.yaml's are left.
    spec.helm.value_files = vec!["../../envs/prod.yaml".into()];
    spec.helm.parameters = vec![driftdeck::model::HelmParameter {
        name: "greeting".into(),
        value: "a,b".into(),
        force_string: true,
    }];
    spec.helm.namespace = Some("templated".into());
    let rendered = Renderer::default().render(&spec, &git, &head).unwrap();
    let deploy = manifest(&rendered, "Deployment");
    assert_eq!(deploy.object["spec"]["replicas"], serde_json::Value::Null);
    assert_eq!(deploy.key.namespace, "templated");
    let settings = manifest(&rendered, "ConfigMap");
    assert_eq!(settings.object["data"]["greeting"], "a,b");
    assert_eq!(
        settings.key.namespace, "shop",
        "objects without one: the destination's"
    );
}

/// Flux packages a chart from Git with build metadata in its version; the chart
/// renders with the version given, and its `Chart.yaml` is left as Git has it.
#[test]
fn helm_renders_with_the_chart_version_flux_packaged() {
    let mut repo = TempRepo::new();
    repo.write(
        "charts/tag/Chart.yaml",
        "apiVersion: v2\nname: tag\nversion: 0.1.0\nappVersion: \"1.10\"\n",
    );
    repo.write(
        "charts/tag/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tag\n  labels:\n    helm.sh/chart: {{ printf \"%s-%s\" .Chart.Name .Chart.Version | replace \"+\" \"_\" }}\n    app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}\n",
    );
    repo.commit("chart");
    let git = GitRepo::open(repo.path()).unwrap();
    let head = git.resolve("HEAD").unwrap();
    let mut spec = app("charts/tag", RenderKind::Helm);
    spec.helm.chart_version = Some("0.1.0+0123456789ab.2".into());
    let rendered = Renderer::default().render(&spec, &git, &head).unwrap();
    assert_eq!(
        rendered.manifests[0].object["metadata"]["labels"]["helm.sh/chart"],
        "tag-0.1.0_0123456789ab.2"
    );
    assert_eq!(
        rendered.manifests[0].object["metadata"]["labels"]["app.kubernetes.io/version"], "1.10",
        "the rest of Chart.yaml as written"
    );
    spec.helm.chart_version = None;
    let rendered = Renderer::default().render(&spec, &git, &head).unwrap();
    assert_eq!(
        rendered.manifests[0].object["metadata"]["labels"]["helm.sh/chart"],
        "tag-0.1.0"
    );
}

#[test]
fn helm_template_errors_reach_the_user() {
    let mut repo = TempRepo::new();
    chart(&repo);
    repo.write(
        "charts/web/templates/broken.yaml",
        "{{ .Values.nope.deeper }}\n",
    );
    repo.commit("broken chart");
    let git = GitRepo::open(repo.path()).unwrap();
    let head = git.resolve("HEAD").unwrap();
    let error = Renderer::default()
        .render(&app("charts/web", RenderKind::Helm), &git, &head)
        .unwrap_err();
    assert!(matches!(error, RenderError::ToolFailed { .. }), "{error}");
    assert!(error.to_string().contains("broken.yaml"), "{error}");
}

#[test]
fn a_chain_of_symlinks_cannot_lead_a_renderer_out_of_the_export() {
    let mut repo = TempRepo::new();
    repo.write(
        "chart/Chart.yaml",
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    );
    repo.write(
        "chart/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: leak}\ndata:\n  x: {{ .Files.Get \"esc\" | quote }}\n  y: {{ .Files.Get \"inside\" | quote }}\n",
    );
    repo.write("shared.txt", "from inside the repo");
    std::os::unix::fs::symlink(".", repo.path().join("loop")).unwrap();
    std::os::unix::fs::symlink(
        "../loop/loop/loop/../../../etc/hostname",
        repo.path().join("chart/esc"),
    )
    .unwrap();
    std::os::unix::fs::symlink("../shared.txt", repo.path().join("chart/inside")).unwrap();
    repo.commit("sneaky links");
    let git = GitRepo::open(repo.path()).unwrap();
    let head = git.resolve("HEAD").unwrap();
    let rendered = Renderer::default()
        .render(&app("chart", RenderKind::Helm), &git, &head)
        .unwrap();
    let data = &rendered.manifests[0].object["data"];
    assert_eq!(
        data["x"], "",
        "nothing from outside the repository is readable"
    );
    assert_eq!(
        data["y"], "from inside the repo",
        "links inside the repository are copied"
    );
    assert!(
        rendered.warnings.iter().any(|w| w.starts_with("chart/esc")),
        "{:?}",
        rendered.warnings
    );
}

#[test]
fn an_app_below_a_hidden_folder_still_renders() {
    let mut repo = TempRepo::new();
    repo.write(
        ".deploy/web/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n",
    );
    repo.write(
        ".deploy/web/.skip/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: skipped}\n",
    );
    repo.commit("hidden deploy folder");
    let git = GitRepo::open(repo.path()).unwrap();
    let head = git.resolve("HEAD").unwrap();
    let rendered = Renderer::default()
        .render(&app(".deploy/web", RenderKind::Auto), &git, &head)
        .unwrap();
    assert_eq!(keys(&rendered), ["core/ConfigMap/shop/web"]);
}

#[test]
fn scope_comes_from_built_in_kinds_and_from_crds_rendered_alongside() {
    let mut repo = TempRepo::new();
    repo.write(
        "apps/web/gw.yaml",
        "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: public}\n",
    );
    repo.write(
        "apps/web/ns.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, namespace: stray}\n",
    );
    repo.write(
        "apps/web/crd.yaml",
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: tenants.example.com}\nspec:\n  group: example.com\n  names: {kind: Tenant, plural: tenants}\n  scope: Cluster\n  versions: []\n",
    );
    repo.write(
        "apps/web/tenant.yaml",
        "apiVersion: example.com/v1\nkind: Tenant\nmetadata: {name: acme}\n",
    );
    repo.write(
        "apps/web/widget.yaml",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n",
    );
    repo.commit("scopes");
    let git = GitRepo::open(repo.path()).unwrap();
    let head = git.resolve("HEAD").unwrap();
    let rendered = Renderer::default()
        .render(&app("apps/web", RenderKind::Directory), &git, &head)
        .unwrap();
    assert_eq!(
        keys(&rendered),
        [
            "apiextensions.k8s.io/CustomResourceDefinition/-/tenants.example.com",
            "gateway.networking.k8s.io/GatewayClass/-/public",
            "core/Namespace/-/shop",
            "example.com/Tenant/-/acme",
            "example.com/Widget/shop/w",
        ]
    );
    let namespace = manifest(&rendered, "Namespace");
    assert!(
        namespace.object["metadata"].get("namespace").is_none(),
        "stray namespace dropped from the body"
    );
}

#[test]
fn non_string_names_and_list_items_are_reported_precisely() {
    let mut repo = TempRepo::new();
    repo.write(
        "apps/a/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: no}\n",
    );
    repo.write(
        "apps/b/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: 5}\n",
    );
    repo.write(
        "apps/c/list.yaml",
        "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: same}}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: same}}\n",
    );
    repo.write("apps/d/empty.yaml", "apiVersion: v1\nkind: List\n");
    repo.commit("odd");
    let git = GitRepo::open(repo.path()).unwrap();
    let head = git.resolve("HEAD").unwrap();
    let render =
        |path: &str| Renderer::default().render(&app(path, RenderKind::Directory), &git, &head);
    let name = render("apps/a").unwrap_err().to_string();
    assert!(
        name.contains("`metadata.name` is false, not a string: quote it"),
        "{name}"
    );
    let namespace = render("apps/b").unwrap_err().to_string();
    assert!(
        namespace.contains("`metadata.namespace` is 5"),
        "{namespace}"
    );
    let duplicate = render("apps/c").unwrap_err().to_string();
    assert!(
        duplicate.contains("item 1") && duplicate.contains("item 2"),
        "{duplicate}"
    );
    assert!(
        render("apps/d").unwrap().manifests.is_empty(),
        "a List without items is empty"
    );
}

#[test]
fn a_render_that_depends_on_a_link_target_sees_the_target_change() {
    let mut repo = TempRepo::new();
    repo.write(
        "apps/web/own.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: own}\n",
    );
    std::fs::create_dir_all(repo.path().join("apps/web")).unwrap();
    std::os::unix::fs::symlink(
        "../../shared/cm.yaml",
        repo.path().join("apps/web/shared.yaml"),
    )
    .unwrap();
    let dangling = repo.commit("link to a file that does not exist yet");
    repo.write(
        "shared/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared}\n",
    );
    let present = repo.commit("the target appears; apps/web itself is unchanged");
    assert_eq!(
        repo.git(&["rev-parse", &format!("{dangling}:apps/web")]),
        repo.git(&["rev-parse", &format!("{present}:apps/web")]),
        "same subtree"
    );
    let git = GitRepo::open(repo.path()).unwrap();
    let renderer = Renderer::default();
    let spec = app("apps/web", RenderKind::Directory);
    let before = renderer
        .render(&spec, &git, &dangling.as_str().into_commit())
        .unwrap();
    assert_eq!(keys(&before), ["core/ConfigMap/shop/own"]);
    let after = renderer
        .render(&spec, &git, &present.as_str().into_commit())
        .unwrap();
    assert_eq!(
        keys(&after),
        ["core/ConfigMap/shop/own", "core/ConfigMap/shop/shared"]
    );
}
