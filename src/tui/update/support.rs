//! The support actions on an app's workloads (`x` restart, `+`/`-` scale, `ctrl-d`
//! delete pod), for driftdeck's own apps and for the resources an Argo CD or Flux
//! app manages: which workload is meant, and what the confirmation says (where it
//! lands, what protects it, what the app's engine will do about it).

use super::keys::managed;
use crate::integrations::Automation;
use crate::tui::keymap::Command;
use crate::tui::model::{Action, Managed, Model, Screen};

/// The workload kinds `x` restarts, and those `+`/`-` scale.
const RESTARTABLE: &[&str] = &["Deployment", "StatefulSet", "DaemonSet"];
const SCALABLE: &[&str] = &["Deployment", "StatefulSet", "ReplicaSet"];

/// The workload selected on the app screen, as last read.
struct Selected {
    kind: String,
    namespace: String,
    name: String,
    replicas: Option<i64>,
    /// Whether its live object was read at all (an engine app's are read on
    /// opening the app screen).
    read: bool,
}

fn selected_workload(model: &Model) -> Option<Selected> {
    if model.screen() != Screen::App {
        return None;
    }
    let row = model.selected_app()?;
    match row.engine_app() {
        Some(engine_app) => {
            let key = &engine_app.app.resources.get(model.app_view.selected)?.key;
            let assessed = model.app_view.assessed.get(key);
            Some(Selected {
                kind: key.kind.clone(),
                namespace: key.namespace.clone(),
                name: key.name.clone(),
                replicas: assessed.and_then(|a| a.as_ref()?.replicas),
                read: assessed.is_some_and(Option::is_some),
            })
        }
        None => model.selected_resource().map(|resource| Selected {
            kind: resource.kind.clone(),
            namespace: resource.namespace.clone(),
            name: resource.name.clone(),
            replicas: resource.replicas,
            read: true,
        }),
    }
}

/// `x`, `+`, `-` on the app screen's selected workload.
pub fn workload_action(model: &Model, command: Command) -> Result<Action, String> {
    let app = model
        .selected_app()
        .map(|a| a.name.clone())
        .ok_or("no app")?;
    let managed = managed(model);
    let resource = selected_workload(model).ok_or("open the app (Enter) and select a workload")?;
    // An engine app may span namespaces: its workloads are named with theirs, and
    // so is a native app's whose name is in two namespaces.
    let namesake = model.selected_app().is_some_and(|row| {
        row.resources.iter().any(|other| {
            other.kind == resource.kind
                && other.name == resource.name
                && other.namespace != resource.namespace
        })
    });
    let workload = if (managed.is_some() || namesake) && !resource.namespace.is_empty() {
        format!("{}/{}/{}", resource.namespace, resource.kind, resource.name)
    } else {
        format!("{}/{}", resource.kind, resource.name)
    };
    match command {
        Command::Restart if RESTARTABLE.contains(&resource.kind.as_str()) => Ok(Action::Restart {
            app,
            workload,
            managed,
        }),
        Command::Restart => Err(format!(
            "{workload} cannot be restarted: select a Deployment, StatefulSet or DaemonSet"
        )),
        _ if !SCALABLE.contains(&resource.kind.as_str()) => Err(format!(
            "{workload} cannot be scaled: select a Deployment, StatefulSet or ReplicaSet"
        )),
        _ => {
            if !resource.read && managed.is_some() {
                return Err(format!(
                    "{workload} is not read yet (or not in the cluster): wait a moment, or r"
                ));
            }
            let Some(replicas) = resource.replicas else {
                return Err(format!(
                    "{workload} has no replicas to scale: select a Deployment or StatefulSet"
                ));
            };
            let replicas = if command == Command::ScaleUp {
                replicas + 1
            } else if replicas == 0 {
                return Err(format!("{workload} is at 0 replicas already"));
            } else {
                replicas - 1
            };
            Ok(Action::Scale {
                app,
                workload,
                replicas,
                managed,
            })
        }
    }
}

