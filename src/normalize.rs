//! Text normalisation applied to every message before matching.
//!
//! ECS wording drifts between agent versions and copy-paste mangles it, so patterns are written
//! against one canonical form:
//! - typographic quotes (`’`, `‘`, `“`, `”`) become ASCII quotes (agent PR #4181 introduced `’`);
//! - runs of whitespace, including literal `\n`/`\t` escapes from JSON-quoted pastes, become one
//!   space, and control characters (ANSI colour codes among them) are removed;
//! - retry counters read `retried <n> time(s)` whatever the agent wrote (`times`, `time`);
//! - a trailing ellipsis that marks a truncated message is dropped;
//! - what people write in place of a value they hide (`XXXXXXXXXXXX`, `8xxxxxxxxxx0`, `****`,
//!   `<account>`, `<ID REDACTED>`, `{ACCOUNT_ID}`, `:...:` in an ARN) becomes the word
//!   [`REDACTED`]: an unknown value, which a rule's `\d{12}` (an account id) also accepts (see
//!   `catalog::regex`) and which is never shown as a value.
//!
//! Case is not changed here: patterns are compiled case-insensitively instead, so captures keep
//! the original spelling.

/// The word every redaction token becomes.
pub const REDACTED: &str = "redacted";

/// The canonical form of a message, and what its redactions replaced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Normalized {
    pub text: String,
    /// Each [`REDACTED`] in `text`: its byte offset and the token the poster wrote there.
    pub redactions: Vec<(usize, String)>,
}

impl Normalized {
    /// `text[range]` with the poster's own redaction tokens put back: captures keep the
    /// spelling of the input. A range that is one redaction and nothing else stays
    /// [`REDACTED`], an unknown value.
    pub fn original(&self, range: std::ops::Range<usize>) -> String {
        let slice = &self.text[range.clone()];
        if slice == REDACTED {
            return slice.to_string();
        }
        let mut out = String::with_capacity(slice.len());
        let mut copied = range.start;
        for (at, token) in &self.redactions {
            if *at >= range.start && at + REDACTED.len() <= range.end {
                out.push_str(&self.text[copied..*at]);
                out.push_str(token);
                copied = at + REDACTED.len();
            }
        }
        out.push_str(&self.text[copied..range.end]);
        out
    }
}

/// Returns the canonical form of `text` used for matching.
pub fn normalize(text: &str) -> String {
    normalize_tracked(text).text
}

/// [`normalize`], remembering what each redaction replaced.
pub fn normalize_tracked(text: &str) -> Normalized {
    let out = if is_already_normal(text.as_bytes()) {
        text.to_string()
    } else {
        normal_spacing(text)
    };
    let out = canonical_retry_counts(out);
    let out = strip_truncation_marker(out);
    canonical_redactions(out)
}

/// Whether the character pass of `normal_spacing` would leave `text` as it is: printable
/// ASCII, single spaces between words, no pasted `\n`. Most messages are, and checking bytes
/// is several times quicker than rebuilding the text character by character.
fn is_already_normal(text: &[u8]) -> bool {
    let (Some(&first), Some(&last)) = (text.first(), text.last()) else {
        return true;
    };
    first != b' '
        && last != b' '
        && text.iter().all(|&b| (b' '..=b'~').contains(&b))
        && memchr::memmem::find(text, b"  ").is_none()
        && !memchr::memchr_iter(b'\\', text)
            .any(|i| matches!(text.get(i + 1), Some(b'n' | b't' | b'r')))
}

/// Quotes made straight, whitespace runs made one space, control characters and terminal
/// escape sequences dropped, pasted `\n` read as a line break.
fn normal_spacing(text: &str) -> String {
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
    out
}

/// Whether `text` (as read, before normalising) was cut short: it ends in an ellipsis, or has
/// exactly a length ECS cuts reasons at (255 or 1,024 bytes, by agent version).
pub fn is_cut(text: &str) -> bool {
    let trimmed = text.trim_end();
    trimmed.ends_with("...") || trimmed.ends_with('\u{2026}') || matches!(text.len(), 255 | 1024)
}

