//! Reading a commit's tree straight from the object database: the entry at a path,
//! folder listings, every file below a folder, blobs, and an export to disk. Symlinks
//! are followed only to targets inside the repository.

use std::path::Path;

use gix::objs::tree::EntryKind;
use serde::Serialize;

use super::{GitError, GitRepo, ObjectId, object_id, within_root};
use crate::model::CommitId;

/// What a tree entry holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Blob,
    Executable,
    Symlink,
    /// A submodule commit (a gitlink): there is no content to read.
    Submodule,
}

/// An entry found at a path: a folder (tree) or a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TreeEntry {
    pub id: ObjectId,
    /// `None` for a folder.
    pub file: Option<FileKind>,
}

impl TreeEntry {
    fn from_kind(id: ObjectId, kind: EntryKind) -> Self {
        let file = match kind {
            EntryKind::Tree => None,
            EntryKind::Blob => Some(FileKind::Blob),
            EntryKind::BlobExecutable => Some(FileKind::Executable),
            EntryKind::Link => Some(FileKind::Symlink),
            EntryKind::Commit => Some(FileKind::Submodule),
        };
        Self { id, file }
    }

    /// The tree entry kind (mode) to write this entry back with.
    pub(super) fn kind(&self) -> EntryKind {
        match self.file {
            None => EntryKind::Tree,
            Some(FileKind::Blob) => EntryKind::Blob,
            Some(FileKind::Executable) => EntryKind::BlobExecutable,
            Some(FileKind::Symlink) => EntryKind::Link,
            Some(FileKind::Submodule) => EntryKind::Commit,
        }
    }

    pub fn is_folder(&self) -> bool {
        self.file.is_none()
    }

    fn kind_name(&self) -> &'static str {
        match self.file {
            None => "folder",
            Some(FileKind::Submodule) => "submodule",
            Some(FileKind::Symlink) => "symlink",
            Some(_) => "file",
        }
    }
}

/// A file somewhere below a folder, with its path from the repository root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeFile {
    pub path: String,
    pub id: ObjectId,
    pub kind: FileKind,
}

/// One entry of a folder listing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DirEntry {
    pub name: String,
    /// `None` for a folder.
    pub kind: Option<FileKind>,
}

impl GitRepo {
    /// The id of the commit's root tree.
    pub fn root_tree(&self, commit: &CommitId) -> Result<ObjectId, GitError> {
        let repo = self.local();
        let commit = repo
            .find_commit(object_id(commit)?)
            .map_err(|e| GitError::read(&self.location, e))?;
        commit
            .tree_id()
            .map(|id| id.detach())
            .map_err(|e| GitError::read(&self.location, e))
    }

    /// The entry at `path` (relative to the root, `/`-separated; empty for the root)
    /// in the commit's tree, or `None` when nothing is there.
    pub fn tree_entry(&self, commit: &CommitId, path: &str) -> Result<Option<TreeEntry>, GitError> {
        let root = self.root_tree(commit)?;
        entry_at(&self.local(), root, path).map_err(|e| GitError::read(&self.location, e))
    }

    /// The names of a folder's entries.
    pub fn child_names(&self, folder: &TreeEntry) -> Result<Vec<String>, GitError> {
        Ok(self
            .children(folder.id)?
            .into_iter()
            .map(|e| e.name)
            .collect())
    }

    /// A folder listing at a revision, in Git's order.
    pub fn list_dir(&self, commit: &CommitId, path: &str) -> Result<Vec<DirEntry>, GitError> {
        let entry = self.existing(commit, path)?;
        if !entry.is_folder() {
            return Err(self.wrong_kind(commit, path, &entry, "folder"));
        }
        self.children(entry.id)
    }

    /// The content of the file at `path` at a revision.
    pub fn read_file(&self, commit: &CommitId, path: &str) -> Result<Vec<u8>, GitError> {
        let entry = self.existing(commit, path)?;
        match entry.file {
            Some(FileKind::Blob | FileKind::Executable) => self.read_blob(entry.id),
            _ => Err(self.wrong_kind(commit, path, &entry, "file")),
        }
    }

