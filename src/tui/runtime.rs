//! The runtime: owns the terminal, turns keys, ticks, cluster changes and effect
//! answers into messages, runs `update`, hands its effects to `effects` (each on its
//! own task, off the render task), and draws once per batch of messages.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind, MouseButton, MouseEventKind};
use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::effects::{self, Engine};
use super::keymap::{Command, Rebound, rebind};
use super::model::{Action, AppRow, KubeContexts, Model, Screen, Seen};
use super::update::{self, Effect, Msg};
use super::views::{self, Theme};
use crate::config::Config;
use crate::engine::clusters::Clusters;
use crate::error::Classified;

/// What the cockpit is opened on.
pub struct Inputs {
    pub config: Config,
    pub kubeconfig: Option<PathBuf>,
    /// `--context`: every app's context, instead of its own.
    pub context: Option<String>,
    pub read_only: bool,
}

pub fn run(inputs: Inputs) -> Result<(), Box<dyn Classified>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Box::new(TerminalError(e)) as Box<dyn Classified>)?;
    // Read before the loop: no file IO on the task that draws.
    let kube = match crate::cluster::load_kubeconfig(inputs.kubeconfig.as_deref()) {
        Ok(kubeconfig) => KubeContexts {
            known: kubeconfig.contexts.into_iter().map(|c| c.name).collect(),
            current: kubeconfig.current_context,
            chosen: None,
        },
        Err(_) => KubeContexts::default(),
    };
    let mut model = initial_model(&inputs, kube);
    let rebound = user_keymap();
    if let Some(first) = rebound.problems.first() {
        model.status = Some((
            format!(
                "keys.yaml: {} problem(s): {first} (? lists them)",
                rebound.problems.len()
            ),
            true,
        ));
    }
    model.keymap = rebound.keymap;
    model.keymap_problems = rebound.problems;
    runtime.block_on(async {
        let mut terminal = super::terminal::enter()
            .map_err(|e| Box::new(TerminalError(e)) as Box<dyn Classified>)?;
        let result = event_loop(&mut terminal, inputs, model).await;
        super::terminal::restore();
        result.map_err(|e| Box::new(TerminalError(e)) as Box<dyn Classified>)
    })
}

/// The largest keys file read.
const MAX_KEYS_FILE: u64 = 64 * 1024;

/// The user's key rebindings: `$DRIFTDECK_KEYS`, else `keys.yaml` in the user
/// config dir (`~/.config/driftdeck/keys.yaml` on Linux). No file: the defaults.
fn user_keymap() -> Rebound {
    let path = std::env::var_os("DRIFTDECK_KEYS")
        .map(PathBuf::from)
        .or_else(|| dirs::config_dir().map(|dir| dir.join("driftdeck").join("keys.yaml")));
    let Some(path) = path else {
        return Rebound::default();
    };
    let problem = |message: String| Rebound {
        problems: vec![format!("{}: {message}", path.display())],
        ..Rebound::default()
    };
    match std::fs::metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Rebound::default(),
        Err(e) => return problem(e.to_string()),
        Ok(meta) if meta.len() > MAX_KEYS_FILE => {
            return problem(format!("{} bytes, more than {MAX_KEYS_FILE}", meta.len()));
        }
        Ok(_) => {}
    }
    match std::fs::read_to_string(&path) {
        Ok(text) => rebind(&text),
        Err(e) => problem(e.to_string()),
    }
}

/// The model before anything is known: the configured apps, loading. Apps without a
/// context show the kubeconfig's current one by name, as kubectl would use it.
pub fn initial_model(inputs: &Inputs, kube: KubeContexts) -> Model {
    let mut model = Model {
        apps: inputs
            .config
            .apps
            .iter()
            .map(|app| AppRow {
                name: app.name.clone(),
                repo: app.repo.to_string(),
                path: app.path.clone(),
                namespace: app.destination.namespace.clone(),
                context: String::new(),
                own_context: app.destination.context.clone(),
                automation: app.sync,
                desired: Ok("…".into()),
                seen: Seen::Loading,
                resources: Vec::new(),
            })
            .collect(),
        kube: KubeContexts {
            chosen: inputs.context.clone(),
            ..kube
        },
        read_only: inputs.read_only,
        now: Some(jiff::Timestamp::now()),
        ..Model::default()
    };
    model.name_contexts();
    model
}

