//! With no Git identity anywhere, writing a commit fails with a clear error that says
//! how to set one. Its own test binary: it clears HOME and the global config.

mod common;

use common::TempRepo;
use driftdeck::error::Classified;
use driftdeck::git::{GitError, GitRepo, RestoreRequest};
use driftdeck::model::CommitId;

#[test]
fn no_identity_is_a_clear_error_and_changes_nothing() {
    let home = tempfile::tempdir().unwrap();
    // SAFETY: the only test in this binary; set before any thread reads the environment.
    unsafe {
        std::env::set_var("HOME", home.path());
        std::env::set_var("XDG_CONFIG_HOME", home.path());
        std::env::set_var("GIT_CONFIG_NOSYSTEM", "1");
        std::env::set_var("GIT_CONFIG_GLOBAL", "/dev/null");
        for var in [
            "GIT_AUTHOR_NAME",
            "GIT_AUTHOR_EMAIL",
            "GIT_COMMITTER_NAME",
            "GIT_COMMITTER_EMAIL",
            "EMAIL",
        ] {
            std::env::remove_var(var);
        }
    }
    let mut repo = TempRepo::new();
    repo.write("apps/web/a.yaml", "a: 1\n");
    let first = repo.commit("one");
    repo.write("apps/web/a.yaml", "a: 2\n");
    let tip = repo.commit("two");
    repo.git(&["checkout", "-q", "--detach"]);

    let git = GitRepo::open(repo.path()).unwrap();
    let request = RestoreRequest {
        branch: "main",
        path: "apps/web",
        to: &CommitId::new(first),
        expected_tip: &CommitId::new(tip.clone()),
        message: "roll back",
        identity: None,
    };
    let error = git.restore_path(&request).unwrap_err();
    assert!(matches!(error, GitError::NoIdentity), "{error:?}");
    assert!(
        error
            .hint()
            .unwrap()
            .contains("git config --global user.email")
    );
    assert_eq!(repo.head(), tip);

    // With user.name and user.email in the repository's config, it works.
    repo.git(&["config", "user.name", "Local User"]);
    repo.git(&["config", "user.email", "local@example.com"]);
    let git = GitRepo::open(repo.path()).unwrap();
    git.restore_path(&request).unwrap();
    assert_eq!(
        repo.git(&["log", "-1", "--format=%an <%ae>", "main"])
            .trim(),
        "Local User <local@example.com>"
    );
}
