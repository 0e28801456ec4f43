//! `driftdeck render`: an app's desired manifests at a revision, as a YAML stream or a
//! JSON `List`.

use clap::{Args, ValueEnum};
use serde_json::{Value, json};

use super::{CliResult, GlobalArgs, Outcome, boxed};
use crate::config;
use crate::git;
use crate::model::text;
use crate::render::Renderer;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ManifestFormat {
    #[default]
    Yaml,
    Json,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The app, as named in the configuration.
    pub app: String,
    /// A branch, tag or commit (default: the tip of the repo's branch).
    #[arg(long)]
    pub revision: Option<String>,
    #[arg(short, long, value_enum, default_value_t)]
    pub output: ManifestFormat,
}

pub fn run(global: &GlobalArgs, args: RenderArgs) -> CliResult {
    let config = config::load(global.config.as_deref()).map_err(boxed)?;
    let app = config.app(&args.app).map_err(boxed)?;
    let spec = config.repo_of(app).map_err(boxed)?;
    let repo = git::open_source(spec).map_err(boxed)?;
    let commit = repo
        .resolve(args.revision.as_deref().unwrap_or(&repo.desired_ref(spec)))
        .map_err(boxed)?;
    let rendered = Renderer::default()
        .render(app, &repo, &commit)
        .map_err(boxed)?;
    for warning in &rendered.warnings {
        eprintln!("warning: {}", text::one_line(warning));
    }
    let objects: Vec<&Value> = rendered.manifests.iter().map(|m| &m.object).collect();
    let out = match args.output {
        ManifestFormat::Json => {
            let list = json!({"apiVersion": "v1", "kind": "List", "items": objects});
            let mut out = serde_json::to_string_pretty(&list).unwrap_or_default();
            out.push('\n');
            text::json_safe(&out).into_owned()
        }
        ManifestFormat::Yaml => {
            let mut out = String::new();
            for object in objects {
                out.push_str("---\n");
                let yaml = crate::yaml::to_string(object).map_err(|e| {
                    boxed(super::output::OutputError::Encode {
                        format: "YAML",
                        message: e.to_string(),
                    })
                })?;
                out.push_str(&super::output::for_terminal(&yaml));
            }
            out
        }
    };
    super::output::write(&out).map_err(boxed)?;
    Ok(Outcome::Ok)
}
