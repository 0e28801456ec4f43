//! The status line: what is said, and how long the outcome of a person's action
//! stays against routine news (automated syncs starting and succeeding, Git
//! moving), which waits in `model.kept` and is shown after.

use crate::tui::model::Model;

/// Shows `message` in the status line (`failed`: as an error).
pub(super) fn say(model: &mut Model, message: impl Into<String>, failed: bool) {
    model.status = Some((message.into(), failed));
}

/// How long the outcome of a person's action stays in the status line against
/// routine news.
const KEEP_OUTCOME: jiff::SignedDuration = jiff::SignedDuration::from_secs(10);

/// How much news waits for a person's outcome to be read (the newest).
const KEPT_NEWS: usize = 3;

/// Shows the outcome of a person's action and keeps it a while.
pub(super) fn say_outcome(model: &mut Model, message: impl Into<String>, failed: bool) {
    say(model, message, failed);
    model.kept.until = model.now.map(|now| now + KEEP_OUTCOME);
    model.kept.news.clear();
}

/// Whether the status line keeps a person's outcome now.
pub(super) fn outcome_kept(model: &Model) -> bool {
    matches!((model.now, model.kept.until), (Some(now), Some(until)) if now < until)
}

/// Shows routine news, or keeps it for when a person's outcome has been read (the
/// newest of each `subject`).
pub(super) fn say_news(model: &mut Model, subject: &str, message: impl Into<String>) {
    if outcome_kept(model) {
        let news = &mut model.kept.news;
        news.retain(|(s, _)| s != subject);
        news.push((subject.to_owned(), message.into()));
        news.drain(..news.len().saturating_sub(KEPT_NEWS));
    } else {
        say(model, message, false);
    }
}

/// The time kept for a person's outcome is over: the news that waited is shown,
/// oldest first.
pub(super) fn show_kept_news(model: &mut Model) {
    if model
        .kept
        .until
        .is_some_and(|until| model.now >= Some(until))
    {
        model.kept.until = None;
        let news: Vec<String> = std::mem::take(&mut model.kept.news)
            .into_iter()
            .map(|(_, message)| message)
            .collect();
        if !news.is_empty() {
            say(model, news.join(" · "), false);
        }
    }
}
