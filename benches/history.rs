//! Path history on a large repository: `GitRepo::history` next to
//! `git log --format=%H -- <path>`, measured in the same run.
//!
//! The repository is generated once with `git fast-import` (deterministic: a seeded
//! xorshift PRNG) and kept under `target/bench-repos/history-20k`; it is rebuilt when
//! `REPO_VERSION` changes. Its shape: 50 app folders `apps/app-NN/` of four YAML
//! files each, plus `infra/cluster/versions.yaml`; 20,000 first-parent commits on
//! `main` touching 1–3 random files each; every 200 commits a 3–5 commit topic branch
//! (one app), interleaved in time with `main`, merged back by a merge commit; four
//! authors; distinct, increasing dates; no merges in the last ~90 commits. It is
//! repacked (`git repack -a -d`) as a clone would be, with no commit-graph.
//!
//! For each path, median of `DRIFTDECK_BENCH_RUNS` (default 5) runs, interleaved:
//! - git log: `git log --format=%H -- <path>` (process start and output included);
//! - cold: `GitRepo::open` + `resolve("HEAD")` + `history(HEAD, path, None)`;
//! - warm: on a fresh handle, `history(HEAD~10, path)` untimed, then
//!   `history(HEAD, path)` timed (only the 10 new commits are walked).
//!
//! Goals (issue): cold no slower than the git CLI (ratio ≤ 1); warm under 50 ms.
//! Every driftdeck answer is checked against git's; a mismatch panics.
//!
//! Run: `cargo bench --bench history`.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use driftdeck::git::GitRepo;
use driftdeck::model::CommitInfo;

/// Bump whenever the generator changes, so cached repositories are rebuilt.
const REPO_VERSION: &str = "history-20k/v1";
const MAIN_COMMITS: usize = 20_000;
const APPS: usize = 50;
const FILES: [&str; 4] = [
    "kustomization.yaml",
    "deployment.yaml",
    "service.yaml",
    "values/prod.yaml",
];
const RARE_FILE: &str = "infra/cluster/versions.yaml";
const RARE_EVERY: usize = 1_000;
const MERGE_EVERY: usize = 200;
const LINEAR_TAIL: usize = 50;
const AUTHORS: [(&str, &str); 4] = [
    ("Ada Lovelace", "ada@example.com"),
    ("Grace Hopper", "grace@example.com"),
    ("Ken Thompson", "ken@example.com"),
    ("Barbara Liskov", "barbara@example.com"),
];
const MAIN_REF: &str = "refs/heads/main";
const TOPIC_REF: &str = "refs/heads/topic";

/// How far behind `HEAD` the warm case's cached walk is.
const WARM_BEHIND: usize = 10;
const WARM_GOAL: Duration = Duration::from_millis(50);
/// Measured paths: a busy folder, a rarely touched folder, a single file.
const PATHS: [(&str, &str); 4] = [
    ("apps/app-07", "busy folder"),
    ("infra/cluster", "rare folder"),
    ("apps/app-07/values/prod.yaml", "single file"),
    ("", "whole repository: commits only, no trees"),
];

fn main() {
    // `cargo test --all-targets` runs bench binaries too, without `--bench`: the
    // 20,000-commit run is only for `cargo bench`.
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("history bench: skipped (run `cargo bench --bench history`)");
        return;
    }
    let runs = std::env::var("DRIFTDECK_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(5);
    let dir = ensure_repo();
    let rows: Vec<Row> = PATHS
        .iter()
        .map(|&(path, label)| measure(&dir, path, label, runs))
        .collect();
    report(&dir, runs, &rows);
}

// ---- measurement -------------------------------------------------------------

struct Row {
    path: &'static str,
    label: &'static str,
    commits: usize,
    git: Duration,
    cold: Duration,
    warm: Duration,
}

