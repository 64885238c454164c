//! Splits a message into its fixed wording and its variable parts (ARNs, ids, addresses,
//! numbers). Used to write a pattern stub for an unrecognised message and to group
//! unrecognised messages that differ only in such values.

/// What kind of value a variable part is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variable {
    Arn,
    Uuid,
    Ip,
    Account,
    Hex,
    Number,
}

impl Variable {
    /// The placeholder used in masked text.
    pub fn placeholder(self) -> &'static str {
        match self {
            Variable::Arn => "<arn>",
            Variable::Uuid => "<uuid>",
            Variable::Ip => "<ip>",
            Variable::Account => "<account>",
            Variable::Hex => "<hex>",
            Variable::Number => "<n>",
        }
    }

    /// A regex matching values of this kind.
    pub fn regex(self) -> &'static str {
        match self {
            Variable::Arn => r"arn:aws[\w-]*:\S+?",
            Variable::Uuid => r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            Variable::Ip => r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}",
            Variable::Account => r"\d{12}",
            Variable::Hex => r"[0-9a-f]+",
            Variable::Number => r"\d+",
        }
    }
}

/// A piece of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'t> {
    Text(&'t str),
    Value(Variable, &'t str),
}

/// Splits `text` into fixed text and variable values.
pub fn segments(text: &str) -> Vec<Segment<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut literal_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let at_word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let found = if at_word_start {
            variable_at(text, i)
        } else {
            None
        };
        match found {
            Some((kind, end)) => {
                if literal_start < i {
                    out.push(Segment::Text(&text[literal_start..i]));
                }
                out.push(Segment::Value(kind, &text[i..end]));
                i = end;
                literal_start = end;
            }
            None => {
                i += 1;
                while i < bytes.len() && !text.is_char_boundary(i) {
                    i += 1;
                }
            }
        }
    }
    if literal_start < bytes.len() {
        out.push(Segment::Text(&text[literal_start..]));
    }
    out
}

/// `text` with every variable part replaced by its placeholder.
pub fn masked(text: &str) -> String {
    segments(text)
        .into_iter()
        .map(|s| match s {
            Segment::Text(t) => t,
            Segment::Value(kind, _) => kind.placeholder(),
        })
        .collect()
}

fn variable_at(text: &str, start: usize) -> Option<(Variable, usize)> {
    let rest = &text[start..];
    if rest.starts_with("arn:aws") {
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ')' | '(' | ']'))
            .unwrap_or(rest.len());
        return Some((Variable::Arn, start + end));
    }
    let word_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    if word_len == 0 {
        return None;
    }
    if let Some(len) = uuid_len(rest) {
        return Some((Variable::Uuid, start + len));
    }
    if let Some(len) = ipv4_len(rest) {
        return Some((Variable::Ip, start + len));
    }
    let word = &rest[..word_len];
    if word.bytes().all(|b| b.is_ascii_digit()) {
        let kind = if word.len() == 12 {
            Variable::Account
        } else {
            Variable::Number
        };
        return Some((kind, start + word_len));
    }
    let is_hex = word.len() >= 8
        && word
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && word.bytes().any(|b| b.is_ascii_digit());
    if is_hex {
        return Some((Variable::Hex, start + word_len));
    }
    // A number with a unit (`30s`, `512MiB`): mask the number, keep the unit.
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    (digits > 0).then_some((Variable::Number, start + digits))
}

fn uuid_len(text: &str) -> Option<usize> {
    let groups = [8, 4, 4, 4, 12];
    let bytes = text.as_bytes();
    let mut at = 0;
    for (n, len) in groups.iter().enumerate() {
        if n > 0 {
            if bytes.get(at) != Some(&b'-') {
                return None;
            }
            at += 1;
        }
        let run = bytes[at.min(bytes.len())..]
            .iter()
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        if run != *len {
            return None;
        }
        at += len;
    }
    Some(at)
}

/// The length of the IPv4 address `text` starts with, if it does (not followed by a letter or
/// digit).
pub(crate) fn ipv4_len(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = 0;
    for octet in 0..4 {
        if octet > 0 {
            if bytes.get(at) != Some(&b'.') {
                return None;
            }
            at += 1;
        }
        let run = bytes[at.min(bytes.len())..]
            .iter()
            .take(4)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if run == 0 || run > 3 {
            return None;
        }
        at += run;
    }
    let followed_by_word = bytes.get(at).is_some_and(|b| b.is_ascii_alphanumeric());
    (!followed_by_word).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_values() {
        assert_eq!(
            masked("dial tcp 10.0.1.25:443: i/o timeout after 5 tries on 123456789012"),
            "dial tcp <ip>:<n>: i/o timeout after <n> tries on <account>"
        );
        assert_eq!(
            masked(
                "RequestID: 3f1c2a4b-1111-2222-3333-444455556666, secret arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbC, task 0a1b2c3d4e5f"
            ),
            "RequestID: <uuid>, secret <arn>, task <hex>"
        );
    }

    #[test]
    fn leaves_words_alone() {
        assert_eq!(
            masked("CannotPullContainerError: v2 ecs-svc"),
            "CannotPullContainerError: v2 ecs-svc"
        );
        assert_eq!(masked("deadbeef"), "deadbeef");
    }
}
