//! The ledger against the sandbox: created on first write, bounded, updated in
//! place, and safe under concurrent writers.

use driftdeck::cluster;
use driftdeck::engine::ledger::{self, MAX_ENTRIES};
use driftdeck::model::AppName;
use driftdeck::model::ledger::{Actor, LedgerEntry, Operation, Outcome, live_revision};
use driftdeck::sandbox::{Sandbox, SandboxOptions};

fn entry(id: &str, revision: &str) -> LedgerEntry {
    LedgerEntry {
        id: id.into(),
        operation: Operation::Sync,
        revision: revision.into(),
        who: Actor {
            kube_user: "driftdeck-sandbox".into(),
            local_user: "ada".into(),
        },
        reason: Some("test".into()),
        restored: None,
        started: jiff::Timestamp::now(),
        finished: None,
        outcome: Outcome::Running,
        resources: vec!["apps/Deployment/web/web".into()],
    }
}

#[tokio::test]
async fn concurrent_writers_lose_nothing_and_the_ledger_is_bounded() {
    let sandbox = Sandbox::start_with(SandboxOptions {
        no_controllers: true,
        ..SandboxOptions::default()
    })
    .unwrap();
    let connection = cluster::connect(Some(sandbox.kubeconfig()), None)
        .await
        .unwrap();
    let app = AppName::new("web");
    assert!(ledger::read(&connection, &app).await.unwrap().is_empty());
    let writers: Vec<_> = (0..2)
        .map(|writer| {
            let connection = connection.clone();
            let app = app.clone();
            tokio::spawn(async move {
                for i in 0..15 {
                    ledger::append(&connection, &app, entry(&format!("{writer}-{i}"), "abc"))
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    let entries = ledger::read(&connection, &app).await.unwrap();
    assert_eq!(entries.len(), 30, "both writers' entries are all there");
    // Finishing an entry updates it in place.
    let mut done = entries[3].clone();
    done.outcome = Outcome::Succeeded;
    done.revision = "def".into();
    ledger::update(&connection, &app, done).await.unwrap();
    let entries = ledger::read(&connection, &app).await.unwrap();
    assert_eq!(live_revision(&entries), Some("def"));
    // Bounded: the oldest go first.
    for i in 0..MAX_ENTRIES {
        ledger::append(&connection, &app, entry(&format!("more-{i}"), "abc"))
            .await
            .unwrap();
    }
    let entries = ledger::read(&connection, &app).await.unwrap();
    assert_eq!(entries.len(), MAX_ENTRIES);
    assert_eq!(
        entries.last().unwrap().id,
        format!("more-{}", MAX_ENTRIES - 1)
    );
}
