//! A commit that restores one path to its content at an earlier revision: the rest
//! of the tree stays as the branch has it. The branch moves only if it still points
//! where the caller saw it, checked again atomically when the ref is updated.

use jiff::Timestamp;

use super::tree::entry_at;
use super::worktree;
use super::{GitError, GitRepo, ObjectId, object_id};
use crate::model::CommitId;

/// Who writes the commit. Without one, the repository's Git configuration
/// (`user.name`, `user.email`) decides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    pub email: String,
    /// The commit time; now when `None`.
    pub time: Option<Timestamp>,
}

#[derive(Clone, Debug)]
pub struct RestoreRequest<'a> {
    /// The branch to commit on (`main`, not `refs/heads/main`).
    pub branch: &'a str,
    /// The path to restore, relative to the repository root; empty for all of it.
    pub path: &'a str,
    /// The revision whose content the path gets back.
    pub to: &'a CommitId,
    /// Where the caller saw the branch; the commit is refused if it moved since.
    pub expected_tip: &'a CommitId,
    pub message: &'a str,
    pub identity: Option<Identity>,
}

/// A restore, prepared but not committed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RestorePreview {
    /// The branch's tip the preview was made on.
    pub tip: CommitId,
    /// The commit a restore would make (on no branch), or `None` when the path
    /// already has that content.
    pub commit: Option<CommitId>,
}

/// What a restore did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Restored {
    /// A new commit, now the branch's tip. On a checked-out branch, `kept` names the
    /// files changed on disk while the commit was made: left as the user had them.
    Committed { commit: CommitId, kept: Vec<String> },
    /// The path already had that content at the tip: nothing was written.
    Unchanged,
}

impl GitRepo {
    /// Commits, on `request.branch`, the path restored to its content at
    /// `request.to`. The path is removed when it did not exist there.
    pub fn restore_path(&self, request: &RestoreRequest<'_>) -> Result<Restored, GitError> {
        let repo = self.local();
        let refname = format!("refs/heads/{}", request.branch);
        // A checked-out branch: its index is locked until the commit is in it.
        let checkout = worktree::checkout_of(&repo, &refname)?;
        let current = self.resolve(&refname)?;
        if &current != request.expected_tip {
            return Err(GitError::BranchMoved {
                branch: request.branch.to_owned(),
                expected: request.expected_tip.short().to_owned(),
                actual: current.short().to_owned(),
            });
        }
        let path = request.path.trim_matches('/');
        let (tip_tree, new_tree) = self.restored_tree(&repo, &current, request.to, path)?;
        if new_tree == tip_tree {
            return Ok(Restored::Unchanged);
        }
        // A checked-out branch: its files and index follow the commit, so the path
        // must hold nothing of the user's that the commit would overwrite.
        let files = match checkout {
            Some(checkout) => {
                let old = self.files_at(tip_tree, path)?;
                let new = self.files_at(new_tree, path)?;
                checkout.ensure_clean(&repo, path, &old, &new)?;
                Some((checkout, old, new))
            }
            None => None,
        };
        let identity = match &request.identity {
            Some(identity) => identity.clone(),
            None => self.configured_identity()?,
        };
        let time = identity.time.unwrap_or_else(Timestamp::now);
        let signature = gix::actor::Signature {
            name: identity.name.clone().into(),
            email: identity.email.clone().into(),
            time: gix::date::Time::new(time.as_second(), 0),
        };
        let parent: ObjectId = object_id(&current)?;
        let message = if request.message.ends_with('\n') {
            request.message.to_owned()
        } else {
            format!("{}\n", request.message)
        };
        let commit = gix::objs::Commit {
            tree: new_tree,
            parents: vec![parent].into(),
            author: signature.clone(),
            committer: signature.clone(),
            encoding: None,
            message: message.into(),
            extra_headers: Vec::new(),
        };
        let new_id = repo
            .write_object(&commit)
            .map_err(|e| GitError::write(&self.location, e))?
            .detach();
        let name = gix::refs::FullName::try_from(refname.as_str())
            .map_err(|e| GitError::write(&self.location, e))?;
        let summary = request.message.lines().next().unwrap_or_default();
        let edit = gix::refs::transaction::RefEdit::update(
            name,
            new_id,
            gix::refs::transaction::PreviousValue::MustExistAndMatch(gix::refs::Target::Object(
                parent,
            )),
            format!("driftdeck: {summary}"),
        );
        let mut buffer = gix::date::parse::TimeBuf::default();
        match repo.edit_references_as([edit], Some(signature.to_ref(&mut buffer))) {
            Ok(_) => {
                let commit = CommitId::new(new_id.to_string());
                let kept = match files {
                    Some((checkout, old, new)) => checkout.finish(&repo, path, &old, &new)?,
                    None => Vec::new(),
                };
                Ok(Restored::Committed { commit, kept })
            }
            Err(error) => {
                use gix::refs::file::transaction::prepare::ReferenceOutOfDate;
                match error.downcast_any_ref::<ReferenceOutOfDate>() {
                    Some(out_of_date) => Err(GitError::BranchMoved {
                        branch: request.branch.to_owned(),
                        expected: current.short().to_owned(),
                        actual: match &out_of_date.actual {
                            gix::refs::Target::Object(id) => id.to_hex_with_len(7).to_string(),
                            gix::refs::Target::Symbolic(name) => name.to_string(),
                        },
                    }),
                    None => Err(GitError::write(&self.location, error)),
                }
            }
        }
    }

