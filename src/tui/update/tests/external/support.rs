//! Logs, events, restart, scale and delete pod on an engine app's resources: they
//! go to the context it was found in, name the workload with its namespace, and the
//! confirmation says what protects it and what the engine does next.

use super::*;
use crate::engine::support::AppPod;
use crate::tui::model::{Assessed, Managed};

const UI: &str = "guestbook/Deployment/guestbook-ui";

fn deployment() -> ResourceKey {
    ResourceKey::new("apps", "Deployment", "guestbook", "guestbook-ui")
}

/// A Flux Kustomization whose inventory names one Deployment.
fn podinfo_with_inventory() -> ExternalApp {
    let kustomization = json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "podinfo", "namespace": "flux-system"},
        "spec": {"interval": "10m", "path": "./podinfo", "prune": true,
            "sourceRef": {"kind": "GitRepository", "name": "fleet"}},
        "status": {"inventory": {"entries": [
            {"id": "podinfo_podinfo_apps_Deployment", "v": "v1"}]}}
    });
    flux::from_kustomization(&kustomization, None).unwrap()
}

/// Opens the selected engine app: the generation and keys of the read of its live
/// objects it asks for.
fn open_app(model: &mut Model) -> (u64, Vec<ResourceKey>) {
    let effects = update(model, special(KeyCode::Enter));
    assert_eq!(model.screen(), Screen::App);
    let Some(Effect::AssessEngineResources {
        generation, keys, ..
    }) = effects
        .into_iter()
        .find(|e| matches!(e, Effect::AssessEngineResources { .. }))
    else {
        panic!("the live objects are read on opening the app")
    };
    (generation, keys)
}

/// A live workload read with `replicas`.
fn with_replicas(replicas: i64) -> Option<Assessed> {
    Some(Assessed {
        health: crate::model::Health::unknown(""),
        replicas: Some(replicas),
    })
}

/// Opens the selected engine app and answers the read of its live objects with
/// `replicas` for every workload; the keys asked for.
fn open_with_replicas(model: &mut Model, replicas: i64) -> Vec<ResourceKey> {
    let (generation, keys) = open_app(model);
    let health = keys
        .iter()
        .map(|key| (key.clone(), with_replicas(replicas)))
        .collect();
    update(model, Msg::Assessed { generation, health });
    keys
}

fn confirm(model: &Model) -> &crate::tui::model::Confirm {
    match &model.modal {
        Some(Modal::Confirm(confirm)) => confirm,
        other => panic!("{other:?}"),
    }
}