/// Whether `bytes` holds `xxx` (any case), `***` or `:..`: the marks of a hidden value.
/// Found from the bytes that begin them (a run over every window was a tenth of matching).
fn may_hide_something(bytes: &[u8]) -> bool {
    let hiding_run = |i: usize| match bytes.get(i..i + 3) {
        Some([b'*', b'*', b'*']) => true,
        Some(run) => run.iter().all(|b| b.eq_ignore_ascii_case(&b'x')),
        None => false,
    };
    memchr::memchr3_iter(b'x', b'X', b'*', bytes).any(hiding_run)
        || memchr::memmem::find(bytes, b":..").is_some()
}

/// Replaces redaction tokens by [`REDACTED`].
fn canonical_redactions(text: String) -> Normalized {
    let bytes = text.as_bytes();
    // Cheap test first: most messages hide nothing.
    let maybe = may_hide_something(bytes)
        || memchr::memchr2(b'<', b'{', bytes).is_some()
        || text.contains("REDACTED")
        || text.contains("ACCOUNT");
    if !maybe {
        return Normalized {
            text,
            redactions: Vec::new(),
        };
    }
    let mut out = String::with_capacity(text.len());
    let mut redactions = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match redaction_at(&text, i) {
            Some(len) => {
                redactions.push((out.len(), text[i..i + len].to_string()));
                out.push_str(REDACTED);
                i += len;
            }
            None => {
                let c = text[i..].chars().next().expect("in bounds");
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    Normalized {
        text: out,
        redactions,
    }
}

/// The length of the redaction token that starts at `at`, if one does.
fn redaction_at(text: &str, at: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let rest = &text[at..];
    let after_word = at == 0 || !is_word_byte(bytes[at - 1]);
    // `<account>`, `<ID REDACTED>`, `{ACCOUNT_ID}`, `{{ Request_Token}}`.
    if let Some(close) = match bytes[at] {
        b'<' => Some(b'>'),
        b'{' => Some(b'}'),
        _ => None,
    } {
        let open = bytes[at];
        let opens = rest.bytes().take_while(|&b| b == open).count();
        let inner_start = opens;
        let inner_len = rest[inner_start..]
            .bytes()
            .take(41)
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'_' | b'-'))
            .count();
        let inner = &rest[inner_start..inner_start + inner_len];
        let closes = rest[inner_start + inner_len..]
            .bytes()
            .take_while(|&b| b == close)
            .count();
        let named = inner.bytes().any(|b| b.is_ascii_alphabetic())
            && inner.trim() == inner.trim_matches(' ')
            && inner_len <= 40
            && closes >= 1
            && !inner.trim().eq_ignore_ascii_case(REDACTED);
        return named.then_some(inner_start + inner_len + closes.min(opens));
    }
    // `:...:` and `::.....:` where an ARN's account goes: the dots, not the colons.
    if bytes[at] == b'.' && at > 0 && bytes[at - 1] == b':' {
        let dots = rest.bytes().take_while(|&b| b == b'.').count();
        return (dots >= 3 && bytes.get(at + dots) == Some(&b':')).then_some(dots);
    }
    if !after_word {
        return None;
    }
    let word_len = rest
        .bytes()
        .take_while(|&b| is_word_byte(b) || b == b'*')
        .count();
    if word_len == 0 {
        return None;
    }
    let word = &rest[..word_len];
    let masked_run = |c: u8| {
        word.as_bytes()
            .windows(3)
            .any(|w| w.iter().all(|&b| b.eq_ignore_ascii_case(&c)))
    };
    // `XXXXXXXXXXXX`, `8xxxxxxxxxx0`, `exxxx5xxxf`: hex-ish words with a run of x's.
    let x_masked = masked_run(b'x')
        && word
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || b.eq_ignore_ascii_case(&b'x'));
    // `************`, `863****9ac`.
    let star_masked = masked_run(b'*');
    const WORDS: &[&str] = &[
        "REDACTED",
        "ACCOUNT",
        "ACCOUNT_ID",
        "ACCOUNTID",
        "AWS_ACCOUNT_ID",
        "YOUR_ACCOUNT_ID",
    ];
    let known = WORDS.contains(&word);
    (x_masked || star_masked || known).then_some(word_len)
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
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
    use super::{is_already_normal, may_hide_something, normalize};

    /// The byte checks say what a run over every window of the text says.
    #[test]
    fn byte_checks_agree_with_the_window_definitions() {
        let by_windows = |b: &[u8]| {
            b.windows(3).any(|w| {
                matches!(
                    w,
                    [b'x' | b'X', b'x' | b'X', b'x' | b'X']
                        | [b'*', b'*', b'*']
                        | [b':', b'.', b'.']
                )
            })
        };
        let normal_by_windows = |t: &[u8]| {
            let (Some(&first), Some(&last)) = (t.first(), t.last()) else {
                return true;
            };
            first != b' '
                && last != b' '
                && t.iter().all(|&b| (b' '..=b'~').contains(&b))
                && !t
                    .windows(2)
                    .any(|w| matches!(w, [b' ', b' '] | [b'\\', b'n' | b't' | b'r']))
        };
        // Every text of up to four bytes over the bytes that matter, and a few more.
        let alphabet = b"xX*:. \\ntrzA\x07";
        let mut texts: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..4 {
            let longer: Vec<Vec<u8>> = texts
                .iter()
                .filter(|t| t.len() == texts.last().map_or(0, Vec::len))
                .flat_map(|t| alphabet.iter().map(move |&b| [t.as_slice(), &[b]].concat()))
                .collect();
            texts.extend(longer);
        }
        assert!(texts.len() > 20_000);
        for t in &texts {
            assert_eq!(may_hide_something(t), by_windows(t), "{t:?}");
            assert_eq!(is_already_normal(t), normal_by_windows(t), "{t:?}");
        }
    }

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
    fn redaction_tokens_become_one_word() {
        for (text, expected) in [
            (
                "failed to resolve ref XXXXXXXXXXXX.dkr.ecr.us-east-1.amazonaws.com/web:1",
                "failed to resolve ref redacted.dkr.ecr.us-east-1.amazonaws.com/web:1",
            ),
            (
                "arn:aws:sts::8xxxxxxxxxx0:assumed-role/r and arn:aws:iam::.....:role/x",
                "arn:aws:sts::redacted:assumed-role/r and arn:aws:iam::redacted:role/x",
            ),
            (
                "secret:<ID REDACTED>:x {ACCOUNT_ID}.dkr <account> sha256:863****9ac",
                "secret:redacted:x redacted.dkr redacted sha256:redacted",
            ),
            (
                "arn:aws:iam::ACCOUNT:role/x",
                "arn:aws:iam::redacted:role/x",
            ),
        ] {
            assert_eq!(normalize(text), expected);
            assert_eq!(normalize(expected), expected);
        }
        // Not redactions: hex with a single x, words that contain x, a lone `<`.
        for text in [
            "0x2 nginx xenial",
            "a < b and {json: 1}",
            "exec format error",
        ] {
            assert_eq!(normalize(text), text);
        }
    }

    #[test]
    fn captures_get_the_poster_s_tokens_back() {
        let n = super::normalize_tracked("arn:aws:ecs:x:xxx:service/my-Cluster-xxx/XXX-web did");
        let start = n.text.find("arn").unwrap();
        let end = n.text.find(" did").unwrap();
        assert_eq!(
            n.original(start..end),
            "arn:aws:ecs:x:xxx:service/my-Cluster-xxx/XXX-web"
        );
        // A value that is nothing but a redaction stays unknown.
        let at = n.text.find("redacted").unwrap();
        assert_eq!(n.original(at..at + 8), "redacted");
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

    /// The byte check that skips the character pass must never skip a text the pass would
    /// change: every short string over the characters that matter, both ways.
    #[test]
    fn text_the_quick_check_passes_is_left_as_it_is_by_the_full_pass() {
        let alphabet = [
            " ",
            "  ",
            "a",
            "\\",
            "n",
            "\t",
            "\u{2019}",
            "\u{1b}[0m",
            "\n",
            "~",
        ];
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            texts = texts
                .iter()
                .flat_map(|t| alphabet.iter().map(move |a| format!("{t}{a}")))
                .collect();
            for text in &texts {
                let quick = super::is_already_normal(text.as_bytes());
                let unchanged = super::normal_spacing(text) == *text;
                assert!(
                    !quick || unchanged,
                    "{text:?} passes the quick check but changes"
                );
                if text.is_ascii() && unchanged && !text.contains('\\') {
                    assert!(
                        quick,
                        "{text:?} is already normal but fails the quick check"
                    );
                }
            }
        }
    }
}
