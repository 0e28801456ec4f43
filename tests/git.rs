//! The Git layer against real repositories made with the `git` CLI.

mod common;

use common::TempRepo;
use driftdeck::git::{FileKind, GitError, GitRepo, Identity, RestoreRequest, Restored};
use driftdeck::model::CommitId;

fn ids(commits: &[driftdeck::model::CommitInfo]) -> Vec<String> {
    commits.iter().map(|c| c.id.to_string()).collect()
}

fn history(repo: &GitRepo, path: &str) -> Vec<String> {
    let tip = repo.resolve("HEAD").unwrap();
    ids(&repo.history(&tip, path, None).unwrap())
}

/// A repository with merges (one side, both sides and neither side changing the
/// path), a rename into and out of the path, and a deletion and re-creation.
fn tangled() -> TempRepo {
    let mut repo = TempRepo::new();
    repo.write("apps/web/deploy.yaml", "replicas: 1\n");
    repo.write("apps/api/deploy.yaml", "replicas: 1\n");
    repo.commit("initial apps");
    repo.write("apps/web/deploy.yaml", "replicas: 2\n");
    repo.commit("web: scale to 2");

    // A side branch that changes web, merged back while main changed api.
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("apps/web/service.yaml", "port: 80\n");
    repo.commit("web: add service");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("apps/api/deploy.yaml", "replicas: 3\n");
    repo.commit("api: scale to 3");
    repo.merge("feature", "merge feature");

    // Both sides change web: the merge differs from both parents.
    repo.git(&["checkout", "-q", "-b", "both"]);
    repo.write("apps/web/a.yaml", "a: 1\n");
    repo.commit("web: add a");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("apps/web/b.yaml", "b: 1\n");
    repo.commit("web: add b");
    repo.merge("both", "merge both");

    // A side branch that never touches web.
    repo.git(&["checkout", "-q", "-b", "elsewhere"]);
    repo.write("docs/readme.md", "hello\n");
    repo.commit("docs: readme");
    repo.git(&["checkout", "-q", "main"]);
    repo.merge("elsewhere", "merge elsewhere");

    // Renames into and out of the path; a deletion and re-creation.
    repo.git(&["mv", "apps/api/deploy.yaml", "apps/web/api-deploy.yaml"]);
    repo.commit("move api deploy into web");
    repo.git(&["mv", "apps/web/service.yaml", "apps/svc.yaml"]);
    repo.commit("move web service out");
    repo.remove("apps/web");
    repo.commit("delete web");
    repo.write("apps/web/deploy.yaml", "replicas: 5\n");
    repo.commit("recreate web");
    repo
}

#[test]
fn history_matches_git_log_through_merges_and_renames() {
    let repo = tangled();
    let git = GitRepo::open(repo.path()).unwrap();
    for path in [
        "apps/web",
        "apps/api",
        "apps/web/deploy.yaml",
        "docs",
        "apps",
        "",
        "nowhere",
    ] {
        assert_eq!(history(&git, path), repo.log(path), "history of '{path}'");
    }
    // The merge whose result differs from both parents is listed, like git does.
    let subjects: Vec<String> = {
        let tip = git.resolve("HEAD").unwrap();
        git.history(&tip, "apps/web", None)
            .unwrap()
            .into_iter()
            .map(|c| c.subject)
            .collect()
    };
    assert!(subjects.contains(&"merge both".to_owned()), "{subjects:?}");
    assert!(
        !subjects.contains(&"merge elsewhere".to_owned()),
        "{subjects:?}"
    );
}

