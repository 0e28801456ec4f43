//! Writing a scripted history into a new repository: commits with given authors,
//! dates, messages and file changes, the branch pointing at the last one and its
//! files checked out (the demo's sample GitOps repository). Pure gix: no `git`
//! binary is needed, as on a fresh machine.

use std::path::Path;

use gix::objs::tree::EntryKind;

use super::{GitError, Identity};
use crate::model::CommitId;

/// One commit of a script: who, when, why, and what changes (`None` deletes).
#[derive(Clone, Debug)]
pub struct ScriptedCommit {
    pub author: Identity,
    pub message: String,
    pub changes: Vec<(String, Option<String>)>,
}

/// Creates a repository at `dir` (which must not hold one) with `commits` on
/// `branch`, checked out, and `identity` as its own `user.name`/`user.email` when
/// given (so commits made in it later need no global Git setup). Returns the commit
/// ids, oldest first.
pub fn create_repository(
    dir: &Path,
    branch: &str,
    commits: &[ScriptedCommit],
    identity: Option<&Identity>,
) -> Result<Vec<CommitId>, GitError> {
    let write = |e: &dyn std::fmt::Display| GitError::write(dir, e);
    std::fs::create_dir_all(dir).map_err(|e| write(&e))?;
    let repo = gix::init(dir).map_err(|e| write(&e))?;
    let mut tree = repo
        .write_object(gix::objs::Tree::empty())
        .map_err(|e| write(&e))?
        .detach();
    let mut parent: Option<gix::ObjectId> = None;
    let mut ids = Vec::new();
    for commit in commits {
        let mut editor = repo.edit_tree(tree).map_err(|e| write(&e))?;
        for (path, content) in &commit.changes {
            match content {
                Some(content) => {
                    let blob = repo.write_blob(content.as_bytes()).map_err(|e| write(&e))?;
                    editor
                        .upsert(path.as_str(), EntryKind::Blob, blob.detach())
                        .map_err(|e| write(&e))?;
                }
                None => {
                    editor.remove(path.as_str()).map_err(|e| write(&e))?;
                }
            }
        }
        tree = editor.write().map_err(|e| write(&e))?.detach();
        let time = commit.author.time.unwrap_or_else(jiff::Timestamp::now);
        let signature = gix::actor::Signature {
            name: commit.author.name.clone().into(),
            email: commit.author.email.clone().into(),
            time: gix::date::Time::new(time.as_second(), 0),
        };
        let message = if commit.message.ends_with('\n') {
            commit.message.clone()
        } else {
            format!("{}\n", commit.message)
        };
        let object = gix::objs::Commit {
            tree,
            parents: parent.into_iter().collect(),
            author: signature.clone(),
            committer: signature,
            encoding: None,
            message: message.into(),
            extra_headers: Vec::new(),
        };
        let id = repo.write_object(&object).map_err(|e| write(&e))?.detach();
        parent = Some(id);
        ids.push(CommitId::new(id.to_string()));
    }
    let Some(tip) = parent else {
        return Ok(ids);
    };
    let refname = format!("refs/heads/{branch}");
    repo.reference(
        refname.as_str(),
        tip,
        gix::refs::transaction::PreviousValue::Any,
        "driftdeck demo",
    )
    .map_err(|e| write(&e))?;
    let head = gix::refs::transaction::RefEdit {
        change: gix::refs::transaction::Change::Update {
            log: Default::default(),
            expected: gix::refs::transaction::PreviousValue::Any,
            new: gix::refs::Target::Symbolic(
                gix::refs::FullName::try_from(refname.as_str()).map_err(|e| write(&e))?,
            ),
        },
        name: gix::refs::FullName::try_from("HEAD").map_err(|e| write(&e))?,
        deref: false,
    };
    repo.edit_reference(head).map_err(|e| write(&e))?;
    check_out(&repo, dir, tree)?;
    if let Some(identity) = identity {
        let config = repo.git_dir().join("config");
        let mut text = std::fs::read_to_string(&config).map_err(|e| write(&e))?;
        text.push_str(&format!(
            "[user]\n\tname = {}\n\temail = {}\n",
            identity.name.replace(['\n', '"', '\\'], " "),
            identity.email.replace(['\n', '"', '\\'], " ")
        ));
        std::fs::write(&config, text).map_err(|e| write(&e))?;
    }
    Ok(ids)
}

/// Writes the files of `tree` into the (empty) working tree and an index for them.
fn check_out(repo: &gix::Repository, dir: &Path, tree: gix::ObjectId) -> Result<(), GitError> {
    let write = |e: &dyn std::fmt::Display| GitError::write(dir, e);
    let mut index = repo.index_from_tree(&tree).map_err(|e| write(&e))?;
    let entries: Vec<(String, gix::ObjectId)> = index
        .entries()
        .iter()
        .map(|entry| (entry.path(&index).to_string(), entry.id))
        .collect();
    for (path, id) in &entries {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| write(&e))?;
        }
        let blob = repo.find_blob(*id).map_err(|e| write(&e))?;
        std::fs::write(&target, &blob.data).map_err(|e| write(&e))?;
    }
    // Stat data from the written files, so `git status` trusts them at once.
    let stats: Vec<gix::index::entry::Stat> = entries
        .iter()
        .map(|(path, _)| {
            gix::index::fs::Metadata::from_path_no_follow(&dir.join(path))
                .ok()
                .and_then(|meta| gix::index::entry::Stat::from_fs(&meta).ok())
                .unwrap_or_default()
        })
        .collect();
    for (entry, stat) in index.entries_mut().iter_mut().zip(stats) {
        entry.stat = stat;
    }
    index.write(Default::default()).map_err(|e| write(&e))
}
