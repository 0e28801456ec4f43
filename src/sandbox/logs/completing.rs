//! A program that runs to completion, as a Job's pod does: the usual start, a
//! batch job reporting its progress, and a final "done" line five to ten seconds
//! after the start, when the container exits 0.

use super::app::Flavour;
use super::render::{Level, Source, Writer};
use super::rng::Rng;
use super::{MILLI, SECOND, startup};

/// About when the instance exits, in microseconds after its start; the caller
/// moves it onto the next whole second, so the exit lands five to ten seconds in.
pub fn exit_at(seed: u64) -> i64 {
    Rng::fork(seed, 4).range(5 * SECOND, 9 * SECOND)
}

/// Writes the whole output, which ends just before `exit` (microseconds after the
/// start, at least [`exit_at`]).
pub fn write(w: &mut Writer, seed: u64, exit: i64) {
    let mut rng = Rng::fork(seed, 5);
    let start = startup::begin(w, &mut rng, 0);
    let app = w.app;
    let batches = rng.range(4, 11);
    let per_batch = rng.range(2, 26) * 100;
    let total = batches * per_batch;
    let (total_text, batches_text) = (total.to_string(), batches.to_string());
    w.log(
        start,
        Level::Info,
        Source::Worker,
        "job started",
        &[
            ("task", &format!("sync-{}", app.resource)),
            ("records", &total_text),
            ("batches", &batches_text),
        ],
    );
    let done = exit - rng.range(MILLI, 4 * MILLI);
    // Batches finish evenly across the time left, give or take a little.
    let span = (done - start) / (batches + 1);
    for batch in 1..=batches {
        let at = start + span * batch + rng.range(-span / 4, span / 4);
        let processed = batch * per_batch;
        let percent = processed * 100 / total.max(1);
        match app.flavour {
            Flavour::Go => {
                let (batch, processed, percent) = (
                    format!("{batch}/{batches}"),
                    processed.to_string(),
                    percent.to_string(),
                );
                w.log(
                    at,
                    Level::Info,
                    Source::Worker,
                    "progress",
                    &[
                        ("batch", &batch),
                        ("processed", &processed),
                        ("percent", &percent),
                    ],
                );
            }
            Flavour::Java | Flavour::Python => {
                let message = format!(
                    "batch {batch}/{batches} done: {processed}/{total} records ({percent}%)"
                );
                w.log(at, Level::Info, Source::Worker, &message, &[]);
            }
        }
    }
    let seconds = format!("{:.1}s", done as f64 / SECOND as f64);
    w.log(
        done,
        Level::Info,
        Source::Worker,
        "done",
        &[
            ("processed", &total_text),
            ("failed", "0"),
            ("duration", &seconds),
        ],
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exits_between_five_and_nine_seconds_before_rounding() {
        for seed in 0..500 {
            let exit = exit_at(seed);
            assert!((5 * SECOND..9 * SECOND).contains(&exit), "{exit}");
        }
    }
}