/// History reads trees straight from pack files (`git/chains.rs`): packed with
/// offset deltas, with ref deltas, and packed with loose commits on top, the
/// answers are git's.
#[test]
fn history_from_packs_with_deep_delta_chains_equals_git_log() {
    let mut repo = tangled();
    for round in 0..60 {
        let app = ["web", "api", "db"][round % 3];
        repo.write(
            &format!("apps/{app}/deploy.yaml"),
            &format!("replicas: {round}\n"),
        );
        repo.write(
            &format!("apps/{app}/notes-{}.yaml", round % 7),
            &format!("n: {round}\n"),
        );
        repo.commit(&format!("{app}: round {round}"));
    }
    let paths = [
        "apps/web",
        "apps/api",
        "apps/web/deploy.yaml",
        "apps",
        "docs",
        "",
    ];
    for repack in [
        &["repack", "-a", "-d", "-f", "--depth=50", "--window=250"][..],
        &[
            "-c",
            "repack.useDeltaBaseOffset=false",
            "repack",
            "-a",
            "-d",
            "-f",
        ][..],
    ] {
        repo.git(repack);
        let git = GitRepo::open(repo.path()).unwrap();
        for path in paths {
            assert_eq!(history(&git, path), repo.log(path), "{repack:?}: '{path}'");
        }
    }
    // Loose commits on top of the pack.
    for round in 0..5 {
        repo.write(
            "apps/web/deploy.yaml",
            &format!("replicas: {}\n", 100 + round),
        );
        repo.commit(&format!("web: loose {round}"));
    }
    let git = GitRepo::open(repo.path()).unwrap();
    for path in paths {
        assert_eq!(
            history(&git, path),
            repo.log(path),
            "packed and loose: '{path}'"
        );
    }
}

#[test]
fn history_carries_author_time_and_subject_and_honours_limit() {
    let mut repo = TempRepo::new();
    repo.write("a/x.yaml", "x: 1\n");
    repo.commit("first\n\nwith a body");
    repo.write("a/x.yaml", "x: 2\n");
    let second = repo.commit("second");
    let git = GitRepo::open(repo.path()).unwrap();
    let tip = git.resolve("main").unwrap();
    let commits = git.history(&tip, "a", Some(1)).unwrap();
    assert_eq!(commits.len(), 1);
    let newest = &commits[0];
    assert_eq!(newest.id.as_str(), second);
    assert_eq!(newest.subject, "second");
    assert_eq!(newest.author_name, "Ada Author");
    assert_eq!(newest.author_email, "ada@example.com");
    assert_eq!(newest.author_time.to_string(), "2026-01-01T02:00:00Z");
    let all = git.history(&tip, "a", None).unwrap();
    assert_eq!(
        all[1].subject, "first",
        "the subject is the first line only"
    );
}

#[test]
fn warm_history_after_new_commits_equals_git_log() {
    let mut repo = tangled();
    let git = GitRepo::open(repo.path()).unwrap();
    assert_eq!(history(&git, "apps/web"), repo.log("apps/web"));
    // New commits on top, including a merge of a branch forked long ago.
    repo.git(&["checkout", "-q", "-b", "late", "HEAD~6"]);
    repo.write("apps/web/late.yaml", "late: 1\n");
    repo.commit("web: late side change");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("apps/web/deploy.yaml", "replicas: 6\n");
    repo.commit("web: scale to 6");
    repo.merge("late", "merge late");
    for path in ["apps/web", "docs", ""] {
        assert_eq!(
            history(&git, path),
            repo.log(path),
            "warm history of '{path}'"
        );
    }
    // A rewritten branch (tip no longer descends from the cached one) is walked anew.
    repo.git(&["reset", "-q", "--hard", "HEAD~3"]);
    repo.write("apps/web/other.yaml", "other: 1\n");
    repo.commit("web: rewritten history");
    assert_eq!(history(&git, "apps/web"), repo.log("apps/web"));
}

#[test]
fn resolves_branches_tags_short_ids_and_expressions() {
    let mut repo = TempRepo::new();
    repo.write("f", "1");
    let first = repo.commit("one");
    repo.git(&["tag", "v1"]);
    repo.git(&["tag", "-a", "v1-annotated", "-m", "annotated"]);
    repo.write("f", "2");
    let second = repo.commit("two");
    let git = GitRepo::open(repo.path()).unwrap();
    assert_eq!(git.resolve("main").unwrap().as_str(), second);
    assert_eq!(git.resolve("HEAD~1").unwrap().as_str(), first);
    assert_eq!(git.resolve("v1").unwrap().as_str(), first);
    assert_eq!(
        git.resolve("v1-annotated").unwrap().as_str(),
        first,
        "tags peel to commits"
    );
    assert_eq!(git.resolve(&second[..7]).unwrap().as_str(), second);
    let missing = git.resolve("no-such-branch").unwrap_err();
    assert!(
        matches!(missing, GitError::RevisionNotFound { .. }),
        "{missing:?}"
    );
    assert!(missing.to_string().contains("no-such-branch"));
}

