//! Text normalisation applied to every message before matching.
//!
//! ECS wording drifts between agent versions and copy-paste mangles it, so patterns are written
//! against one canonical form:
//! - typographic quotes (`’`, `‘`, `“`, `”`) become ASCII quotes (agent PR #4181 introduced `’`);
//! - runs of whitespace, including literal `\n`/`\t` escapes from JSON-quoted pastes, become one
//!   space, and control characters (ANSI colour codes among them) are removed;
//! - retry counters read `retried <n> time(s)` whatever the agent wrote (`times`, `time`);
//! - a trailing ellipsis that marks a truncated message is dropped.
//!
//! Case is not changed here: patterns are compiled case-insensitively instead, so captures keep
//! the original spelling.

/// Returns the canonical form of `text` used for matching.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut pending_space = false;
    while let Some(c) = chars.next() {
        let mapped = match c {
            '\u{2019}' | '\u{2018}' | '\u{02BC}' => '\'',
            '\u{201C}' | '\u{201D}' => '"',
            '\u{1B}' => {
                skip_escape_sequence(&mut chars);
                continue;
            }
            c if c.is_whitespace() => {
                pending_space = true;
                continue;
            }
            c if c.is_control() => continue,
            // A JSON `\n` pasted as two characters. Checked against what was written, not
            // the input, so removing a control character cannot create one for a second pass.
            'n' | 't' | 'r' if !pending_space && out.ends_with('\\') => {
                out.pop();
                pending_space = true;
                continue;
            }
            c => c,
        };
        if pending_space && !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
        pending_space = false;
        out.push(mapped);
    }
    out.truncate(out.trim_end().len());
    let out = canonical_retry_counts(out);
    strip_truncation_marker(out)
}

/// Skips the rest of an ANSI escape sequence (CSI `ESC [ ... final`, or a two-byte escape).
fn skip_escape_sequence(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.peek() {
        Some('[') => {
            chars.next();
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        }
        Some(']') => {
            // OSC: runs until BEL or ESC \.
            chars.next();
            while let Some(c) = chars.next() {
                if c == '\u{7}' {
                    break;
                }
                if c == '\u{1B}' {
                    chars.next();
                    break;
                }
            }
        }
        Some(_) => {
            chars.next();
        }
        None => {}
    }
}

/// Rewrites `retried 5 times` and `retried 1 time` to `retried 5 time(s)`.
fn canonical_retry_counts(text: String) -> String {
    const KEY: &str = "retried ";
    if !text.contains(KEY) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text.as_str();
    while let Some(at) = rest.find(KEY) {
        let after_key = at + KEY.len();
        out.push_str(&rest[..after_key]);
        rest = &rest[after_key..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            continue;
        }
        out.push_str(&rest[..digits]);
        rest = &rest[digits..];
        for word in [" time(s)", " times", " time"] {
            if let Some(tail) = rest.strip_prefix(word) {
                let ends_word = tail
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric() && c != '(');
                if word == " time(s)" || ends_word {
                    out.push_str(" time(s)");
                    rest = tail;
                }
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Drops trailing ellipses (all of them, so normalising twice changes nothing).
fn strip_truncation_marker(mut text: String) -> String {
    while let Some(marker) = ["...", "\u{2026}"].into_iter().find(|m| text.ends_with(m)) {
        text.truncate(text.len() - marker.len());
        let trimmed = text.trim_end().len();
        text.truncate(trimmed);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn curly_apostrophes_become_straight() {
        assert_eq!(
            normalize("The task can\u{2019}t pull the image."),
            "The task can't pull the image."
        );
    }

    #[test]
    fn retry_counts_are_canonical() {
        assert_eq!(
            normalize("create stream has been retried 1 times: failed"),
            "create stream has been retried 1 time(s): failed"
        );
        assert_eq!(normalize("retried 5 time(s): x"), "retried 5 time(s): x");
        assert_eq!(normalize("retried 1 time: x"), "retried 1 time(s): x");
        assert_eq!(normalize("retried 3 timestamps"), "retried 3 timestamps");
    }

    /// Cases the property tests (tests/properties.rs) found: normalising twice changed them.
    #[test]
    fn normalising_twice_changes_nothing() {
        for text in [
            "......",
            "\\\u{1b} time(s)",
            "retried \\n time(s)",
            "retried  \\n",
            "\u{2019} \\retried ",
        ] {
            let once = normalize(text);
            assert_eq!(normalize(&once), once, "{text:?}");
        }
        assert_eq!(normalize("cut off here......"), "cut off here");
        assert_eq!(normalize("retried \\n time(s)"), "retried time(s)");
    }

    #[test]
    fn whitespace_and_escapes_collapse() {
        assert_eq!(
            normalize("  send request failed\n\tcaused by:\\n Post  x "),
            "send request failed caused by: Post x"
        );
    }

    #[test]
    fn ansi_and_control_characters_are_removed() {
        assert_eq!(normalize("\u{1b}[31mred\u{1b}[0m\u{7} text"), "red text");
        assert_eq!(normalize("a\u{1b}]0;title\u{7}b"), "ab");
    }

    #[test]
    fn truncation_marker_is_dropped() {
        assert_eq!(
            normalize("executable file not found in ..."),
            "executable file not found in"
        );
        assert_eq!(
            normalize("Error response from dae\u{2026}"),
            "Error response from dae"
        );
    }
}
