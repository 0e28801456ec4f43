//! Diff text as lines to draw: a unified diff coloured by its markers, and two
//! texts side by side, aligned by a line diff (changed lines face each other).

use ratatui::text::{Line, Span};
use similar::{DiffTag, TextDiff};

use super::Theme;

/// A unified diff's lines, coloured: `+` desired (what a sync brings), `-` live.
pub fn unified_lines(unified: &str, theme: &Theme) -> Vec<Line<'static>> {
    unified
        .lines()
        .map(|line| {
            let style = if line.starts_with("+++") || line.starts_with("---") {
                theme.dim()
            } else if line.starts_with('+') {
                theme.added()
            } else if line.starts_with('-') {
                theme.removed()
            } else if line.starts_with("@@") {
                theme.marker()
            } else {
                Default::default()
            };
            Line::styled(line.to_owned(), style)
        })
        .collect()
}

/// One row of a side-by-side diff: the live line, the desired line, and whether
/// they differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SideRow {
    pub live: Option<String>,
    pub desired: Option<String>,
    pub changed: bool,
}

/// `live` and `desired` side by side: equal runs face each other, a replaced run
/// pairs line by line, a deletion or insertion leaves the other side empty.
pub fn side_by_side(live: &str, desired: &str) -> Vec<SideRow> {
    let diff = TextDiff::from_lines(live, desired);
    let old: Vec<&str> = live.lines().collect();
    let new: Vec<&str> = desired.lines().collect();
    let line = |lines: &[&str], i: usize| lines.get(i).map(|l| (*l).to_owned());
    let mut rows = Vec::new();
    for op in diff.ops() {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let count = old_range.len().max(new_range.len());
        for offset in 0..count {
            let left = (offset < old_range.len())
                .then(|| line(&old, old_range.start + offset))
                .flatten();
            let right = (offset < new_range.len())
                .then(|| line(&new, new_range.start + offset))
                .flatten();
            rows.push(SideRow {
                live: left,
                desired: right,
                changed: tag != DiffTag::Equal,
            });
        }
    }
    rows
}

/// Side-by-side rows as lines `width` columns wide (each side half of it).
pub fn side_lines(rows: &[SideRow], width: u16, theme: &Theme) -> Vec<Line<'static>> {
    let half = usize::from(width.saturating_sub(3) / 2);
    let fit = |text: &Option<String>| {
        let text = text.as_deref().unwrap_or("");
        let cut: String = text.chars().take(half).collect();
        format!("{cut:<half$}")
    };
    rows.iter()
        .map(|row| {
            let (left, right) = if row.changed {
                (theme.removed(), theme.added())
            } else {
                (Default::default(), Default::default())
            };
            Line::from(vec![
                Span::styled(fit(&row.live), left),
                Span::styled(if row.changed { " │ " } else { "   " }, theme.dim()),
                Span::styled(fit(&row.desired), right),
            ])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_lines_face_each_other_and_insertions_leave_a_gap() {
        let live = "a: 1\nb: 2\nc: 3\n";
        let desired = "a: 1\nb: 5\nc: 3\nd: 4\n";
        let rows = side_by_side(live, desired);
        let pairs: Vec<(Option<&str>, Option<&str>, bool)> = rows
            .iter()
            .map(|r| (r.live.as_deref(), r.desired.as_deref(), r.changed))
            .collect();
        assert_eq!(
            pairs,
            vec![
                (Some("a: 1"), Some("a: 1"), false),
                (Some("b: 2"), Some("b: 5"), true),
                (Some("c: 3"), Some("c: 3"), false),
                (None, Some("d: 4"), true),
            ]
        );
    }
}
