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

/// A checked-out branch being committed to: the working tree's index is locked
/// (`index.lock`, as git does) from the cleanliness check until the index is
/// written, so no other Git process changes it in between. Dropping it releases
/// the lock and changes nothing.
pub(super) struct Checkout {
    root: PathBuf,
    lock: gix::lock::File,
    index: gix::index::File,
}

/// How long to wait for another Git process's `index.lock`.
const INDEX_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// The checkout of `refname`, when the repository's own working tree has it checked
/// out (index locked). A linked worktree with it checked out is refused: its files
/// would be left showing the change reversed.
pub(super) fn checkout_of(
    repo: &gix::Repository,
    refname: &str,
) -> Result<Option<Checkout>, GitError> {
    let names = |repo: &gix::Repository| {
        repo.head_name()
            .ok()
            .flatten()
            .is_some_and(|head| head.as_bstr() == refname)
    };
    for proxy in repo.worktrees().unwrap_or_default() {
        let base = proxy.base().unwrap_or_default();
        if let Ok(linked) = proxy.into_repo_with_possibly_inaccessible_worktree()
            && names(&linked)
        {
            return Err(GitError::WorktreeDirty {
                worktree: base,
                file: refname.trim_start_matches("refs/heads/").to_owned(),
                why: "is checked out in this linked worktree".into(),
            });
        }
    }
    let Some(root) = repo.workdir().map(Path::to_path_buf) else {
        return Ok(None);
    };
    if !names(repo) {
        return Ok(None);
    }
    let lock = gix::lock::File::acquire_to_update_resource(
        repo.index_path(),
        gix::lock::acquire::Fail::AfterDurationWithBackoff(INDEX_LOCK_WAIT),
        None,
        0,
    )
    .map_err(|e| GitError::WorktreeDirty {
        worktree: root.clone(),
        file: "the index".into(),
        why: format!("is locked by another Git process ({e})"),
    })?;
    let index = match repo.open_index() {
        Ok(index) => index,
        Err(_) if !repo.index_path().exists() => gix::index::File::from_state(
            gix::index::State::new(repo.object_hash()),
            repo.index_path(),
        ),
        Err(e) => return Err(GitError::read(&root, e)),
    };
    Ok(Some(Checkout { root, lock, index }))
}

