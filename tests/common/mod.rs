//! Test helpers: temporary Git repositories built with the real `git` CLI, with a
//! pinned identity and pinned, increasing dates, so every run makes the same ids.

#![allow(dead_code)]

pub mod cluster;
pub mod gitops;

use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

/// A scratch repository. Dates start at 2026-01-01 and move one hour per commit.
pub struct TempRepo {
    dir: TempDir,
    clock: u64,
}

const EPOCH: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z

impl TempRepo {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("driftdeck-test-")
            .tempdir()
            .unwrap();
        let repo = Self { dir, clock: 0 };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs git in the repository with the pinned identity and the current date.
    pub fn git(&self, args: &[&str]) -> String {
        let date = format!("@{} +0000", EPOCH + self.clock * 3600);
        let output = Command::new("git")
            .args(args)
            .current_dir(self.path())
            .env("GIT_AUTHOR_NAME", "Ada Author")
            .env("GIT_AUTHOR_EMAIL", "ada@example.com")
            .env("GIT_COMMITTER_NAME", "Ada Author")
            .env("GIT_COMMITTER_EMAIL", "ada@example.com")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    pub fn write(&self, path: &str, content: &str) {
        let file = self.path().join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, content).unwrap();
    }

    pub fn remove(&self, path: &str) {
        self.git(&["rm", "-rq", path]);
    }

    /// Sets the clock (hours since 2026-01-01) for the next commit, which then takes
    /// that time exactly: for equal timestamps and skewed clocks.
    pub fn set_clock(&mut self, hours: u64) {
        self.clock = hours.saturating_sub(1);
    }

    /// Stages everything and commits; returns the new commit id.
    pub fn commit(&mut self, message: &str) -> String {
        self.clock += 1;
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.head()
    }

    /// Merges `branch` into the current branch with a merge commit.
    pub fn merge(&mut self, branch: &str, message: &str) -> String {
        self.clock += 1;
        self.git(&["merge", "-q", "--no-ff", "--no-edit", "-m", message, branch]);
        self.head()
    }

    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }

    /// `git log --format=%H -- <path>` (the whole history for an empty path).
    pub fn log(&self, path: &str) -> Vec<String> {
        let mut args = vec!["log", "--format=%H"];
        if !path.is_empty() {
            args.extend(["--", path]);
        }
        self.git(&args).lines().map(str::to_owned).collect()
    }
}

/// The `.tools/bin` folder where scripts/install-tools.sh puts helm.
pub fn tools_bin() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/bin")
}

/// An app `web` of repo `gitops` at `path`, deploying to namespace `shop`.
pub fn app(path: &str, render: driftdeck::model::RenderKind) -> driftdeck::model::AppSpec {
    use driftdeck::model::{AppName, AppSpec, Destination, HelmOptions, RepoName, SyncPolicy};
    AppSpec {
        name: AppName::new("web"),
        repo: RepoName::new("gitops"),
        path: path.into(),
        render,
        helm: HelmOptions::default(),
        directory: Default::default(),
        kustomize: Default::default(),
        destination: Destination {
            context: None,
            namespace: "shop".into(),
        },
        sync: SyncPolicy::default(),
        ignore_differences: Vec::new(),
    }
}
