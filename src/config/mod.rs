//! The configuration file (`driftdeck.yaml`): where it is found, how it is read, and
//! its validation into the model's `RepoSpec`s and `AppSpec`s. Errors name the file,
//! line and field and say what would be valid. It reads one file; it never touches
//! Git or a cluster.

mod schema;

use std::path::{Path, PathBuf};

use crate::error::{Classified, ErrorKind};
use crate::model::{AppName, AppSpec, RepoName, RepoSpec};

pub const FILE_NAME: &str = "driftdeck.yaml";

/// The largest configuration file read; anything bigger is surely a mistake.
const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

/// A validated configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The file it was read from; relative repo paths are resolved against its folder.
    pub file: PathBuf,
    pub repos: Vec<RepoSpec>,
    pub apps: Vec<AppSpec>,
}

impl Config {
    pub fn repo(&self, name: &RepoName) -> Option<&RepoSpec> {
        self.repos.iter().find(|repo| &repo.name == name)
    }

    pub fn app(&self, name: &str) -> Result<&AppSpec, ConfigError> {
        self.apps
            .iter()
            .find(|app| app.name.as_str() == name)
            .ok_or_else(|| ConfigError::UnknownApp {
                name: AppName::new(name),
                known: self.apps.iter().map(|a| a.name.to_string()).collect(),
            })
    }

    /// The repo an app deploys from. Validation guarantees it exists for apps of
    /// this configuration.
    pub fn repo_of(&self, app: &AppSpec) -> Result<&RepoSpec, ConfigError> {
        self.repo(&app.repo)
            .ok_or_else(|| ConfigError::UnknownRepo {
                app: app.name.clone(),
                repo: app.repo.clone(),
            })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("no configuration file found (looked at {})", .searched.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))]
    NotFound { searched: Vec<PathBuf> },

    #[error("cannot read {}: {source}", .file.display())]
    Read {
        file: PathBuf,
        source: std::io::Error,
    },

    #[error("{} is {size} bytes; a configuration file may be at most {MAX_CONFIG_BYTES}", .file.display())]
    TooLarge { file: PathBuf, size: u64 },

    /// The YAML is malformed or does not fit the schema (serde's message, which names
    /// the field and lists the valid ones).
    #[error("{}:{line}:{column}: {message}", .file.display())]
    Syntax {
        file: PathBuf,
        line: u64,
        column: u64,
        message: String,
    },

    /// The YAML fits the schema but says something impossible.
    #[error("{}:{line}:{column}: {message}", .file.display())]
    Invalid {
        file: PathBuf,
        line: u64,
        column: u64,
        message: String,
        hint: Option<String>,
    },

    #[error("no app named '{name}' in the configuration")]
    UnknownApp { name: AppName, known: Vec<String> },

    #[error("app '{app}' names repo '{repo}', which the configuration does not declare")]
    UnknownRepo { app: AppName, repo: RepoName },
}

impl Classified for ConfigError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::UnknownApp { .. } | Self::UnknownRepo { .. } => ErrorKind::NotFound,
            _ => ErrorKind::Config,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            Self::NotFound { .. } => Some(format!(
                "pass --config FILE, or create ./{FILE_NAME} (see docs/CONFIG.md)"
            )),
            Self::Syntax { .. } => Some("see docs/CONFIG.md for every field".into()),
            Self::Invalid { hint, .. } => hint.clone(),
            Self::UnknownApp { known, .. } if known.is_empty() => {
                Some("the configuration declares no apps".into())
            }
            Self::UnknownApp { known, .. } => Some(format!("known apps: {}", known.join(", "))),
            _ => None,
        }
    }
}

/// Where the configuration is looked for: `explicit` (from `--config`), else
/// `./driftdeck.yaml`, else `driftdeck.yaml` in the user config dir.
pub fn locate(explicit: Option<&Path>) -> Result<PathBuf, ConfigError> {
    if let Some(path) = explicit {
        return Ok(path.to_path_buf());
    }
    let mut searched = vec![PathBuf::from(FILE_NAME)];
    if let Some(dir) = dirs::config_dir() {
        searched.push(dir.join("driftdeck").join(FILE_NAME));
    }
    searched
        .iter()
        .find(|path| path.is_file())
        .cloned()
        .ok_or(ConfigError::NotFound { searched })
}

/// Finds and loads the configuration.
pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
    let file = locate(explicit)?;
    let read_error = |source| ConfigError::Read {
        file: file.clone(),
        source,
    };
    let size = std::fs::metadata(&file).map_err(read_error)?.len();
    if size > MAX_CONFIG_BYTES {
        return Err(ConfigError::TooLarge { file, size });
    }
    let text = std::fs::read_to_string(&file).map_err(read_error)?;
    parse(&text, &file)
}

/// Parses and validates configuration text read from `file`.
pub fn parse(text: &str, file: &Path) -> Result<Config, ConfigError> {
    schema::parse(text, file)
}
