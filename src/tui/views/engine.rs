//! Argo CD and Flux apps as the views show them: their cells in the apps table,
//! the summary under it, the app screen (managed resources, and beside them the
//! engine's state: automation, operation, conditions, deploy history) and the
//! engine action form. Every string from the cluster is neutralised.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, TableState, Wrap};

use super::Theme;
use super::modal::centered;
use crate::integrations::{ConditionStatus, ExternalApp, OperationPhase};
use crate::model::{HealthStatus, SyncStatus, text};
use crate::tui::model::{EngineApp, EngineForm, Model};

/// A revision as few characters tell it: seven characters of a commit (of a Flux
/// artifact revision `main@sha1:…` too), a chart version as it is.
pub fn short_revision(revision: &str) -> String {
    let hex = |s: &str| s.len() >= 12 && s.bytes().all(|b| b.is_ascii_hexdigit());
    let commit = revision
        .split_once("sha1:")
        .map_or(revision, |(_, commit)| commit);
    if hex(commit) {
        return commit[..7].to_owned();
    }
    revision.to_owned()
}

/// `Synced`, `OutOfSync`, or `Unknown` when the engine has not said.
fn sync_cell(app: &ExternalApp, theme: &Theme) -> Span<'static> {
    match app.sync {
        Some(sync) => Span::styled(sync.as_str().to_owned(), theme.sync(sync)),
        None => Span::styled("Unknown", theme.sync(SyncStatus::OutOfSync)),
    }
}

/// The SYNC, HEALTH and LIVE cells of the apps table; dimmed, the sync marked
/// `?`, while the row is as last seen (its context cannot be searched).
pub fn status_cells(engine_app: &EngineApp, theme: &Theme) -> [Cell<'static>; 3] {
    let app = &engine_app.app;
    let live = app.live_revision.as_deref().map_or_else(
        || "-".into(),
        |r| text::one_line(&short_revision(r)).into_owned(),
    );
    if engine_app.stale.is_some() {
        let sync = app.sync.map_or("Unknown", SyncStatus::as_str);
        return [
            Cell::from(Span::styled(format!("{sync}?"), theme.dim())),
            Cell::from(Span::styled(
                format!("{}?", app.health.status.label()),
                theme.dim(),
            )),
            Cell::from(Span::styled(live, theme.dim())),
        ];
    }
    let mut sync = vec![sync_cell(app, theme)];
    if app
        .operation
        .as_ref()
        .is_some_and(|op| op.phase.is_active())
    {
        sync.push(Span::styled(" ⟳", theme.marker()));
    }
    [
        Cell::from(Line::from(sync)),
        Cell::from(Span::styled(
            app.health.status.label().to_owned(),
            theme.health(app.health.status),
        )),
        Cell::from(live),
    ]
}

/// LAST SYNC: when the engine last deployed (or finished an operation).
pub fn last_sync(model: &Model, app: &ExternalApp) -> String {
    let at = app
        .operation
        .as_ref()
        .and_then(|op| op.finished_at)
        .or_else(|| app.history.first().and_then(|d| d.deployed_at));
    at.zip(model.now)
        .map(|(at, now)| text::age(now, at))
        .unwrap_or_else(|| "-".into())
}

