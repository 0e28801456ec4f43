//! The deploys before today: the demo's ledgers hold weeks of history — every
//! commit of each app's path deployed some minutes to hours after it was made,
//! a failed sync and rollbacks among them — so the activity screen and the history
//! pane's deploy markers have something true to the story to show. Pure: the
//! story and its clock in, ledger-shaped values out.

use jiff::Timestamp;

use super::story::{APPS, Deploy, PEOPLE, Story};
use crate::git::ScriptedCommit;
use crate::model::ledger::{Operation, Outcome};

/// A deploy the story says happened before today: the ledgers hold weeks of them
/// before the seed's own syncs, which stay the newest entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PastDeploy {
    pub app: &'static str,
    pub operation: Operation,
    /// The commit it deployed (an index into the story's commits).
    pub commit: usize,
    /// For a rollback: the commit whose content it brought back (an index).
    pub restored: Option<usize>,
    /// Who ran it: the local user name of one of the story's people.
    pub operator: String,
    pub reason: Option<&'static str>,
    pub started: Timestamp,
    pub finished: Timestamp,
    pub outcome: Outcome,
}

/// What went wrong before today, named by the messages of the commits involved.
enum Incident {
    /// The sync of `bad` was rolled back to `good`, `after` minutes after it ended.
    RolledBack {
        app: &'static str,
        bad: &'static str,
        good: &'static str,
        after: i64,
        reason: &'static str,
    },
    /// The first sync of `commit` failed on `resource` with `error`; a retry
    /// `retry` minutes later worked.
    Failed {
        app: &'static str,
        commit: &'static str,
        resource: &'static str,
        error: &'static str,
        retry: i64,
    },
}

const INCIDENTS: [Incident; 3] = [
    // Found by the weekly reconciliation, six days in; the runbook note follows.
    Incident::RolledBack {
        app: "payments",
        bad: "payments: bump to 1.4.0",
        good: "payments: add payments 1.3.2",
        after: 6 * 24 * 60 + 130,
        reason: "1.4.0 charges some retried payments twice (idempotency keys ignored); back to 1.3.2 until the fix",
    },
    Incident::Failed {
        app: "payments",
        commit: "payments: 1.4.1 (fix idempotency key handling)",
        resource: "apps/Deployment/payments/payments",
        error: "timed out: etcdserver: request timed out",
        retry: 22,
    },
    // Why api runs 3.7.0 while Git has moved on: 3.8.0 went out and came back.
    Incident::RolledBack {
        app: "api",
        bad: "api: bump to 3.8.0",
        good: "api: bump to 3.7.0",
        after: 52,
        reason: "3.8.0 doubles p99 latency on /checkout; back to 3.7.0 until the connection pool fix",
    },
];

