//! `driftdeck engine ACTION KIND/NAMESPACE/NAME`: the cockpit's Argo CD and Flux
//! actions from the command line (for scripts and runbooks). The plan — context,
//! namespace, what protects it, warnings, every patch — is printed, confirmed
//! (`--yes` in scripts), sent, waited for and recorded in the app's ledger, as in the
//! cockpit. `--read-only` refuses every action (exit 3).

use std::time::Duration;

use clap::{Args, Subcommand};

use super::{CliResult, GlobalArgs, Outcome, UsageError, boxed};
use crate::cluster;
use crate::config;
use crate::engine::external_actions::{self, ActionError, Waits};
use crate::integrations::actions::{Ask, SyncAsk};
use crate::model::{RepoSpec, ResourceKey, text};

#[derive(Debug, Args)]
pub struct EngineArgs {
    #[command(subcommand)]
    pub action: EngineAction,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,
    /// How long to wait for the engine's controller, in seconds.
    #[arg(long, default_value_t = 120, value_name = "SECONDS", global = true)]
    pub timeout: u64,
}

/// The app: `Application/NAMESPACE/NAME`, `Kustomization/…` or `HelmRelease/…`
/// (`app`, `ks`, `hr` for short), as `driftdeck discover` lists them.
#[derive(Debug, Args)]
pub struct Target {
    /// The app: Application, Kustomization or HelmRelease (app, ks, hr), its
    /// namespace and name.
    #[arg(value_name = "KIND/NAMESPACE/NAME")]
    pub app: String,
}

