//! The sandbox cluster: a Kubernetes-API-compatible HTTP server on loopback, with
//! simulated controllers, that kube-rs and a real `kubectl` talk to exactly as to a
//! cluster. It is the demo's backend and the integration tests' cluster, not a
//! production cluster. It uses `model/` and `yaml` but nothing above them, and
//! nothing but the `sandbox` and `demo` front ends uses it.
//!
//! [`Sandbox::start`] runs it in-process on its own small runtime, so it works the
//! same from synchronous tests, async tests and the CLI.

mod api;
mod controllers;
mod defaults;
mod faults;
mod kubeconfig;
mod logs;
mod patch;
mod registry;
mod seed;
mod selector;
mod server;
mod status;
mod store;
mod table;
mod tls;
mod workload;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

pub use faults::FaultConfig;
pub use kubeconfig::CONTEXT_NAME;

/// How to start a sandbox.
#[derive(Clone, Debug, Default)]
pub struct SandboxOptions {
    /// The loopback port; 0 picks a free one.
    pub port: u16,
    /// Where to write the kubeconfig; default: a file in a temporary directory that
    /// lives as long as the sandbox.
    pub kubeconfig_out: Option<PathBuf>,
    /// A state file: loaded at start when it exists, saved while running and at stop.
    pub state: Option<PathBuf>,
    pub faults: FaultConfig,
    /// Turns the simulated controllers off (for tests that want a static store).
    pub no_controllers: bool,
    /// How many changes watches can resume from (default 20,000); older resource
    /// versions get `410 Expired`. Small values let tests reach compaction quickly.
    pub change_log: Option<usize>,
}