#[test]
fn reads_files_and_folders_at_a_revision_not_the_working_tree() {
    let mut repo = TempRepo::new();
    repo.write("apps/web/deploy.yaml", "v: 1\n");
    repo.write("apps/web/run.sh", "#!/bin/sh\n");
    use std::os::unix::fs::PermissionsExt;
    let script = repo.path().join("apps/web/run.sh");
    std::fs::set_permissions(script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let first = repo.commit("one");
    repo.write("apps/web/deploy.yaml", "v: 2\n");
    repo.commit("two");
    // Uncommitted changes in the working tree must never be seen.
    repo.write("apps/web/deploy.yaml", "v: dirty\n");
    repo.write("apps/web/untracked.yaml", "u: 1\n");

    let git = GitRepo::open(repo.path()).unwrap();
    let head = git.resolve("HEAD").unwrap();
    assert_eq!(
        git.read_file(&head, "apps/web/deploy.yaml").unwrap(),
        b"v: 2\n"
    );
    let old = CommitId::new(first);
    assert_eq!(
        git.read_file(&old, "apps/web/deploy.yaml").unwrap(),
        b"v: 1\n"
    );
    let listing: Vec<_> = git.list_dir(&head, "apps/web").unwrap();
    let names: Vec<_> = listing.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["deploy.yaml", "run.sh"]);
    assert_eq!(listing[1].kind, Some(FileKind::Executable));
    assert_eq!(
        git.list_dir(&head, "apps").unwrap()[0].kind,
        None,
        "folders have no file kind"
    );

    let missing = git.read_file(&head, "apps/web/nope.yaml").unwrap_err();
    assert!(
        matches!(missing, GitError::PathNotFound { .. }),
        "{missing:?}"
    );
    let folder = git.read_file(&head, "apps/web").unwrap_err();
    assert!(matches!(folder, GitError::WrongKind { .. }), "{folder:?}");
}

fn ada() -> Identity {
    Identity {
        name: "Rolf Back".into(),
        email: "rolf@example.com".into(),
        time: Some("2026-03-01T12:00:00Z".parse().unwrap()),
    }
}

#[test]
fn restore_commits_the_path_as_it_was_and_leaves_the_rest() {
    let mut repo = TempRepo::new();
    repo.write("apps/web/deploy.yaml", "image: web:1\n");
    repo.write("apps/api/deploy.yaml", "image: api:1\n");
    let good = repo.commit("good");
    repo.write("apps/web/deploy.yaml", "image: web:2-crash\n");
    repo.write("apps/web/extra.yaml", "extra: 1\n");
    repo.write("apps/api/deploy.yaml", "image: api:2\n");
    let bad = repo.commit("bad");
    repo.git(&["checkout", "-q", "--detach"]);

    let git = GitRepo::open(repo.path()).unwrap();
    let request = RestoreRequest {
        branch: "main",
        path: "apps/web",
        to: &CommitId::new(good.clone()),
        expected_tip: &CommitId::new(bad.clone()),
        message: "Roll back web to good\n\nReason: crash loop",
        identity: Some(ada()),
    };
    let Restored::Committed { commit: new, .. } = git.restore_path(&request).unwrap() else {
        panic!("expected a commit");
    };
    assert_eq!(
        repo.git(&["rev-parse", "main"]).trim(),
        new.as_str(),
        "the branch moved"
    );
    assert_eq!(
        repo.git(&["rev-parse", "main^"]).trim(),
        bad,
        "parent is the old tip"
    );
    assert_eq!(
        repo.git(&["show", "main:apps/web/deploy.yaml"]),
        "image: web:1\n"
    );
    assert_eq!(
        repo.git(&["ls-tree", "--name-only", "main", "apps/web/"]),
        "apps/web/deploy.yaml\n"
    );
    assert_eq!(
        repo.git(&["show", "main:apps/api/deploy.yaml"]),
        "image: api:2\n",
        "other paths untouched"
    );
    assert_eq!(
        repo.git(&["log", "-1", "--format=%an <%ae> %aI%n%B", "main"])
            .trim(),
        "Rolf Back <rolf@example.com> 2026-03-01T12:00:00Z\nRoll back web to good\n\nReason: crash loop"
    );
    // Restoring again changes nothing.
    let again = RestoreRequest {
        expected_tip: &new,
        ..request.clone()
    };
    assert_eq!(git.restore_path(&again).unwrap(), Restored::Unchanged);
}

