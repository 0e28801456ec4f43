//! `driftdeck health -f FILE`: the health of every object in a YAML or JSON file (a
//! `kubectl get -o yaml` dump, a `List`, several documents), as a table or JSON.

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::output::{self, OutputFormat};
use super::{CliResult, GlobalArgs, Outcome, UsageError, boxed};
use crate::health;
use crate::model::{Health, HealthStatus, ResourceKey};
use crate::render::parse_manifests;

#[derive(Debug, Args)]
pub struct HealthArgs {
    /// The file to assess (`-` for standard input).
    #[arg(short = 'f', long = "filename", value_name = "FILE")]
    pub file: PathBuf,
    #[arg(short, long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Row {
    resource: ResourceKey,
    #[serde(flatten)]
    health: Health,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    /// The worst health among the objects (Argo CD's ordering).
    overall: HealthStatus,
    resources: Vec<Row>,
}

pub fn run(_global: &GlobalArgs, args: HealthArgs) -> CliResult {
    let bytes = if args.file.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
            .map_err(|e| boxed(super::output::OutputError::Write(e)))?;
        bytes
    } else {
        std::fs::read(&args.file).map_err(|e| {
            boxed(UsageError {
                message: format!("cannot read {}: {e}", args.file.display()),
                hint: None,
            })
        })?
    };
    let manifests = parse_manifests(&bytes, &args.file).map_err(boxed)?;
    let rows: Vec<Row> = manifests
        .into_iter()
        .map(|m| Row {
            health: health::assess(&m.object),
            resource: m.key,
        })
        .collect();
    let overall = health::worst(rows.iter().map(|r| &r.health));
    let report = Report {
        overall,
        resources: rows,
    };
    output::print(args.output, &report, || {
        let mut out = output::table(
            ["RESOURCE", "HEALTH", "MESSAGE"],
            report.resources.iter().map(|r| {
                [
                    r.resource.to_string(),
                    r.health.status.label().to_owned(),
                    r.health.message.clone(),
                ]
            }),
        );
        out.push_str(&format!("overall: {}\n", report.overall.label()));
        out
    })
    .map_err(boxed)?;
    Ok(Outcome::Ok)
}