/// `ctrl-d` on the logs screen: the pod shown.
pub fn delete_pod_action(model: &Model) -> Result<Action, String> {
    let app = model.logs.app.clone().ok_or("no app")?;
    let pod = model.logs.selected_pod().ok_or("no pod to delete")?;
    Ok(Action::DeletePod {
        app,
        namespace: pod.namespace.clone(),
        pod: pod.name.clone(),
        managed: model.logs.managed.clone(),
    })
}

/// The confirmation of a restart, scale or pod deletion: where, what it does and,
/// for an engine app's workload, what protects it and what its engine does next.
/// `None` for other actions.
pub fn confirmation(model: &Model, action: &Action) -> Option<Vec<String>> {
    let (managed, what) = match action {
        Action::Restart { managed, .. } => (
            managed,
            "a rolling restart: new pods replace the old ones".to_owned(),
        ),
        Action::Scale {
            managed, replicas, ..
        } => {
            let from = selected_workload(model)
                .and_then(|s| s.replicas)
                .map_or_else(String::new, |from| format!("{from} → "));
            let replicas = format!("replicas {from}{replicas}");
            (
                managed,
                match managed {
                    Some(_) => replicas,
                    None => format!(
                        "{replicas}; Git still says otherwise: the app will show as drifted \
                         until the next sync"
                    ),
                },
            )
        }
        Action::DeletePod { managed, .. } => (
            managed,
            "its workload starts a new pod in its place".to_owned(),
        ),
        _ => return None,
    };
    let row = model.selected_app();
    let context = row.map_or_else(String::new, |r| r.context.clone());
    // Where it lands: the pod's or the workload's namespace, else the app's.
    let namespace = match action {
        Action::DeletePod { namespace, .. } => Some(namespace.clone()),
        _ => selected_workload(model).map(|s| s.namespace),
    }
    .filter(|ns| !ns.is_empty())
    .or_else(|| row.map(|r| r.namespace.clone()))
    .unwrap_or_default();
    let Some(managed) = managed else {
        return Some(neutralised(vec![
            format!("context {context}, namespace {namespace}"),
            what,
        ]));
    };
    let mut lines = vec![
        format!(
            "context {context}, namespace {namespace} · managed by {} {}/{}",
            managed.app.kind.label(),
            managed.app.namespace,
            managed.app.name
        ),
        what,
    ];
    lines.extend(engine_says(managed, action));
    lines.push(
        "protected by Kubernetes RBAC only (your rights on the object); the engine's own \
         rules (Argo CD projects and roles) are not consulted on this path"
            .into(),
    );
    Some(neutralised(lines))
}

/// Names from the cluster (the engine's list of resources, a pod's) as plain
/// one-line text.
fn neutralised(lines: Vec<String>) -> Vec<String> {
    lines
        .iter()
        .map(|line| crate::model::text::one_line(line).into_owned())
        .collect()
}

/// What the app's engine does about the change, as far as its settings tell.
fn engine_says(managed: &Managed, action: &Action) -> Option<String> {
    let engine = managed.app.engine();
    match action {
        Action::Restart { .. } => Some(format!(
            "{} leaves the restart alone: the annotation it sets on the pod template is not in \
             Git",
            engine.name()
        )),
        Action::Scale { .. } => Some(match &managed.app.automation {
            Automation::ArgoCd(policy) if policy.automated && policy.self_heal => {
                "Argo CD self-heals this app: if Git sets replicas, it puts them back at once"
                    .to_owned()
            }
            Automation::ArgoCd(policy) if policy.automated => {
                "if Git sets replicas, Argo CD shows the app OutOfSync; auto-sync without \
                 self-heal puts them back only when Git changes"
                    .to_owned()
            }
            Automation::ArgoCd(_) => {
                "if Git sets replicas, Argo CD shows the app OutOfSync until it is synced"
                    .to_owned()
            }
            Automation::Flux {
                suspended: true, ..
            } => "Flux is suspended for this app: if Git sets replicas, they come back when it \
                  resumes"
                .to_owned(),
            Automation::Flux { interval, .. } => format!(
                "if Git sets replicas, Flux puts them back at its next reconcile ({}); suspend \
                 it first to keep the change",
                interval
                    .as_deref()
                    .map_or_else(|| "its interval".to_owned(), |i| format!("every {i}"))
            ),
        }),
        _ => None,
    }
}