#[test]
fn scale_and_restart_an_argo_cd_apps_workload_say_where_and_what_argo_cd_does() {
    let mut model = engine_model();
    select(&mut model, GUESTBOOK);
    let managed = Managed::of(model.apps[model.selected].engine_app().unwrap());
    // Argo CD gives the Deployment's health, but its replicas are read too.
    let (generation, keys) = open_app(&mut model);
    assert_eq!(keys, [deployment()]);
    // The Service is not a workload.
    update(&mut model, key('x'));
    assert_eq!(
        model.status,
        Some((
            "guestbook/Service/guestbook-ui cannot be restarted: select a Deployment, \
             StatefulSet or DaemonSet"
                .to_owned(),
            true
        ))
    );
    update(&mut model, key('j'));
    // An observation of the native apps keeps the engine app's selection.
    let observation = model.observation.start();
    update(
        &mut model,
        Msg::Observed {
            generation: observation,
            apps: Vec::new(),
        },
    );
    assert_eq!(model.app_view.selected, 1);
    // Not read yet: no number to start from.
    update(&mut model, key('+'));
    assert!(model.modal.is_none());
    assert!(model.status.as_ref().unwrap().0.contains("not read yet"));
    update(
        &mut model,
        Msg::Assessed {
            generation,
            health: vec![(deployment(), with_replicas(2))],
        },
    );

    update(&mut model, key('+'));
    let asked = confirm(&model);
    assert_eq!(
        asked.action,
        Action::Scale {
            app: AppName::new(GUESTBOOK),
            workload: UI.into(),
            replicas: 3,
            managed: Some(managed.clone()),
        }
    );
    assert_eq!(
        asked.action.title(),
        format!("scale {UI} of argocd:guestbook to 3")
    );
    assert_eq!(
        asked.plan,
        [
            "context ctx, namespace guestbook · managed by Application argocd/guestbook",
            "replicas 2 → 3",
            "Argo CD self-heals this app: if Git sets replicas, it puts them back at once",
            "protected by Kubernetes RBAC only (your rights on the object); the engine's own \
             rules (Argo CD projects and roles) are not consulted on this path",
        ]
    );
    let effects = update(&mut model, key('y'));
    let [
        Effect::Run {
            id,
            action:
                Action::Scale {
                    replicas: 3,
                    managed: Some(_),
                    ..
                },
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    // Done: the workload is read again (its replicas are what `+` starts from).
    let result = Ok(format!("scaled {UI} of argocd:guestbook to 3"));
    let effects = update(&mut model, Msg::Done { id: *id, result });
    assert!(
        effects.iter().any(|e| matches!(
            e,
            Effect::AssessEngineResources { keys, .. } if *keys == [deployment()]
        )),
        "{effects:?}"
    );

    update(&mut model, key('x'));
    let asked = confirm(&model);
    assert_eq!(
        asked.action,
        Action::Restart {
            app: AppName::new(GUESTBOOK),
            workload: UI.into(),
            managed: Some(managed),
        }
    );
    assert_eq!(
        asked.plan[2],
        "Argo CD leaves the restart alone: the annotation it sets on the pod template is not \
         in Git"
    );
    update(&mut model, key('n'));

    model.read_only = true;
    update(&mut model, key('-'));
    assert!(model.modal.is_none());
    assert_eq!(
        model.status,
        Some((
            format!(
                "read-only: scale {UI} of argocd:guestbook to 1 refused (driftdeck was started \
                 with --read-only)"
            ),
            true
        ))
    );
}

#[test]
fn scaling_a_flux_apps_workload_says_when_flux_puts_it_back() {
    let mut model = engine_model();
    let generation = next_discovery(&mut model);
    update(
        &mut model,
        answer(generation, vec![podinfo_with_inventory()], &[]),
    );
    select(&mut model, PODINFO);
    // Flux gives no health: the Deployment is read for it and for its replicas.
    let keys = open_with_replicas(&mut model, 0);
    assert_eq!(
        keys,
        [ResourceKey::new("apps", "Deployment", "podinfo", "podinfo")]
    );
    update(&mut model, key('-'));
    assert_eq!(
        model.status,
        Some((
            "podinfo/Deployment/podinfo is at 0 replicas already".to_owned(),
            true
        ))
    );
    update(&mut model, key('+'));
    let asked = confirm(&model);
    assert_eq!(
        asked.plan[..3],
        [
            "context ctx, namespace podinfo · managed by Kustomization flux-system/podinfo",
            "replicas 0 → 1",
            "if Git sets replicas, Flux puts them back at its next reconcile (every 10m); \
             suspend it first to keep the change",
        ]
    );
}

#[test]
fn logs_events_and_delete_pod_of_an_engine_app_go_to_its_context() {
    let mut model = engine_model();
    select(&mut model, GUESTBOOK);
    let managed = Managed::of(model.apps[model.selected].engine_app().unwrap());
    let effects = update(&mut model, key('e'));
    assert!(
        matches!(effects.as_slice(), [Effect::LoadEvents { managed: Some(m), .. }] if *m == managed),
        "{effects:?}"
    );
    update(&mut model, special(KeyCode::Esc));

    let effects = update(&mut model, key('l'));
    let Some(Effect::LoadLogs {
        generation,
        managed: Some(asked),
        ..
    }) = effects.first()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(*asked, managed);
    update(
        &mut model,
        Msg::Logs {
            generation: *generation,
            result: Ok(LogsRead {
                // The same name in two namespaces: the one read is the one meant.
                pods: ["default", "guestbook"]
                    .map(|namespace| AppPod {
                        namespace: namespace.into(),
                        name: "guestbook-ui-7d9f-abcde".into(),
                        containers: vec!["main".into()],
                    })
                    .into(),
                pod: Some("guestbook/guestbook-ui-7d9f-abcde".into()),
                lines: vec!["GET / 200".into()],
            }),
        },
    );
    update(&mut model, ctrl('d'));
    let asked = confirm(&model);
    assert_eq!(
        asked.action,
        Action::DeletePod {
            app: AppName::new(GUESTBOOK),
            namespace: "guestbook".into(),
            pod: "guestbook-ui-7d9f-abcde".into(),
            managed: Some(managed),
        }
    );
    assert_eq!(
        asked.action.title(),
        "delete pod guestbook-ui-7d9f-abcde of argocd:guestbook"
    );
    assert_eq!(
        asked.plan[0],
        "context ctx, namespace guestbook · managed by Application argocd/guestbook"
    );
}
