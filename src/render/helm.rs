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
    if app.helm.replace_chart_values {
        // Flux packages a chart from Git with its `valuesFiles` merged in place of
        // the chart's own values.yaml.
        // The file is removed first, so that a symlink in its place is not followed.
        if let Some(own) = export.inside(&Path::new(&app.path).join("values.yaml")) {
            match std::fs::remove_file(&own) {
                Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                    return Err(RenderError::Export(error));
                }
                _ => {}
            }
            std::fs::write(&own, "{}\n").map_err(RenderError::Export)?;
        }
    }
    for file in &app.helm.value_files {
        let relative = Path::new(&app.path).join(file);
        let Some(path) = export.inside(&relative) else {
            return Err(RenderError::ValueFileOutside {
                app: app.name.clone(),
                file: file.clone(),
            });
        };
        args.extend(["--values".into(), path.into_os_string()]);
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

/// `name=value` as Argo CD passes a parameter to `--set`: commas in the value are
/// escaped (Helm would split on them) unless the value is a `{a,b}` list.
fn set_argument(parameter: &HelmParameter) -> String {
    let value = &parameter.value;
    let list = value.starts_with('{') && value.ends_with('}');
    let value = if list {
        value.clone()
    } else {
        value.replace(',', "\\,")
    };
    format!("{}={value}", parameter.name)
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
        assert_eq!(set(""), "a.b=");
    }
}
