//! The `driftdeck` binary as a user runs it: outputs, exit codes and error reports.

mod common;

use std::process::{Command, Output};

use common::TempRepo;

struct Setup {
    repo: TempRepo,
    dir: tempfile::TempDir,
}

fn setup() -> Setup {
    let mut repo = TempRepo::new();
    repo.write(
        "apps/web/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\n",
    );
    repo.commit("web: first");
    repo.write(
        "apps/web/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n",
    );
    repo.commit("web: scale \u{1b}]0;owned\u{7}to 2");
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "repos:\n  - name: gitops\n    path: {}\n    branch: main\napps:\n  - name: web\n    repo: gitops\n    path: apps/web\n    destination: {{namespace: shop}}\n",
        repo.path().display()
    );
    std::fs::write(dir.path().join("driftdeck.yaml"), config).unwrap();
    Setup { repo, dir }
}

fn driftdeck(setup: &Setup, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_driftdeck"))
        .args(args)
        .current_dir(setup.dir.path())
        .env("HOME", setup.dir.path())
        .env("XDG_CONFIG_HOME", setup.dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[test]
fn history_json_equals_git_log_and_tables_neutralise_escapes() {
    let setup = setup();
    let json = driftdeck(&setup, &["history", "web", "-o", "json"]);
    assert!(json.status.success(), "{}", stderr(&json));
    let commits: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    let ids: Vec<&str> = commits
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, setup.repo.log("apps/web"));

    let table = driftdeck(
        &setup,
        &["history", "--repo", "gitops", "--path", "apps/web"],
    );
    let text = stdout(&table);
    assert!(text.starts_with("COMMIT"), "{text}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "no raw escapes: {text:?}"
    );
    assert!(
        text.contains("web: scale \\u{1b}]0;owned\\u{7}to 2"),
        "{text}"
    );
    let by_path = driftdeck(
        &setup,
        &[
            "history",
            "--repo",
            setup.repo.path().to_str().unwrap(),
            "--path",
            "apps/web",
            "-o",
            "yaml",
        ],
    );
    assert!(by_path.status.success(), "{}", stderr(&by_path));
    assert!(
        stdout(&by_path).contains("subject:"),
        "{}",
        stdout(&by_path)
    );
}

#[test]
fn render_prints_yaml_or_a_json_list_and_apps_and_repos_list_the_config() {
    let setup = setup();
    let yaml = stdout(&driftdeck(&setup, &["render", "web"]));
    assert!(yaml.starts_with("---\napiVersion: apps/v1\n"), "{yaml}");
    assert!(
        yaml.contains("namespace: shop") && yaml.contains("replicas: 2"),
        "{yaml}"
    );
    let old = stdout(&driftdeck(
        &setup,
        &["render", "web", "--revision", "HEAD~1", "-o", "json"],
    ));
    let list: serde_json::Value = serde_json::from_str(&old).unwrap();
    assert_eq!(list["kind"], "List");
    assert_eq!(list["items"][0]["spec"]["replicas"], 1);

    let apps: serde_json::Value =
        serde_json::from_str(&stdout(&driftdeck(&setup, &["apps", "-o", "json"]))).unwrap();
    assert_eq!(apps[0]["name"], "web");
    assert_eq!(apps[0]["desiredRevision"], setup.repo.head());
    let repos = stdout(&driftdeck(&setup, &["repos"]));
    assert!(
        repos.contains("gitops") && repos.contains(&setup.repo.head()[..7]),
        "{repos}"
    );
}

#[test]
fn errors_exit_2_with_a_kind_and_hint_and_global_flags_go_anywhere() {
    let setup = setup();
    let missing = driftdeck(&setup, &["render", "web", "--revision", "nope"]);
    assert_eq!(missing.status.code(), Some(2));
    let text = stderr(&missing);
    assert!(
        text.starts_with("error[not found]: revision 'nope'"),
        "{text}"
    );
    assert!(text.contains("hint:"), "{text}");

    let unknown = driftdeck(&setup, &["render", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("known apps: web"),
        "{}",
        stderr(&unknown)
    );

    let usage = driftdeck(&setup, &["history"]);
    assert_eq!(usage.status.code(), Some(2));
    assert!(
        stderr(&usage).starts_with("error[usage]"),
        "{}",
        stderr(&usage)
    );
    let escape = driftdeck(&setup, &["history", "--repo", ".", "--path", "../x"]);
    assert_eq!(escape.status.code(), Some(2));

    let config = setup.dir.path().join("driftdeck.yaml");
    let after = driftdeck(&setup, &["apps", "--config", config.to_str().unwrap()]);
    assert!(
        after.status.success(),
        "--config after the subcommand: {}",
        stderr(&after)
    );
    let before = driftdeck(&setup, &["--config", "/nonexistent.yaml", "apps"]);
    assert_eq!(before.status.code(), Some(2));
    let text = stderr(&before);
    assert!(
        text.starts_with("error[config]: cannot read /nonexistent.yaml"),
        "{text}"
    );
    assert!(
        !text.contains("caused by"),
        "the cause is not repeated: {text}"
    );
}

#[test]
fn a_broken_configuration_is_reported_not_bypassed() {
    let setup = setup();
    std::fs::write(
        setup.dir.path().join("driftdeck.yaml"),
        "repos: [{name: gitops, pth: x}]\n",
    )
    .unwrap();
    std::fs::create_dir(setup.dir.path().join("gitops")).unwrap();
    let out = driftdeck(&setup, &["history", "--repo", "gitops"]);
    assert_eq!(out.status.code(), Some(2));
    let text = stderr(&out);
    assert!(
        text.contains("driftdeck.yaml:1:") && text.contains("unknown field `pth`"),
        "{text}"
    );
}

#[test]
fn outside_text_in_error_messages_is_neutralised() {
    let setup = setup();
    let mut repo = TempRepo::new();
    repo.write(
        "apps/evil/kustomization.yaml",
        "resources: [\"\u{1b}]0;pwned\u{7}.yaml\"]\n",
    );
    repo.commit("evil");
    let config = format!(
        "repos: [{{name: evil, path: {}}}]\napps: [{{name: evil, repo: evil, path: apps/evil, destination: {{namespace: x}}}}]\n",
        repo.path().display()
    );
    std::fs::write(setup.dir.path().join("driftdeck.yaml"), config).unwrap();
    let out = driftdeck(&setup, &["render", "evil"]);
    assert_eq!(out.status.code(), Some(2));
    let text = stderr(&out);
    assert!(text.starts_with("error[render failed]"), "{text}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
}