/// The two summary lines under the apps table.
pub fn summary(model: &Model, engine_app: &EngineApp, theme: &Theme) -> Vec<Line<'static>> {
    let app = &engine_app.app;
    let source = app
        .source
        .as_ref()
        .map(|s| {
            [s.url.as_deref(), s.path.as_deref(), s.chart.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    let first = Line::from(vec![
        Span::raw(
            text::one_line(&format!(
                "{} {} {}/{} on {}  ({source})  ",
                app.engine().label(),
                app.kind.label(),
                app.namespace,
                app.name,
                engine_app.context
            ))
            .into_owned(),
        ),
        Span::styled(
            text::one_line(&app.automation.words()).into_owned(),
            theme.dim(),
        ),
    ]);
    if let Some(stale) = &engine_app.stale {
        let seen = stale
            .seen_at
            .zip(model.now)
            .map_or("earlier".to_owned(), |(at, now)| {
                format!("{} ago", text::age(now, at))
            });
        let second = Line::styled(
            text::one_line(&format!(
                "as last seen {seen}: {} cannot be searched now ({})",
                engine_app.context, stale.error
            ))
            .into_owned(),
            theme.error(),
        );
        return vec![first, second];
    }
    // A pin says more than a healthy app's message, less than a failure.
    if app.problems().next().is_none()
        && let Some((words, warn)) = pin_words(model, engine_app)
    {
        let style = if warn {
            theme.error()
        } else {
            Style::default()
        };
        return vec![
            first,
            Line::styled(text::one_line(&words).into_owned(), style),
        ];
    }
    let second = match (app.problems().next(), &app.operation) {
        (Some(problem), _) => Line::styled(
            text::one_line(&format!("{}: {}", problem.type_name, problem.summary())).into_owned(),
            theme.error(),
        ),
        (None, Some(op)) => Line::from(
            text::one_line(&format!(
                "operation {}: {}",
                phase_word(op.phase),
                op.message
            ))
            .into_owned(),
        ),
        (None, None) if !app.health.message.is_empty() => {
            Line::from(text::one_line(&app.health.message).into_owned())
        }
        (None, None) => Line::styled(
            format!("{} managed resources", app.resources.len()),
            theme.dim(),
        ),
    };
    vec![first, second]
}

/// What a person should know of a source a driftdeck rollback pinned, and
/// whether it is a warning: pinned by this app (`u` undoes it), by another app
/// (unpinned from there), or by an app not found in its context any more (unpinned
/// from here).
fn pin_words(model: &Model, engine_app: &EngineApp) -> Option<(String, bool)> {
    let app = &engine_app.app;
    let by = app.source.as_ref()?.pinned_by.as_deref()?;
    let source = app
        .source
        .as_ref()
        .and_then(|s| s.object.as_ref())
        .map_or_else(
            || "its source".to_owned(),
            |o| format!("{} {}", o.kind, o.name),
        );
    let unpin = model.keymap.key_of(crate::tui::keymap::Command::Unpin);
    if by == app.qualified() {
        return Some((
            format!("{source} pinned by this app's rollback: {unpin} unpins and resumes it"),
            false,
        ));
    }
    let found = model.apps.iter().any(|row| {
        row.engine_app()
            .is_some_and(|other| other.context == engine_app.context && other.app.qualified() == by)
    });
    Some(if found {
        (
            format!("{source} pinned by the rollback of {by}: unpin it from there"),
            false,
        )
    } else {
        (
            format!(
                "{source} pinned by the rollback of {by}, which is not among the apps found: \
                 {unpin} unpins it if it is gone"
            ),
            true,
        )
    })
}

fn phase_word(phase: OperationPhase) -> &'static str {
    match phase {
        OperationPhase::Requested => "requested",
        OperationPhase::Running => "running",
        OperationPhase::Terminating => "terminating",
        OperationPhase::Succeeded => "succeeded",
        OperationPhase::Failed => "failed",
        OperationPhase::Error => "error",
        OperationPhase::Unknown => "unknown",
    }
}

/// The app screen of an engine's app: its managed resources with the engine's
/// verdicts, and its state.
pub fn render_app(
    model: &Model,
    engine_app: &EngineApp,
    theme: &Theme,
    frame: &mut Frame<'_>,
    area: Rect,
) {
    let app = &engine_app.app;
    let wide = area.width >= 140;
    let [list, detail] = if wide {
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(area)
    } else {
        Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(area)
    };
    let title = text::one_line(&format!(
        " {} {}/{} → {} ",
        app.kind.label(),
        app.namespace,
        app.name,
        engine_app.context
    ))
    .into_owned();
    let block = Block::default().borders(Borders::ALL).title(title);
    let dash = || Span::styled("-", theme.dim());
    // The engine's verdict, else driftdeck's from the live object.
    let health_of = |resource| health_of(model, resource);
    let rows = app.resources.iter().map(|resource| {
        let key = &resource.key;
        Row::new(vec![
            Cell::from(text::one_line(&key.kind).into_owned()),
            Cell::from(text::one_line(&key.namespace).into_owned()),
            Cell::from(text::one_line(&key.name).into_owned()),
            Cell::from(
                resource
                    .sync
                    .map_or_else(dash, |sync| Span::styled(sync.as_str(), theme.sync(sync))),
            ),
            Cell::from(health_of(resource).map_or_else(
                || {
                    if model.app_view.assessed.contains_key(key) {
                        Span::styled("Missing", theme.health(HealthStatus::Missing))
                    } else {
                        dash()
                    }
                },
                |health| Span::styled(health.status.label(), theme.health(health.status)),
            )),
            Cell::from(Span::styled(
                health_of(resource)
                    .map(|h| text::one_line(&h.message).into_owned())
                    .unwrap_or_default()
                    + if resource.hook { " (hook)" } else { "" },
                theme.dim(),
            )),
        ])
    });
    let table = Table::new(
        rows,
        [
            Constraint::Length(14),
            Constraint::Length(12),
            Constraint::Length(18),
            Constraint::Length(10),
            Constraint::Length(11),
            Constraint::Fill(1),
        ],
    )
    .header(Row::new(["KIND", "NAMESPACE", "NAME", "SYNC", "HEALTH", "MESSAGE"]).style(theme.dim()))
    .row_highlight_style(theme.selected(true))
    .block(block);
    if app.resources.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(
                "the engine reports no managed resources",
                theme.dim(),
            ))
            .block(Block::default().borders(Borders::ALL)),
            list,
        );
    } else {
        let mut state = TableState::default().with_selected(Some(model.app_view.selected));
        frame.render_stateful_widget(table, list, &mut state);
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" engine state ");
    frame.render_widget(
        Paragraph::new(state_lines(model, engine_app, theme))
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((model.app_view.scroll, 0)),
        detail,
    );
}

