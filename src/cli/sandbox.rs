//! `driftdeck sandbox`: runs the embedded Kubernetes-API server headless until
//! interrupted, printing where it listens and the kubeconfig to use.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::{CliResult, GlobalArgs, Outcome, boxed};
use crate::sandbox::{CONTEXT_NAME, FaultConfig, Sandbox, SandboxOptions};

#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// The port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Where to write the kubeconfig (default: a temporary file, removed at exit).
    #[arg(long, value_name = "PATH")]
    pub kubeconfig_out: Option<PathBuf>,
    /// Load the objects from FILE if it exists, and save them there while running.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Fault injection: delay every request by this many milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,
    /// Fault injection: answer this share of requests (0.0–1.0) with a 500.
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub error_rate: f64,
    /// Fault injection: answer 403 for a resource (`deployments.apps`, `secrets`, or
    /// `secrets/NAMESPACE`); repeatable.
    #[arg(long, value_name = "RESOURCE")]
    pub forbid: Vec<String>,
    /// Fault injection: answer 500 to every write of a resource (same forms as
    /// --forbid; reads still work); repeatable.
    #[arg(long, value_name = "RESOURCE")]
    pub fail_writes: Vec<String>,
    /// Fault injection: cut every watch stream after this many seconds.
    #[arg(long, value_name = "SECONDS")]
    pub drop_watches_after: Option<u64>,
    /// Serve the objects without the simulated controllers.
    #[arg(long)]
    pub no_controllers: bool,
}

pub fn run(_global: &GlobalArgs, args: SandboxArgs) -> CliResult {
    if !(0.0..=1.0).contains(&args.error_rate) {
        return Err(boxed(super::UsageError {
            message: format!("--error-rate {} is not between 0 and 1", args.error_rate),
            hint: None,
        }));
    }
    let options = SandboxOptions {
        port: args.port,
        kubeconfig_out: args.kubeconfig_out,
        state: args.state,
        faults: FaultConfig {
            latency: Duration::from_millis(args.latency_ms),
            error_rate: args.error_rate,
            forbidden: args.forbid,
            failing_writes: args.fail_writes,
            drop_watches_after: args.drop_watches_after.map(Duration::from_secs),
        },
        no_controllers: args.no_controllers,
        change_log: None,
    };
    let sandbox = Sandbox::start_with(options).map_err(boxed)?;
    println!("driftdeck sandbox listening on {}", sandbox.url());
    println!("kubeconfig: {}", sandbox.kubeconfig().display());
    println!(
        "try: kubectl --kubeconfig {} --context {CONTEXT_NAME} get nodes",
        sandbox.kubeconfig().display()
    );
    println!("press Ctrl-C to stop");
    wait_for_interrupt();
    println!("stopping");
    sandbox.stop().map_err(boxed)?;
    Ok(Outcome::Ok)
}

/// Blocks until SIGINT or SIGTERM.
pub(super) fn wait_for_interrupt() {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    runtime.block_on(async {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            if let Ok(mut term) = signal(SignalKind::terminate()) {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
                return;
            }
        }
        let _ = tokio::signal::ctrl_c().await;
    });
}
