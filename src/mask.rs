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

/// Appends to `key` the shape of `text`: addresses, UUIDs, long numbers and hex ids replaced
/// by stand-ins of the same shape, everything else kept. Messages with the same shape are
/// matched alike by every catalog rule, because rules read such values through classes
/// (`\d{12}`, `[0-9a-f]+`), never through their digits, with one exception kept here: an
/// IPv4 address keeps its kind (each private range, link-local, loopback, public), which
/// rules tell apart. Short numbers (status and exit codes, ports, counts) are kept as they are.
pub fn shape_key(text: &str, key: &mut String) {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        let at_word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if !at_word_start || !bytes[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let rest = &text[i..];
        let (word_len, stand_in) = stand_in(rest);
        match stand_in {
            Some((len, is_ip)) => {
                key.push_str(&text[copied..i]);
                let value = &rest[..len];
                if is_ip {
                    key.push_str(ip_kind(value));
                } else {
                    push_same_shape(value, key);
                }
                i += len;
                copied = i;
            }
            None => i += word_len,
        }
    }
    key.push_str(&text[copied..]);
}

/// For `rest`, which starts with a word: the word's length, and the value a shape key
/// replaces there, if any (its length, and whether it is an address: else it keeps only its
/// shape).
fn stand_in(rest: &str) -> (usize, Option<(usize, bool)>) {
    let bytes = rest.as_bytes();
    // The word's length, digits and whether it is all hex, in one pass: this runs on every
    // word of every message a summary reads.
    let (mut word_len, mut digits, mut all_hex) = (0, 0, true);
    for &b in bytes {
        if !b.is_ascii_alphanumeric() {
            break;
        }
        word_len += 1;
        digits += usize::from(b.is_ascii_digit());
        all_hex &= b.is_ascii_hexdigit();
    }
    let next = bytes.get(word_len).copied();
    // An address starts with a word of one to three digits and a dot; a UUID with eight hex
    // digits and a dash: only then are they looked for.
    let ip = (digits == word_len && word_len <= 3 && next == Some(b'.'))
        .then(|| ipv4_len(rest))
        .flatten();
    let uuid = (word_len == 8 && all_hex && next == Some(b'-'))
        .then(|| uuid_len(rest))
        .flatten();
    let value = if let Some(len) = ip {
        Some((len, true))
    } else if let Some(len) = uuid {
        Some((len, false))
    } else {
        let long_number = digits == word_len && word_len >= 5;
        let hex_id = word_len >= 8 && digits > 0 && digits < word_len && all_hex;
        (long_number || hex_id).then_some((word_len, false))
    };
    (word_len, value)
}

/// Digits become `0`, letters `a` or `A`: the same shape for any class a rule could use.
fn push_same_shape(value: &str, key: &mut String) {
    key.extend(value.bytes().map(|b| match b {
        b'0'..=b'9' => '0',
        b'a'..=b'z' => 'a',
        b'A'..=b'Z' => 'A',
        other => char::from(other),
    }));
}

/// A representative address of the same kind as `ip`.
fn ip_kind(ip: &str) -> &'static str {
    let mut octets = ip.split('.').map(|o| o.parse::<u16>().unwrap_or(0));
    let a = octets.next().unwrap_or(0);
    let b = octets.next().unwrap_or(0);
    match (a, b) {
        (10, _) => "10.0.0.0",
        (172, 16..=31) => "172.16.0.0",
        (192, 168) => "192.168.0.0",
        (169, 254) => "169.254.0.0",
        (127, _) => "127.0.0.1",
        (0, _) => "0.0.0.0",
        (100, 64..=127) => "100.64.0.0",
        _ => "203.0.113.0",
    }
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
    fn shape_key_keeps_what_rules_decide_on() {
        let key = |t: &str| {
            let mut k = String::new();
            shape_key(t, &mut k);
            k
        };
        // Values differ, shape is the same: one key.
        assert_eq!(
            key("lookup 123456789012.dkr.ecr on 10.0.0.2:53: no such host, task 0a1b2c3d4e5f6789"),
            key("lookup 987654321098.dkr.ecr on 10.9.8.7:53: no such host, task 9f8e7d6c5b4a3210")
        );
        // A private and a public address, or two status codes, are not the same shape.
        assert_ne!(
            key("dial tcp 10.0.1.25:443: i/o timeout"),
            key("dial tcp 52.1.2.3:443: i/o timeout")
        );
        assert_ne!(key("status code 403"), key("status code 404"));
        assert_eq!(key("API error (500) at 1.4.0"), "API error (500) at 1.4.0");
        // All digits and all letters differ from a mix (`\d{12}` must not start to match).
        assert_ne!(key("abcdef123456.dkr"), key("123456789012.dkr"));
        assert_eq!(key("deadbeef"), "deadbeef");
    }

    /// What `stand_in` decides, as first written: every check at every word.
    fn stand_in_by_definition(rest: &str) -> (usize, Option<(usize, bool)>) {
        let word_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        let value = if let Some(len) = ipv4_len(rest) {
            Some((len, true))
        } else if let Some(len) = uuid_len(rest) {
            Some((len, false))
        } else {
            let word = &rest[..word_len];
            let digits = word.bytes().filter(u8::is_ascii_digit).count();
            let long_number = digits == word_len && word_len >= 5;
            let hex_id = word_len >= 8
                && digits > 0
                && digits < word_len
                && word.bytes().all(|b| b.is_ascii_hexdigit());
            (long_number || hex_id).then_some((word_len, false))
        };
        (word_len, value)
    }

    #[test]
    fn stand_in_is_the_same_as_by_definition() {
        // Every text of up to four pieces from pieces that begin or break the values it masks.
        let pieces = [
            "10",
            "172",
            "1.",
            "0",
            ".",
            "-",
            "deadbeef",
            "0a1b2c3d",
            "4e5f",
            "123456789012",
            "12345",
            "x",
            "G",
            " ",
            ":",
            "ABCDEF12",
        ];
        let mut texts = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..4 {
            last = (last.iter())
                .flat_map(|t| pieces.iter().map(move |p| format!("{t}{p}")))
                .collect();
            texts.extend(last.iter().cloned());
        }
        assert!(texts.len() > 60_000);
        texts.extend(
            [
                "id 3f1c2a4b-1111-2222-3333-444455556666 and 3F1C2A4B-1111-2222-3333-44445555666",
                "3f1c2a4b-1111-2222-3333-4444555566667 3f1c2a4b-111-2222-3333-444455556666",
                "dial tcp 10.0.1.25:443, 1.2.3.4.5 and 1.2.3 and 1234.1.1.1 and 10.0.0.1a",
                "from 172.16.0.1 via 192.168.10.200 to 52.94.133.131:443 not 999.1.1.1x",
                "task 0a1b2c3d4e5f6789 job aa0000000a00 build 20240101 port 8080",
            ]
            .map(String::from),
        );
        for text in &texts {
            let bytes = text.as_bytes();
            for i in (0..bytes.len()).filter(|&i| bytes[i].is_ascii_alphanumeric()) {
                let rest = &text[i..];
                assert_eq!(stand_in(rest), stand_in_by_definition(rest), "{rest:?}");
            }
        }
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
