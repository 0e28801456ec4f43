//! `helm` rendering: `helm template` of the chart at the app's path, on an export of
//! the tree, with the app's value files (which must stay inside the repository) and
//! inline values. Helm's homes point into the export so a user's own repositories and
//! plugins never change the result.

use std::ffi::OsString;
use std::path::Path;
use std::time::Duration;

use super::export::Export;
use super::kustomize::display_path;
use super::tool::Tool;
use super::{Output, RenderError, documents};
use crate::git::GitRepo;
use crate::model::{AppSpec, CommitId, HelmParameter};
use crate::yaml::LayerError;

pub(super) fn render(
    app: &AppSpec,
    repo: &GitRepo,
    commit: &CommitId,
    timeout: Duration,
) -> Result<Output, RenderError> {
    let tool = Tool::find("helm", "DRIFTDECK_HELM").ok_or(RenderError::ToolMissing {
        tool: "helm",
        env_var: "DRIFTDECK_HELM",
    })?;
    let export = Export::new(repo, commit)?;
    let chart = export.root().join(&app.path);
    let release = app
        .helm
        .release_name
        .clone()
        .unwrap_or_else(|| app.name.to_string());
    let mut args: Vec<OsString> = vec![
        "template".into(),
        "--namespace".into(),
        app.helm
            .namespace
            .clone()
            .unwrap_or_else(|| app.destination.namespace.clone())
            .into(),
        if app.helm.skip_crds {
            "--skip-crds"
        } else {
            "--include-crds"
        }
        .into(),
    ];
    if let Some(capabilities) = &app.helm.capabilities {
        args.extend([
            "--kube-version".into(),
            capabilities.kube_version.clone().into(),
        ]);
        for version in &capabilities.api_versions {
            args.extend(["--api-versions".into(), version.into()]);
        }
    }
    if let Some(version) = &app.helm.chart_version {
        set_chart_version(&export, &app.path, version)?;
    }
    let mut files = Vec::new();
    for file in &app.helm.value_files {
        let relative = Path::new(&app.path).join(file);
        let Some(path) = export.inside(&relative) else {
            return Err(RenderError::ValueFileOutside {
                app: app.name.clone(),
                file: file.clone(),
            });
        };
        files.push(path);
    }
    if app.helm.replace_chart_values {
        // Flux packages a chart from Git with its `valuesFiles` merged, in order, in
        // place of the chart's own values.yaml (which counts only when listed).
        let merged = merged_values(&files)?;
        let Some(own) = export.inside(&Path::new(&app.path).join("values.yaml")) else {
            return Err(RenderError::ValueFileOutside {
                app: app.name.clone(),
                file: "values.yaml".into(),
            });
        };
        // Removed first, so that a symlink in its place is not followed.
        match std::fs::remove_file(&own) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                return Err(RenderError::Export(error));
            }
            _ => {}
        }
        let json = serde_json::to_vec(&merged).unwrap_or_default();
        std::fs::write(&own, json).map_err(RenderError::Export)?;
    } else {
        for path in files {
            args.extend(["--values".into(), path.into_os_string()]);
        }
    }
    if let Some(values) = &app.helm.values {
        let file = export.scratch("values")?.join("inline.json");
        let json = serde_json::to_vec(values).unwrap_or_default();
        std::fs::write(&file, json).map_err(RenderError::Export)?;
        args.extend(["--values".into(), file.into_os_string()]);
    }
    for parameter in &app.helm.parameters {
        let flag = if parameter.force_string {
            "--set-string"
        } else {
            "--set"
        };
        args.extend([flag.into(), set_argument(parameter).into()]);
    }
    // After `--` nothing is read as a flag, whatever the names hold.
    args.extend(["--".into(), release.into(), chart.into_os_string()]);
    let homes = [
        ("HELM_CACHE_HOME", export.scratch("helm-cache")?),
        ("HELM_CONFIG_HOME", export.scratch("helm-config")?),
        ("HELM_DATA_HOME", export.scratch("helm-data")?),
    ];
    let env: Vec<(&str, &Path)> = homes.iter().map(|(k, v)| (*k, v.as_path())).collect();
    let output = tool.run(&args, &export.root(), &env, timeout)?;
    let source = format!("<helm template {}>", display_path(&app.path));
    let manifests = documents::parse_manifests(&output, Path::new(&source))?;
    Ok(Output {
        manifests,
        warnings: super::warnings_for(app, export.warnings),
        reaches_outside_path: true,
    })
}

