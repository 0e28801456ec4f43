//! `driftdeck.yaml`: valid files become model types; invalid ones are errors that
//! point at the file, line and field and say what would be valid.

use std::path::{Path, PathBuf};

use driftdeck::config::{self, ConfigError};
use driftdeck::error::{Classified, ErrorKind};
use driftdeck::model::{RenderKind, RepoSource};

const FULL: &str = r#"
repos:
  - name: platform
    path: ../gitops
    branch: main
  - name: charts
    url: https://git.example.com/platform/charts.git
apps:
  - name: web
    repo: platform
    path: apps/web/
    render: kustomize
    destination:
      context: prod-eu
      namespace: web
    sync:
      automated: true
      prune: true
      selfHeal: true
    ignoreDifferences:
      - group: apps
        kind: Deployment
        jsonPointers: [/spec/replicas]
  - name: redis
    repo: charts
    path: redis
    render: helm
    helm:
      releaseName: cache
      valueFiles: [values-prod.yaml]
      values:
        replicas: 3
    destination:
      namespace: data
"#;

fn parse(text: &str) -> Result<config::Config, ConfigError> {
    config::parse(text, Path::new("/etc/dd/driftdeck.yaml"))
}

/// The error's text, asserting it is a config error pointing at `line`.
fn error_at(text: &str, line: u64) -> String {
    let error = parse(text).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Config, "{error}");
    let message = error.to_string();
    assert!(
        message.starts_with(&format!("/etc/dd/driftdeck.yaml:{line}:")),
        "expected line {line}: {message}"
    );
    message
}

#[test]
fn a_full_configuration_becomes_model_types() {
    let config = parse(FULL).unwrap();
    assert_eq!(config.repos.len(), 2);
    assert_eq!(
        config.repos[0].source,
        RepoSource::Path(PathBuf::from("/etc/dd/../gitops"))
    );
    assert_eq!(config.repos[0].branch.as_deref(), Some("main"));
    assert_eq!(config.repos[1].branch, None, "no branch follows HEAD");
    let web = config.app("web").unwrap();
    assert_eq!(web.path, "apps/web", "slashes are trimmed");
    assert_eq!(web.render, RenderKind::Kustomize);
    assert_eq!(web.destination.context.as_deref(), Some("prod-eu"));
    assert!(web.sync.automated && web.sync.prune && web.sync.self_heal);
    assert_eq!(web.ignore_differences[0].json_pointers, ["/spec/replicas"]);
    let redis = config.app("redis").unwrap();
    assert_eq!(redis.helm.release_name.as_deref(), Some("cache"));
    assert_eq!(redis.helm.value_files, ["values-prod.yaml"]);
    assert_eq!(redis.helm.values.as_ref().unwrap()["replicas"], 3);
    assert_eq!(redis.render, RenderKind::Helm);
    assert_eq!(config.repo_of(redis).unwrap().name.as_str(), "charts");
}

#[test]
fn defaults_apply_and_an_empty_file_declares_nothing() {
    let config = parse(
        "repos: [{name: r, path: .}]\napps: [{name: a, repo: r, destination: {namespace: n}}]\n",
    )
    .unwrap();
    let app = &config.apps[0];
    assert_eq!(app.render, RenderKind::Auto);
    assert_eq!(app.path, "");
    assert!(!app.sync.automated && !app.sync.prune && !app.sync.self_heal);
    assert_eq!(parse("").unwrap().apps.len(), 0);
    assert_eq!(
        parse("repos:\napps:\n").unwrap().repos.len(),
        0,
        "null lists are empty"
    );
    let root = parse(
        "repos: [{name: r, path: .}]\napps: [{name: a, repo: r, path: ., destination: {namespace: n}}]\n",
    );
    assert_eq!(root.unwrap().apps[0].path, "", "`.` is the repository root");
    assert_eq!(parse("# nothing yet\n").unwrap().repos.len(), 0);
}

#[test]
fn unknown_fields_are_errors_that_list_the_valid_ones() {
    let text = FULL.replace("      selfHeal: true", "      selfheal: true");
    let message = error_at(&text, 19);
    assert!(message.contains("unknown field `selfheal`"), "{message}");
    assert!(
        message.contains("selfHeal"),
        "lists valid fields: {message}"
    );

    let top = error_at("repos: []\napplications: []\n", 2);
    assert!(
        top.contains("`applications`") && top.contains("apps"),
        "{top}"
    );
}