/// Why a sandbox could not start or save.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot create the sandbox's TLS certificate: {0}")]
    Tls(String),
    #[error("cannot start the sandbox runtime: {0}")]
    Runtime(#[source] std::io::Error),
    #[error("cannot write the kubeconfig {}: {source}", path.display())]
    Kubeconfig {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the state file {}: {message}", path.display())]
    StateRead { path: PathBuf, message: String },
    #[error("cannot write the state file {}: {source}", path.display())]
    StateWrite {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl crate::error::Classified for SandboxError {
    fn kind(&self) -> crate::error::ErrorKind {
        match self {
            Self::StateRead { .. } => crate::error::ErrorKind::Config,
            _ => crate::error::ErrorKind::Io,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            Self::Bind { .. } => Some("pick another --port, or 0 for any free port".into()),
            Self::StateRead { .. } => Some(
                "the file must be one a sandbox wrote with --state; move it away to start empty"
                    .into(),
            ),
            _ => None,
        }
    }
}

/// A running sandbox. Dropping it stops the server (saving the state file, if any).
pub struct Sandbox {
    url: String,
    address: SocketAddr,
    token: String,
    ca_pem: String,
    kubeconfig: PathBuf,
    faults: Arc<faults::Faults>,
    store: Arc<store::Store>,
    state_file: Option<PathBuf>,
    shutdown: watch::Sender<bool>,
    runtime: Option<tokio::runtime::Runtime>,
    _temp: Option<tempfile::TempDir>,
}

impl Sandbox {
    /// Starts a sandbox with default options: any free port, a temporary kubeconfig,
    /// no state file, no faults.
    pub fn start() -> Result<Self, SandboxError> {
        Self::start_with(SandboxOptions::default())
    }

    pub fn start_with(options: SandboxOptions) -> Result<Self, SandboxError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("driftdeck-sandbox")
            .enable_all()
            .build()
            .map_err(SandboxError::Runtime)?;
        let listener =
            std::net::TcpListener::bind(("127.0.0.1", options.port)).map_err(|source| {
                SandboxError::Bind {
                    port: options.port,
                    source,
                }
            })?;
        listener
            .set_nonblocking(true)
            .map_err(|source| SandboxError::Bind {
                port: options.port,
                source,
            })?;
        let address = listener.local_addr().map_err(|source| SandboxError::Bind {
            port: options.port,
            source,
        })?;
        let store = Arc::new(store::Store::with_change_log(
            options.change_log.unwrap_or(store::CHANGE_LOG),
        ));
        let loaded = match &options.state {
            Some(path) if path.exists() => {
                load_state(&store, path)?;
                true
            }
            _ => false,
        };
        let api = api::Api::new(store.clone());
        if !loaded {
            seed::seed(&api);
        }
        let token = kubeconfig::new_token();
        let url = format!("https://{address}");
        let credentials = tls::generate().map_err(SandboxError::Tls)?;
        let (kubeconfig, temp) = match &options.kubeconfig_out {
            Some(path) => (path.clone(), None),
            None => {
                let dir = tempfile::Builder::new()
                    .prefix("driftdeck-sandbox-")
                    .tempdir()
                    .map_err(|source| SandboxError::Kubeconfig {
                        path: std::env::temp_dir(),
                        source,
                    })?;
                (dir.path().join("kubeconfig"), Some(dir))
            }
        };
        kubeconfig::write(&kubeconfig, &url, &token, &credentials.ca_pem).map_err(|source| {
            SandboxError::Kubeconfig {
                path: kubeconfig.clone(),
                source,
            }
        })?;
        let faults = Arc::new(faults::Faults::new(options.faults.clone()));
        let (shutdown, shutdown_rx) = watch::channel(false);
        let context = Arc::new(server::Context {
            api: api.clone(),
            token: token.clone(),
            faults: faults.clone(),
            address,
        });
        {
            let _guard = runtime.enter();
            let listener = tokio::net::TcpListener::from_std(listener).map_err(|source| {
                SandboxError::Bind {
                    port: options.port,
                    source,
                }
            })?;
            let acceptor = tokio_rustls::TlsAcceptor::from(credentials.server);
            runtime.spawn(server::serve(
                listener,
                acceptor,
                context,
                shutdown_rx.clone(),
            ));
            if !options.no_controllers {
                runtime.spawn(controllers::run(api.clone(), shutdown_rx.clone()));
            }
            if let Some(path) = options.state.clone() {
                runtime.spawn(autosave(store.clone(), path, shutdown_rx));
            }
        }
        Ok(Self {
            url,
            address,
            token,
            ca_pem: credentials.ca_pem,
            kubeconfig,
            faults,
            store,
            state_file: options.state,
            shutdown,
            runtime: Some(runtime),
            _temp: temp,
        })
    }

    /// `https://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The bearer token every request must carry.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The certificate authority that signed the server's certificate (PEM).
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The kubeconfig file (context [`CONTEXT_NAME`]).
    pub fn kubeconfig(&self) -> &Path {
        &self.kubeconfig
    }

    /// Changes the injected faults from now on.
    pub fn set_faults(&self, config: FaultConfig) {
        self.faults.set(config);
    }

    /// Saves the state file now (it is also saved every few seconds and at stop).
    pub fn save(&self) -> Result<(), SandboxError> {
        match &self.state_file {
            Some(path) => save_state(&self.store, path),
            None => Ok(()),
        }
    }

    /// Stops serving and saves the state.
    pub fn stop(mut self) -> Result<(), SandboxError> {
        self.shut_down()
    }

    fn shut_down(&mut self) -> Result<(), SandboxError> {
        let _ = self.shutdown.send(true);
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
        self.save()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if self.runtime.is_some() {
            // Errors cannot be reported from drop; `stop` reports them.
            let _ = self.shut_down();
        }
    }
}

/// How often a state file is rewritten while the sandbox runs.
const AUTOSAVE_EVERY: Duration = Duration::from_secs(5);

async fn autosave(store: Arc<store::Store>, path: PathBuf, mut shutdown: watch::Receiver<bool>) {
    let mut saved_at = 0;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(AUTOSAVE_EVERY) => {}
            _ = shutdown.changed() => return,
        }
        let current = store.lock().resource_version();
        if current != saved_at {
            let store = store.clone();
            let path = path.clone();
            let saved = tokio::task::spawn_blocking(move || save_state(&store, &path)).await;
            if matches!(saved, Ok(Ok(()))) {
                saved_at = current;
            }
        }
    }
}

fn load_state(store: &store::Store, path: &Path) -> Result<(), SandboxError> {
    let read_error = |message: String| SandboxError::StateRead {
        path: path.to_owned(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| read_error(e.to_string()))?;
    let snapshot: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| read_error(format!("not JSON: {e}")))?;
    store.lock().restore(&snapshot).map_err(read_error)
}

fn save_state(store: &store::Store, path: &Path) -> Result<(), SandboxError> {
    let write_error = |source| SandboxError::StateWrite {
        path: path.to_owned(),
        source,
    };
    let snapshot = store.lock().snapshot();
    let text = serde_json::to_vec_pretty(&snapshot.to_json()).map_err(|e| write_error(e.into()))?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(write_error)?;
    std::io::Write::write_all(&mut file, &text).map_err(write_error)?;
    file.persist(path).map_err(|e| write_error(e.error))?;
    Ok(())
}
