//! DORA-style figures for one app, read from its ledger: how often it deploys, how
//! long a commit takes to go live, how often a deploy fails or has to be rolled
//! back, and how long the app takes to recover. Pure: the caller hands in the
//! entries, the commit times and the clock; nothing here reads Git, the cluster or
//! the wall clock, so the figures are the same for the same ledger.

use std::collections::HashSet;

use jiff::{SignedDuration, Timestamp};

use super::ledger::{LedgerEntry, Operation, Outcome};

const WEEK: SignedDuration = SignedDuration::from_hours(7 * 24);

/// The figures for one app over a window ending at `now` (see [`activity`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Activity {
    /// Successful syncs, rollbacks and pins in the window.
    pub deploys: usize,
    /// `deploys` scaled to seven days, so windows of any length compare.
    pub deploys_per_week: f64,
    /// Median time from a revision's commit to its first successful sync.
    pub lead_time: Option<SignedDuration>,
    /// New revisions whose commit time the caller did not know, left out of
    /// `lead_time` rather than guessed.
    pub unknown_commit_times: usize,
    /// Deploys tried in the window, failed ones included: the base of the change
    /// failure rate.
    pub attempts: usize,
    /// Attempts that failed or were rolled back (see [`activity`]).
    pub failures: usize,
    /// `failures / attempts`; `None` without attempts, where no rate exists.
    pub change_failure_rate: Option<f64>,
    /// Median time from a failure until the next successful deploy.
    pub time_to_restore: Option<SignedDuration>,
    /// Failures not followed by any successful deploy yet.
    pub unrestored: usize,
}

/// Computes the figures over the window `[now - window, now]`.
///
/// The window is a [`SignedDuration`] rather than a `Span` because it is measured
/// on the timeline, with no time zone: thirty days are
/// `SignedDuration::from_hours(30 * 24)`. `commit_time` maps a full revision to
/// its commit time, for instance `|rev| times.get(rev).copied()` over a map built
/// from `CommitInfo::author_time`.
///
/// The definitions, so the numbers can be checked by hand:
/// - Entries that are still running and unpins (which deploy nothing) are ignored,
///   as are entries that ended after `now`. What remains is ordered by `started`,
///   so the input order does not matter. An entry happened at its `finished` time,
///   or its `started` time when it has none; it is in the window when that time is.
/// - A *deploy* is a successful sync, rollback or pin; an *attempt* is one that
///   succeeded or failed.
/// - *Lead time* counts only syncs that bring a revision live for the first time
///   in the ledger: a redeploy of a known revision is no new change, and rollbacks
///   and pins bring back old content (a pin's commit may be months old), which
///   would drown the figure. It is the deploy's time minus the commit time.
/// - A *failure* is an attempt that failed, or a deploy replaced by a rollback or
///   pin that brought back other content than it deployed (the content of a
///   rollback or pin is its `restored` revision): that change had to be undone.
///   A rollback that brings back what already ran undoes a failed attempt, not
///   the deploy before it.
/// - *Time to restore* runs from a failure to the next successful deploy of any
///   kind: for a rolled-back deploy that is its rollback; for a failed attempt it
///   may also be a retry that worked.
/// - Medians are the lower middle for an even count: a duration that occurred.
pub fn activity(
    entries: &[LedgerEntry],
    commit_time: impl Fn(&str) -> Option<Timestamp>,
    now: Timestamp,
    window: SignedDuration,
) -> Activity {
    let start = now.checked_sub(window).unwrap_or(Timestamp::MIN);
    let mut steps: Vec<&LedgerEntry> = entries
        .iter()
        .filter(|e| e.operation.deploys() && e.outcome != Outcome::Running && at(e) <= now)
        .collect();
    steps.sort_by_key(|e| e.started);

    let mut figures = Activity::default();
    let mut lead_times = Vec::new();
    let mut restore_times = Vec::new();
    // Revisions deployed successfully so far, before the window too, so that a
    // redeploy inside the window of an old revision is not taken for a new change.
    let mut live_before: HashSet<&str> = HashSet::new();
    for (i, step) in steps.iter().enumerate() {
        let succeeded = step.outcome == Outcome::Succeeded;
        let new_revision = succeeded && live_before.insert(step.revision.as_str());
        if at(step) < start {
            continue;
        }
        figures.attempts += 1;
        if succeeded {
            figures.deploys += 1;
        }
        if new_revision && step.operation == Operation::Sync {
            match commit_time(step.revision.as_str()) {
                Some(committed) => lead_times.push(at(step).duration_since(committed)),
                None => figures.unknown_commit_times += 1,
            }
        }
        let next = steps[i + 1..]
            .iter()
            .find(|e| e.outcome == Outcome::Succeeded);
        let rolled_back = next.is_some_and(|next| {
            matches!(next.operation, Operation::Rollback | Operation::Pin)
                && content(next) != content(step)
        });
        if succeeded && !rolled_back {
            continue;
        }
        figures.failures += 1;
        match next {
            Some(next) => restore_times.push(at(next).duration_since(at(step))),
            None => figures.unrestored += 1,
        }
    }

    figures.deploys_per_week = if window > SignedDuration::ZERO {
        figures.deploys as f64 * WEEK.as_secs_f64() / window.as_secs_f64()
    } else {
        0.0
    };
    figures.lead_time = median(lead_times);
    figures.change_failure_rate =
        (figures.attempts > 0).then(|| figures.failures as f64 / figures.attempts as f64);
    figures.time_to_restore = median(restore_times);
    figures
}