fn measure(dir: &Path, path: &'static str, label: &'static str, runs: usize) -> Row {
    let old_rev = format!("HEAD~{WARM_BEHIND}");
    let want = git_log(dir, "HEAD", path);
    let want_old = git_log(dir, &old_rev, path);
    let (mut git_times, mut cold, mut warm) = (Vec::new(), Vec::new(), Vec::new());
    // One untimed warm-up round (page cache, lazy init), then `runs` timed rounds.
    for round in 0..=runs {
        let (git_time, lines) = timed(|| git_log(dir, "HEAD", path));
        assert_eq!(lines, want, "git log of '{path}' is not deterministic");

        // The handle is returned so that dropping it is not timed.
        let (cold_time, (_repo, history)) = timed(|| {
            let repo = GitRepo::open(dir).expect("open the bench repository");
            let tip = repo.resolve("HEAD").expect("resolve HEAD");
            let history = repo.history(&tip, path, None).expect("cold history");
            (repo, history)
        });
        check("cold", path, &history, &want);

        let repo = GitRepo::open(dir).expect("open the bench repository");
        let old = repo.resolve(&old_rev).expect("resolve HEAD~N");
        let head = repo.resolve("HEAD").expect("resolve HEAD");
        let before = repo.history(&old, path, None).expect("history at HEAD~N");
        check("warm-up (HEAD~N)", path, &before, &want_old);
        let (warm_time, history) = timed(|| repo.history(&head, path, None).expect("warm history"));
        check("warm", path, &history, &want);

        if round > 0 {
            git_times.push(git_time);
            cold.push(cold_time);
            warm.push(warm_time);
        }
    }
    Row {
        path,
        label,
        commits: want.len(),
        git: median(git_times),
        cold: median(cold),
        warm: median(warm),
    }
}

/// Panics unless driftdeck's ids are exactly git's lines, in order.
fn check(case: &str, path: &str, got: &[CommitInfo], want: &[String]) {
    let got: Vec<&str> = got.iter().map(|c| c.id.as_str()).collect();
    let want: Vec<&str> = want.iter().map(String::as_str).collect();
    if got == want {
        return;
    }
    let first = got
        .iter()
        .zip(&want)
        .position(|(a, b)| a != b)
        .unwrap_or(got.len().min(want.len()));
    panic!(
        "{case} history of '{path}' differs from `git log --format=%H -- {path}`: \
         driftdeck has {} commits, git {}; first difference at index {first} \
         (driftdeck {:?}, git {:?})",
        got.len(),
        want.len(),
        got.get(first),
        want.get(first),
    );
}

fn timed<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let started = Instant::now();
    let value = f();
    (started.elapsed(), value)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Runs `git --git-dir <dir> <args>`; panics with git's message when it fails.
fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .arg("--git-dir")
        .arg(dir)
        .args(args)
        .output()
        .expect("run git");
    assert!(
        output.status.success(),
        "git {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr).trim()
    );
    String::from_utf8(output.stdout).expect("git prints UTF-8")
}

fn git_log(dir: &Path, rev: &str, path: &str) -> Vec<String> {
    let mut args = vec!["log", "--format=%H", rev];
    if !path.is_empty() {
        args.extend(["--", path]);
    }
    git(dir, &args).lines().map(str::to_owned).collect()
}

// ---- report ------------------------------------------------------------------

fn report(dir: &Path, runs: usize, rows: &[Row]) {
    let count = |args: &[&str]| git(dir, args).trim().to_owned();
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let version = Command::new("git")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|_| "git: unknown".into());
    let ms = |d: Duration| format!("{:.1}", d.as_secs_f64() * 1000.0);
    let new_commits = format!("HEAD~{WARM_BEHIND}..HEAD");

    println!("\n## Path history: driftdeck vs `git log --format=%H -- <path>`\n");
    println!("- machine: {cpu}, {cores} CPUs; {version}");
    println!(
        "- repository: {} ({} commits, {} merges, HEAD {}); warm case walks {} new commits",
        dir.display(),
        count(&["rev-list", "--count", "HEAD"]),
        count(&["rev-list", "--count", "--merges", "HEAD"]),
        count(&["rev-parse", "--short=12", "HEAD"]),
        count(&["rev-list", "--count", new_commits.as_str()]),
    );
    println!("- median of {runs} runs; goals: cold/git ≤ 1.00, warm < 50 ms\n");
    println!(
        "| path | git log ms | driftdeck cold ms | cold / git | driftdeck warm ms | commits |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for row in rows {
        let ratio = row.cold.as_secs_f64() / row.git.as_secs_f64();
        println!(
            "| `{}` ({}) | {} | {} | {ratio:.2} {} | {} {} | {} |",
            row.path,
            row.label,
            ms(row.git),
            ms(row.cold),
            if ratio <= 1.0 { "✓" } else { "✗" },
            ms(row.warm),
            if row.warm < WARM_GOAL { "✓" } else { "✗" },
            row.commits,
        );
    }
    println!();
}