impl Checkout {
    /// Refuses unless the path in the working tree and the index is exactly `tip`,
    /// and no untracked file stands where `new` would write one.
    pub(super) fn ensure_clean(
        &self,
        repo: &gix::Repository,
        path: &str,
        tip: &PathFiles,
        new: &PathFiles,
    ) -> Result<(), GitError> {
        let root = &self.root;
        let dirty = |file: &str, why: &str| GitError::WorktreeDirty {
            worktree: root.clone(),
            file: file.to_owned(),
            why: why.to_owned(),
        };
        for file in tip.keys().chain(new.keys()) {
            inside_root(root, file)?;
        }
        let index = &self.index;
        let mut staged = BTreeMap::new();
        for entry in index.entries() {
            let entry_path = entry.path(index).to_string();
            if !under(&entry_path, path) {
                continue;
            }
            if entry.stage_raw() != 0 {
                return Err(dirty(&entry_path, "has a merge conflict"));
            }
            if entry.mode.is_sparse() {
                return Err(dirty(&entry_path, "is outside the sparse checkout"));
            }
            staged.insert(entry_path, (entry.id, entry.mode));
        }
        for (file, (id, kind)) in tip {
            match staged.remove(file) {
                Some((staged_id, mode)) if staged_id == *id && mode == index_mode(*kind) => {}
                Some(_) => return Err(dirty(file, "has changes staged for commit")),
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
            return Err(dirty(file, "is a new file staged for commit"));
        }
        for file in new.keys().filter(|file| !tip.contains_key(*file)) {
            if root.join(file).symlink_metadata().is_ok() {
                return Err(dirty(file, "is untracked and would be overwritten"));
            }
        }
        Ok(())
    }

    /// After the branch moved: makes the files of `path` in the working tree and
    /// the index those of `new` (they were `old`, checked by `ensure_clean`). A file
    /// changed on disk since the check is left as the user has it (the index still
    /// follows the commit, so it shows as a local change). Returns the files left.
    pub(super) fn finish(
        mut self,
        repo: &gix::Repository,
        path: &str,
        old: &PathFiles,
        new: &PathFiles,
    ) -> Result<Vec<String>, GitError> {
        let root = self.root.clone();
        let failed = |message: String| GitError::WorktreeUpdate {
            worktree: root.clone(),
            path: path.to_owned(),
            message,
        };
        let mut kept = Vec::new();
        let unchanged_since_check = |file: &str, kind: FileKind, id: ObjectId| {
            on_disk(repo, &root.join(file), kind).ok().flatten() == Some(id)
        };
        for (file, (id, kind)) in old.iter().filter(|(file, _)| !new.contains_key(*file)) {
            if *kind == FileKind::Submodule {
                continue;
            }
            if !unchanged_since_check(file, *kind, *id) {
                kept.push(file.clone());
                continue;
            }
            match std::fs::remove_file(root.join(file)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(failed(format!("cannot remove {file}: {e}")));
                }
                _ => remove_empty_parents(&root, file),
            }
        }
        let mut written = Vec::new();
        for (file, (id, kind)) in new {
            if old.get(file) == Some(&(*id, *kind)) || *kind == FileKind::Submodule {
                continue;
            }
            if let Some((old_id, old_kind)) = old.get(file)
                && !unchanged_since_check(file, *old_kind, *old_id)
            {
                kept.push(file.clone());
                continue;
            }
            inside_root(&root, file).map_err(|e| failed(e.to_string()))?;
            let target = root.join(file);
            let content = repo
                .find_blob(*id)
                .map_err(|e| failed(format!("cannot read {file}: {e}")))?
                .detach()
                .data;
            let write = || -> std::io::Result<()> {
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                if target.symlink_metadata().is_ok() {
                    std::fs::remove_file(&target)?;
                }
                write_file(&target, &content, *kind)
            };
            write().map_err(|e| failed(format!("cannot write {file}: {e}")))?;
            written.push(file.as_str());
        }
        // Index: entries that did not change keep their stat data; written files get
        // theirs; files left as the user has them get none, so git looks again.
        self.index.remove_entries(|_, entry_path, entry| {
            let entry_path = entry_path.to_string();
            under(&entry_path, path)
                && new
                    .get(&entry_path)
                    .map(|(id, kind)| (*id, index_mode(*kind)))
                    != Some((entry.id, entry.mode))
        });
        let remaining: std::collections::BTreeSet<String> = self
            .index
            .entries()
            .iter()
            .map(|entry| entry.path(&self.index).to_string())
            .filter(|entry_path| under(entry_path, path))
            .collect();
        for (file, (id, kind)) in new.iter().filter(|(file, _)| !remaining.contains(*file)) {
            let stat = if written.contains(&file.as_str()) {
                gix::index::fs::Metadata::from_path_no_follow(&root.join(file))
                    .ok()
                    .and_then(|meta| Stat::from_fs(&meta).ok())
                    .unwrap_or_default()
            } else {
                Stat::default()
            };
            self.index.dangerously_push_entry(
                stat,
                *id,
                Flags::empty(),
                index_mode(*kind),
                file.as_str().into(),
            );
        }
        self.index.sort_entries();
        // The cached trees describe the old entries: git rebuilds them when needed.
        self.index.remove_tree();
        let Checkout {
            mut lock, index, ..
        } = self;
        index
            .write_to(&mut lock, Default::default())
            .map_err(|e| failed(format!("cannot write the index: {e}")))?;
        lock.commit()
            .map_err(|e| failed(format!("cannot write the index: {}", e.error)))?;
        Ok(kept)
    }
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
                // Execute wherever read is allowed, as git does (the umask holds).
                let mode = std::fs::metadata(target)?.permissions().mode();
                let mode = mode | ((mode & 0o444) >> 2);
                std::fs::set_permissions(target, std::fs::Permissions::from_mode(mode))?;
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
