//! `driftdeck demo [--dir DIR]`: writes the sample GitOps repository, starts the
//! sandbox cluster in-process and brings it into the story's state, shows where
//! every app stands and what to try, and keeps the cluster up until Ctrl-C. On exit
//! it saves the cluster's state and says how to bring it back.
//!
//! In a terminal the cockpit opens on it; otherwise (or with `--no-wait`) the
//! commands to explore it with are printed.

use std::path::PathBuf;

use clap::Args;

use super::{CliResult, GlobalArgs, Outcome, UsageError, boxed};
use crate::demo;
use crate::engine::clusters::Clusters;
use crate::model::text;
use crate::sandbox::{Sandbox, SandboxOptions};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to put the repository, kubeconfig and cluster state (default: a
    /// temporary directory, kept until the demo ends).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// The sandbox's port on 127.0.0.1 (default: any free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Set everything up, print where things are, and exit (the cluster stops).
    #[arg(long)]
    pub no_wait: bool,
}

pub fn run(global: &GlobalArgs, args: DemoArgs) -> CliResult {
    let temporary;
    let dir = match &args.dir {
        Some(dir) => {
            if dir.join("shop-gitops").exists() {
                return Err(boxed(UsageError {
                    message: format!("{} already holds a demo", dir.display()),
                    hint: Some("pick another --dir, or remove that folder".into()),
                }));
            }
            dir.clone()
        }
        None => {
            temporary = tempfile::Builder::new()
                .prefix("driftdeck-demo-")
                .tempdir()
                .map_err(|e| boxed(super::output::OutputError::Write(e)))?;
            temporary.path().to_path_buf()
        }
    };
    let prepared = demo::prepare(&dir, jiff::Timestamp::now(), demo::renderer_available)?;
    for notice in &prepared.notices {
        eprintln!("notice: {notice}");
    }
    let kubeconfig = dir.join("kubeconfig");
    let state = dir.join("sandbox-state.json");
    let sandbox = Sandbox::start_with(SandboxOptions {
        port: args.port,
        kubeconfig_out: Some(kubeconfig.clone()),
        state: Some(state.clone()),
        ..SandboxOptions::default()
    })
    .map_err(boxed)?;
    let clusters = Clusters::new(Some(&kubeconfig));
    super::act::runtime()?.block_on(demo::play(&prepared, &clusters))?;
    let config = prepared.repo.join("driftdeck.yaml");
    let good_payments = prepared
        .story
        .commits
        .iter()
        .position(|c| c.message.starts_with("payments: 1.4.1"))
        .and_then(|i| prepared.commits.get(i))
        .map(|c| c.short().to_owned())
        .unwrap_or_default();
    let env = format!(
        "export DRIFTDECK_CONFIG={} KUBECONFIG={}",
        config.display(),
        kubeconfig.display()
    );
    super::say(format_args!(
        "driftdeck demo: a cluster at {} and the repository {}\n\n\
         The apps:\n  web       in sync with Git, healthy\n  api       three commits behind Git\n  \
         cache     a Helm chart, in sync\n  orders    changed by hand (scaled, a setting edited)\n  \
         payments  crash-looping since 'bump to 1.5.0' (Degraded within a minute)\n  \
         search    two objects deleted by hand\n\n\
         Try, in another terminal:\n  {env}\n  driftdeck apps\n  driftdeck diff orders\n  \
         driftdeck history payments\n  driftdeck logs payments --tail 20\n  \
         driftdeck rollback payments --to {good_payments} --reason \"1.5.0 crash-loops\"\n  \
         driftdeck sync api\n  kubectl get pods -A\n\n\
         In a terminal the cockpit opens next (q quits it and stops the cluster).",
        text::one_line(sandbox.url()),
        prepared.repo.display(),
    ));
    if !args.no_wait {
        use std::io::IsTerminal;
        if std::io::stdout().is_terminal() {
            crate::tui::run(crate::tui::Inputs {
                config: prepared.config.clone(),
                kubeconfig: Some(kubeconfig.clone()),
                context: None,
                read_only: global.read_only,
            })?;
        } else {
            super::say(format_args!("Ctrl-C stops the cluster."));
            super::sandbox::wait_for_interrupt();
        }
    }
    sandbox.stop().map_err(boxed)?;
    super::say(format_args!(
        "\nThe repository: {}\nThe kubeconfig: {}\nThe cluster's state is saved; bring it back with\n  driftdeck sandbox --state {} --kubeconfig-out {}",
        prepared.repo.display(),
        kubeconfig.display(),
        state.display(),
        kubeconfig.display()
    ));
    if args.dir.is_none() {
        super::say(format_args!(
            "(all of it in a temporary directory, removed now: use --dir to keep it)"
        ));
    }
    Ok(Outcome::Ok)
}