#[test]
fn restore_removes_a_path_that_did_not_exist_and_refuses_a_moved_branch() {
    let mut repo = TempRepo::new();
    repo.write("keep.txt", "k");
    let before = repo.commit("before web");
    repo.write("apps/web/deploy.yaml", "v: 1\n");
    let tip = repo.commit("add web");
    let git = GitRepo::open(repo.path()).unwrap();
    repo.git(&["checkout", "-q", "--detach"]);

    let stale = RestoreRequest {
        branch: "main",
        path: "apps/web",
        to: &CommitId::new(before.clone()),
        expected_tip: &CommitId::new(before.clone()),
        message: "remove web",
        identity: Some(ada()),
    };
    let moved = git.restore_path(&stale).unwrap_err();
    assert!(matches!(moved, GitError::BranchMoved { .. }), "{moved:?}");
    assert_eq!(repo.head(), tip, "nothing changed");

    let request = RestoreRequest {
        expected_tip: &CommitId::new(tip),
        ..stale
    };
    assert!(matches!(
        git.restore_path(&request).unwrap(),
        Restored::Committed { .. }
    ));
    assert_eq!(
        repo.git(&["ls-tree", "-r", "--name-only", "main"]),
        "keep.txt\n"
    );
}

#[test]
fn clones_and_fetches_a_remote_by_url() {
    let mut upstream = TempRepo::new();
    upstream.write("apps/web/deploy.yaml", "v: 1\n");
    upstream.commit("one");
    let cache = tempfile::tempdir().unwrap();
    let url = format!("file://{}", upstream.path().display());
    let spec = driftdeck::model::RepoSpec {
        name: driftdeck::model::RepoName::new("upstream"),
        source: driftdeck::model::RepoSource::Url(url),
        branch: Some("main".into()),
    };
    // SAFETY-free: the cache dir is passed through the environment read at call time.
    let clone = temp_env(cache.path(), || driftdeck::git::open_source(&spec)).unwrap();
    assert!(clone.location().starts_with(cache.path()));
    assert_eq!(clone.resolve("main").unwrap().as_str(), upstream.head());

    let newer = {
        upstream.write("apps/web/deploy.yaml", "v: 2\n");
        upstream.commit("two")
    };
    let fetched = temp_env(cache.path(), || driftdeck::git::open_source(&spec)).unwrap();
    assert_eq!(
        fetched.resolve("main").unwrap().as_str(),
        newer,
        "fetch moved the branch"
    );
    assert_eq!(
        ids(&fetched
            .history(&fetched.resolve("main").unwrap(), "apps/web", None)
            .unwrap()),
        upstream.log("apps/web")
    );
}

/// Runs `f` with DRIFTDECK_CACHE_DIR set. Only this test sets it.
fn temp_env<T>(dir: &std::path::Path, f: impl FnOnce() -> T) -> T {
    // SAFETY: no other test in this binary reads or writes this variable.
    unsafe { std::env::set_var("DRIFTDECK_CACHE_DIR", dir) };
    let out = f();
    unsafe { std::env::remove_var("DRIFTDECK_CACHE_DIR") };
    out
}

#[test]
fn opening_something_that_is_not_a_repository_is_a_git_error() {
    let dir = tempfile::tempdir().unwrap();
    let error = GitRepo::open(dir.path()).unwrap_err();
    assert!(matches!(error, GitError::Open { .. }), "{error:?}");
    use driftdeck::error::Classified;
    assert!(error.hint().unwrap().contains("path"));
}