/// When an entry happened: when it finished, or when it started if it has not
/// recorded an end.
fn at(entry: &LedgerEntry) -> Timestamp {
    entry.finished.unwrap_or(entry.started)
}

/// The revision whose content an entry put live: a revert rollback deploys a new
/// commit that restores an older one, so the restored one is what it runs.
fn content(entry: &LedgerEntry) -> &str {
    entry.restored.as_deref().unwrap_or(&entry.revision)
}

fn median(mut values: Vec<SignedDuration>) -> Option<SignedDuration> {
    values.sort_unstable();
    values.get(values.len().checked_sub(1)? / 2).copied()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::model::ledger::Actor;

    const DAY: i64 = 86_400;
    const HOUR: i64 = 3_600;

    fn t(second: i64) -> Timestamp {
        Timestamp::from_second(second).unwrap()
    }

    fn now() -> Timestamp {
        t(100 * DAY)
    }

    /// Four weeks, so `deploys_per_week` is a quarter of `deploys`.
    fn window() -> SignedDuration {
        SignedDuration::from_hours(28 * 24)
    }

    fn failed() -> Outcome {
        Outcome::Failed {
            message: "boom".into(),
        }
    }

    /// An entry that started at `started` (seconds) and took a minute.
    fn entry(operation: Operation, revision: &str, outcome: Outcome, started: i64) -> LedgerEntry {
        LedgerEntry {
            id: format!("{revision}-{started}"),
            operation,
            revision: revision.into(),
            who: Actor::default(),
            reason: None,
            restored: None,
            started: t(started),
            finished: Some(t(started + 60)),
            outcome,
            resources: Vec::new(),
        }
    }

    fn sync(revision: &str, started: i64) -> LedgerEntry {
        entry(Operation::Sync, revision, Outcome::Succeeded, started)
    }

    /// A revert rollback: deploys the revert commit `revision`, which brings back
    /// the content of `restored`.
    fn rollback(revision: &str, restored: &str, started: i64) -> LedgerEntry {
        LedgerEntry {
            restored: Some(restored.into()),
            ..entry(Operation::Rollback, revision, Outcome::Succeeded, started)
        }
    }

    fn unknown(_: &str) -> Option<Timestamp> {
        None
    }

    #[test]
    fn an_empty_ledger_has_no_figures() {
        assert_eq!(activity(&[], unknown, now(), window()), Activity::default());
    }

    #[test]
    fn frequency_counts_successes_inside_the_window() {
        let entries = vec![
            sync("a", 50 * DAY),
            sync("b", 75 * DAY),
            entry(Operation::Sync, "c", failed(), 78 * DAY),
            sync("c", 80 * DAY),
            entry(Operation::Pin, "c", Outcome::Succeeded, 90 * DAY),
            entry(Operation::Unpin, "c", Outcome::Succeeded, 91 * DAY),
            sync("d", 95 * DAY),
            sync("e", 101 * DAY),
        ];
        let figures = activity(&entries, unknown, now(), window());
        assert_eq!(figures.deploys, 4, "b, c, the pin and d");
        assert_eq!(figures.deploys_per_week, 1.0);
        assert_eq!(figures.attempts, 5);
        assert_eq!(figures.failures, 1);
        assert_eq!(figures.unknown_commit_times, 3, "b, c and d are new");
    }

    #[test]
    fn lead_time_is_the_median_of_known_commit_times() {
        let mut c = sync("c", 90 * DAY);
        c.finished = None;
        let entries = vec![
            sync("a", 80 * DAY),
            sync("b", 85 * DAY),
            c,
            sync("d", 95 * DAY),
        ];
        let times: HashMap<String, Timestamp> = [
            ("a", 80 * DAY - 2 * HOUR),
            ("b", 85 * DAY - 5 * HOUR),
            ("c", 90 * DAY - 3 * HOUR),
        ]
        .into_iter()
        .map(|(rev, second)| (rev.to_owned(), t(second)))
        .collect();
        let figures = activity(&entries, |rev| times.get(rev).copied(), now(), window());
        // 2h1m, 3h (c has no end, so its start counts) and 5h1m.
        assert_eq!(figures.lead_time, Some(SignedDuration::from_hours(3)));
        assert_eq!(figures.unknown_commit_times, 1);
        assert_eq!(figures.deploys, 4);
    }

    #[test]
    fn a_redeploy_is_no_new_change() {
        let entries = vec![
            sync("a", 60 * DAY),
            sync("b", 80 * DAY),
            sync("a", 90 * DAY),
            sync("b", 92 * DAY),
        ];
        let committed = |rev: &str| match rev {
            "a" => Some(t(59 * DAY)),
            "b" => Some(t(80 * DAY - HOUR)),
            _ => None,
        };
        let figures = activity(&entries, committed, now(), window());
        assert_eq!(figures.deploys, 3);
        assert_eq!(
            figures.lead_time,
            Some(SignedDuration::from_secs(HOUR + 60)),
            "only b's first deploy; a went live before the window"
        );
        assert_eq!(figures.unknown_commit_times, 0);
    }

    #[test]
    fn failed_and_rolled_back_deploys_are_failures() {
        let entries = vec![
            sync("a", 75 * DAY),
            entry(Operation::Sync, "b", failed(), 80 * DAY),
            sync("b", 80 * DAY + HOUR),
            sync("c", 85 * DAY),
            rollback("r", "b", 86 * DAY),
            sync("d", 90 * DAY),
        ];
        let figures = activity(&entries, unknown, now(), window());
        assert_eq!(figures.attempts, 6);
        assert_eq!(figures.failures, 2, "the failed b and c");
        assert_eq!(figures.change_failure_rate, Some(2.0 / 6.0));
        // The retry restored b within the hour; c ran a day before its rollback.
        assert_eq!(figures.time_to_restore, Some(SignedDuration::from_hours(1)));
        assert_eq!(figures.unrestored, 0);
        assert_eq!(figures.deploys, 5);
    }

    #[test]
    fn time_to_restore_runs_until_the_rollback() {
        let entries = vec![
            sync("a", 80 * DAY),
            sync("c", 85 * DAY),
            rollback("r", "a", 86 * DAY + 2 * HOUR),
        ];
        let figures = activity(&entries, unknown, now(), window());
        assert_eq!(figures.failures, 1, "c, not a");
        assert_eq!(figures.change_failure_rate, Some(1.0 / 3.0));
        assert_eq!(
            figures.time_to_restore,
            Some(SignedDuration::from_hours(26))
        );
    }

    #[test]
    fn a_pin_of_what_ran_undoes_only_the_failed_attempt() {
        let entries = vec![
            sync("a", 80 * DAY),
            entry(Operation::Sync, "b", failed(), 85 * DAY),
            entry(Operation::Pin, "a", Outcome::Succeeded, 85 * DAY + 30 * 60),
        ];
        let figures = activity(&entries, unknown, now(), window());
        assert_eq!(figures.failures, 1);
        assert_eq!(figures.time_to_restore, Some(SignedDuration::from_mins(30)));
    }

    #[test]
    fn a_failure_with_nothing_after_is_unrestored() {
        let entries = vec![
            sync("a", 80 * DAY),
            entry(Operation::Sync, "b", failed(), 90 * DAY),
        ];
        let figures = activity(&entries, unknown, now(), window());
        assert_eq!(figures.failures, 1);
        assert_eq!(figures.unrestored, 1);
        assert_eq!(figures.time_to_restore, None);
        assert_eq!(figures.change_failure_rate, Some(0.5));
    }

    #[test]
    fn running_entries_are_ignored() {
        let mut running = rollback("r", "z", 85 * DAY);
        running.outcome = Outcome::Running;
        running.finished = None;
        let entries = vec![
            sync("a", 80 * DAY),
            running,
            entry(Operation::Sync, "b", Outcome::Running, 86 * DAY),
        ];
        let committed = |rev: &str| Some(t(if rev == "a" { 79 * DAY } else { 0 }));
        let figures = activity(&entries, committed, now(), window());
        assert_eq!(figures.attempts, 1);
        assert_eq!(figures.failures, 0, "a running rollback undoes nothing yet");
        assert_eq!(figures.lead_time, Some(SignedDuration::from_secs(DAY + 60)));
    }

    #[test]
    fn input_order_does_not_matter() {
        let mut entries = vec![
            sync("a", 75 * DAY),
            entry(Operation::Sync, "b", failed(), 80 * DAY),
            sync("b", 80 * DAY + HOUR),
            sync("c", 85 * DAY),
            rollback("r", "b", 86 * DAY),
        ];
        entries.reverse();
        let figures = activity(&entries, unknown, now(), window());
        assert_eq!(figures.failures, 2);
        assert_eq!(figures.change_failure_rate, Some(0.4));
        assert_eq!(figures.time_to_restore, Some(SignedDuration::from_hours(1)));
        assert_eq!(
            figures.unknown_commit_times, 3,
            "a, b and c; r is a rollback"
        );
    }
}
