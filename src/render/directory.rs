//! `directory` rendering: every `*.yaml`, `*.yml` and `*.json` below the app's path
//! (or, without `recurse`, in the path itself), read straight from the Git object
//! database. Hidden files and folders below the path are skipped. A symlink is
//! followed only to a file inside the repository.

use std::path::Path;

use super::{Output, RenderError, documents};
use crate::git::{FileKind, GitRepo, TreeEntry};
use crate::model::{AppSpec, CommitId};

const EXTENSIONS: [&str; 3] = ["yaml", "yml", "json"];

pub(super) fn render(
    app: &AppSpec,
    repo: &GitRepo,
    commit: &CommitId,
    subtree: &TreeEntry,
) -> Result<Output, RenderError> {
    let mut manifests = Vec::new();
    let mut warnings = Vec::new();
    // Any symlink makes the result depend on more than the app's subtree: its
    // target (or its absence) lies elsewhere.
    let mut has_links = false;
    for file in repo.files(subtree, &app.path)? {
        let path = Path::new(&file.path);
        let below = file.path.strip_prefix(&app.path).unwrap_or(&file.path);
        let hidden = below.split('/').any(|part| part.starts_with('.'));
        let nested = below.trim_start_matches('/').contains('/');
        let wanted = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()));
        if hidden || !wanted || (nested && !app.directory.recurse) {
            continue;
        }
        has_links |= file.kind == FileKind::Symlink;
        let bytes = match file.kind {
            FileKind::Blob | FileKind::Executable => repo.read_blob(file.id)?,
            FileKind::Symlink => match repo.follow_symlink(commit, &file)? {
                Ok(bytes) => bytes,
                Err(reason) => {
                    warnings.push(format!("{}: skipped: {reason}", file.path));
                    continue;
                }
            },
            FileKind::Submodule => continue,
        };
        manifests.extend(documents::parse_manifests(&bytes, path)?);
    }
    Ok(Output {
        manifests,
        warnings,
        reaches_outside_path: has_links,
    })
}
