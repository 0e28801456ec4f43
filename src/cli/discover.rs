//! `driftdeck discover`: the Argo CD and Flux apps of every configured context (the
//! current one and every context a configured app names; `--context`: that one),
//! read straight from the Kubernetes API, in the status model the cockpit uses —
//! engine, sync, health, revisions, source, automation. Kinds a cluster refuses to
//! list, objects that cannot be read and contexts that cannot be reached are
//! reported on stderr; the rest is listed. Exit 2 when no context could be read.

use clap::Args;
use serde::Serialize;

use super::output::{self, OutputFormat};
use super::{CliResult, GlobalArgs, Outcome, boxed};
use crate::cluster;
use crate::config::{self, ConfigError};
use crate::engine::external;
use crate::error::Classified;
use crate::integrations::ExternalApp;
use crate::model::text;

#[derive(Debug, Args)]
pub struct DiscoverArgs {
    #[arg(short, long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

/// An app and the context it was found in.
#[derive(Serialize)]
struct Found {
    context: String,
    #[serde(flatten)]
    app: ExternalApp,
}

pub fn run(global: &GlobalArgs, args: DiscoverArgs) -> CliResult {
    let contexts = contexts(global)?;
    let searched = super::act::runtime()?.block_on(async {
        let asks = contexts.iter().map(|context| async move {
            let connection =
                cluster::connect(global.kubeconfig.as_deref(), context.as_deref()).await?;
            let catalog = cluster::discover(&connection).await?;
            let discovered = external::discover(&connection, &catalog).await;
            Ok::<_, cluster::ClusterError>((connection.context.clone(), discovered))
        });
        futures_util::future::join_all(asks).await
    });
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for (context, result) in contexts.iter().zip(searched) {
        match result {
            Ok((name, discovered)) => {
                for problem in &discovered.problems {
                    eprintln!(
                        "driftdeck: {}: {}",
                        text::one_line(&name),
                        text::one_line(problem)
                    );
                }
                found.extend(discovered.apps.into_iter().map(|app| Found {
                    context: name.clone(),
                    app,
                }));
            }
            // One context out of reach holds up no other; none at all is an error.
            Err(error) if contexts.len() > 1 => {
                eprintln!(
                    "driftdeck: {}: {}",
                    text::one_line(context.as_deref().unwrap_or("current context")),
                    crate::error::one_line(&error)
                );
                errors.push(error);
            }
            Err(error) => return Err(boxed(error)),
        }
    }
    if errors.len() == contexts.len()
        && let Some(error) = errors.into_iter().next()
    {
        return Err(boxed(error));
    }
    output::print(args.output, &found, || table(&found)).map_err(boxed)?;
    Ok(Outcome::Ok)
}

/// The contexts searched: `--context`, else the current one and every context a
/// configured app names (without a configuration: the current one).
fn contexts(global: &GlobalArgs) -> Result<Vec<Option<String>>, Box<dyn Classified>> {
    if let Some(context) = &global.context {
        return Ok(vec![Some(context.clone())]);
    }
    let apps = match config::load(global.config.as_deref()) {
        Ok(config) => config.apps,
        Err(ConfigError::NotFound { .. }) if global.config.is_none() => Vec::new(),
        Err(error) => return Err(boxed(error)),
    };
    let mut contexts = vec![None];
    for app in apps {
        let named = app.destination.context.map(Some);
        if let Some(named) = named
            && !contexts.contains(&named)
        {
            contexts.push(named);
        }
    }
    Ok(contexts)
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

fn table(found: &[Found]) -> String {
    let short = |revision: &Option<String>| revision.as_deref().map_or_else(|| "-".into(), short);
    output::table(
        [
            "CONTEXT",
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
        found.iter().map(|Found { context, app }| {
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
                context.clone(),
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