/// The chart's `Chart.yaml` in the export with `version` in place of its own: only
/// its top-level `version:` line is rewritten, so that nothing else is retyped.
fn set_chart_version(export: &Export, chart: &str, version: &str) -> Result<(), RenderError> {
    let path = export
        .inside(&Path::new(chart).join("Chart.yaml"))
        .ok_or_else(|| not_regular(Path::new(chart)))?;
    let text = read_regular(&path)?;
    let mut found = false;
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            if !found && line.starts_with("version:") {
                found = true;
                format!("version: {}", serde_json::Value::String(version.to_owned()))
            } else {
                line.to_owned()
            }
        })
        .collect();
    if !found {
        return Err(RenderError::Export(std::io::Error::other(format!(
            "{}: no top-level version line to set the packaged version {version} on",
            path.display()
        ))));
    }
    std::fs::remove_file(&path).map_err(RenderError::Export)?;
    std::fs::write(&path, lines.join("\n") + "\n").map_err(RenderError::Export)
}

/// A file of the export read as text, when it is a regular file: a symlink is not
/// followed.
fn read_regular(path: &Path) -> Result<String, RenderError> {
    let metadata = std::fs::symlink_metadata(path).map_err(RenderError::Export)?;
    if !metadata.is_file() {
        return Err(not_regular(path));
    }
    let bytes = std::fs::read(path).map_err(RenderError::Export)?;
    Ok(documents::as_text(&bytes, path)?.to_owned())
}

fn not_regular(path: &Path) -> RenderError {
    RenderError::Export(std::io::Error::other(format!(
        "{} is not a regular file in the repository",
        path.display()
    )))
}

/// The value files merged in order (maps key by key, later files winning), each
/// read from the export as a regular file. A file that is not a map is refused, as
/// Helm refuses it.
fn merged_values(files: &[std::path::PathBuf]) -> Result<serde_json::Value, RenderError> {
    let mut merged = serde_json::Value::Object(serde_json::Map::new());
    for path in files {
        match crate::yaml::values_layer(&read_regular(path)?) {
            Ok(Some(layer)) => crate::yaml::merge(&mut merged, layer),
            Ok(None) => {}
            Err(LayerError::NotYaml(error)) => {
                return Err(documents::DocumentError::Yaml {
                    file: path.clone(),
                    error,
                }
                .into());
            }
            Err(LayerError::NotAMap) => {
                return Err(RenderError::Export(std::io::Error::other(format!(
                    "{}: a values file must hold a map",
                    path.display()
                ))));
            }
        }
    }
    Ok(merged)
}

/// `name=value` as Argo CD passes a parameter to `--set`: commas in the value not
/// already escaped are escaped (Helm would split on them), unless the value is a
/// `{a,b}` list.
fn set_argument(parameter: &HelmParameter) -> String {
    let value = &parameter.value;
    if value.starts_with('{') && value.ends_with('}') {
        return format!("{}={value}", parameter.name);
    }
    let mut escaped = String::with_capacity(value.len());
    let mut previous = None;
    for c in value.chars() {
        if c == ',' && previous != Some('\\') {
            escaped.push('\\');
        }
        escaped.push(c);
        previous = Some(c);
    }
    format!("{}={escaped}", parameter.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parameter_keeps_its_commas_unless_it_is_a_list() {
        let set = |value: &str| {
            set_argument(&HelmParameter {
                name: "a.b".into(),
                value: value.into(),
                force_string: false,
            })
        };
        assert_eq!(set("x,y"), "a.b=x\\,y");
        assert_eq!(set("{x,y}"), "a.b={x,y}");
        assert_eq!(set("x\\,y,z"), "a.b=x\\,y\\,z");
        assert_eq!(set(""), "a.b=");
    }
}
