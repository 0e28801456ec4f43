//! Turning the bytes of one YAML or JSON file into Kubernetes objects: multi-document
//! streams, `kind: List` expanded, empty documents skipped, and every object checked
//! for `apiVersion`, `kind` and `metadata.name`. Pure: bytes in, manifests out.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{Classified, ErrorKind};
use crate::model::{Manifest, ResourceKey, SourceRef};
use crate::yaml;

/// The largest manifest file (or renderer output) read; larger ones are refused,
/// not parsed.
pub const MAX_FILE_BYTES: usize = yaml::MAX_INPUT_BYTES;

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("{}: is {size} bytes, more than the {MAX_FILE_BYTES} a manifest file may have", .file.display())]
    TooLarge { file: PathBuf, size: usize },

    #[error("{}: is not text (it contains a NUL byte)", .file.display())]
    Binary { file: PathBuf },

    #[error("{}: is not valid UTF-8 (first bad byte at offset {offset})", .file.display())]
    NotUtf8 { file: PathBuf, offset: usize },

    #[error("{}:{error}", .file.display())]
    Yaml {
        file: PathBuf,
        error: yaml::YamlError,
    },

    #[error("{at}: {problem}")]
    NotAnObject { at: SourceRef, problem: String },
}

impl Classified for DocumentError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidManifest
    }

    fn hint(&self) -> Option<String> {
        match self {
            Self::TooLarge { .. } => Some(
                "split the manifests into smaller files, or move what is not a manifest out of the app's path".into(),
            ),
            Self::Binary { .. } => Some(
                "move the file out of the app's path, or give it an extension other than .yaml/.yml/.json".into(),
            ),
            Self::NotUtf8 { .. } => Some("save the file as UTF-8".into()),
            Self::Yaml { .. } => None,
            Self::NotAnObject { .. } => Some(
                "every document needs `apiVersion`, `kind` and `metadata.name` (or be a `kind: List` of such)".into(),
            ),
        }
    }
}

/// Parses `bytes`, read from `file`, into manifests. Namespaces are left as written;
/// the caller fills in the destination's.
pub fn parse_manifests(bytes: &[u8], file: &Path) -> Result<Vec<Manifest>, DocumentError> {
    let text = as_text(bytes, file)?;
    let documents = yaml::documents(text).map_err(|error| DocumentError::Yaml {
        file: file.to_path_buf(),
        error,
    })?;
    let mut manifests = Vec::new();
    for (document, yaml::Document { line, value }) in documents.into_iter().enumerate() {
        if value.is_null() {
            continue;
        }
        let source = SourceRef {
            file: file.to_path_buf(),
            document,
            line,
            item: None,
        };
        if is_list(&value) {
            for (index, item) in list_items(value, &source)?.into_iter().enumerate() {
                let source = SourceRef {
                    item: Some(index),
                    ..source.clone()
                };
                manifests.push(manifest(item, &source)?);
            }
        } else {
            manifests.push(manifest(value, &source)?);
        }
    }
    Ok(manifests)
}

pub fn as_text<'a>(bytes: &'a [u8], file: &Path) -> Result<&'a str, DocumentError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(DocumentError::TooLarge {
            file: file.to_path_buf(),
            size: bytes.len(),
        });
    }
    if bytes.contains(&0) {
        return Err(DocumentError::Binary {
            file: file.to_path_buf(),
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| DocumentError::NotUtf8 {
        file: file.to_path_buf(),
        offset: e.valid_up_to(),
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// `kind: List` (and the `…List` kinds kubectl prints, like `ConfigMapList`) with
/// `apiVersion: v1`.
fn is_list(value: &Value) -> bool {
    let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
    let core = value.get("apiVersion").and_then(Value::as_str) == Some("v1");
    core && kind.ends_with("List")
}

/// A List's `items`, taken out of it; no `items` is an empty list, as for kubectl.
fn list_items(list: Value, source: &SourceRef) -> Result<Vec<Value>, DocumentError> {
    let items = match list {
        Value::Object(mut list) => list.remove("items").unwrap_or(Value::Null),
        _ => Value::Null,
    };
    match items {
        Value::Array(items) => Ok(items),
        Value::Null => Ok(Vec::new()),
        _ => Err(not_an_object(
            source,
            "`items` of a List is not a sequence".into(),
        )),
    }
}

fn not_an_object(source: &SourceRef, problem: String) -> DocumentError {
    DocumentError::NotAnObject {
        at: source.clone(),
        problem,
    }
}

fn manifest(object: Value, source: &SourceRef) -> Result<Manifest, DocumentError> {
    if !object.is_object() {
        return Err(not_an_object(source, "is not a mapping".into()));
    }
    // A field that is there but not a string (`name: no` reads as `false` in YAML
    // 1.1) is its own mistake, with its own fix.
    let text = |pointer: &str, name: &str| match object.pointer(pointer) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(other) => Err(not_an_object(
            source,
            format!("`{name}` is {other}, not a string: quote it"),
        )),
    };
    let field = |pointer: &str, name: &str| {
        text(pointer, name)?
            .filter(|value| !value.trim().is_empty())
            .ok_or_else(|| not_an_object(source, format!("has no `{name}`")))
    };
    let api_version = field("/apiVersion", "apiVersion")?;
    let kind = field("/kind", "kind")?;
    let name = field("/metadata/name", "metadata.name")?;
    let namespace = text("/metadata/namespace", "metadata.namespace")?.unwrap_or_default();
    let key = ResourceKey::new(ResourceKey::group_of(&api_version), kind, namespace, name);
    Ok(Manifest {
        key,
        api_version,
        object,
        source: source.clone(),
    })
}
