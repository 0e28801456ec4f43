//! Neutralising text that comes from outside (commit messages, object fields, logs)
//! before it reaches a terminal: control characters, including the ESC that starts
//! every terminal escape sequence, and bidirectional overrides become visible
//! `\u{..}` escapes.

use std::borrow::Cow;

/// Makes `text` safe to print on one line: every control character (C0, DEL, C1),
/// including newlines and tabs, is replaced by a visible escape.
pub fn one_line(text: &str) -> Cow<'_, str> {
    neutralise(text, |_| false)
}

/// Like [`one_line`] but keeps newlines and tabs, for multi-line text such as logs.
pub fn multi_line(text: &str) -> Cow<'_, str> {
    neutralise(text, |c| c == '\n' || c == '\t')
}

/// Whether a character may change what a terminal shows beyond itself: controls
/// (C0, DEL, C1, including ESC and the one-byte CSI), bidirectional overrides and
/// isolates (which reorder the text around them) and the Unicode line separators.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}'
        )
}

/// JSON text with every [`is_unsafe`] character written as a `\uXXXX` escape.
/// Such characters can only stand inside JSON strings, where the escape means the
/// same, so the document is unchanged for any parser and harmless on a terminal.
pub fn json_safe(json: &str) -> Cow<'_, str> {
    if !json.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t') {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_unsafe(c) && c != '\n' && c != '\t' {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn neutralise(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    let is_unsafe = |c: char| is_unsafe(c) && !keep(c);
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// How long ago `then` was, in one unit: `42s`, `5m`, `3h`, `12d`, `2y`.
pub fn age(now: jiff::Timestamp, then: jiff::Timestamp) -> String {
    let seconds = now.as_second().saturating_sub(then.as_second()).max(0);
    match seconds {
        s if s < 60 => format!("{s}s"),
        s if s < 3_600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3_600),
        s if s < 86_400 * 365 => format!("{}d", s / 86_400),
        s => format!("{}y", s / (86_400 * 365)),
    }
}

/// A duration in its two largest units: "45s", "12m 5s", "3h 5m", "2d 4h".
/// Negative durations (a clock skew between Git and the cluster) read as "0s".
pub fn duration(span: jiff::SignedDuration) -> String {
    let seconds = span.as_secs().max(0);
    let units = [(86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")];
    let Some(first) = units.iter().position(|(size, _)| seconds >= *size) else {
        return "0s".into();
    };
    let (size, unit) = units[first];
    let mut text = format!("{}{unit}", seconds / size);
    if let Some((next, next_unit)) = units.get(first + 1) {
        let rest = seconds % size / next;
        if rest > 0 {
            text.push_str(&format!(" {rest}{next_unit}"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_show_their_two_largest_units() {
        let d = jiff::SignedDuration::from_secs;
        assert_eq!(duration(d(0)), "0s");
        assert_eq!(duration(d(-5)), "0s");
        assert_eq!(duration(d(45)), "45s");
        assert_eq!(duration(d(12 * 60 + 5)), "12m 5s");
        assert_eq!(duration(d(3 * 3_600 + 5 * 60 + 9)), "3h 5m");
        assert_eq!(duration(d(2 * 86_400 + 4 * 3_600)), "2d 4h");
        assert_eq!(duration(d(3 * 86_400)), "3d");
    }

    #[test]
    fn escape_sequences_become_visible() {
        let evil = "fix \u{1b}]0;pwned\u{7}title \u{1b}[31mred\u{9b}2J";
        let safe = one_line(evil);
        assert!(!safe.chars().any(char::is_control), "{safe:?}");
        assert_eq!(
            safe,
            "fix \\u{1b}]0;pwned\\u{7}title \\u{1b}[31mred\\u{9b}2J"
        );
    }

    #[test]
    fn bidi_overrides_are_escaped_and_json_stays_valid() {
        assert_eq!(one_line("evil\u{202e}txt"), "evil\\u{202e}txt");
        let json = serde_json::to_string(&"a\u{9b}b\u{202e}c").unwrap();
        let safe = json_safe(&json);
        assert!(!safe.chars().any(is_unsafe), "{safe}");
        assert_eq!(
            serde_json::from_str::<String>(&safe).unwrap(),
            "a\u{9b}b\u{202e}c"
        );
    }

    #[test]
    fn plain_text_is_borrowed_and_multi_line_keeps_newlines() {
        assert!(matches!(one_line("plain ünïcode"), Cow::Borrowed(_)));
        assert_eq!(one_line("a\nb"), "a\\u{a}b");
        assert_eq!(multi_line("a\n\tb\u{1b}c"), "a\n\tb\\u{1b}c");
    }
}
