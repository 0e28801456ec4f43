//! Native automation and `p`, driven by observations and keys.

use super::*;

/// An observation of every app of `model` as it stands, with `change` applied to
/// each status.
fn observed_as_is(model: &Model, change: impl Fn(usize, &mut AppStatus)) -> Vec<ObservedApp> {
    model
        .apps
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let Seen::Status(status) = &row.seen else {
                panic!("sample apps have a status")
            };
            let mut status = (**status).clone();
            change(i, &mut status);
            ObservedApp {
                name: row.name.clone(),
                desired: row.desired.clone(),
                status: Ok(status),
                resources: Vec::new(),
            }
        })
        .collect()
}

fn auto_syncs(effects: &[Effect]) -> Vec<(String, String)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Run {
                action: Action::AutoSync { app, reason, .. },
                ..
            } => Some((app.to_string(), reason.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn automation_syncs_apps_behind_git_or_drifted_and_holds_the_rest() {
    let mut model = sample::model(5, 0);
    model.now = Some(sample::now());
    let policy = |self_heal| crate::model::SyncPolicy {
        automated: true,
        prune: false,
        self_heal,
    };
    // 0: automated, behind Git. 1: self-heal, drifted at Git's revision.
    // 2: automated, drifted, no self-heal. 3: behind, suspended. 4: behind, not automated.
    for i in 0..4 {
        model.apps[i].automation = policy(i == 1);
    }
    let head = "f".repeat(40);
    let shape = |i: usize, status: &mut AppStatus| {
        status.desired_revision = head.clone();
        status.live_revision = Some(if i == 1 || i == 2 {
            head.clone()
        } else {
            "a".repeat(40)
        });
        status.sync = SyncStatus::OutOfSync;
        status.out_of_sync = 2;
        if i == 3 {
            status.suspended = status.last_operation.clone();
        }
    };
    let generation = model.observation.start();
    let apps = observed_as_is(&model, shape);
    let effects = update(&mut model, Msg::Observed { generation, apps });
    assert_eq!(
        auto_syncs(&effects),
        vec![
            (
                "app-000".to_owned(),
                "automated: Git moved to fffffff".to_owned()
            ),
            (
                "app-001".to_owned(),
                "self-heal: 2 resource(s) drifted from Git".to_owned()
            ),
        ]
    );
    // Only self-heal takes fields back from other managers.
    let forced: Vec<bool> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Run {
                action: Action::AutoSync { force, .. },
                ..
            } => Some(*force),
            _ => None,
        })
        .collect();
    assert_eq!(forced, [false, true]);
    assert_eq!(model.running.len(), 2);

    // Observed again at once: both are running (and were just synced): nothing new.
    let generation = model.observation.start();
    let apps = observed_as_is(&model, shape);
    let effects = update(&mut model, Msg::Observed { generation, apps });
    assert!(auto_syncs(&effects).is_empty(), "{effects:?}");

    // Done, but only 5 s later: still paced. After 15 s: synced again.
    model.running.clear();
    model.now = Some(sample::now() + jiff::SignedDuration::from_secs(5));
    let generation = model.observation.start();
    let apps = observed_as_is(&model, shape);
    assert!(auto_syncs(&update(&mut model, Msg::Observed { generation, apps })).is_empty());
    model.now = Some(sample::now() + jiff::SignedDuration::from_secs(16));
    let generation = model.observation.start();
    let apps = observed_as_is(&model, shape);
    let effects = update(&mut model, Msg::Observed { generation, apps });
    assert_eq!(auto_syncs(&effects).len(), 2);
    // Still due after two: the third waits 30 s (back-off), not 15.
    model.running.clear();
    model.now = Some(sample::now() + jiff::SignedDuration::from_secs(16 + 20));
    let generation = model.observation.start();
    let apps = observed_as_is(&model, shape);
    assert!(auto_syncs(&update(&mut model, Msg::Observed { generation, apps })).is_empty());
    // In sync once: the back-off starts over.
    let generation = model.observation.start();
    let apps = observed_as_is(&model, |_, status| {
        status.sync = SyncStatus::Synced;
        status.live_revision = Some(status.desired_revision.clone());
    });
    update(&mut model, Msg::Observed { generation, apps });
    let generation = model.observation.start();
    let apps = observed_as_is(&model, |i, status| {
        shape(i, status);
        status.live_revision = Some(head.clone());
    });
    let effects = update(&mut model, Msg::Observed { generation, apps });
    assert_eq!(
        auto_syncs(&effects),
        [(
            "app-001".to_owned(),
            "self-heal: 2 resource(s) drifted from Git".to_owned()
        )]
    );

    // Sent to another context by :ctx: automation never deploys there.
    model.running.clear();
    model.auto_synced.clear();
    model.kube.chosen = Some("staging".into());
    let generation = model.observation.start();
    let apps = observed_as_is(&model, shape);
    assert!(auto_syncs(&update(&mut model, Msg::Observed { generation, apps })).is_empty());
    model.kube.chosen = None;

    // Read-only: automation does nothing.
    model.running.clear();
    model.read_only = true;
    model.now = Some(sample::now() + jiff::SignedDuration::from_secs(60));
    let generation = model.observation.start();
    let apps = observed_as_is(&model, shape);
    assert!(auto_syncs(&update(&mut model, Msg::Observed { generation, apps })).is_empty());
}