/// The deploys before today, oldest first. For each app the seed syncs: every
/// commit of its path up to the first one the seed syncs it to (the tip, an hour
/// old, is left to the seed), each deployed some minutes to a few hours after it
/// was committed, mostly by its author, else by that week's on-call person; plus
/// the incidents above. Nothing ends at or after `now`, the clock the story was told
/// against, so the seed's own syncs (later still) stay the newest entries and keep
/// the live revision the story wants. A dozen entries per app at most, far below
/// the ledger's bound.
pub fn past_deploys(story: &Story, now: Timestamp) -> Vec<PastDeploy> {
    let commits = &story.commits;
    let Some(tip) = commits.len().checked_sub(1) else {
        return Vec::new();
    };
    let find = |message: &str| commits.iter().position(|c| c.message == message);
    let committed = |i: usize| commits.get(i).and_then(|c| c.author.time);
    let Some(first) = committed(0) else {
        return Vec::new();
    };
    let mut all = Vec::new();
    for (salt, &(app, _, path)) in APPS.iter().enumerate() {
        let today = story.deploys.iter().find_map(|deploy| match deploy {
            Deploy::Sync {
                app: synced,
                commit,
            } if *synced == app => Some(*commit),
            _ => None,
        });
        let Some(today) = today else {
            continue;
        };
        let mut deployed: Vec<usize> = (0..tip.min(today + 1))
            .filter(|&i| commits.get(i).is_some_and(|c| touches(c, path)))
            .collect();
        // A rolled-back commit was deployed first, even one newer than today's.
        deployed.extend(INCIDENTS.iter().filter_map(|incident| match incident {
            Incident::RolledBack { app: of, bad, .. } if *of == app => find(bad),
            _ => None,
        }));
        deployed.sort_unstable();
        deployed.dedup();

        let salt = salt as i64;
        let mut entries: Vec<PastDeploy> = Vec::new();
        for commit in deployed {
            let Some(author) = commits.get(commit).map(|c| &c.author) else {
                continue;
            };
            let Some(time) = author.time else {
                continue;
            };
            let index = commit as i64;
            let delay = 60 * (4 + (index * 53 + salt * 29) % 200);
            let took = 15 + (index * 7 + salt * 11) % 80;
            let Some(started) = later(time, delay) else {
                continue;
            };
            let operator = if commit % 4 == 3 {
                on_call(first, started)
            } else {
                login(&author.email)
            };
            let sync = |started: Timestamp, outcome: Outcome| {
                later(started, took).map(|finished| PastDeploy {
                    app,
                    operation: Operation::Sync,
                    commit,
                    restored: None,
                    operator: operator.clone(),
                    reason: None,
                    started,
                    finished,
                    outcome,
                })
            };
            let failure = INCIDENTS.iter().find_map(|incident| match incident {
                Incident::Failed {
                    app: of,
                    commit: message,
                    resource,
                    error,
                    retry,
                } if *of == app && find(message) == Some(commit) => {
                    Some((*resource, *error, *retry))
                }
                _ => None,
            });
            let mut start = started;
            if let Some((resource, error, retry)) = failure {
                let message = format!(
                    "{resource}: context {}: {error}",
                    crate::sandbox::CONTEXT_NAME
                );
                entries.extend(sync(started, Outcome::Failed { message }));
                match later(started, took + 60 * retry) {
                    Some(retried) => start = retried,
                    None => continue,
                }
            }
            entries.extend(sync(start, Outcome::Succeeded));
        }

        for incident in &INCIDENTS {
            let Incident::RolledBack {
                app: of,
                bad,
                good,
                after,
                reason,
            } = incident
            else {
                continue;
            };
            if *of != app {
                continue;
            }
            let (Some(bad), Some(good)) = (find(bad), find(good)) else {
                continue;
            };
            let ended = entries
                .iter()
                .rev()
                .find(|e| e.commit == bad && e.outcome == Outcome::Succeeded)
                .map(|e| e.finished);
            let Some(started) = ended.and_then(|ended| later(ended, 60 * *after)) else {
                continue;
            };
            let Some(finished) = later(started, 40) else {
                continue;
            };
            // The story's Git has no revert commit, so the rollback names the commit
            // it brought back: what it put live.
            entries.push(PastDeploy {
                app,
                operation: Operation::Rollback,
                commit: good,
                restored: Some(good),
                operator: on_call(first, started),
                reason: Some(*reason),
                started,
                finished,
                outcome: Outcome::Succeeded,
            });
        }

        entries.sort_by_key(|e| e.started);
        // Overlapping or too recent entries would be no believable ledger: dropped.
        let mut last: Option<Timestamp> = None;
        entries.retain(|e| {
            let keep = e.finished < now && last.is_none_or(|last| last < e.started);
            if keep {
                last = Some(e.finished);
            }
            keep
        });
        all.extend(entries);
    }
    all.sort_by_key(|e| e.started);
    all
}

/// Whether a commit changed a file under `path`.
fn touches(commit: &ScriptedCommit, path: &str) -> bool {
    commit.changes.iter().any(|(file, _)| {
        file.strip_prefix(path)
            .is_some_and(|rest| rest.starts_with('/'))
    })
}

fn later(time: Timestamp, seconds: i64) -> Option<Timestamp> {
    Timestamp::from_second(time.as_second().checked_add(seconds)?).ok()
}

/// A person's local user name: the first part of their e-mail address.
fn login(email: &str) -> String {
    email.split(['.', '@']).next().unwrap_or(email).to_owned()
}

