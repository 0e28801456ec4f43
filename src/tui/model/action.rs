//! The actions a person asks for in the cockpit, in words for the status line and
//! the confirmation, and what an action on an Argo CD or Flux app's workload needs
//! to know of the app ([`Managed`]).

use super::EngineApp;
use crate::integrations::ExternalApp;
use crate::integrations::actions::Ask;
use crate::model::AppName;

/// An engine action as planned on the objects read: its title (which may say
/// more than the ask's, e.g. whose pin an unpin undoes), the plan's lines, and
/// the ask as planned.
#[derive(Clone, Debug, PartialEq)]
pub struct EnginePlan {
    pub title: String,
    pub lines: Vec<String>,
    pub ask: Ask,
}

/// An Argo CD or Flux app that a support action (logs, events, restart, scale,
/// delete pod) works on: the context it was found in and the app as its engine
/// last described it (what it manages).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Managed {
    /// `None`: the kubeconfig's current context.
    pub context: Option<String>,
    pub app: Box<ExternalApp>,
}

impl Managed {
    pub fn of(engine_app: &EngineApp) -> Self {
        Self {
            context: engine_app.own_context.clone(),
            app: Box::new(engine_app.app.clone()),
        }
    }

    /// `argocd:shop`, `flux:infra`: the app as the apps table names it.
    pub fn label(&self) -> String {
        self.app.label()
    }
}

/// A mutating action, as the user asked for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Sync {
        app: AppName,
        prune: bool,
        /// Take fields other managers own (a `kubectl scale`, an edit) back for
        /// Git, instead of reporting them as conflicts.
        force: bool,
    },
    Rollback {
        app: AppName,
        to: String,
        pin: bool,
        reason: String,
    },
    Unpin {
        app: AppName,
    },
    Restart {
        app: AppName,
        workload: String,
        /// Set when the app is an Argo CD or Flux app.
        managed: Option<Managed>,
    },
    Scale {
        app: AppName,
        workload: String,
        replicas: i64,
        managed: Option<Managed>,
    },
    DeletePod {
        app: AppName,
        namespace: String,
        pod: String,
        managed: Option<Managed>,
    },
    /// Suspend (`true`) or resume the app's automation.
    Automation {
        app: AppName,
        suspend: bool,
    },
    /// An action on an Argo CD or Flux app, through its engine's objects.
    Engine {
        app: AppName,
        /// The context it was found in (`None`: the current one).
        context: Option<String>,
        /// The `Application`, `Kustomization` or `HelmRelease`.
        key: crate::model::ResourceKey,
        ask: Ask,
        reason: Option<String>,
    },
    /// A sync automation started by itself (no confirmation), with its reason.
    AutoSync {
        app: AppName,
        prune: bool,
        /// Take fields other managers own back (self-heal).
        force: bool,
        reason: String,
    },
}

impl Action {
    /// What it does, in a few words: `sync web`, `scale web Deployment/web to 3`.
    pub fn title(&self) -> String {
        match self {
            Self::Sync { app, prune, force } => {
                let mut title = format!("sync {app}");
                if *prune {
                    title.push_str(" with prune");
                }
                if *force {
                    title.push_str(", taking fields back");
                }
                title
            }
            Self::Rollback { app, to, pin, .. } => format!(
                "roll back {app} to {to} ({})",
                if *pin { "pin" } else { "revert commit" }
            ),
            Self::Unpin { app } => format!("unpin {app}"),
            Self::Restart {
                app,
                workload,
                managed,
            } => format!("restart {workload} of {}", shown(app, managed.as_ref())),
            Self::Scale {
                app,
                workload,
                replicas,
                managed,
            } => format!(
                "scale {workload} of {} to {replicas}",
                shown(app, managed.as_ref())
            ),
            Self::DeletePod {
                app, pod, managed, ..
            } => {
                format!("delete pod {pod} of {}", shown(app, managed.as_ref()))
            }
            Self::Automation { app, suspend: true } => format!("suspend automation of {app}"),
            Self::Automation {
                app,
                suspend: false,
            } => format!("resume automation of {app}"),
            Self::AutoSync { app, reason, .. } => format!("auto-sync {app} ({reason})"),
            Self::Engine { key, ask, .. } => engine_title(key, ask),
        }
    }

    /// The app the action is about.
    pub fn app(&self) -> &AppName {
        match self {
            Self::Sync { app, .. }
            | Self::Rollback { app, .. }
            | Self::Unpin { app }
            | Self::Restart { app, .. }
            | Self::Scale { app, .. }
            | Self::DeletePod { app, .. }
            | Self::Automation { app, .. }
            | Self::AutoSync { app, .. }
            | Self::Engine { app, .. } => app,
        }
    }
}

/// The app as the user knows it: its name, or an engine app's `argocd:shop`.
pub fn shown(app: &AppName, managed: Option<&Managed>) -> String {
    managed.map_or_else(|| app.to_string(), Managed::label)
}

/// `sync argocd/shop (prune, dry run)`, `reconcile flux-system/infra`, ….
fn engine_title(key: &crate::model::ResourceKey, ask: &Ask) -> String {
    let name = format!("{}/{}", key.namespace, key.name);
    match ask {
        Ask::Sync(sync) => {
            let mut options = Vec::new();
            if sync.prune {
                options.push("prune".to_owned());
            }
            if sync.dry_run {
                options.push("dry run".to_owned());
            }
            if !sync.resources.is_empty() {
                options.push(format!("{} resource(s) only", sync.resources.len()));
            }
            if options.is_empty() {
                format!("sync {name}")
            } else {
                format!("sync {name} ({})", options.join(", "))
            }
        }
        Ask::Refresh { hard: false } => format!("refresh {name}"),
        Ask::Refresh { hard: true } => format!("hard refresh {name}"),
        Ask::AutoSync { enable: true } => format!("turn auto-sync of {name} on"),
        Ask::AutoSync { enable: false } => format!("turn auto-sync of {name} off"),
        Ask::Terminate => format!("terminate the operation of {name}"),
        Ask::Reconcile {
            with_source,
            resume,
        } => format!(
            "{}reconcile {name}{}",
            if *resume { "resume and " } else { "" },
            if *with_source { " with its source" } else { "" }
        ),
        Ask::Suspend(true) => format!("suspend {name}"),
        Ask::Suspend(false) => format!("resume {name}"),
        Ask::Rollback { to } => format!("roll back {name} to {}", to.get(..7).unwrap_or(to)),
        Ask::Unpin => format!("unpin and resume {name}"),
        Ask::Revert { to, .. } => format!(
            "roll back {name} to {} by a Git commit",
            to.get(..7).unwrap_or(to)
        ),
    }
}