#[test]
fn p_suspends_or_resumes_automation_after_a_confirmation() {
    let mut model = sample::model(2, 0);
    // Not automated: said so, nothing asked.
    assert!(update(&mut model, key('p')).is_empty());
    let (message, failed) = model.status.clone().unwrap();
    assert!(
        failed && message.contains("sync.automated is off"),
        "{message}"
    );
    assert!(model.modal.is_none());

    model.apps[0].automation.automated = true;
    update(&mut model, key('p'));
    let Some(Modal::Confirm(confirm)) = &model.modal else {
        panic!("a confirmation")
    };
    assert_eq!(
        confirm.action,
        Action::Automation {
            app: AppName::new("app-000"),
            suspend: true
        }
    );
    assert!(
        confirm
            .plan
            .iter()
            .any(|l| l.contains("stops until resumed")),
        "{:?}",
        confirm.plan
    );
    let effects = update(&mut model, key('y'));
    assert!(
        matches!(
            &effects[..],
            [Effect::Run {
                action: Action::Automation { suspend: true, .. },
                ..
            }]
        ),
        "{effects:?}"
    );

    // Suspended (as the ledger says): p offers to resume.
    if let Seen::Status(status) = &mut model.apps[0].seen {
        status.suspended = status.last_operation.clone();
    }
    model.running.clear();
    update(&mut model, key('p'));
    let Some(Modal::Confirm(confirm)) = &model.modal else {
        panic!("a confirmation")
    };
    assert!(matches!(
        confirm.action,
        Action::Automation { suspend: false, .. }
    ));

    // Read-only refuses it.
    model.modal = None;
    model.read_only = true;
    assert!(update(&mut model, key('p')).is_empty());
    assert!(model.status.clone().unwrap().0.contains("read-only"));
}

#[test]
fn a_persons_outcome_stays_on_the_status_line_against_routine_automation() {
    let mut model = sample::model(2, 0);
    model.now = Some(sample::now());
    model.apps[1].automation.automated = true;
    // A person's rollback of app-000 ends.
    model.running.push(Running {
        id: 90,
        app: model.apps[0].name.clone(),
        title: "roll back app-000".into(),
        since: sample::now(),
        automated: false,
    });
    update(
        &mut model,
        Msg::Done {
            id: 90,
            result: Ok("rolled back app-000 to abc1234".into()),
        },
    );
    let rolled_back = Some(("rolled back app-000 to abc1234".to_owned(), false));
    assert_eq!(model.status, rolled_back);

    // Its commit makes automated app-001 due: the sync starts and ends, unsaid.
    let behind = |i: usize, status: &mut AppStatus| {
        if i == 1 {
            status.desired_revision = "f".repeat(40);
            status.sync = SyncStatus::OutOfSync;
        }
    };
    model.now = Some(sample::now() + jiff::SignedDuration::from_secs(3));
    let generation = model.observation.start();
    let apps = observed_as_is(&model, behind);
    let effects = update(&mut model, Msg::Observed { generation, apps });
    let Some(id) = effects.iter().find_map(|e| match e {
        Effect::Run {
            id,
            action: Action::AutoSync { .. },
        } => Some(*id),
        _ => None,
    }) else {
        panic!("app-001 is synced: {effects:?}")
    };
    assert_eq!(model.status, rolled_back);
    update(
        &mut model,
        Msg::Done {
            id,
            result: Ok("auto-synced app-001".into()),
        },
    );
    assert_eq!(model.status, rolled_back);

    say_news(&mut model, "git", "new in Git — shop: 0123456 the first");
    say_news(&mut model, "git", "new in Git — shop: abc1234 a fix");
    assert_eq!(model.status, rolled_back);

    // Ten seconds after the person's outcome, the news that waited is said.
    update(
        &mut model,
        Msg::Tick(sample::now() + jiff::SignedDuration::from_secs(11)),
    );
    assert_eq!(
        model.status,
        Some((
            "auto-synced app-001 · new in Git — shop: abc1234 a fix".to_owned(),
            false
        ))
    );
    assert!(model.kept.news.is_empty() && model.kept.until.is_none());

    // An automated sync that fails is said at once, whatever is kept, and older
    // news does not replace it when that time is over.
    model.kept.until = Some(sample::now() + jiff::SignedDuration::from_secs(60));
    say_news(&mut model, "app:app-000", "auto-synced app-000");
    let id = running_auto_sync(&mut model, 20);
    update(
        &mut model,
        Msg::Done {
            id,
            result: Err("forbidden".into()),
        },
    );
    let (message, failed) = model.status.clone().unwrap();
    assert!(
        failed && message.ends_with("failed: forbidden"),
        "{message}"
    );
    update(
        &mut model,
        Msg::Tick(sample::now() + jiff::SignedDuration::from_secs(61)),
    );
    assert_eq!(model.status, Some((message, true)));
}

/// An automated sync of app-001, running under `id`.
fn running_auto_sync(model: &mut Model, id: u64) -> u64 {
    model.running.push(Running {
        id,
        app: model.apps[1].name.clone(),
        title: "auto-sync app-001".into(),
        since: sample::now(),
        automated: true,
    });
    id
}