    /// The tree of `tip` with `path` as it was at `to` (removed when it did not
    /// exist there), written to the object database; with the tip's own tree.
    fn restored_tree(
        &self,
        repo: &gix::Repository,
        tip: &CommitId,
        to: &CommitId,
        path: &str,
    ) -> Result<(ObjectId, ObjectId), GitError> {
        let tip_tree = self.root_tree(tip)?;
        let old_tree = self.root_tree(to)?;
        let read = |e: Box<dyn std::error::Error + Send + Sync>| GitError::read(&self.location, e);
        let new_tree = if path.is_empty() {
            old_tree
        } else {
            let wanted = entry_at(repo, old_tree, path).map_err(read)?;
            let mut editor = repo
                .edit_tree(tip_tree)
                .map_err(|e| GitError::write(&self.location, e))?;
            match wanted {
                Some(entry) => {
                    let kind = entry.kind();
                    editor
                        .upsert(path, kind, entry.id)
                        .map_err(|e| GitError::write(&self.location, e))?;
                }
                None => {
                    editor
                        .remove(path)
                        .map_err(|e| GitError::write(&self.location, e))?;
                }
            }
            editor
                .write()
                .map_err(|e| GitError::write(&self.location, e))?
                .detach()
        };
        Ok((tip_tree, new_tree))
    }

    /// What `restore_path` would commit, written as a commit object on no branch
    /// (nothing moves), so the result can be rendered and shown before anyone
    /// confirms. `None` when the path already has that content at the tip.
    pub fn preview_restore(
        &self,
        branch: &str,
        path: &str,
        to: &CommitId,
    ) -> Result<RestorePreview, GitError> {
        let repo = self.local();
        let tip = self.resolve(&format!("refs/heads/{branch}"))?;
        let (tip_tree, new_tree) = self.restored_tree(&repo, &tip, to, path.trim_matches('/'))?;
        if new_tree == tip_tree {
            return Ok(RestorePreview { tip, commit: None });
        }
        let signature = gix::actor::Signature {
            name: "driftdeck preview".into(),
            email: "preview@driftdeck.invalid".into(),
            time: gix::date::Time::new(Timestamp::now().as_second(), 0),
        };
        let commit = gix::objs::Commit {
            tree: new_tree,
            parents: vec![object_id(&tip)?].into(),
            author: signature.clone(),
            committer: signature,
            encoding: None,
            message: "driftdeck rollback preview\n".into(),
            extra_headers: Vec::new(),
        };
        let id = repo
            .write_object(&commit)
            .map_err(|e| GitError::write(&self.location, e))?
            .detach();
        Ok(RestorePreview {
            tip,
            commit: Some(CommitId::new(id.to_string())),
        })
    }

    /// `user.name` and `user.email` from the repository's Git configuration.
    fn configured_identity(&self) -> Result<Identity, GitError> {
        let repo = self.local();
        let signature = match repo.committer() {
            Some(Ok(signature)) => signature,
            _ => return Err(GitError::NoIdentity),
        };
        let name = signature.name.to_string();
        let email = signature.email.to_string();
        if name.trim().is_empty() || email.trim().is_empty() {
            return Err(GitError::NoIdentity);
        }
        Ok(Identity {
            name,
            email,
            time: None,
        })
    }
}
