//! The cockpit's responsiveness:
//!
//! - **frame**: drawing the overview of `tui::sample::model(500, 5000)` (500 apps,
//!   5,000 history entries) into a ratatui `TestBackend` at 160×45 and 80×24 — the
//!   view functions, layout and buffer diff, everything but the terminal's own
//!   write. The selection moves every frame (as holding `j` does). Median and 99th
//!   percentile of 2,000 frames. Goal (issue 5): under 2 ms.
//! - **demo first frame**: `driftdeck demo` (the bench build) started in a detached
//!   tmux session at 160×45; the time until the screen shows the apps table, and
//!   until every one of the demo's apps shows its sync state (the observation is
//!   in). Median of `DRIFTDECK_BENCH_RUNS` (default 5) launches. Goal: the first
//!   useful frame under 1 second, the build excluded.
//!
//! Run: `cargo bench --bench tui` (needs tmux, as the end-to-end test does).

use std::process::Command;
use std::time::{Duration, Instant};

use driftdeck::tui::sample;
use driftdeck::tui::update::{Msg, update};
use driftdeck::tui::views::{self, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const FRAMES: usize = 2_000;
const FRAME_GOAL: Duration = Duration::from_millis(2);
const FIRST_FRAME_GOAL: Duration = Duration::from_secs(1);
const DEMO_APPS: [&str; 6] = ["web", "api", "cache", "orders", "payments", "search"];

fn main() {
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("tui bench: skipped (run `cargo bench --bench tui`)");
        return;
    }
    let runs = std::env::var("DRIFTDECK_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(5);
    println!("| measurement | median | p99 / worst | goal |");
    println!("|---|---:|---:|---|");
    for (width, height) in [(160, 45), (80, 24)] {
        let (median, p99) = frames(width, height);
        println!(
            "| overview frame {width}×{height}, 500 apps × 5,000 commits | {} | {} | {} |",
            ms(median),
            ms(p99),
            verdict(p99 < FRAME_GOAL, "< 2 ms")
        );
    }
    let launches: Vec<(Duration, Duration)> = (0..runs).map(first_frame).collect();
    let mut apps_shown: Vec<Duration> = launches.iter().map(|l| l.0).collect();
    let mut observed: Vec<Duration> = launches.iter().map(|l| l.1).collect();
    apps_shown.sort();
    observed.sort();
    println!(
        "| demo: launch → apps table | {} | {} | |",
        ms(apps_shown[runs / 2]),
        ms(apps_shown[runs - 1])
    );
    println!(
        "| demo: launch → every app's state (first useful frame) | {} | {} | {} |",
        ms(observed[runs / 2]),
        ms(observed[runs - 1]),
        verdict(observed[runs / 2] < FIRST_FRAME_GOAL, "< 1 s")
    );
}

/// Median and 99th percentile of drawing the overview `FRAMES` times.
fn frames(width: u16, height: u16) -> (Duration, Duration) {
    let mut model = sample::model(500, 5_000);
    let commits = model.history.commits.clone();
    let theme = Theme { colour: true };
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
    let mut times = Vec::with_capacity(FRAMES);
    for frame in 0..FRAMES {
        // Down, then back up from the bottom: scrolling through the whole table.
        let command = if (frame / 500) % 2 == 0 {
            driftdeck::tui::keymap::Command::Down
        } else {
            driftdeck::tui::keymap::Command::Up
        };
        update(&mut model, Msg::Command(command));
        // A new app's history is cleared until its answer comes: give it back, so
        // every frame draws 5,000 commits.
        model.history.app = model.selected_app().map(|a| a.name.clone());
        model.history.commits.clone_from(&commits);
        let start = Instant::now();
        terminal
            .draw(|f| views::view(&model, &theme, f))
            .expect("draw");
        times.push(start.elapsed());
    }
    times.sort();
    (times[FRAMES / 2], times[FRAMES * 99 / 100])
}

/// Launches the demo in tmux; returns the time until the apps table shows, and
/// until every app shows its sync state.
fn first_frame(run: usize) -> (Duration, Duration) {
    let session = format!("driftdeck-bench-{}-{run}", std::process::id());
    let binary = env!("CARGO_BIN_EXE_driftdeck");
    // Helm as the project installs it (scripts/test.sh), for the demo's Helm app.
    let path = format!(
        "{}/.tools/bin:{}",
        env!("CARGO_MANIFEST_DIR"),
        std::env::var("PATH").unwrap_or_default()
    );
    let start = Instant::now();
    let status = Command::new("tmux")
        .args(["new-session", "-d", "-s", &session, "-x", "160", "-y", "45"])
        .arg(format!("env PATH='{path}' {binary} demo"))
        .status()
        .expect("tmux (install it, as scripts/test.sh does)");
    assert!(status.success(), "tmux could not start the demo");
    let mut apps_shown = None;
    let observed = loop {
        let screen = capture(&session);
        let rows: Vec<&str> = screen
            .lines()
            .filter(|line| {
                DEMO_APPS
                    .iter()
                    .any(|app| line.contains(&format!("│{app} ")))
            })
            .collect();
        if apps_shown.is_none() && rows.len() == DEMO_APPS.len() {
            apps_shown = Some(start.elapsed());
        }
        let known = |row: &&str| row.contains("Synced") || row.contains("OutOfSync");
        if rows.len() == DEMO_APPS.len() && rows.iter().all(known) {
            break start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the demo did not show its apps within a minute:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    let _ = Command::new("tmux")
        .args(["send-keys", "-t", &session, "q"])
        .status();
    // Let it save the cluster's state and exit before the next launch.
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline
        && Command::new("tmux")
            .args(["has-session", "-t", &session])
            .status()
            .is_ok_and(|s| s.success())
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = Command::new("tmux")
        .args(["kill-session", "-t", &session])
        .status();
    (apps_shown.unwrap_or(observed), observed)
}

fn capture(session: &str) -> String {
    Command::new("tmux")
        .args(["capture-pane", "-p", "-t", session])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

fn ms(duration: Duration) -> String {
    format!("{:.3} ms", duration.as_secs_f64() * 1000.0)
}

fn verdict(met: bool, goal: &str) -> String {
    format!("{goal} {}", if met { "✓" } else { "✗" })
}
