//! `kustomize` rendering: `kustomize build` (or `kubectl kustomize` when only kubectl
//! is installed) on an export of the tree, so bases outside the app path resolve;
//! an engine's options laid over the kustomization first (`overlay.rs`), Flux's
//! post-build variables substituted in what it built (`substitute.rs`).

use std::ffi::OsString;
use std::path::Path;
use std::time::Duration;

use super::export::Export;
use super::tool::Tool;
use super::{Output, RenderError, documents};
use crate::git::GitRepo;
use crate::model::{AppSpec, CommitId};

/// The file names that make a folder a kustomization.
pub(super) const FILE_NAMES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

pub(super) fn render(
    app: &AppSpec,
    repo: &GitRepo,
    commit: &CommitId,
    timeout: Duration,
) -> Result<Output, RenderError> {
    let (tool, subcommand) = if let Some(tool) = Tool::find("kustomize", "DRIFTDECK_KUSTOMIZE") {
        (tool, "build")
    } else if let Some(tool) = Tool::find("kubectl", "DRIFTDECK_KUBECTL") {
        (tool, "kustomize")
    } else {
        return Err(RenderError::ToolMissing {
            tool: "kustomize (or kubectl)",
            env_var: "DRIFTDECK_KUSTOMIZE",
        });
    };
    let export = Export::new(repo, commit)?;
    let dir = export.root().join(&app.path);
    if app.kustomize.generate || !app.kustomize.lays_nothing() {
        super::overlay::write(&export.root(), &app.path, &app.kustomize)?;
    }
    let args: Vec<OsString> = vec![subcommand.into(), "--".into(), dir.into_os_string()];
    let mut output = tool.run(&args, &export.root(), &[], timeout)?;
    let source = format!("<{} {subcommand} {}>", tool.name, display_path(&app.path));
    // Flux substitutes nothing, not even defaults, when there are no variables.
    if let Some(vars) = app.kustomize.substitute.as_ref().filter(|v| !v.is_empty()) {
        let built = documents::as_text(&output, Path::new(&source))?;
        output = super::substitute::stream(built, vars)?.into_bytes();
    }
    let manifests = documents::parse_manifests(&output, Path::new(&source))?;
    Ok(Output {
        manifests,
        warnings: super::warnings_for(app, export.warnings),
        reaches_outside_path: true,
    })
}

pub(super) fn display_path(path: &str) -> &str {
    if path.is_empty() { "." } else { path }
}
