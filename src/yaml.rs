//! YAML in and out, on serde-saphyr: the pure-Rust YAML library kube already depends
//! on, so driftdeck carries one YAML stack, not two; it reports errors with line and
//! column, caps alias expansion and nesting (its `Budget`), and never panics on bad
//! input. serde_yaml is archived, so it was not an option. Pure: text in, values out.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

/// A YAML syntax or structure error, with where it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// 1-based line and column; 0 when the parser could not say.
    pub line: u64,
    pub column: u64,
    pub message: String,
}

/// `line:column: message`, to follow a file name.
impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: ", self.line, self.column)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for YamlError {}

impl From<serde_saphyr::Error> for YamlError {
    /// Keeps the message without the source snippet: a snippet would echo the lines
    /// around the error, which may be a Secret's values.
    fn from(error: serde_saphyr::Error) -> Self {
        let location = error.location();
        let plain = serde_saphyr::render_options! { snippets: serde_saphyr::SnippetMode::Off };
        let (line, column) = location.map_or((0, 0), |l| (l.line(), l.column()));
        let message = error.without_snippet().render_with_options(plain);
        // The location is kept as numbers; drop the library's own " at line …" suffix
        // so callers can print it once, as `file:line:column: message`.
        let suffix = format!(" at line {line}, column {column}");
        let message = message.strip_suffix(&suffix).unwrap_or(&message);
        // Advice meant for the library's caller, not for the person fixing the file.
        let message = message
            .replace(", set DuplicateKeyPolicy in Options if acceptable", "")
            .to_owned();
        Self {
            line,
            column,
            message,
        }
    }
}

/// One document of a stream and the line its content starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub line: u64,
    pub value: Value,
}

/// The largest input [`documents`] accepts; the caller checks file sizes first.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// Parsing as kubectl does (YAML 1.1 via go-yaml: `0755` is octal, `yes`/`on` are
/// booleans, duplicate keys are an error), with budgets sized for big generated
/// manifests (CRD bundles) that still stop alias bombs and runaway nesting.
fn manifest_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_reader_input_bytes: Some(MAX_INPUT_BYTES),
            max_total_scalar_bytes: MAX_INPUT_BYTES,
            max_nodes: 4_000_000,
            max_events: 12_000_000,
            max_documents: 50_000,
            max_depth: 128,
        },
        emit_comments: false,
        legacy_octal_numbers: true,
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
        non_finite_float_policy: serde_saphyr::NonFiniteFloatPolicy::AsString,
    }
}

/// Every non-empty document of a multi-document stream, in order. Empty, comment-only
/// and `null` documents are skipped.
pub fn documents(text: &str) -> Result<Vec<Document>, YamlError> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(YamlError {
            line: 0,
            column: 0,
            message: format!(
                "input is {} bytes, more than the {MAX_INPUT_BYTES} allowed",
                text.len()
            ),
        });
    }
    let documents: Vec<serde_saphyr::Spanned<Value>> =
        serde_saphyr::from_multiple_with_options(text, manifest_options())?;
    Ok(documents
        .into_iter()
        .map(|doc| Document {
            line: doc.referenced.line(),
            value: doc.value,
        })
        .collect())
}

/// Why a text is not a layer of Helm values.
#[derive(Debug)]
pub enum LayerError {
    NotYaml(YamlError),
    NotAMap,
}

/// A text of Helm values: the map of its first document, `None` when empty or
/// null; anything but a map is refused, as Helm refuses it.
pub fn values_layer(text: &str) -> Result<Option<Value>, LayerError> {
    match documents(text)
        .map_err(LayerError::NotYaml)?
        .into_iter()
        .next()
    {
        None => Ok(None),
        Some(document) => match document.value {
            Value::Null => Ok(None),
            map @ Value::Object(_) => Ok(Some(map)),
            _ => Err(LayerError::NotAMap),
        },
    }
}

/// `over` merged into `base` as Helm layers values: maps key by key, anything
/// else replaced.
pub fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            for (key, value) in over {
                match base.get_mut(&key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, over) => *base = over,
    }
}

/// `value` as YAML.
pub fn to_string<T: Serialize>(value: &T) -> Result<String, serde_saphyr::SerializeError> {
    serde_saphyr::to_string(value)
}
