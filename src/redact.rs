//! `--redact`: output safe to paste into a ticket or a public forum.
//!
//! Redaction happens once, centrally, on the rendered output: every byte a renderer writes goes
//! through [`RedactingWriter`], so neither a renderer nor a pattern author can forget it. Before
//! a diagnosis is rendered the redactor *learns* the names it carries — resource names inside
//! ARNs (roles, users, secrets, parameters, clusters, services, log groups, target groups, keys,
//! buckets) and the task's cluster, service and family — because a name can appear in the output
//! without its ARN ("the role `web-exec`"). Then it replaces, everywhere:
//! - 12-digit account ids with `<account-N>`;
//! - IPv4 addresses with `<ip-N>`;
//! - each learned name with `<role-N>`, `<secret-N>`, `<cluster-N>`, ...
//!
//! The same value always gets the same token within a run, so the output stays readable:
//! `<account-1>.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/nginx/nginx:latest` is still a usable
//! image reference. Redacting redacted text changes nothing.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{self, Write};
use std::rc::Rc;

use crate::arn::{Arn, find_arns};
use crate::report::Diagnosis;

/// What kind of value a token stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Account,
    Ip,
    Role,
    User,
    Session,
    Secret,
    Parameter,
    Cluster,
    Service,
    Family,
    LogGroup,
    TargetGroup,
    LoadBalancer,
    Key,
    Bucket,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Account => "account",
            Kind::Ip => "ip",
            Kind::Role => "role",
            Kind::User => "user",
            Kind::Session => "session",
            Kind::Secret => "secret",
            Kind::Parameter => "parameter",
            Kind::Cluster => "cluster",
            Kind::Service => "service",
            Kind::Family => "family",
            Kind::LogGroup => "log-group",
            Kind::TargetGroup => "target-group",
            Kind::LoadBalancer => "load-balancer",
            Kind::Key => "key",
            Kind::Bucket => "bucket",
        }
    }
}

/// JSON keys of our own output: never replaced where they are keys, whatever a name is called.
const OUTPUT_KEYS: &[&str] = &[
    "account",
    "arn",
    "builtin_patterns",
    "candidates",
    "captures",
    "category",
    "cause",
    "check",
    "cluster",
    "clusters",
    "command",
    "commands",
    "conditions",
    "confidence",
    "confidence_reason",
    "container",
    "containers",
    "count",
    "diagnoses",
    "docs",
    "errors",
    "evidence",
    "example_tasks",
    "exit_code",
    "families",
    "family",
    "field",
    "findings",
    "first",
    "fix",
    "fix_variants",
    "group",
    "groups",
    "health_status",
    "id",
    "image",
    "kind",
    "level",
    "matched",
    "name",
    "next_steps",
    "normalized",
    "notes",
    "pattern",
    "pattern_stub",
    "position",
    "reason",
    "recognised",
    "region",
    "run",
    "scan",
    "schema_version",
    "service",
    "services",
    "severity",
    "source",
    "status",
    "stop_code",
    "stopped_at",
    "stopped_reason",
    "summary",
    "task",
    "terraform",
    "text",
    "timeline",
    "title",
    "tool",
    "transient",
    "unrecognised",
    "url",
    "value",
    "values",
    "version",
    "warnings",
];

/// Learned names shorter than this are left alone.
const MIN_NAME_CHARS: usize = 3;

/// Learns names and replaces sensitive values with stable tokens.
#[derive(Debug, Default)]
pub struct Redactor {
    tokens: HashMap<(Kind, String), String>,
    counts: HashMap<Kind, usize>,
    /// Learned names and their tokens, longest first (so `prod-db` goes before `prod`).
    names: Vec<(String, String)>,
}

impl Redactor {
    pub fn new() -> Redactor {
        Redactor::default()
    }

    fn token(&mut self, kind: Kind, value: &str) -> String {
        if let Some(token) = self.tokens.get(&(kind, value.to_string())) {
            return token.clone();
        }
        let n = self.counts.entry(kind).or_default();
        *n += 1;
        let token = format!("<{}-{n}>", kind.label());
        self.tokens.insert((kind, value.to_string()), token.clone());
        token
    }

    /// Remembers `name` as a value of `kind` to replace wherever it appears.
    pub fn learn_name(&mut self, kind: Kind, name: &str) {
        let name = name.trim();
        // Our own placeholders (`<role>`) are nothing to hide, and a name of one or two
        // characters says little while its token would be sprinkled over every word.
        if name.chars().count() < MIN_NAME_CHARS
            || name.starts_with('<')
            || self.names.iter().any(|(n, _)| n == name)
        {
            return;
        }
        let token = self.token(kind, name);
        self.names.push((name.to_string(), token.clone()));
        // Markdown output escapes `_` and `*`; the escaped spelling must go too.
        let escaped = name.replace('_', "\\_").replace('*', "\\*");
        if escaped != name {
            self.names.push((escaped, token));
        }
        self.names
            .sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
    }