async fn event_loop(
    terminal: &mut super::terminal::Term,
    inputs: Inputs,
    mut model: Model,
) -> std::io::Result<()> {
    let theme = Theme::from_env();
    let mut engine = Engine {
        clusters: Clusters::new(inputs.kubeconfig.as_deref()),
        config: inputs.config,
        context: inputs.context,
    };
    let (sender, mut receiver) = mpsc::unbounded_channel::<Msg>();
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut forwarders: Vec<JoinHandle<()>> = Vec::new();
    // The followed log's stream, while the logs screen follows one.
    let mut follower: Option<JoinHandle<()>> = None;
    let mut pending = update::init(&mut model);
    loop {
        for effect in pending.drain(..) {
            if effect == Effect::Quit {
                return Ok(());
            }
            if let Effect::LoadLogs { .. } = effect
                && let Some(old) = follower.take()
            {
                old.abort();
            }
            if let Effect::LoadLogs {
                generation,
                app,
                wanted,
                managed,
            } = effect
            {
                if wanted.follow {
                    follower = Some(follow_logs(
                        generation, app, wanted, managed, &engine, &sender,
                    ));
                } else {
                    spawn_effect(
                        Effect::LoadLogs {
                            generation,
                            app,
                            wanted,
                            managed,
                        },
                        &engine,
                        &sender,
                    );
                }
                continue;
            }
            if let Effect::UseContext(context) = effect {
                // The clusters left behind: their sessions and watches go.
                for app in &engine.config.apps {
                    let old = engine
                        .context
                        .as_deref()
                        .or(app.destination.context.as_deref());
                    engine.clusters.forget(old);
                }
                engine.context = context;
                continue;
            }
            if let Effect::Observe { hard: true, .. } = effect {
                // New sessions: follow their watches, not the forgotten ones'.
                forwarders.drain(..).for_each(|f| f.abort());
            }
            spawn_effect(effect, &engine, &sender);
        }
        if !(model.screen() == Screen::Logs && model.logs.follow)
            && let Some(old) = follower.take()
        {
            old.abort();
        }
        if forwarders.is_empty() && model.apps.iter().any(|a| matches!(a.seen, Seen::Status(_))) {
            forwarders = forward_changes(&engine, &sender);
        }
        terminal.draw(|frame| views::view(&model, &theme, frame))?;
        let msg = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => Some(Msg::Key(key)),
                Some(Ok(Event::Mouse(mouse))) => match mouse.kind {
                    MouseEventKind::ScrollDown => Some(Msg::Command(Command::Down)),
                    MouseEventKind::ScrollUp => Some(Msg::Command(Command::Up)),
                    MouseEventKind::Down(MouseButton::Left) => {
                        let size = terminal.size()?;
                        Some(Msg::Click {
                            column: mouse.column,
                            row: mouse.row,
                            width: size.width,
                            height: size.height,
                        })
                    }
                    _ => None,
                },
                Some(Ok(_)) => None,
                Some(Err(error)) => return Err(error),
                None => return Ok(()),
            },
            Some(msg) = receiver.recv() => Some(msg),
            _ = tick.tick() => Some(Msg::Tick(jiff::Timestamp::now())),
        };
        if let Some(msg) = msg {
            pending.extend(update::update(&mut model, msg));
        }
        // Take whatever else is waiting before drawing again.
        while let Ok(msg) = receiver.try_recv() {
            pending.extend(update::update(&mut model, msg));
        }
        if model.quit {
            return Ok(());
        }
    }
}

/// Follows a pod's log on its own task: the pods and the tail as `Msg::Logs`,
/// then new lines in batches (whatever has arrived) as `Msg::LogLines`, until the
/// stream ends or the task is aborted (follow off, another pod, screen left).
fn follow_logs(
    generation: u64,
    app: crate::model::AppName,
    wanted: update::LogsWanted,
    managed: Option<super::model::Managed>,
    engine: &Engine,
    sender: &mpsc::UnboundedSender<Msg>,
) -> JoinHandle<()> {
    let engine = engine.clone();
    let sender = sender.clone();
    tokio::spawn(async move {
        let opened = effects::open_logs(&engine, &app, &wanted, managed.as_ref()).await;
        let (read, stream) = match opened {
            Ok(opened) => opened,
            Err(error) => {
                let _ = sender.send(Msg::Logs {
                    generation,
                    result: Err(error),
                });
                return;
            }
        };
        let _ = sender.send(Msg::Logs {
            generation,
            result: Ok(read),
        });
        let Some(stream) = stream else {
            return;
        };
        let mut batches = stream.ready_chunks(1024);
        while let Some(batch) = batches.next().await {
            let mut lines = Vec::with_capacity(batch.len());
            let mut failed = None;
            for line in batch {
                match line {
                    Ok(line) => lines.push(effects::clean_log_line(&line)),
                    Err(error) => failed = Some(format!("the log stream broke: {error}")),
                }
            }
            let stop = failed.is_some();
            let _ = sender.send(Msg::LogLines {
                generation,
                lines,
                end: failed.clone(),
            });
            if stop {
                return;
            }
        }
        let _ = sender.send(Msg::LogLines {
            generation,
            lines: Vec::new(),
            end: Some("the log ended: the container stopped".into()),
        });
    })
}

