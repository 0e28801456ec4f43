//! The Git sources polled, and what a moved branch sets off.

use super::*;

fn at(seconds: i64) -> Msg {
    Msg::Tick(jiff::Timestamp::from_second(sample::now().as_second() + seconds).unwrap())
}

fn repos_read(effects: &[Effect]) -> Option<(u64, bool)> {
    effects.iter().find_map(|e| match e {
        Effect::ReadRepos { generation, fetch } => Some((*generation, *fetch)),
        _ => None,
    })
}

#[test]
fn sources_are_polled_and_a_moved_branch_re_observes() {
    let mut model = sample::model(2, 3);
    // The first tick reads (and fetches) the sources; none again while it is out.
    let (generation, fetch) = repos_read(&update(&mut model, at(0))).unwrap();
    assert!(fetch);
    assert!(repos_read(&update(&mut model, at(6))).is_none());
    let rows = sample::repos();
    update(
        &mut model,
        Msg::Repos {
            generation,
            fetched: true,
            rows: rows.clone(),
        },
    );
    assert!(model.status.is_none(), "the first read is no news");
    // Read again after five seconds; fetched again only after a minute.
    assert!(repos_read(&update(&mut model, at(9))).is_none());
    let (generation, fetch) = repos_read(&update(&mut model, at(11))).unwrap();
    assert!(!fetch);
    // The same heads: nothing to do.
    let effects = update(
        &mut model,
        Msg::Repos {
            generation,
            fetched: false,
            rows: rows.clone(),
        },
    );
    assert!(effects.is_empty());
    // A new commit on shop-gitops: every app observed again, and said.
    let (generation, _) = repos_read(&update(&mut model, at(16))).unwrap();
    let mut moved = rows.clone();
    if let Ok(head) = &mut moved[0].head {
        head.id = sample::commit_id(99);
        head.subject = "web: \u{1b}[2Jscale to 4".into();
    }
    let effects = update(
        &mut model,
        Msg::Repos {
            generation,
            fetched: false,
            rows: moved,
        },
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Observe { hard: false, .. })),
        "{effects:?}"
    );
    let (message, failed) = model.status.clone().unwrap();
    assert!(
        message.starts_with("new in Git — shop-gitops: 0000063"),
        "{message}"
    );
    assert!(!failed);
    // A stale answer is dropped.
    let stale = Msg::Repos {
        generation: generation - 1,
        fetched: false,
        rows: Vec::new(),
    };
    update(&mut model, stale);
    assert_eq!(model.repos.rows.len(), 3);
    // A minute after the last fetch came in (at 6 s), the read fetches.
    let (_, fetch) = repos_read(&update(&mut model, at(70))).unwrap();
    assert!(fetch);
}

#[test]
fn hard_refresh_fetches_the_sources_and_repos_opens_by_command() {
    let mut model = sample::model(2, 3);
    let ctrl_r = Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL));
    let effects = update(&mut model, ctrl_r);
    assert_eq!(repos_read(&effects).map(|r| r.1), Some(true), "{effects:?}");
    update(&mut model, key(':'));
    typed(&mut model, "repos");
    update(&mut model, special(KeyCode::Enter));
    assert_eq!(model.screen(), Screen::Repos);
    update(&mut model, special(KeyCode::Esc));
    assert_eq!(model.screen(), Screen::Overview);
}

#[test]
fn a_branch_moving_during_an_observation_observes_again_once_it_is_in() {
    let mut model = sample::model(2, 3);
    let (generation, _) = repos_read(&update(&mut model, at(0))).unwrap();
    let rows = sample::repos();
    update(
        &mut model,
        Msg::Repos {
            generation,
            fetched: true,
            rows: rows.clone(),
        },
    );
    let observing = model.observation.start();
    let (generation, _) = repos_read(&update(&mut model, at(5))).unwrap();
    let mut moved = rows;
    if let Ok(head) = &mut moved[0].head {
        head.id = sample::commit_id(98);
    }
    let effects = update(
        &mut model,
        Msg::Repos {
            generation,
            fetched: false,
            rows: moved,
        },
    );
    assert!(
        effects.is_empty(),
        "the observation out is not restarted: {effects:?}"
    );
    let effects = update(
        &mut model,
        Msg::Observed {
            generation: observing,
            apps: Vec::new(),
        },
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Observe { hard: false, .. })),
        "{effects:?}"
    );
}