#[test]
fn a_mode_change_alone_is_a_change_to_the_path() {
    let mut repo = TempRepo::new();
    repo.write("apps/web/hook.sh", "echo hi\n");
    repo.commit("add hook");
    use std::os::unix::fs::PermissionsExt;
    let hook = repo.path().join("apps/web/hook.sh");
    std::fs::set_permissions(hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    repo.commit("make hook executable");
    let git = GitRepo::open(repo.path()).unwrap();
    assert_eq!(repo.log("apps/web").len(), 2);
    assert_eq!(history(&git, "apps/web"), repo.log("apps/web"));
    assert_eq!(
        history(&git, "apps/web/hook.sh"),
        repo.log("apps/web/hook.sh")
    );
}

#[test]
fn push_goes_through_git_and_a_moved_remote_branch_is_a_rejection() {
    let mut upstream = TempRepo::new();
    upstream.write("apps/web/a.yaml", "a: 1\n");
    let first = upstream.commit("one");
    upstream.write("apps/web/a.yaml", "a: 2\n");
    let bad = upstream.commit("two");
    let remote = tempfile::tempdir().unwrap();
    let remote_git = remote.path().join("remote.git");
    upstream.git(&["clone", "-q", "--bare", ".", remote_git.to_str().unwrap()]);
    let remote_main = |repo: &TempRepo| {
        repo.git(&[
            "--git-dir",
            remote_git.to_str().unwrap(),
            "rev-parse",
            "main",
        ])
        .trim()
        .to_owned()
    };
    let local = remote.path().join("local");
    upstream.git(&[
        "clone",
        "-q",
        remote_git.to_str().unwrap(),
        local.to_str().unwrap(),
    ]);
    upstream.git(&["-C", local.to_str().unwrap(), "checkout", "-q", "--detach"]);

    // Roll back in the local clone and push: the remote gets the new commit.
    let git = GitRepo::open(&local).unwrap();
    let request = RestoreRequest {
        branch: "main",
        path: "apps/web",
        to: &CommitId::new(first),
        expected_tip: &CommitId::new(bad.clone()),
        message: "roll back two",
        identity: Some(ada()),
    };
    let Restored::Committed {
        commit: rolled_back,
        ..
    } = git.restore_path(&request).unwrap()
    else {
        panic!("expected a commit");
    };
    git.push_commit("origin", &rolled_back, "main").unwrap();
    assert_eq!(remote_main(&upstream), rolled_back.as_str());

    // Someone else moves the remote branch; our next push is rejected and the
    // remote keeps theirs.
    upstream.write("apps/web/a.yaml", "a: theirs\n");
    let theirs = upstream.commit("theirs");
    upstream.git(&[
        "push",
        "-q",
        "--force",
        remote_git.to_str().unwrap(),
        "HEAD:main",
    ]);
    let again = RestoreRequest {
        to: &CommitId::new(bad),
        expected_tip: &rolled_back,
        message: "roll forward",
        ..request
    };
    let Restored::Committed { commit: ours, .. } = git.restore_path(&again).unwrap() else {
        panic!("expected a commit");
    };
    let error = git.push_commit("origin", &ours, "main").unwrap_err();
    assert!(matches!(error, GitError::PushRejected { .. }), "{error:?}");
    assert!(error.to_string().contains("rejected"), "{error}");
    assert_eq!(remote_main(&upstream), theirs);
}

#[test]
fn equal_timestamps_and_skewed_clocks_keep_git_order_cold_and_warm() {
    let mut repo = TempRepo::new();
    repo.set_clock(10);
    repo.write("w/a", "1");
    repo.commit("p");
    repo.set_clock(10);
    repo.write("w/a", "2");
    repo.commit("o: the cached tip");
    let git = GitRepo::open(repo.path()).unwrap();
    assert_eq!(history(&git, "w"), repo.log("w"));

    // A side branch and a merge, all in the same second as the cached commits.
    repo.git(&["checkout", "-q", "-b", "side", "HEAD~1"]);
    repo.set_clock(10);
    repo.write("w/b", "1");
    repo.commit("s");
    repo.git(&["checkout", "-q", "main"]);
    repo.set_clock(10);
    repo.merge("side", "m");
    assert_eq!(history(&git, "w"), repo.log("w"), "warm, equal times");
    assert_eq!(
        history(&GitRepo::open(repo.path()).unwrap(), "w"),
        repo.log("w"),
        "cold, equal times"
    );

    // A commit whose clock is behind its parent's, then one far ahead.
    repo.set_clock(2);
    repo.write("w/a", "3");
    repo.commit("skewed into the past");
    repo.set_clock(500);
    repo.write("w/c", "1");
    repo.commit("back to the present");
    assert_eq!(history(&git, "w"), repo.log("w"), "warm, skewed");
    assert_eq!(
        history(&GitRepo::open(repo.path()).unwrap(), "w"),
        repo.log("w"),
        "cold, skewed"
    );
    let tip = git.resolve("HEAD").unwrap();
    assert_eq!(
        ids(&git.history(&tip, "w", Some(3)).unwrap()),
        repo.log("w")[..3],
        "bounded walk"
    );
}

#[test]
fn a_crafted_tree_entry_named_dotdot_is_refused_not_written_outside() {
    let mut repo = TempRepo::new();
    repo.write(
        "apps/web/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n",
    );
    repo.commit("honest");
    // A tree whose entry `..` points at the honest `apps` folder: git itself never
    // writes one, but a hostile remote can serve it.
    let apps = repo.git(&["rev-parse", "HEAD:apps"]).trim().to_owned();
    let mut raw = b"40000 ..\0".to_vec();
    raw.extend((0..20).map(|i| u8::from_str_radix(&apps[i * 2..i * 2 + 2], 16).unwrap()));
    std::fs::write(repo.path().join("evil.tree"), &raw).unwrap();
    let evil = repo
        .git(&[
            "hash-object",
            "-t",
            "tree",
            "-w",
            "--literally",
            "evil.tree",
        ])
        .trim()
        .to_owned();
    let mut root = format!("040000 tree {apps}\tapps\n040000 tree {evil}\tescape\n");
    root = repo_mktree(&repo, &root);
    let commit = repo
        .git(&["commit-tree", &root, "-p", "HEAD", "-m", "evil"])
        .trim()
        .to_owned();

    let git = GitRepo::open(repo.path()).unwrap();
    let commit = CommitId::new(commit);
    let dest = tempfile::tempdir().unwrap();
    let error = git.export(&commit, &dest.path().join("tree")).unwrap_err();
    assert!(matches!(error, GitError::UnsafeTree { .. }), "{error:?}");
    assert!(
        !dest.path().join("apps").exists(),
        "nothing written outside the export"
    );
    // The honest part of the tree is still readable on its own.
    assert_eq!(
        git.read_file(&commit, "apps/web/cm.yaml").unwrap(),
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n"
    );
}

fn repo_mktree(repo: &TempRepo, listing: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("git")
        .args(["mktree", "--missing"])
        .current_dir(repo.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(listing.as_bytes())
        .unwrap();
    String::from_utf8(child.wait_with_output().unwrap().stdout)
        .unwrap()
        .trim()
        .to_owned()
}

#[test]
fn the_desired_revision_is_the_branch_even_when_a_tag_has_its_name() {
    let mut repo = TempRepo::new();
    repo.write("f", "1");
    let old = repo.commit("old");
    repo.write("f", "2");
    let new = repo.commit("new");
    repo.git(&["tag", "main", &old]);
    let git = GitRepo::open(repo.path()).unwrap();
    let spec = driftdeck::model::RepoSpec {
        name: driftdeck::model::RepoName::new("r"),
        source: driftdeck::model::RepoSource::Path(repo.path().to_path_buf()),
        branch: Some("main".into()),
    };
    assert_eq!(git.resolve(&git.desired_ref(&spec)).unwrap().as_str(), new);
}

#[test]
fn restore_on_a_checked_out_branch_updates_files_and_index_and_refuses_local_changes() {
    let mut repo = TempRepo::new();
    repo.write("apps/web/deploy.yaml", "image: web:1\n");
    repo.write("apps/web/old.yaml", "kind: Old\n");
    repo.write("apps/api/deploy.yaml", "image: api:1\n");
    let good = repo.commit("web 1");
    repo.write("apps/web/deploy.yaml", "image: web:2\n");
    std::fs::remove_file(repo.path().join("apps/web/old.yaml")).unwrap();
    repo.write("apps/web/new.yaml", "kind: New\n");
    let tip = repo.commit("web 2");
    let git = GitRepo::open(repo.path()).unwrap();
    let to = CommitId::new(good);
    let request = RestoreRequest {
        branch: "main",
        path: "apps/web",
        to: &to,
        expected_tip: &CommitId::new(tip.clone()),
        message: "roll back web",
        identity: Some(ada()),
    };

    // Local changes under the path are never overwritten: edited, staged, untracked
    // where the restore would write.
    repo.write("apps/web/deploy.yaml", "image: web:mine\n");
    let refused = git.restore_path(&request).unwrap_err();
    assert!(
        matches!(refused, GitError::WorktreeDirty { .. }),
        "{refused:?}"
    );
    assert!(
        refused.to_string().contains("apps/web/deploy.yaml"),
        "{refused}"
    );
    repo.git(&["add", "apps/web/deploy.yaml"]);
    let refused = git.restore_path(&request).unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("has changes staged for commit"),
        "{refused}"
    );
    repo.git(&["reset", "-q", "--hard"]);
    repo.write("apps/web/old.yaml", "untracked\n");
    let refused = git.restore_path(&request).unwrap_err();
    assert!(refused.to_string().contains("untracked"), "{refused}");
    std::fs::remove_file(repo.path().join("apps/web/old.yaml")).unwrap();
    assert_eq!(repo.head(), tip, "nothing committed while refused");

    // Changes elsewhere are kept as they are, staged or not.
    repo.write("apps/api/deploy.yaml", "image: api:mine\n");
    repo.write("notes.txt", "staged elsewhere\n");
    repo.git(&["add", "notes.txt"]);
    let Restored::Committed { commit: new, .. } = git.restore_path(&request).unwrap() else {
        panic!("expected a commit");
    };
    assert_eq!(repo.head(), new.as_str());
    let read = |file: &str| std::fs::read_to_string(repo.path().join(file)).unwrap();
    assert_eq!(read("apps/web/deploy.yaml"), "image: web:1\n");
    assert_eq!(read("apps/web/old.yaml"), "kind: Old\n");
    assert!(!repo.path().join("apps/web/new.yaml").exists());
    assert_eq!(read("apps/api/deploy.yaml"), "image: api:mine\n");
    // Plumbing that trusts the index's stat data (no refresh) agrees too.
    let unstaged = repo.git(&["diff-files", "--name-only"]);
    assert_eq!(
        unstaged.trim(),
        "apps/api/deploy.yaml",
        "stat data is current"
    );
    let status = repo.git(&["status", "--porcelain"]);
    assert_eq!(
        status.lines().collect::<Vec<_>>(),
        [" M apps/api/deploy.yaml", "A  notes.txt"],
        "only the user's own changes remain"
    );

    // The index lock of another Git process is respected: nothing is committed.
    let to_web2 = CommitId::new(tip);
    let back = RestoreRequest {
        to: &to_web2,
        expected_tip: &new,
        ..request.clone()
    };
    std::fs::write(repo.path().join(".git/index.lock"), "").unwrap();
    let locked = git.restore_path(&back).unwrap_err();
    assert!(locked.to_string().contains("locked"), "{locked}");
    assert_eq!(repo.head(), new.as_str());
    std::fs::remove_file(repo.path().join(".git/index.lock")).unwrap();
}

#[test]
fn restore_refuses_a_branch_checked_out_in_a_linked_worktree_and_a_symlinked_folder() {
    let mut repo = TempRepo::new();
    repo.write("apps/web/deploy.yaml", "image: web:1\n");
    let good = repo.commit("web 1");
    repo.write("apps/web/deploy.yaml", "image: web:2\n");
    let tip = repo.commit("web 2");
    let git = GitRepo::open(repo.path()).unwrap();
    let to = CommitId::new(good);
    let expected = CommitId::new(tip.clone());
    let request = RestoreRequest {
        branch: "main",
        path: "apps/web",
        to: &to,
        expected_tip: &expected,
        message: "roll back web",
        identity: Some(ada()),
    };
    // The folder on disk is a symlink leading elsewhere: never written through.
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("deploy.yaml"), "image: web:2\n").unwrap();
    std::fs::rename(repo.path().join("apps/web"), repo.path().join("web-moved")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), repo.path().join("apps/web")).unwrap();
    let refused = git.restore_path(&request).unwrap_err();
    assert!(refused.to_string().contains("symlink"), "{refused}");
    assert_eq!(repo.head(), tip);
    assert_eq!(
        std::fs::read_to_string(elsewhere.path().join("deploy.yaml")).unwrap(),
        "image: web:2\n"
    );
    std::fs::remove_file(repo.path().join("apps/web")).unwrap();
    std::fs::rename(repo.path().join("web-moved"), repo.path().join("apps/web")).unwrap();

    // main checked out in a linked worktree, the main one elsewhere.
    repo.git(&["checkout", "-q", "-b", "side"]);
    let linked = tempfile::tempdir().unwrap();
    let linked_path = linked.path().join("wt");
    repo.git(&[
        "worktree",
        "add",
        "-q",
        linked_path.to_str().unwrap(),
        "main",
    ]);
    let git = GitRepo::open(repo.path()).unwrap();
    let refused = git.restore_path(&request).unwrap_err();
    assert!(refused.to_string().contains("linked worktree"), "{refused}");
    assert_eq!(repo.git(&["rev-parse", "main"]).trim(), tip);
}