    /// The bytes of a blob.
    pub fn read_blob(&self, id: ObjectId) -> Result<Vec<u8>, GitError> {
        let repo = self.local();
        let blob = repo
            .find_blob(id)
            .map_err(|e| GitError::read(&self.location, e))?;
        Ok(blob.detach().data)
    }

    /// Every file below `folder`, which sits at `prefix` in the repository, with
    /// paths from the repository root, in Git's order.
    pub fn files(&self, folder: &TreeEntry, prefix: &str) -> Result<Vec<TreeFile>, GitError> {
        let repo = self.local();
        let mut files = Vec::new();
        let mut pending = vec![(folder.id, prefix.trim_matches('/').to_owned())];
        while let Some((tree_id, dir)) = pending.pop() {
            let tree = repo
                .find_tree(tree_id)
                .map_err(|e| GitError::read(&self.location, e))?;
            let decoded = tree
                .decode()
                .map_err(|e| GitError::read(&self.location, e))?;
            let mut folders = Vec::new();
            for entry in &decoded.entries {
                // Names are joined onto folders on disk (exports): a crafted tree with
                // `..`, `/` or `.git` entries must never get that far.
                if !is_safe_component(entry.filename) {
                    return Err(GitError::UnsafeTree {
                        folder: if dir.is_empty() {
                            ".".into()
                        } else {
                            dir.clone()
                        },
                        name: entry.filename.to_string(),
                    });
                }
                let name = entry.filename.to_string();
                let path = if dir.is_empty() {
                    name
                } else {
                    format!("{dir}/{name}")
                };
                let found = TreeEntry::from_kind(entry.oid.to_owned(), entry.mode.kind());
                match found.file {
                    None => folders.push((found.id, path)),
                    Some(kind) => files.push(TreeFile {
                        path,
                        id: found.id,
                        kind,
                    }),
                }
            }
            pending.extend(folders.into_iter().rev());
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }

    /// The content a symlink points to, when that is a file inside the repository.
    /// The target is resolved lexically and looked up in the Git tree, where a link
    /// inside the path is never followed: reading can never leave the repository.
    /// `Ok(Err(reason))` says why it was not followed.
    pub fn follow_symlink(
        &self,
        commit: &CommitId,
        link: &TreeFile,
    ) -> Result<Result<Vec<u8>, String>, GitError> {
        let target = String::from_utf8_lossy(&self.read_blob(link.id)?).into_owned();
        let base = Path::new(&link.path).parent().unwrap_or(Path::new(""));
        let Some(resolved) = within_root(&base.join(&target)) else {
            return Ok(Err(format!(
                "symlink to '{target}' points outside the repository"
            )));
        };
        let resolved = resolved.to_string_lossy().replace('\\', "/");
        match self.tree_entry(commit, &resolved)? {
            Some(TreeEntry {
                id,
                file: Some(FileKind::Blob | FileKind::Executable),
            }) => Ok(Ok(self.read_blob(id)?)),
            Some(entry) => Ok(Err(format!(
                "symlink to '{target}' is a {}",
                entry.kind_name()
            ))),
            None => Ok(Err(format!("symlink to '{target}' is dangling"))),
        }
    }

    /// Writes the commit's whole tree below `dest` (created). No symlink is ever
    /// created on disk: a symlink whose target resolves, inside the Git tree, to a
    /// file is written as a copy of that file; any other is left out with a warning.
    /// A chain of links therefore cannot lead a renderer out of the export. Returns
    /// the warnings, with paths from the repository root.
    pub fn export(&self, commit: &CommitId, dest: &Path) -> Result<Vec<String>, GitError> {
        let root = TreeEntry {
            id: self.root_tree(commit)?,
            file: None,
        };
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| GitError::Export { path, source }
        };
        std::fs::create_dir_all(dest).map_err(io(dest))?;
        let mut warnings = Vec::new();
        for file in self.files(&root, "")? {
            let target = dest.join(&file.path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
            }
            let content = match file.kind {
                FileKind::Blob | FileKind::Executable => self.read_blob(file.id)?,
                FileKind::Symlink => match self.follow_symlink(commit, &file)? {
                    Ok(content) => content,
                    Err(reason) => {
                        warnings.push(format!("{}: not exported: {reason}", file.path));
                        continue;
                    }
                },
                FileKind::Submodule => {
                    warnings.push(format!("{}: submodule not exported", file.path));
                    continue;
                }
            };
            std::fs::write(&target, content).map_err(io(&target))?;
            #[cfg(unix)]
            if file.kind == FileKind::Executable {
                use std::os::unix::fs::PermissionsExt;
                let executable = std::fs::Permissions::from_mode(0o755);
                std::fs::set_permissions(&target, executable).map_err(io(&target))?;
            }
        }
        Ok(warnings)
    }