/// Who is on call at `at`: the team takes turns, a week each, from `first`.
fn on_call(first: Timestamp, at: Timestamp) -> String {
    let week = (at.as_second() - first.as_second()).div_euclid(7 * 86_400);
    let turn = week.rem_euclid(PEOPLE.len() as i64) as usize;
    PEOPLE
        .get(turn)
        .map(|(_, email)| login(email))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::demo::story::story;

    #[test]
    fn past_deploys_follow_the_history_and_leave_today_to_the_seed() {
        use crate::model::activity::activity;
        use crate::model::ledger::{Actor, LedgerEntry, live_revision};

        let now = Timestamp::from_second(1_790_000_000).unwrap();
        let story = story(now, |_| true);
        let past = past_deploys(&story, now);
        let committed = |i: usize| story.commits[i].author.time.unwrap();
        let of_path = |i: usize, path: &str| {
            story.commits[i]
                .changes
                .iter()
                .any(|(file, _)| file.starts_with(&format!("{path}/")))
        };
        assert!(past.windows(2).all(|w| w[0].started <= w[1].started));
        let operators: std::collections::BTreeSet<&str> =
            past.iter().map(|d| d.operator.as_str()).collect();
        assert!(operators.len() >= 4, "{operators:?}");
        assert!(operators.iter().all(|o| !o.is_empty() && !o.contains('@')));

        let mut figures = BTreeMap::new();
        for (app, _, path) in APPS {
            let deploys: Vec<&PastDeploy> = past.iter().filter(|d| d.app == app).collect();
            assert!(deploys.len() >= 3, "{app}: {}", deploys.len());
            // With the seed's own syncs, far below what a ledger keeps.
            assert!(deploys.len() + 2 <= crate::engine::ledger::MAX_ENTRIES);
            assert!(
                deploys.windows(2).all(|w| w[0].finished < w[1].started),
                "{app}: one after the other"
            );
            for deploy in &deploys {
                let message = &story.commits[deploy.commit].message;
                assert!(of_path(deploy.commit, path), "{app}: {message}");
                assert!(
                    committed(deploy.commit) < deploy.started,
                    "{app}: {message}"
                );
                assert!(deploy.started < deploy.finished, "{app}: {message}");
                assert!(deploy.finished < now, "{app}: {message}");
                match deploy.operation {
                    Operation::Sync => {
                        assert_eq!(deploy.restored, None);
                        let after =
                            deploy.started.as_second() - committed(deploy.commit).as_second();
                        assert!((60..86_400).contains(&after), "{app}: {message}: {after}s");
                    }
                    Operation::Rollback => {
                        assert_eq!(deploy.restored, Some(deploy.commit));
                        assert!(deploy.reason.is_some_and(|r| !r.is_empty()));
                    }
                    other => panic!("{app}: no {other:?} in the past"),
                }
            }
            // The seed's syncs come after these and put today's commit live: what
            // the past left live is no newer than it.
            let today = story
                .deploys
                .iter()
                .find_map(|d| match d {
                    Deploy::Sync { app: a, commit } if *a == app => Some(*commit),
                    _ => None,
                })
                .unwrap();
            let entries: Vec<LedgerEntry> = deploys
                .iter()
                .map(|d| LedgerEntry {
                    id: format!("{}-{}", d.started.as_millisecond(), d.commit),
                    operation: d.operation,
                    revision: d.commit.to_string(),
                    who: Actor::default(),
                    reason: d.reason.map(str::to_owned),
                    restored: d.restored.map(|r| r.to_string()),
                    started: d.started,
                    finished: Some(d.finished),
                    outcome: d.outcome.clone(),
                    resources: Vec::new(),
                })
                .collect();
            let live: usize = live_revision(&entries).unwrap().parse().unwrap();
            assert!(live <= today, "{app}: {live} is newer than {today}");
            let commit_time = |rev: &str| rev.parse::<usize>().ok().map(committed);
            let window = jiff::SignedDuration::from_hours(30 * 24);
            figures.insert(app, activity(&entries, commit_time, now, window));
        }

        // api went to 3.8.0 and came back to 3.7.0 within the hour; payments had a
        // sync time out, retried twenty minutes later, and a rollback of 1.4.0.
        let api = &figures["api"];
        assert_eq!(api.failures, 1, "{api:?}");
        let restore = api.time_to_restore.unwrap().as_secs();
        assert!((50 * 60..60 * 60).contains(&restore), "{restore}");
        let payments = &figures["payments"];
        assert!(payments.failures >= 1, "{payments:?}");
        assert!(payments.time_to_restore.is_some(), "{payments:?}");
        assert!(
            past.iter()
                .any(|d| matches!(d.outcome, Outcome::Failed { .. }))
        );
        assert!(
            past.iter()
                .any(|d| d.app == "payments" && d.operation == Operation::Rollback)
        );
        for (app, figures) in &figures {
            assert!(figures.deploys >= 1, "{app}: {figures:?}");
            assert!(figures.lead_time.is_some(), "{app}: {figures:?}");
        }
    }
}
