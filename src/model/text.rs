//! Neutralising text that comes from outside (commit messages, object fields, logs)
//! before it reaches a terminal: control characters, including the ESC that starts
//! every terminal escape sequence, become visible `\u{..}` escapes.

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

fn neutralise(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    let is_unsafe = |c: char| c.is_control() && !keep(c);
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn plain_text_is_borrowed_and_multi_line_keeps_newlines() {
        assert!(matches!(one_line("plain ünïcode"), Cow::Borrowed(_)));
        assert_eq!(one_line("a\nb"), "a\\u{a}b");
        assert_eq!(multi_line("a\n\tb\u{1b}c"), "a\n\tb\\u{1b}c");
    }
}