    /// Learns the resource names of every ARN in `text`.
    pub fn learn_text(&mut self, text: &str) {
        for arn in find_arns(text) {
            self.learn_arn(&arn);
        }
    }

    fn learn_arn(&mut self, arn: &Arn<'_>) {
        let resource = arn.resource;
        let after = |prefix: &str| resource.strip_prefix(prefix);
        let last = |path: &str| path.rsplit('/').next().unwrap_or(path).to_string();
        match arn.service {
            "iam" => {
                if let Some(role) = after("role/") {
                    self.learn_name(Kind::Role, &last(role));
                } else if let Some(user) = after("user/") {
                    self.learn_name(Kind::User, &last(user));
                } else if let Some(profile) = after("instance-profile/") {
                    self.learn_name(Kind::Role, &last(profile));
                }
            }
            "sts" => {
                if let Some(rest) = after("assumed-role/") {
                    let mut parts = rest.splitn(2, '/');
                    if let Some(role) = parts.next() {
                        self.learn_name(Kind::Role, role);
                    }
                    if let Some(session) = parts.next() {
                        self.learn_name(Kind::Session, session);
                    }
                }
            }
            "secretsmanager" => {
                if let Some(name) = after("secret:") {
                    // `name-AbCdEf`, optionally `:json-key:stage:version` after it.
                    let name = name.split(':').next().unwrap_or(name);
                    self.learn_name(Kind::Secret, name);
                    if let Some((base, suffix)) = name.rsplit_once('-')
                        && suffix.len() == 6
                    {
                        self.learn_name(Kind::Secret, base);
                    }
                }
            }
            "ssm" => {
                if let Some(name) = after("parameter") {
                    self.learn_name(Kind::Parameter, name.trim_end_matches(['.', ',']));
                }
            }
            "ecs" => {
                if let Some(name) = after("cluster/") {
                    self.learn_name(Kind::Cluster, name);
                } else if let Some(rest) = after("service/") {
                    let mut parts: Vec<&str> = rest.split('/').collect();
                    if parts.len() == 2 {
                        self.learn_name(Kind::Cluster, parts[0]);
                    }
                    if let Some(service) = parts.pop() {
                        self.learn_name(Kind::Service, service);
                    }
                } else if let Some(rest) = after("task/") {
                    if let Some((cluster, _)) = rest.split_once('/') {
                        self.learn_name(Kind::Cluster, cluster);
                    }
                } else if let Some(rest) = after("task-definition/") {
                    self.learn_name(Kind::Family, rest.split(':').next().unwrap_or(rest));
                }
            }
            "logs" => {
                if let Some(group) = after("log-group:") {
                    self.learn_name(Kind::LogGroup, group.split(':').next().unwrap_or(group));
                }
            }
            "elasticloadbalancing" => {
                if let Some(rest) = after("targetgroup/") {
                    self.learn_name(Kind::TargetGroup, rest.split('/').next().unwrap_or(rest));
                } else if let Some(rest) = after("loadbalancer/") {
                    let name = rest.split('/').nth(1).unwrap_or(rest);
                    self.learn_name(Kind::LoadBalancer, name);
                }
            }
            "kms" => {
                if let Some(key) = after("key/").or_else(|| after("alias/")) {
                    self.learn_name(Kind::Key, key);
                }
            }
            "s3" => {
                let bucket = resource.split('/').next().unwrap_or(resource);
                self.learn_name(Kind::Bucket, bucket);
            }
            _ => {}
        }
    }

    /// Learns everything `diagnosis` names: its task's cluster, service and family, and the
    /// ARNs in its messages, captures and rendered text.
    pub fn learn_diagnosis(&mut self, d: &Diagnosis) {
        let t = &d.task;
        for (kind, name) in [
            (Kind::Cluster, &t.cluster),
            (Kind::Service, &t.service),
            (Kind::Family, &t.family),
        ] {
            if let Some(name) = name {
                self.learn_name(kind, name);
            }
        }
        for text in t
            .task_arn
            .iter()
            .chain(&t.stopped_reason)
            .chain(t.containers.iter().filter_map(|c| c.reason.as_ref()))
        {
            self.learn_text(text);
        }
        for f in &d.findings {
            for (_, value) in &f.captures {
                self.learn_text(value);
            }
            self.learn_text(&f.cause);
            self.learn_text(&f.fix);
            for c in &f.commands {
                self.learn_text(&c.run);
            }
            for e in &f.evidence {
                if let Some(text) = &e.text {
                    self.learn_text(text);
                }
            }
            for text in f.probe.iter().flat_map(|p| p.strings()) {
                self.learn_text(text);
            }
        }
    }