#[test]
fn invalid_values_point_at_their_line_with_a_hint() {
    let unknown_repo = FULL.replace("    repo: charts", "    repo: chart");
    let error = parse(&unknown_repo).unwrap_err();
    assert!(
        error.to_string().starts_with("/etc/dd/driftdeck.yaml:25:"),
        "{error}"
    );
    assert!(error.to_string().contains("'chart'"), "{error}");
    assert_eq!(error.hint().unwrap(), "declared repos: platform, charts");

    let render = error_at(&FULL.replace("render: helm", "render: jsonnet"), 27);
    assert!(
        render.contains("jsonnet") && render.contains("kustomize"),
        "{render}"
    );

    let escape = error_at(&FULL.replace("path: redis", "path: ../redis"), 26);
    assert!(
        escape.contains("relative to the repository root"),
        "{escape}"
    );

    let pointer = error_at(&FULL.replace("[/spec/replicas]", "[spec.replicas]"), 23);
    assert!(pointer.contains("not a JSON pointer"), "{pointer}");

    let url = error_at(
        &FULL.replace(
            "url: https://git.example.com/platform/charts.git",
            "url: charts.git",
        ),
        7,
    );
    assert!(url.contains("not a repository URL"), "{url}");

    let helm_on_kustomize = FULL.replace("    render: helm\n", "    render: directory\n");
    let helm = error_at(&helm_on_kustomize, 29);
    assert!(helm.contains("`helm` options"), "{helm}");
}

#[test]
fn structural_mistakes_are_reported_where_they_are() {
    let both = error_at(
        "repos:\n  - name: r\n    path: .\n    url: https://x/y.git\n",
        4,
    );
    assert!(both.contains("both `path` and `url`"), "{both}");
    let neither = error_at("repos:\n  - name: r\n    branch: main\n", 2);
    assert!(neither.contains("neither"), "{neither}");
    let twice = error_at(
        "repos: [{name: r, path: .}]\napps:\n  - {name: a, repo: r, destination: {namespace: n}}\n  - {name: a, repo: r, destination: {namespace: n}}\n",
        4,
    );
    assert!(twice.contains("declared twice"), "{twice}");
    let missing =
        parse("repos: [{name: r, path: .}]\napps:\n  - name: a\n    repo: r\n").unwrap_err();
    assert!(missing.to_string().contains("destination"), "{missing}");
    let syntax = error_at("repos:\n  - name: [unclosed\n", 2);
    assert!(!syntax.is_empty());
    let tabs = parse("repos:\n\t- name: r\n").unwrap_err();
    assert_eq!(tabs.kind(), ErrorKind::Config);
}

#[test]
fn locating_and_loading_files() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("absent.yaml");
    let error = config::load(Some(&missing)).unwrap_err();
    assert!(matches!(error, ConfigError::Read { .. }), "{error:?}");

    let file = dir.path().join("driftdeck.yaml");
    std::fs::write(&file, "repos: [{name: r, path: gitops}]\n").unwrap();
    let config = config::load(Some(&file)).unwrap();
    assert_eq!(
        config.repos[0].source,
        RepoSource::Path(dir.path().join("gitops")),
        "relative to the file"
    );

    let huge = dir.path().join("huge.yaml");
    std::fs::write(&huge, "#".repeat(5 * 1024 * 1024)).unwrap();
    assert!(matches!(
        config::load(Some(&huge)).unwrap_err(),
        ConfigError::TooLarge { .. }
    ));

    let unknown = config.app("nope").unwrap_err();
    assert_eq!(unknown.kind(), ErrorKind::NotFound);
}

#[test]
fn the_documented_complete_example_is_valid_and_is_the_shipped_asset() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = std::fs::read_to_string(root.join("assets/driftdeck.example.yaml")).unwrap();
    let doc = std::fs::read_to_string(root.join("docs/CONFIG.md")).unwrap();
    assert!(
        doc.contains(&example),
        "docs/CONFIG.md shows assets/driftdeck.example.yaml verbatim"
    );
    let config = config::parse(&example, &root.join("assets/driftdeck.example.yaml")).unwrap();
    assert_eq!(config.apps.len(), 4);
    let renders: Vec<RenderKind> = config.apps.iter().map(|a| a.render).collect();
    assert_eq!(
        renders,
        [
            RenderKind::Directory,
            RenderKind::Kustomize,
            RenderKind::Helm,
            RenderKind::Auto
        ]
    );
}
