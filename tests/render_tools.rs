//! External renderers that are missing, fail or hang. Its own test binary: it points
//! DRIFTDECK_HELM at fake tools, which would disturb the real Helm tests.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use common::TempRepo;
use driftdeck::error::{Classified, ErrorKind};
use driftdeck::git::GitRepo;
use driftdeck::model::{AppSpec, RenderKind};
use driftdeck::render::{RenderError, Renderer};

fn chart_app() -> AppSpec {
    common::app("chart", RenderKind::Helm)
}

fn fake_tool(dir: &std::path::Path, script: &str) -> std::path::PathBuf {
    let path = dir.join("fake-helm");
    std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn missing_failing_and_hanging_tools_are_classified_and_bounded() {
    let mut repo = TempRepo::new();
    repo.write(
        "chart/Chart.yaml",
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    );
    repo.commit("chart");
    let git = GitRepo::open(repo.path()).unwrap();
    let head = git.resolve("HEAD").unwrap();
    let tools = tempfile::tempdir().unwrap();

    // SAFETY: the only test in this binary; nothing else reads the variable.
    let set = |value: &std::path::Path| unsafe { std::env::set_var("DRIFTDECK_HELM", value) };

    set(&tools.path().join("no-such-helm"));
    let missing = Renderer::default()
        .render(&chart_app(), &git, &head)
        .unwrap_err();
    assert!(
        matches!(missing, RenderError::ToolStart { .. }),
        "{missing}"
    );
    assert_eq!(missing.kind(), ErrorKind::Render);

    set(&fake_tool(
        tools.path(),
        "echo 'Error: chart is broken' >&2; exit 3",
    ));
    let failed = Renderer::default()
        .render(&chart_app(), &git, &head)
        .unwrap_err();
    assert!(
        matches!(
            failed,
            RenderError::ToolFailed {
                status: Some(3),
                ..
            }
        ),
        "{failed}"
    );
    assert!(
        failed.to_string().contains("Error: chart is broken"),
        "{failed}"
    );

    set(&fake_tool(tools.path(), "sleep 30"));
    let started = Instant::now();
    let hung = Renderer::new(Duration::from_millis(500))
        .render(&chart_app(), &git, &head)
        .unwrap_err();
    assert!(matches!(hung, RenderError::ToolTimeout { .. }), "{hung}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "killed, not waited for"
    );
    assert!(hung.hint().is_some());

    // A tool that leaves a process behind holding its pipes: that process is
    // stopped with it, and the render does not wait for it.
    set(&fake_tool(
        tools.path(),
        "sleep 30 & echo 'apiVersion: v1'; echo 'kind: ConfigMap'; echo 'metadata: {name: left-behind}'",
    ));
    let started = Instant::now();
    let rendered = Renderer::new(Duration::from_secs(20))
        .render(&chart_app(), &git, &head)
        .unwrap();
    assert_eq!(rendered.manifests[0].key.name, "left-behind");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );

    // Output that is not YAML is an invalid manifest naming the command.
    set(&fake_tool(
        tools.path(),
        "echo 'apiVersion: v1'; echo 'kind: [oops'",
    ));
    let garbage = Renderer::default()
        .render(&chart_app(), &git, &head)
        .unwrap_err();
    assert_eq!(garbage.kind(), ErrorKind::InvalidManifest, "{garbage}");
    assert!(
        garbage.to_string().starts_with("<helm template chart>:"),
        "{garbage}"
    );
}