    /// `text` with every sensitive value replaced.
    pub fn redact(&mut self, text: &str) -> String {
        let named = self.replace_names(text);
        let accounts = self.replace_accounts(&named);
        self.replace_ips(&accounts)
    }

    fn replace_names(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (name, token) in &self.names {
            if !out.contains(name.as_str()) {
                continue;
            }
            let mut result = String::with_capacity(out.len());
            let mut rest = out.as_str();
            while let Some(at) = rest.find(name.as_str()) {
                let before = rest[..at].chars().next_back();
                let after_text = &rest[at + name.len()..];
                let after = after_text.chars().next();
                let bounded = (before.is_none_or(|c| !is_name_char(c))
                    || ends_with_escape(&rest[..at]))
                    && after.is_none_or(|c| !is_name_char(c));
                // Our own JSON keys stay, whatever a resource is called.
                let is_own_key = before == Some('"')
                    && after_text.starts_with("\":")
                    && OUTPUT_KEYS.contains(&name.as_str());
                result.push_str(&rest[..at]);
                // A name glued to a token stays: it was part of a longer word when the token
                // was written, and replacing it on a second pass would change redacted text.
                let next_to_token = ends_with_token(&result) || starts_with_token(after_text);
                if bounded && !is_own_key && !next_to_token {
                    result.push_str(token);
                } else {
                    result.push_str(name);
                }
                rest = after_text;
            }
            result.push_str(rest);
            out = result;
        }
        out
    }

    fn replace_accounts(&mut self, text: &str) -> String {
        self.replace_runs(text, |bytes, at| {
            let run = bytes[at..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            let bounded =
                at == 0 || !bytes[at - 1].is_ascii_alphanumeric() || ends_with_escape(&text[..at]);
            let ends = bytes
                .get(at + run)
                .is_none_or(|b| !b.is_ascii_alphanumeric());
            (run == 12 && bounded && ends).then_some((run, Kind::Account))
        })
    }

    fn replace_ips(&mut self, text: &str) -> String {
        self.replace_runs(text, |bytes, at| {
            if at > 0
                && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'.')
                && !ends_with_escape(&text[..at])
            {
                return None;
            }
            let len = crate::mask::ipv4_len(&text[at..])?;
            // `1.2.3.4.5` is a version, not an address.
            let ends = bytes.get(at + len) != Some(&b'.');
            (ends && !is_well_known(&text[at..at + len])).then_some((len, Kind::Ip))
        })
    }

    /// Replaces every span `find` recognises at a digit with its token.
    fn replace_runs(
        &mut self,
        text: &str,
        find: impl Fn(&[u8], usize) -> Option<(usize, Kind)>,
    ) -> String {
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        let mut at = 0;
        while at < bytes.len() {
            if bytes[at].is_ascii_digit()
                && let Some((len, kind)) = find(bytes, at)
            {
                out.push_str(&text[copied..at]);
                let token = self.token(kind, &text[at..at + len]);
                out.push_str(&token);
                at += len;
                copied = at;
                continue;
            }
            at += 1;
        }
        out.push_str(&text[copied..]);
        out
    }
}

/// Whether `text` ends with a token such as `<secret-2>`.
fn ends_with_token(text: &str) -> bool {
    text.strip_suffix('>')
        .and_then(|t| t.rfind('<').map(|i| &t[i + 1..]))
        .is_some_and(is_token_body)
}

/// Whether `text` starts with a token such as `<secret-2>`.
fn starts_with_token(text: &str) -> bool {
    text.strip_prefix('<')
        .and_then(|t| t.find('>').map(|i| &t[..i]))
        .is_some_and(is_token_body)
}

