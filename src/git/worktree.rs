//! Keeping a checked-out branch's working tree and index in step when driftdeck
//! commits to that branch (a rollback on a local repository). Before the commit, the
//! restored path must be clean — index and files exactly as the branch tip has them,
//! no untracked file where the restore would write — so nothing of the user's is
//! ever overwritten. After it, the files of that path and their index entries are
//! made those of the new commit; everything else in the working tree and index stays
//! as it was. Files are written only below the working tree's root, never through a
//! symlinked folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gix::index::entry::{Flags, Mode, Stat};

use super::tree::{FileKind, TreeEntry, TreeFile, entry_at};
use super::{GitError, GitRepo, ObjectId};

/// The files of one path in one tree, by path from the repository root.
pub(super) type PathFiles = BTreeMap<String, (ObjectId, FileKind)>;

impl GitRepo {
    /// The files at `path` (a folder or a single file) in the tree `tree`.
    pub(super) fn files_at(&self, tree: ObjectId, path: &str) -> Result<PathFiles, GitError> {
        let repo = self.local();
        let read = |e: Box<dyn std::error::Error + Send + Sync>| GitError::read(&self.location, e);
        let files: Vec<TreeFile> = match entry_at(&repo, tree, path).map_err(read)? {
            None => Vec::new(),
            Some(entry @ TreeEntry { file: None, .. }) => self.files(&entry, path)?,
            Some(TreeEntry {
                id,
                file: Some(kind),
            }) => vec![TreeFile {
                path: path.to_owned(),
                id,
                kind,
            }],
        };
        Ok(files
            .into_iter()
            .map(|file| (file.path, (file.id, file.kind)))
            .collect())
    }
}

/// The working tree where `refname` is checked out (the repository's own working
/// tree; linked worktrees are not considered).
pub(super) fn checked_out_at(repo: &gix::Repository, refname: &str) -> Option<PathBuf> {
    let worktree = repo.workdir()?;
    let head = repo.head_name().ok().flatten()?;
    (head.as_bstr() == refname).then(|| worktree.to_path_buf())
}

/// Refuses unless the path in the working tree and the index is exactly `tip`, and no
/// untracked file stands where `new` would write one.
pub(super) fn ensure_clean(
    repo: &gix::Repository,
    root: &Path,
    path: &str,
    tip: &PathFiles,
    new: &PathFiles,
) -> Result<(), GitError> {
    let dirty = |file: &str, why: &str| GitError::WorktreeDirty {
        worktree: root.to_path_buf(),
        file: file.to_owned(),
        why: why.to_owned(),
    };
    for file in tip.keys().chain(new.keys()) {
        inside_root(root, file)?;
    }
    let index = repo.index_or_empty().map_err(|e| GitError::read(root, e))?;
    let mut staged = BTreeMap::new();
    for entry in index.entries() {
        let entry_path = entry.path(&index).to_string();
        if !under(&entry_path, path) {
            continue;
        }
        if entry.stage_raw() != 0 {
            return Err(dirty(&entry_path, "has a merge conflict"));
        }
        staged.insert(entry_path, (entry.id, entry.mode));
    }
    for (file, (id, kind)) in tip {
        match staged.remove(file) {
            Some((staged_id, mode)) if staged_id == *id && mode == index_mode(*kind) => {}
            Some(_) => return Err(dirty(file, "has staged changes")),
            None => return Err(dirty(file, "is staged for removal")),
        }
        if *kind == FileKind::Submodule {
            continue;
        }
        if on_disk(repo, &root.join(file), *kind)? != Some(*id) {
            return Err(dirty(file, "has changes not committed"));
        }
    }
    if let Some(file) = staged.keys().next() {
        return Err(dirty(file, "is staged but not committed"));
    }
    for file in new.keys().filter(|file| !tip.contains_key(*file)) {
        if root.join(file).symlink_metadata().is_ok() {
            return Err(dirty(file, "is untracked and would be overwritten"));
        }
    }
    Ok(())
}