/// Runs `effect` on its own task; its answer comes back as a message.
fn spawn_effect(effect: Effect, engine: &Engine, sender: &mpsc::UnboundedSender<Msg>) {
    let engine = engine.clone();
    let sender = sender.clone();
    tokio::spawn(async move {
        let msg = match effect {
            // Handled by the loop, which owns the engine.
            Effect::Quit | Effect::UseContext(_) => return,
            Effect::Observe { generation, hard } => Msg::Observed {
                generation,
                apps: effects::observe_all(&engine, hard).await,
            },
            Effect::LoadHistory { generation, app } => Msg::History {
                generation,
                result: effects::history(&engine, &app).await,
                app,
            },
            Effect::LoadEngineHistory {
                generation,
                app,
                context,
                engine_app,
            } => Msg::History {
                generation,
                result: effects::engine_history(&engine, context.as_deref(), &engine_app).await,
                app,
            },
            Effect::LoadEngineDiff {
                generation,
                context,
                engine_app,
                against,
                ..
            } => Msg::Diff {
                generation,
                result: effects::engine_diff(
                    &engine,
                    context.as_deref(),
                    &engine_app,
                    against.as_deref(),
                )
                .await,
            },
            Effect::LoadDiff {
                generation,
                app,
                against,
            } => Msg::Diff {
                generation,
                result: effects::diff_against(&engine, &app, &against).await,
            },
            Effect::LoadLogs {
                generation,
                app,
                wanted,
                managed,
            } => Msg::Logs {
                generation,
                result: effects::logs(&engine, &app, &wanted, managed.as_ref()).await,
            },
            Effect::LoadEvents {
                generation,
                app,
                managed,
            } => Msg::Events {
                generation,
                result: effects::events(&engine, &app, managed.as_ref()).await,
            },
            Effect::LoadActivity {
                generation,
                engine_apps,
            } => Msg::Activity {
                generation,
                ledgers: effects::activity(&engine, engine_apps).await,
            },
            Effect::ReadRepos { generation, fetch } => Msg::Repos {
                generation,
                fetched: fetch,
                rows: effects::repos(&engine, fetch).await,
            },
            Effect::AssessEngineResources {
                generation,
                context,
                keys,
            } => Msg::Assessed {
                generation,
                health: effects::assess_engine(&engine, context.as_deref(), keys).await,
            },
            Effect::Discover {
                generation,
                contexts,
            } => Msg::Discovered {
                generation,
                found: effects::discover(&engine, contexts).await,
            },
            Effect::Plan {
                generation,
                action: Action::Engine {
                    context, key, ask, ..
                },
            } => Msg::EnginePlanned {
                generation,
                result: effects::plan_engine(&engine, context.as_deref(), &key, &ask).await,
            },
            Effect::Plan { generation, action } => Msg::Planned {
                generation,
                result: effects::plan(&engine, &action).await,
            },
            Effect::Run { id, action } => Msg::Done {
                id,
                result: effects::run(&engine, action).await,
            },
        };
        let _ = sender.send(msg);
    });
}

/// Forwards every watched context's changes as `ClusterChanged`, at most twice a
/// second (a rollout changes many objects).
fn forward_changes(engine: &Engine, sender: &mpsc::UnboundedSender<Msg>) -> Vec<JoinHandle<()>> {
    let contexts: BTreeSet<Option<String>> = engine
        .config
        .apps
        .iter()
        .map(|app| {
            engine
                .context
                .clone()
                .or_else(|| app.destination.context.clone())
        })
        .collect();
    contexts
        .into_iter()
        .map(|context| {
            let clusters = engine.clusters.clone();
            let sender = sender.clone();
            tokio::spawn(async move {
                let Ok(session) = clusters.session(context.as_deref()).await else {
                    return;
                };
                let mut changes = session.watched.changes();
                while changes.changed().await.is_ok() {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    changes.mark_unchanged();
                    if sender.send(Msg::ClusterChanged).is_err() {
                        return;
                    }
                }
            })
        })
        .collect()
}

#[derive(Debug, thiserror::Error)]
#[error("the terminal failed: {0}")]
struct TerminalError(std::io::Error);

impl Classified for TerminalError {
    fn kind(&self) -> crate::error::ErrorKind {
        crate::error::ErrorKind::Io
    }
}