// ---- the generated repository ------------------------------------------------

/// The bench repository, generated unless a complete one of this version exists.
fn ensure_repo() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("bench-repos").join("history-20k");
    // Written last, so an interrupted generation is redone.
    let stamp = dir.join("driftdeck-bench-version");
    if fs::read_to_string(&stamp).is_ok_and(|v| v == REPO_VERSION) {
        return dir;
    }
    eprintln!("generating {} ...", dir.display());
    let started = Instant::now();
    if dir.exists() {
        fs::remove_dir_all(&dir).expect("remove the stale bench repository");
    }
    fs::create_dir_all(&dir).expect("create the bench repository folder");
    let status = Command::new("git")
        .args(["init", "--quiet", "--bare"])
        .arg(&dir)
        .status()
        .expect("run git init");
    assert!(status.success(), "git init failed");
    git(&dir, &["symbolic-ref", "HEAD", MAIN_REF]);
    let expected = fast_import(&dir);
    git(&dir, &["repack", "-a", "-d", "-q"]);
    let count: usize = git(&dir, &["rev-list", "--count", "HEAD"])
        .trim()
        .parse()
        .expect("rev-list --count prints a number");
    assert!(
        count == expected && count >= 20_000,
        "generated repository has {count} commits, expected {expected} (≥ 20,000)"
    );
    fs::write(&stamp, REPO_VERSION).expect("write the version stamp");
    eprintln!(
        "generated {count} commits in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    dir
}

