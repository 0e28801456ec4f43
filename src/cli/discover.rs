//! `driftdeck discover`: the Argo CD and Flux apps of a context, read straight
//! from the Kubernetes API, in the status model the cockpit uses — engine, sync,
//! health, revisions, source, automation. Kinds the cluster refuses to list, and
//! objects that cannot be read, are reported on stderr; the rest is listed.

use clap::Args;

use super::output::{self, OutputFormat};
use super::{CliResult, GlobalArgs, Outcome, boxed};
use crate::cluster;
use crate::engine::external;
use crate::error::Classified;
use crate::integrations::ExternalApp;
use crate::model::text;

#[derive(Debug, Args)]
pub struct DiscoverArgs {
    #[arg(short, long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

pub fn run(global: &GlobalArgs, args: DiscoverArgs) -> CliResult {
    let found = super::act::runtime()?.block_on(async {
        let connection = cluster::connect(global.kubeconfig.as_deref(), global.context.as_deref())
            .await
            .map_err(boxed)?;
        let catalog = cluster::discover(&connection).await.map_err(boxed)?;
        Ok::<_, Box<dyn Classified>>(external::discover(&connection, &catalog).await)
    })?;
    for problem in &found.problems {
        eprintln!("driftdeck: {}", text::one_line(problem));
    }
    output::print(args.output, &found.apps, || table(&found.apps)).map_err(boxed)?;
    Ok(Outcome::Ok)
}

/// A revision as a table shows it: a commit or digest cut to 7 characters
/// (`main@sha1:3f2a9c1`, `6.6.2@sha256:0a1b2c3`, `1f3d2c4`), versions as they are.
fn short(revision: &str) -> String {
    let (label, hash) = match revision.rsplit_once(':') {
        Some((label, hash)) => (format!("{label}:"), hash),
        None => (String::new(), revision),
    };
    if hash.len() > 12 && hash.chars().all(|c| c.is_ascii_hexdigit()) {
        format!("{label}{}", &hash[..7])
    } else {
        revision.to_owned()
    }
}

fn table(apps: &[ExternalApp]) -> String {
    let short = |revision: &Option<String>| revision.as_deref().map_or_else(|| "-".into(), short);
    output::table(
        [
            "ENGINE",
            "KIND",
            "NAMESPACE",
            "NAME",
            "SYNC",
            "HEALTH",
            "LIVE",
            "TARGET",
            "SOURCE",
            "AUTOMATION",
        ],
        apps.iter().map(|app| {
            let source = app.source.as_ref().map_or_else(String::new, |s| {
                let place = s
                    .url
                    .clone()
                    .or_else(|| s.chart.clone())
                    .unwrap_or_default();
                match &s.path {
                    Some(path) => format!("{place} {path}"),
                    None => place,
                }
            });
            [
                app.engine().label().to_owned(),
                app.kind.label().to_owned(),
                app.namespace.clone(),
                app.name.clone(),
                app.sync.map_or("Unknown", |s| s.as_str()).to_owned(),
                app.health.status.label().to_owned(),
                short(&app.live_revision),
                short(&app.target_revision),
                source,
                app.automation.words(),
            ]
        }),
    )
}