/// The engine's verdict on a resource, else driftdeck's from its live object.
fn health_of<'a>(
    model: &'a Model,
    resource: &'a crate::integrations::ManagedResource,
) -> Option<&'a crate::model::Health> {
    resource.health.as_ref().or_else(|| {
        model
            .app_view
            .assessed
            .get(&resource.key)
            .and_then(Option::as_ref)
            .map(|assessed| &assessed.health)
    })
}

fn state_lines(model: &Model, engine_app: &EngineApp, theme: &Theme) -> Vec<Line<'static>> {
    let app = &engine_app.app;
    let line = |label: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{label:<11}"), theme.dim()),
            Span::raw(text::one_line(&value).into_owned()),
        ])
    };
    let mut lines = vec![
        line(
            "sync",
            app.sync
                .map_or("Unknown (not compared yet)", SyncStatus::as_str)
                .to_owned(),
        ),
        line(
            "health",
            format!("{} {}", app.health.status.label(), app.health.message),
        ),
        line(
            "target",
            app.target_revision.clone().unwrap_or_else(|| "-".into()),
        ),
        line(
            "live",
            app.live_revision.clone().unwrap_or_else(|| "-".into()),
        ),
        line("automation", app.automation.words()),
    ];
    if let Some(source) = &app.source {
        let mut words: Vec<String> = Vec::new();
        if let Some(object) = &source.object {
            words.push(format!("{} {}", object.kind, object.name));
        }
        words.extend(source.url.clone());
        words.extend(source.path.clone());
        words.extend(source.chart.clone());
        words.extend(source.target_revision.clone().map(|r| format!("@ {r}")));
        lines.push(line("source", words.join(" ")));
        if let Some((words, warn)) = pin_words(model, engine_app) {
            let style = if warn {
                theme.error()
            } else {
                Style::default()
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{:<11}", "pinned"), theme.dim()),
                Span::styled(text::one_line(&words).into_owned(), style),
            ]));
        }
    }
    if let Some(op) = &app.operation {
        lines.push(line(
            "operation",
            format!(
                "{} {} {}{}",
                phase_word(op.phase),
                op.revision
                    .as_deref()
                    .map(short_revision)
                    .unwrap_or_default(),
                op.message,
                op.initiated_by
                    .as_deref()
                    .map(|by| format!(" (by {by})"))
                    .unwrap_or_default()
            ),
        ));
    }
    if !app.conditions.is_empty() {
        lines.push(Line::styled("conditions", theme.dim()));
        for condition in &app.conditions {
            let style = if app.problems().any(|p| p == condition) {
                theme.error()
            } else {
                Style::default()
            };
            let status = match condition.status {
                ConditionStatus::True => "True",
                ConditionStatus::False => "False",
                ConditionStatus::Unknown => "Unknown",
            };
            lines.push(Line::styled(
                text::one_line(&format!(
                    "  {}={status} {}",
                    condition.type_name,
                    condition.summary()
                ))
                .into_owned(),
                style,
            ));
        }
    }
    if !app.history.is_empty() {
        lines.push(Line::styled("deploy history (newest first)", theme.dim()));
        for deployed in &app.history {
            let when = deployed
                .deployed_at
                .zip(model.now)
                .map(|(at, now)| text::age(now, at))
                .unwrap_or_default();
            let mut words = vec![
                deployed.id.map(|id| format!("#{id}")).unwrap_or_default(),
                short_revision(&deployed.revision),
                when,
            ];
            words.extend(deployed.status.clone());
            words.extend(deployed.initiated_by.clone().map(|by| format!("by {by}")));
            lines.push(Line::from(
                text::one_line(&format!("  {}", words.join(" "))).into_owned(),
            ));
        }
    }
    lines
}