/// `secret-2`: a kind's label, a dash, a number.
fn is_token_body(body: &str) -> bool {
    body.rsplit_once('-').is_some_and(|(label, n)| {
        !label.is_empty()
            && label.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
            && !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Addresses that are the same in every account and say nothing about anyone: `0.0.0.0/0` in
/// a route check, loopback, and link-local ones such as the task metadata endpoint.
fn is_well_known(ip: &str) -> bool {
    ip == "0.0.0.0"
        || ip == "255.255.255.255"
        || ip.starts_with("127.")
        || ip.starts_with("169.254.")
}

/// Whether `before` ends with an escape sequence (`\n` in JSON, `\x1b` or `\u{202e}` where
/// the text renderer made a control character visible): what follows starts a new word.
fn ends_with_escape(before: &str) -> bool {
    let b = before.as_bytes();
    let backslash_at = |i: usize| b.len() >= i && b[b.len() - i] == b'\\';
    let hex_tail = |n: usize| b.len() >= n && b[b.len() - n..].iter().all(u8::is_ascii_hexdigit);
    (backslash_at(2) && b[b.len() - 1].is_ascii_alphabetic())
        || (backslash_at(4) && b[b.len() - 3] == b'x' && hex_tail(2))
        || (backslash_at(6) && b[b.len() - 5] == b'u' && hex_tail(4))
        || (b.last() == Some(&b'}')
            && before.rfind("\\u{").is_some_and(|i| {
                let digits = &before[i + 3..before.len() - 1];
                !digits.is_empty()
                    && digits.len() <= 6
                    && digits.bytes().all(|c| c.is_ascii_hexdigit())
            }))
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_'
}

/// A writer that redacts what passes through it. It holds output until `flush`, so a name is
/// learned before any of the text that mentions it is written.
pub struct RedactingWriter<W: Write> {
    inner: W,
    redactor: Rc<RefCell<Redactor>>,
    buffer: Vec<u8>,
}

impl<W: Write> RedactingWriter<W> {
    pub fn new(inner: W, redactor: Rc<RefCell<Redactor>>) -> Self {
        RedactingWriter {
            inner,
            redactor,
            buffer: Vec::new(),
        }
    }
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.buffer.is_empty() {
            let text = String::from_utf8_lossy(&self.buffer).into_owned();
            self.buffer.clear();
            let redacted = self.redactor.borrow_mut().redact(&text);
            self.inner.write_all(redacted.as_bytes())?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for RedactingWriter<W> {
    fn drop(&mut self) {
        // Nothing written is lost; errors here have nowhere to go.
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_stable_and_keep_structure() {
        let mut r = Redactor::new();
        let text = "lookup 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com on 10.0.0.2:53; account 123456789012, other 210987654321";
        assert_eq!(
            r.redact(text),
            "lookup <account-1>.dkr.ecr.ap-northeast-1.amazonaws.com on <ip-1>:53; account <account-1>, other <account-2>"
        );
    }

    #[test]
    fn learned_names_are_replaced_everywhere() {
        let mut r = Redactor::new();
        r.learn_text("User: arn:aws:sts::111122223333:assumed-role/web-exec/8a1b2c3d is not authorized on arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbCdEf");
        r.learn_name(Kind::Cluster, "prod");
        r.learn_name(Kind::Service, "web");
        let out = r.redact(
            "role `web-exec` may not read prod/db-AbCdEf (cluster prod, service web; a webhook)",
        );
        assert_eq!(
            out,
            "role `<role-1>` may not read <secret-1> (cluster <cluster-1>, service <service-1>; a webhook)"
        );
        assert_eq!(r.redact(&out), out, "redaction is idempotent");
    }

    #[test]
    fn own_json_keys_stay() {
        let mut r = Redactor::new();
        r.learn_name(Kind::Service, "status");
        assert_eq!(
            r.redact(r#"{"status":"failure","services":{"status":2}}"#),
            r#"{"status":"failure","services":{"status":2}}"#
        );
        assert_eq!(
            r.redact("service status is down"),
            "service <service-1> is down"
        );
    }

    #[test]
    fn values_after_escapes_are_still_found() {
        let mut r = Redactor::new();
        r.learn_name(Kind::Cluster, "prod");
        assert_eq!(
            r.redact(r"a\nprod \x0a123456789012 \u000a10.1.2.3 \u{202e}prod"),
            r"a\n<cluster-1> \x0a<account-1> \u000a<ip-1> \u{202e}<cluster-1>"
        );
    }

    #[test]
    fn well_known_addresses_stay() {
        let mut r = Redactor::new();
        assert_eq!(
            r.redact("0.0.0.0/0 169.254.170.2 127.0.0.1 10.0.0.2"),
            "0.0.0.0/0 169.254.170.2 127.0.0.1 <ip-1>"
        );
    }

    #[test]
    fn not_every_number_is_an_account() {
        let mut r = Redactor::new();
        assert_eq!(
            r.redact("sha256:1234567890123 and 1234567890123 and v1.2.3.4.5"),
            "sha256:1234567890123 and 1234567890123 and v1.2.3.4.5"
        );
    }
}