#[derive(Debug, Subcommand)]
pub enum EngineAction {
    /// Argo CD: start a sync operation.
    Sync {
        #[command(flatten)]
        target: Target,
        /// Delete what Git no longer has.
        #[arg(long)]
        prune: bool,
        /// Ask Argo CD for a dry run only.
        #[arg(long)]
        dry_run: bool,
        /// Only this resource (GROUP/KIND/NAMESPACE/NAME; core group empty); repeatable.
        #[arg(long, value_name = "GROUP/KIND/NAMESPACE/NAME")]
        resource: Vec<String>,
        /// Why (recorded in the ledger and in the operation's info).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Argo CD: compare again (--hard: regenerate the manifests).
    Refresh {
        #[command(flatten)]
        target: Target,
        #[arg(long)]
        hard: bool,
    },
    /// Argo CD: turn auto-sync on (restoring its policy) or off.
    AutoSync {
        #[command(flatten)]
        target: Target,
        #[arg(value_parser = ["on", "off"])]
        state: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Argo CD: terminate the running operation, or cancel one not started.
    Terminate {
        #[command(flatten)]
        target: Target,
    },
    /// Flux: reconcile now.
    Reconcile {
        #[command(flatten)]
        target: Target,
        /// Reconcile the source first.
        #[arg(long)]
        with_source: bool,
        /// Resume a suspended app first (Flux ignores the request otherwise).
        #[arg(long)]
        resume: bool,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Flux: suspend reconciliation.
    Suspend {
        #[command(flatten)]
        target: Target,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Flux: resume reconciliation.
    Resume {
        #[command(flatten)]
        target: Target,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Roll back to a commit (Argo CD: auto-sync off, then a sync to it; Flux: pin the
    /// GitRepository and suspend, or --by-commit a revert commit in Git) or, for a
    /// HelmRelease from a Helm repository, a chart version.
    Rollback {
        #[command(flatten)]
        target: Target,
        /// The full commit id (or chart version).
        #[arg(long, value_name = "REV")]
        to: String,
        /// Why: required; goes into the ledger (and the commit or operation).
        #[arg(long)]
        reason: String,
        /// Flux Kustomization: a revert commit pushed to the source's branch (the
        /// repository must be a configured source) instead of a pin.
        #[arg(long)]
        by_commit: bool,
    },
    /// Flux: undo a rollback's pin and resume.
    Unpin {
        #[command(flatten)]
        target: Target,
        #[arg(long)]
        reason: Option<String>,
    },
}

impl EngineAction {
    /// The app, what is asked of it, and why.
    fn parts(self) -> Result<(String, Ask, Option<String>), UsageError> {
        Ok(match self {
            Self::Sync {
                target,
                prune,
                dry_run,
                resource,
                reason,
            } => {
                let resources = resource
                    .iter()
                    .map(|r| resource_key(r))
                    .collect::<Result<_, _>>()?;
                let sync = SyncAsk {
                    prune,
                    dry_run,
                    resources,
                };
                (target.app, Ask::Sync(sync), reason)
            }
            Self::Refresh { target, hard } => (target.app, Ask::Refresh { hard }, None),
            Self::AutoSync {
                target,
                state,
                reason,
            } => {
                let enable = state == "on";
                (target.app, Ask::AutoSync { enable }, reason)
            }
            Self::Terminate { target } => (target.app, Ask::Terminate, None),
            Self::Reconcile {
                target,
                with_source,
                resume,
                reason,
            } => {
                let ask = Ask::Reconcile {
                    with_source,
                    resume,
                };
                (target.app, ask, reason)
            }
            Self::Suspend { target, reason } => (target.app, Ask::Suspend(true), reason),
            Self::Resume { target, reason } => (target.app, Ask::Suspend(false), reason),
            Self::Rollback {
                target,
                to,
                reason,
                by_commit,
            } => {
                if reason.trim().is_empty() {
                    return Err(UsageError {
                        message: "a rollback needs a reason".into(),
                        hint: Some("--reason \"why\": the ledger keeps it".into()),
                    });
                }
                let ask = if by_commit {
                    // The plan printed is the one run: no tip to carry.
                    Ask::Revert { to, tip: None }
                } else {
                    Ask::Rollback { to }
                };
                (target.app, ask, Some(reason))
            }
            Self::Unpin { target, reason } => (target.app, Ask::Unpin, reason),
        })
    }
}

pub fn run(global: &GlobalArgs, args: EngineArgs) -> CliResult {
    if super::act::refuse_read_only(global.read_only, "engine", None) {
        return Ok(Outcome::ReadOnly);
    }
    let (app, ask, reason) = args.action.parts().map_err(boxed)?;
    let key = app_key(&app).map_err(boxed)?;
    let reason = reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    // A revert commit goes only to a configured source.
    let repos: Vec<RepoSpec> = match ask {
        Ask::Revert { .. } => config::load(global.config.as_deref()).map_err(boxed)?.repos,
        _ => Vec::new(),
    };
    let waits = Waits {
        timeout: Duration::from_secs(args.timeout),
        ..Waits::default()
    };
    super::act::runtime()?.block_on(async {
        let connection = cluster::connect(global.kubeconfig.as_deref(), global.context.as_deref())
            .await
            .map_err(boxed)?;
        let catalog = cluster::discover(&connection).await.map_err(boxed)?;
        let prepared = external_actions::prepare(&connection, &catalog, &key, &ask, reason, &repos)
            .await
            .map_err(boxed)?;
        super::say(text::one_line(&prepared.plan.title));
        for line in prepared.lines() {
            super::say(format_args!("  {}", text::one_line(&line)));
        }
        if !super::act::confirm(&prepared.plan.title, args.yes)? {
            super::say("not done");
            return Ok(Outcome::Ok);
        }
        let done = external_actions::execute(&connection, &catalog, &prepared, waits).await;
        if let Some(error) = &done.ledger_error {
            eprintln!(
                "warning: the ledger could not be written: {}",
                crate::error::one_line(error)
            );
        }
        match done.result {
            Ok(summary) => {
                super::say(text::one_line(&summary));
                Ok(Outcome::Ok)
            }
            Err(failure) => Err(boxed(ActionError::Failed(failure))),
        }
    })
}

/// `KIND/NAMESPACE/NAME` as the engine object's key.
fn app_key(text: &str) -> Result<ResourceKey, UsageError> {
    let parts: Vec<&str> = text.split('/').collect();
    let [kind, namespace, name] = parts[..] else {
        return Err(usage(text, "KIND/NAMESPACE/NAME"));
    };
    let (group, kind) = match kind.to_ascii_lowercase().as_str() {
        "application" | "app" | "argocd" => ("argoproj.io", "Application"),
        "kustomization" | "ks" => ("kustomize.toolkit.fluxcd.io", "Kustomization"),
        "helmrelease" | "hr" => ("helm.toolkit.fluxcd.io", "HelmRelease"),
        _ => return Err(usage(text, "Application, Kustomization or HelmRelease")),
    };
    if namespace.is_empty() || name.is_empty() {
        return Err(usage(text, "KIND/NAMESPACE/NAME"));
    }
    Ok(ResourceKey::new(group, kind, namespace, name))
}

/// `GROUP/KIND/NAMESPACE/NAME` (the core group and a cluster-scoped namespace empty).
fn resource_key(text: &str) -> Result<ResourceKey, UsageError> {
    let parts: Vec<&str> = text.split('/').collect();
    match parts[..] {
        [group, kind, namespace, name] if !kind.is_empty() && !name.is_empty() => {
            Ok(ResourceKey::new(group, kind, namespace, name))
        }
        _ => Err(usage(
            text,
            "GROUP/KIND/NAMESPACE/NAME (e.g. apps/Deployment/shop/web)",
        )),
    }
}

fn usage(given: &str, wanted: &str) -> UsageError {
    UsageError {
        message: format!("{} is not {wanted}", text::one_line(given)),
        hint: Some("`driftdeck discover` lists the apps with their kind and namespace".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apps_are_named_by_kind_namespace_and_name() {
        assert_eq!(
            app_key("Application/argocd/shop").unwrap(),
            ResourceKey::new("argoproj.io", "Application", "argocd", "shop")
        );
        assert_eq!(
            app_key("ks/flux-system/infra").unwrap(),
            ResourceKey::new(
                "kustomize.toolkit.fluxcd.io",
                "Kustomization",
                "flux-system",
                "infra"
            )
        );
        assert_eq!(
            app_key("HelmRelease/apps/redis").unwrap().group,
            "helm.toolkit.fluxcd.io"
        );
        for bad in [
            "shop",
            "Application/shop",
            "Deployment/shop/web",
            "ks//infra",
        ] {
            assert!(app_key(bad).is_err(), "{bad}");
        }
        assert_eq!(
            resource_key("/ConfigMap/shop/web-config").unwrap(),
            ResourceKey::new("", "ConfigMap", "shop", "web-config")
        );
        assert!(resource_key("Deployment/web").is_err());
    }
}