/// The engine action form: the plan, the options, the reason.
pub fn form(form: &EngineForm, theme: &Theme, frame: &mut Frame<'_>) {
    let area = centered(frame.area(), 100, frame.area().height.saturating_sub(2));
    frame.render_widget(Clear, area);
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(
            " {}? ",
            text::one_line(
                &form
                    .planned_title
                    .clone()
                    .unwrap_or_else(|| form.action.title())
            )
        ),
        theme.title(true),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [plan, options, label, reason, keys] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(3),
        Constraint::Length(1),
    ])
    .areas(inner);
    let lines: Vec<Line<'_>> = match (&form.error, form.pending.loading) {
        (Some(error), _) if form.plan.is_empty() => vec![Line::styled(
            text::one_line(error).into_owned(),
            theme.error(),
        )],
        (_, true) => vec![Line::styled("reading the objects…", theme.dim())],
        _ => form
            .plan
            .iter()
            .map(|line| {
                if line.starts_with("warning:") {
                    Line::styled(line.as_str(), theme.error())
                } else {
                    Line::from(line.as_str())
                }
            })
            .collect(),
    };
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), plan);
    let mut toggles = Vec::new();
    for (key, name, state) in crate::tui::update::external::toggles(form) {
        toggles.push(Span::styled(key, theme.marker()));
        toggles.push(Span::raw(format!(" {name}: {}  ", text::one_line(&state))));
    }
    frame.render_widget(Paragraph::new(Line::from(toggles)), options);
    let label_line = match &form.error {
        Some(error) if !form.plan.is_empty() || error.starts_with("type a reason") => {
            Line::styled(text::one_line(error).into_owned(), theme.error())
        }
        _ if form.reason_required => Line::styled("reason (required):", theme.dim()),
        _ => Line::styled("reason (optional):", theme.dim()),
    };
    frame.render_widget(Paragraph::new(label_line), label);
    let mut textarea = form.reason.clone();
    textarea.set_block(Block::default().borders(Borders::ALL));
    frame.render_widget(&textarea, reason);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("Enter", theme.marker()),
            Span::raw(" go  "),
            Span::styled("Esc", theme.marker()),
            Span::raw(" cancel"),
        ])),
        keys,
    );
}
