//! Output formats for data: a plain aligned table (text neutralised for terminals),
//! JSON, or YAML.

use std::io::{self, Write};

use clap::ValueEnum;
use comfy_table::{Table, presets};
use serde::Serialize;

use crate::error::{Classified, ErrorKind};
use crate::model::text;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    #[default]
    Table,
    Json,
    Yaml,
}

/// Writing to stdout failed (a closed pipe, say).
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write output: {0}")]
    Write(#[from] io::Error),
    #[error("cannot encode output as {format}: {message}")]
    Encode {
        format: &'static str,
        message: String,
    },
}

impl Classified for OutputError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Io
    }
}

/// A table with a header row and no borders, like `kubectl get`. Every cell is
/// neutralised: cells hold commit subjects, names and other outside text.
pub fn table<const N: usize>(
    header: [&str; N],
    rows: impl IntoIterator<Item = [String; N]>,
) -> String {
    let mut table = Table::new();
    table.load_preset(presets::NOTHING);
    table.set_header(header);
    for row in rows {
        table.add_row(row.map(|cell| text::one_line(&cell).into_owned()));
    }
    for column in table.column_iter_mut() {
        column.set_padding((0, 2));
    }
    let mut out = String::new();
    for line in table.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Prints `value` as JSON or YAML, or the table `render_table` builds.
pub fn print<T: Serialize>(
    format: OutputFormat,
    value: &T,
    render_table: impl FnOnce() -> String,
) -> Result<(), OutputError> {
    let text = match format {
        OutputFormat::Table => render_table(),
        OutputFormat::Json => {
            let mut json =
                serde_json::to_string_pretty(value).map_err(|e| OutputError::Encode {
                    format: "JSON",
                    message: e.to_string(),
                })?;
            json.push('\n');
            text::json_safe(&json).into_owned()
        }
        OutputFormat::Yaml => {
            let yaml = crate::yaml::to_string(value).map_err(|e| OutputError::Encode {
                format: "YAML",
                message: e.to_string(),
            })?;
            for_terminal(&yaml)
        }
    };
    write(&text)
}

/// YAML as it may be printed: unchanged when stdout is a pipe or file (another
/// program reads it, and must get the exact values), neutralised when it is a
/// terminal. YAML cannot escape a character outside double quotes, so the
/// neutralised form is for reading only; the serializer already escapes controls
/// inside the double-quoted scalars it chooses for them.
pub fn for_terminal(yaml: &str) -> String {
    use std::io::IsTerminal;
    if io::stdout().is_terminal() {
        text::multi_line(yaml).into_owned()
    } else {
        yaml.to_owned()
    }
}

/// Writes `text` to stdout.
pub fn write(text: &str) -> Result<(), OutputError> {
    let mut stdout = io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}