    fn children(&self, tree_id: ObjectId) -> Result<Vec<DirEntry>, GitError> {
        let repo = self.local();
        let tree = repo
            .find_tree(tree_id)
            .map_err(|e| GitError::read(&self.location, e))?;
        let decoded = tree
            .decode()
            .map_err(|e| GitError::read(&self.location, e))?;
        Ok(decoded
            .entries
            .iter()
            .map(|entry| DirEntry {
                name: entry.filename.to_string(),
                kind: TreeEntry::from_kind(entry.oid.to_owned(), entry.mode.kind()).file,
            })
            .collect())
    }

    fn existing(&self, commit: &CommitId, path: &str) -> Result<TreeEntry, GitError> {
        self.tree_entry(commit, path)?
            .ok_or_else(|| GitError::PathNotFound {
                path: path.to_owned(),
                rev: commit.short().to_owned(),
            })
    }

    fn wrong_kind(
        &self,
        commit: &CommitId,
        path: &str,
        entry: &TreeEntry,
        wanted: &'static str,
    ) -> GitError {
        GitError::WrongKind {
            path: path.to_owned(),
            rev: commit.short().to_owned(),
            found: entry.kind_name(),
            wanted,
        }
    }
}

/// Whether a tree entry name is safe to use as one path component on disk: not
/// empty, `.` or `..`, no separators, not `.git` in any spelling a file system
/// folds to it.
fn is_safe_component(name: &gix::bstr::BStr) -> bool {
    let options = gix::validate::path::component::Options {
        protect_windows: true,
        protect_hfs: true,
        protect_ntfs: true,
    };
    gix::validate::path::component(name, None, options).is_ok()
}

/// Walks `path` down from the tree `root`, one component at a time.
pub(super) fn entry_at(
    repo: &gix::Repository,
    root: ObjectId,
    path: &str,
) -> Result<Option<TreeEntry>, Box<dyn std::error::Error + Send + Sync>> {
    let mut current = TreeEntry {
        id: root,
        file: None,
    };
    for name in path.split('/').filter(|part| !part.is_empty()) {
        if !current.is_folder() {
            return Ok(None);
        }
        match child(repo, current.id, name)? {
            Some(entry) => current = entry,
            None => return Ok(None),
        }
    }
    Ok(Some(current))
}

/// The entry called `name` in the tree `tree_id`, decoding entries only up to it.
pub(super) fn child(
    repo: &gix::Repository,
    tree_id: ObjectId,
    name: &str,
) -> Result<Option<TreeEntry>, Box<dyn std::error::Error + Send + Sync>> {
    let tree = repo.find_tree(tree_id)?;
    entry_named(&tree.data, repo.object_hash(), name)
}

/// The entry called `name` in a tree's raw bytes, decoding entries only up to it.
pub(super) fn entry_named(
    data: &[u8],
    hash: gix::hash::Kind,
    name: &str,
) -> Result<Option<TreeEntry>, Box<dyn std::error::Error + Send + Sync>> {
    for entry in gix::objs::TreeRefIter::from_bytes(data, hash) {
        let entry = entry?;
        if entry.filename == name.as_bytes() {
            return Ok(Some(TreeEntry::from_kind(
                entry.oid.to_owned(),
                entry.mode.kind(),
            )));
        }
    }
    Ok(None)
}