/// Makes the files of `path` in the working tree and the index those of `new`
/// (they were `old`, checked by `ensure_clean`).
pub(super) fn check_out(
    repo: &gix::Repository,
    root: &Path,
    path: &str,
    old: &PathFiles,
    new: &PathFiles,
) -> Result<(), GitError> {
    let io = |file: &str| {
        let file = file.to_owned();
        move |source: std::io::Error| GitError::WorktreeUpdate {
            worktree: root.to_path_buf(),
            file: file.clone(),
            source,
        }
    };
    for file in old.keys().filter(|file| !new.contains_key(*file)) {
        match std::fs::remove_file(root.join(file)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(file)(e)),
            _ => remove_empty_parents(root, file),
        }
    }
    for (file, (id, kind)) in new {
        if old.get(file) == Some(&(*id, *kind)) || *kind == FileKind::Submodule {
            continue;
        }
        let target = root.join(file);
        inside_root(root, file)?;
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io(file))?;
        }
        let content = repo
            .find_blob(*id)
            .map_err(|e| GitError::read(root, e))?
            .detach()
            .data;
        if target.symlink_metadata().is_ok() {
            std::fs::remove_file(&target).map_err(io(file))?;
        }
        write_file(&target, &content, *kind).map_err(io(file))?;
    }
    let mut index = repo.open_index().map_err(|e| GitError::read(root, e))?;
    index.remove_entries(|_, entry_path, _| under(&entry_path.to_string(), path));
    for (file, (id, kind)) in new {
        index.dangerously_push_entry(
            Stat::default(),
            *id,
            Flags::empty(),
            index_mode(*kind),
            file.as_str().into(),
        );
    }
    index.sort_entries();
    // The cached trees describe the old entries: git rebuilds them when needed.
    index.remove_tree();
    index
        .write(Default::default())
        .map_err(|e| GitError::write(root, e))
}

/// Whether `file` is `path` or below it (everything is below the empty path).
fn under(file: &str, path: &str) -> bool {
    path.is_empty()
        || file == path
        || (file.starts_with(path) && file.as_bytes().get(path.len()) == Some(&b'/'))
}

fn index_mode(kind: FileKind) -> Mode {
    match kind {
        FileKind::Blob => Mode::FILE,
        FileKind::Executable => Mode::FILE_EXECUTABLE,
        FileKind::Symlink => Mode::SYMLINK,
        FileKind::Submodule => Mode::COMMIT,
    }
}

/// The blob id of what is on disk at `target`, read as `kind`; `None` when it is
/// missing or of another kind.
fn on_disk(
    repo: &gix::Repository,
    target: &Path,
    kind: FileKind,
) -> Result<Option<ObjectId>, GitError> {
    let Ok(meta) = target.symlink_metadata() else {
        return Ok(None);
    };
    let content = match kind {
        FileKind::Symlink if meta.file_type().is_symlink() => {
            std::fs::read_link(target).map(|link| link.to_string_lossy().into_owned().into_bytes())
        }
        FileKind::Blob | FileKind::Executable if meta.is_file() => std::fs::read(target),
        _ => return Ok(None),
    };
    let Ok(content) = content else {
        return Ok(None);
    };
    gix::objs::compute_hash(repo.object_hash(), gix::objs::Kind::Blob, &content)
        .map(Some)
        .map_err(|e| GitError::read(target, e))
}

/// Refuses a file whose folders, as they exist on disk, include a symlink: writing
/// through it could land outside the repository.
fn inside_root(root: &Path, file: &str) -> Result<(), GitError> {
    let parts: Vec<&str> = file.split('/').filter(|part| !part.is_empty()).collect();
    let mut current = root.to_path_buf();
    for part in parts.iter().take(parts.len().saturating_sub(1)) {
        current.push(part);
        match current.symlink_metadata() {
            Err(_) => return Ok(()),
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(GitError::WorktreeDirty {
                    worktree: root.to_path_buf(),
                    file: file.to_owned(),
                    why: format!("lies behind the symlink {}", current.display()),
                });
            }
            Ok(_) => {}
        }
    }
    Ok(())
}

fn remove_empty_parents(root: &Path, file: &str) {
    let mut current = root.join(file);
    while current.pop() && current != root {
        if std::fs::remove_dir(&current).is_err() {
            break;
        }
    }
}

fn write_file(target: &Path, content: &[u8], kind: FileKind) -> std::io::Result<()> {
    match kind {
        #[cfg(unix)]
        FileKind::Symlink => {
            std::os::unix::fs::symlink(String::from_utf8_lossy(content).as_ref(), target)
        }
        _ => {
            std::fs::write(target, content)?;
            #[cfg(unix)]
            if kind == FileKind::Executable {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(target, std::fs::Permissions::from_mode(0o755))?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::under;

    #[test]
    fn under_matches_whole_components() {
        assert!(under("apps/web/a.yaml", "apps/web"));
        assert!(under("apps/web", "apps/web"));
        assert!(!under("apps/webhook/a.yaml", "apps/web"));
        assert!(under("anything", ""));
    }
}