/// Streams the whole history into `git fast-import`; returns the commit count.
fn fast_import(dir: &Path) -> usize {
    let mut child = Command::new("git")
        .arg("--git-dir")
        .arg(dir)
        .args(["fast-import", "--quiet", "--done"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("run git fast-import");
    let stdin = child.stdin.take().expect("fast-import stdin is piped");
    let commits = Generator::new(BufWriter::with_capacity(1 << 20, stdin))
        .run()
        .expect("write the fast-import stream");
    let status = child.wait().expect("wait for git fast-import");
    assert!(status.success(), "git fast-import failed");
    commits
}

/// xorshift64*: tiny, seeded, deterministic.
struct XorShift(u64);

impl XorShift {
    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// A topic branch being built, merged into `main` once `left` reaches 0.
struct Topic {
    number: usize,
    app: usize,
    left: usize,
    tip: u64,
    /// Paths the topic changed, with their latest blob: the merge takes these.
    files: BTreeMap<String, u64>,
}

struct Generator<W: Write> {
    out: W,
    rng: XorShift,
    mark: u64,
    time: u64,
    revision: u64,
}

impl<W: Write> Generator<W> {
    fn new(out: W) -> Self {
        Self {
            out,
            rng: XorShift(0x9E37_79B9_7F4A_7C15),
            mark: 0,
            time: 1_600_000_000,
            revision: 0,
        }
    }

    fn run(mut self) -> io::Result<usize> {
        let mut initial: Vec<String> = (0..APPS)
            .flat_map(|app| FILES.iter().map(move |file| app_file(app, file)))
            .collect();
        initial.extend([RARE_FILE.to_owned(), "README.md".to_owned()]);
        let changes = self.blobs(&initial)?;
        let mut main = self.commit(MAIN_REF, "Initial layout", None, None, &changes)?;
        let (mut topic, mut topics, mut topic_commits) = (None::<Topic>, 0, 0);

        for i in 1..MAIN_COMMITS {
            if let Some(done) = topic.take_if(|t| t.left == 0) {
                let changes: Vec<(String, u64)> = done.files.into_iter().collect();
                let message = format!("Merge branch 'topic/{}'", done.number);
                main = self.commit(MAIN_REF, &message, Some(main), Some(done.tip), &changes)?;
                continue;
            }
            let mut paths: Vec<String> = Vec::new();
            for _ in 0..1 + self.rng.below(3) {
                let app = self.rng.below(APPS);
                let path = app_file(app, FILES[self.rng.below(FILES.len())]);
                if !paths.contains(&path) {
                    paths.push(path);
                }
            }
            if i % RARE_EVERY == 0 {
                paths.push(RARE_FILE.to_owned());
            }
            let changes = self.blobs(&paths)?;
            let app = paths[0].split('/').nth(1).unwrap_or("infra");
            let message = format!("{app}: update {} file(s)", paths.len());
            main = self.commit(MAIN_REF, &message, Some(main), None, &changes)?;

            if let Some(t) = topic.as_mut() {
                let mut paths: Vec<String> = Vec::new();
                for _ in 0..1 + self.rng.below(2) {
                    let path = app_file(t.app, FILES[self.rng.below(FILES.len())]);
                    if !paths.contains(&path) {
                        paths.push(path);
                    }
                }
                let changes = self.blobs(&paths)?;
                t.files.extend(changes.iter().cloned());
                let message = format!("app-{:02}: work in progress", t.app);
                t.tip = self.commit(TOPIC_REF, &message, Some(t.tip), None, &changes)?;
                t.left -= 1;
                topic_commits += 1;
            }
            if topic.is_none()
                && i % MERGE_EVERY == MERGE_EVERY / 2
                && i < MAIN_COMMITS - LINEAR_TAIL
            {
                topics += 1;
                let app = self.rng.below(APPS);
                let left = 3 + self.rng.below(3);
                let files = BTreeMap::new();
                topic = Some(Topic {
                    number: topics,
                    app,
                    left,
                    tip: main,
                    files,
                });
            }
        }
        self.out.write_all(b"done\n")?;
        self.out.flush()?;
        Ok(MAIN_COMMITS + topic_commits)
    }

    fn next_mark(&mut self) -> u64 {
        self.mark += 1;
        self.mark
    }

    /// A new version of each file; returns (path, blob mark) pairs.
    fn blobs(&mut self, paths: &[String]) -> io::Result<Vec<(String, u64)>> {
        let mut out = Vec::with_capacity(paths.len());
        for path in paths {
            self.revision += 1;
            let mark = self.next_mark();
            let data = content(path, self.revision);
            write!(
                self.out,
                "blob\nmark :{mark}\ndata {}\n{data}\n",
                data.len()
            )?;
            out.push((path.clone(), mark));
        }
        Ok(out)
    }

    fn commit(
        &mut self,
        branch: &str,
        message: &str,
        parent: Option<u64>,
        merge: Option<u64>,
        changes: &[(String, u64)],
    ) -> io::Result<u64> {
        self.time += 60 + self.rng.below(240) as u64;
        let (name, email) = AUTHORS[self.rng.below(AUTHORS.len())];
        let (mark, time) = (self.next_mark(), self.time);
        let out = &mut self.out;
        writeln!(out, "commit {branch}\nmark :{mark}")?;
        writeln!(out, "author {name} <{email}> {time} +0000")?;
        writeln!(out, "committer {name} <{email}> {time} +0000")?;
        write!(out, "data {}\n{message}\n", message.len())?;
        if let Some(parent) = parent {
            writeln!(out, "from :{parent}")?;
        }
        if let Some(merge) = merge {
            writeln!(out, "merge :{merge}")?;
        }
        for (path, blob) in changes {
            writeln!(out, "M 100644 :{blob} {path}")?;
        }
        writeln!(out)?;
        Ok(mark)
    }
}

fn app_file(app: usize, file: &str) -> String {
    format!("apps/app-{app:02}/{file}")
}

fn content(path: &str, revision: u64) -> String {
    let mut parts = path.split('/');
    let name = match (parts.next(), parts.next()) {
        (Some("apps"), Some(app)) => app,
        _ => "cluster",
    };
    format!(
        "# {path}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  \
         image: registry.example.com/{name}:1.{revision}.0\n  replicas: \"{}\"\n",
        revision % 7 + 1
    )
}
