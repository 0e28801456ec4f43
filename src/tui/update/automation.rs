//! Native automation in the cockpit: after every observation, the automated apps
//! that are due are synced (see `engine::automation` for what due and held mean).

use super::{Effect, run};
use crate::engine::automation::{self, Decision};
use crate::tui::model::{Action, AutoSynced, Model, Seen};

/// Native automation, after every observation: syncs each automated app that is
/// behind Git (or drifted, with self-heal), unless it is held (pinned, suspended,
/// its last sync of that revision failed), was sent to another context than its own
/// (`:ctx`, `--context`: automation never deploys into a cluster picked for
/// looking), already has an action running, is waiting out its back-off after
/// automated syncs that left it still due, or driftdeck is read-only.
pub fn automate(model: &mut Model) -> Vec<Effect> {
    let Some(now) = model.now else {
        return Vec::new();
    };
    if model.read_only {
        return Vec::new();
    }
    let mut due = Vec::new();
    for row in &model.apps {
        let Seen::Status(status) = &row.seen else {
            continue;
        };
        let Decision::Sync(why) = automation::decide(row.automation, status) else {
            // In sync or held: the next time it is due starts a fresh back-off.
            model.auto_synced.remove(&row.name);
            continue;
        };
        if model.kube.sends_away(row.own_context.as_deref())
            || model.running.iter().any(|r| r.app == row.name)
        {
            continue;
        }
        let attempts = model.auto_synced.get(&row.name).map_or(0, |last| {
            if now.duration_since(last.at) < automation::pause_after(last.attempts) {
                u32::MAX
            } else {
                last.attempts
            }
        });
        if attempts == u32::MAX {
            continue;
        }
        due.push((row.name.clone(), row.automation, why, attempts + 1));
    }
    let mut effects = Vec::new();
    for (app, policy, why, attempts) in due {
        model
            .auto_synced
            .insert(app.clone(), AutoSynced { at: now, attempts });
        effects.extend(run(
            model,
            Action::AutoSync {
                app,
                prune: policy.prune,
                // Taking fields back from other managers is what self-heal is for.
                force: policy.self_heal,
                reason: why.reason(),
            },
        ));
    }
    effects
}
