//! What a value from the input may show: credentials never, and with `--redact` no account id,
//! address or resource name either.
//!
//! Redaction acts on values, never on serialised output: the engine renders the catalog's
//! templates with values that went through [`Redactor::redact`], and the fields copied from
//! the input go through it before any renderer sees them (see [`crate::render::Output`]). So the
//! catalog's own words (`com.amazonaws.<region>.ecr.api`), JSON keys and numbers are never
//! touched, whatever a service is called, and escaping for the terminal or markdown happens
//! after redaction.
//!
//! Before a task is diagnosed the redactor *learns* the names it carries — resource names
//! inside ARNs (roles, users, secrets, parameters, clusters, services, log groups, target
//! groups, keys, buckets, file systems, capacity providers, functions, topics, meshes) and the
//! task's cluster, service and family — because a name can appear without its ARN ("the role
//! `web-exec`"). Then [`Redactor::redact`] replaces, in one pass over a value:
//! - each learned name with `<role-N>`, `<secret-N>`, `<cluster-N>`, ...;
//! - account ids (`123456789012`, `1234-5678-9012`) with `<account-N>`;
//! - IPv4 addresses with `<ip-N>`, EC2 host names (`ip-10-0-1-25`) with `<host-N>`;
//! - VPC, subnet, security group, network interface and EFS ids; e-mail addresses;
//! - and always, with or without `--redact`: access key ids, `Authorization:` values, bearer
//!   tokens, JWTs and the `user:password@` of URLs, with `<credentials>`.
//!
//! The same value always gets the same token within a run, so the output stays readable:
//! `<account-1>.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/nginx/nginx:latest` is still a usable
//! image reference. Redacting redacted text changes nothing.
//!
//! Learned names are found through a map from a name's first word to the names that start
//! with it: each word of the value costs one lookup, however many names were learned, and
//! learning a name costs one insertion. (An automaton over all names would have to be rebuilt
//! after each task that brings a new name, which made redaction quadratic in streams.)

use std::collections::HashMap;

use crate::arn::{Arn, find_arns};
use crate::model::Evidence;
use crate::report::Diagnosis;

/// What kind of value a token stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Account,
    Ip,
    Host,
    Email,
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
    FileSystem,
    CapacityProvider,
    Function,
    Topic,
    Mesh,
    Vpc,
    Subnet,
    SecurityGroup,
    NetworkInterface,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Account => "account",
            Kind::Ip => "ip",
            Kind::Host => "host",
            Kind::Email => "email",
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
            Kind::FileSystem => "file-system",
            Kind::CapacityProvider => "capacity-provider",
            Kind::Function => "function",
            Kind::Topic => "topic",
            Kind::Mesh => "mesh",
            Kind::Vpc => "vpc",
            Kind::Subnet => "subnet",
            Kind::SecurityGroup => "security-group",
            Kind::NetworkInterface => "eni",
        }
    }
}

/// What replaces a credential, with or without `--redact`.
pub const CREDENTIALS: &str = "<credentials>";

/// Learned names shorter than this are left alone: a name of one or two characters says
/// little, while its token would be sprinkled over every word.
const MIN_NAME_CHARS: usize = 3;

/// Prefixes of AWS resource ids that identify someone's network or file system:
/// (prefix, kind). The id is the prefix and 8 or 17 hex digits.
const RESOURCE_IDS: &[(&str, Kind)] = &[
    ("vpc-", Kind::Vpc),
    ("subnet-", Kind::Subnet),
    ("sg-", Kind::SecurityGroup),
    ("eni-", Kind::NetworkInterface),
    ("fs-", Kind::FileSystem),
    ("fsap-", Kind::FileSystem),
];

/// Replaces sensitive values with stable tokens. Without `--redact` it masks credentials only.
#[derive(Debug, Default)]
pub struct Redactor {
    /// With `--redact`: names, accounts, addresses and ids too.
    full: bool,
    tokens: HashMap<(Kind, String), String>,
    counts: HashMap<Kind, usize>,
    /// Learned name -> its token.
    names: HashMap<String, String>,
    /// First word of a learned name -> the names that start with it, longest first.
    by_first_word: HashMap<String, Vec<String>>,
}

impl Redactor {
    /// The `--redact` redactor.
    pub fn new() -> Redactor {
        Redactor {
            full: true,
            ..Redactor::default()
        }
    }

    /// The redactor of every run without `--redact`: credentials only.
    pub fn credentials_only() -> Redactor {
        Redactor::default()
    }

    /// Whether this is the `--redact` redactor.
    pub fn is_full(&self) -> bool {
        self.full
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
        if !self.full {
            return;
        }
        // `/acme/prod/db` is found after `parameter` as well as alone: the leading `/` is not
        // part of what is matched, nor a trailing `.` that ends a sentence.
        let name = name.trim_matches(|c: char| !is_name_char(c));
        // Our own placeholders (`<role>`) and tokens are nothing to hide.
        if name.chars().count() < MIN_NAME_CHARS
            || name.contains('<')
            || self.names.contains_key(name)
        {
            return;
        }
        let token = self.token(kind, name);
        self.names.insert(name.to_string(), token);
        let first = first_word(name).to_string();
        let list = self.by_first_word.entry(first).or_default();
        let at = list
            .iter()
            .position(|n| n.len() < name.len())
            .unwrap_or(list.len());
        list.insert(at, name.to_string());
    }

    /// Learns the resource names of every ARN in `text`.
    pub fn learn_text(&mut self, text: &str) {
        if !self.full {
            return;
        }
        for arn in find_arns(text) {
            self.learn_arn(&arn);
        }
    }

    /// Learns what a task's evidence names: its cluster, service and family, and every ARN.
    pub fn learn_evidence(&mut self, evidence: &Evidence) {
        if !self.full {
            return;
        }
        let meta = &evidence.meta;
        // The task's own names first: a family named like its service is the service.
        if let Some(cluster) = meta.cluster_arn.as_deref().or(meta
            .task_arn
            .as_deref()
            .filter(|a| a.matches('/').count() >= 2))
        {
            self.learn_name(Kind::Cluster, crate::arn::cluster_name(cluster));
        }
        if let Some(service) = evidence.service() {
            self.learn_name(Kind::Service, service);
        }
        if let Some(family) = evidence.family() {
            self.learn_name(Kind::Family, family);
        }
        for text in [
            &meta.task_arn,
            &meta.cluster_arn,
            &meta.task_definition_arn,
            &evidence.stopped_reason,
        ]
        .into_iter()
        .flatten()
        .chain(evidence.containers.iter().filter_map(|c| c.reason.as_ref()))
        {
            self.learn_text(text);
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
                    self.learn_name(Kind::Parameter, name);
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
                } else if let Some(name) = after("capacity-provider/") {
                    self.learn_name(Kind::CapacityProvider, name);
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
            "elasticfilesystem" => {
                if let Some(id) = after("file-system/").or_else(|| after("access-point/")) {
                    self.learn_name(Kind::FileSystem, id);
                }
            }
            "lambda" => {
                if let Some(rest) = after("function:") {
                    self.learn_name(Kind::Function, rest.split(':').next().unwrap_or(rest));
                }
            }
            "sns" => self.learn_name(Kind::Topic, resource.split(':').next().unwrap_or(resource)),
            "appmesh" => {
                if let Some(rest) = after("mesh/") {
                    let mut parts = rest.split('/');
                    if let Some(mesh) = parts.next() {
                        self.learn_name(Kind::Mesh, mesh);
                    }
                    // `virtualNode/<name>`, `virtualService/<name>`, ...
                    if let Some(name) = parts.nth(1) {
                        self.learn_name(Kind::Mesh, name);
                    }
                }
            }
            _ => {}
        }
    }

    /// `text` with every sensitive value replaced, in one pass.
    pub fn redact(&mut self, text: &str) -> String {
        if !self.full && !may_hold_credentials(text) {
            return text.to_string();
        }
        self.scan(text, !self.full)
    }

    /// The pass of `redact`. With `near_needles`, only the stretches where a credential can
    /// start are looked at (up to `MARK_REACH` bytes before each of `next_credential_mark`);
    /// the rest cannot change when nothing but credentials is replaced.
    fn scan(&mut self, text: &str, near_needles: bool) -> String {
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        let mut at = 0;
        // The dotted run (host name) the scan is in, and whether it is AWS's own: `ecr.api` of
        // `com.amazonaws.us-east-1.ecr.api` is not a service of the user's called `api`.
        let mut run_end = 0;
        let mut run_is_aws = false;
        // Where the last ESC was, so the check below runs only near one.
        let mut last_esc: Option<usize> = None;
        // The end of the stretch being looked at, with `near_needles`.
        let mut stretch_end = 0;
        while at < bytes.len() {
            if near_needles && at >= stretch_end {
                let Some(mark) = next_credential_mark(bytes, at) else {
                    break;
                };
                stretch_end = mark + 1;
                let mut start = mark.saturating_sub(MARK_REACH).max(at);
                while !text.is_char_boundary(start) {
                    start += 1;
                }
                if start > at {
                    at = start;
                    let window = at.saturating_sub(32);
                    last_esc = bytes[window..at - 1]
                        .iter()
                        .rposition(|&b| b == 0x1b)
                        .map(|i| window + i);
                }
            }
            let prev = match at.checked_sub(1).map(|i| bytes[i]) {
                None => None,
                Some(b) if b.is_ascii() => Some(b as char),
                Some(_) => text[..at].chars().next_back(),
            };
            if prev == Some('\u{1b}') {
                last_esc = Some(at - 1);
            }
            // The end of a terminal escape sequence (`ESC [ 31 m`) starts a new word, though
            // its last character is a letter: `\x1b[31mprod` names `prod`.
            let prev = match prev {
                Some(c)
                    if c.is_ascii_alphabetic()
                        && last_esc.is_some_and(|e| at - e <= 32)
                        && ends_with_escape_sequence(&text[..at]) =>
                {
                    None
                }
                other => other,
            };
            let replaced = if prev.is_none_or(|c| !c.is_alphanumeric()) {
                if self.full && at >= run_end {
                    (run_end, run_is_aws) = dotted_run(text, at);
                }
                self.replacement_at(text, at, prev, run_is_aws && at < run_end)
            } else {
                None
            };
            match replaced {
                Some((len, replacement)) => {
                    out.push_str(&text[copied..at]);
                    out.push_str(&replacement);
                    // An ESC inside what was replaced still counts as the last one before
                    // what follows: where a word starts depends on the text alone.
                    if let Some(i) = bytes[at..at + len].iter().rposition(|&b| b == 0x1b) {
                        last_esc = Some(at + i);
                    }
                    at += len;
                    copied = at;
                }
                None => {
                    at += 1;
                    while at < bytes.len() && !text.is_char_boundary(at) {
                        at += 1;
                    }
                }
            }
        }
        if copied == 0 {
            return text.to_string();
        }
        out.push_str(&text[copied..]);
        out
    }

    /// What replaces the value starting at `at` (after a character that is not alphanumeric),
    /// and its length in bytes.
    fn replacement_at(
        &mut self,
        text: &str,
        at: usize,
        prev: Option<char>,
        in_aws_host: bool,
    ) -> Option<(usize, String)> {
        let rest = &text[at..];
        let first = rest.as_bytes()[0];
        if first == b'<' {
            // A token stays as it is (redacting twice changes nothing).
            return token_len(rest).map(|len| (len, rest[..len].to_string()));
        }
        if let Some((len, replacement)) = credential_at(text, at) {
            return Some((len, replacement));
        }
        if !self.full {
            return None;
        }
        let after_name_char = prev.is_some_and(is_name_char);
        if !after_name_char && !in_aws_host && is_name_char(rest.chars().next()?) {
            let word = first_word(rest);
            if let Some(names) = self.by_first_word.get(word) {
                for name in names {
                    if rest.starts_with(name.as_str())
                        && rest[name.len()..]
                            .chars()
                            .next()
                            .is_none_or(|c| !is_name_char(c))
                    {
                        return Some((name.len(), self.names[name].clone()));
                    }
                }
            }
        }
        if first.is_ascii_digit() {
            if let Some((len, account)) = account_at(rest) {
                return Some((len, self.token(Kind::Account, &account)));
            }
            if prev != Some('.')
                && let Some(len) = ipv4_at(rest)
                && !is_well_known(&rest[..len])
            {
                return Some((len, self.token(Kind::Ip, &rest[..len])));
            }
            return None;
        }
        if after_name_char {
            return None;
        }
        if let Some(len) = ec2_host_at(rest) {
            return Some((len, self.token(Kind::Host, &rest[..len])));
        }
        for (prefix, kind) in RESOURCE_IDS {
            if let Some(len) = resource_id_at(rest, prefix) {
                return Some((len, self.token(*kind, &rest[..len])));
            }
        }
        if let Some(len) = email_at(rest) {
            return Some((len, self.token(Kind::Email, &rest[..len])));
        }
        None
    }

    /// Redacts every value of `diagnosis` that was copied from the input, for a diagnosis made
    /// with this redactor as the engine's `show`. The catalog's text and the values that went
    /// through `show` (captures, evidence) are left alone: they were redacted on the way in.
    pub fn redact_diagnosis(&mut self, diagnosis: &mut Diagnosis) {
        diagnosis.visit_unshown_mut(&mut |s| {
            if let Some(redacted) = self.redact_changed(s) {
                *s = redacted;
            }
        });
    }

    /// `text` redacted, or `None` when that changes nothing. Most strings of a report hold no
    /// credentials, and without `--redact` they are looked at without being copied.
    fn redact_changed(&mut self, text: &str) -> Option<String> {
        if !self.full && !may_hold_credentials(text) {
            return None;
        }
        let redacted = self.redact(text);
        (redacted != text).then_some(redacted)
    }
}

/// Whether `before` ends with a terminal escape sequence: `ESC [` parameters and a final
/// character (CSI), or `ESC` and one character.
fn ends_with_escape_sequence(before: &str) -> bool {
    let b = before.as_bytes();
    let window = &b[b.len().saturating_sub(32)..];
    let Some(esc) = window.iter().rposition(|&c| c == 0x1b) else {
        return false;
    };
    match &window[esc + 1..] {
        [final_byte] => final_byte.is_ascii_graphic(),
        [b'[', params @ .., final_byte] => {
            (0x40..=0x7e).contains(final_byte) && params.iter().all(|c| (0x20..=0x3f).contains(c))
        }
        _ => false,
    }
}

/// The first word of `text`: its leading run of name characters.
fn first_word(text: &str) -> &str {
    let end = text
        .char_indices()
        .find(|(_, c)| !is_name_char(*c))
        .map_or(text.len(), |(i, _)| i);
    &text[..end]
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_'
}

/// The length of the token `text` starts with (`<secret-2>`, `<credentials>`), if it does.
fn token_len(text: &str) -> Option<usize> {
    let end = text[1..].find('>')? + 1;
    let body = &text[1..end];
    let is_token = body == "credentials"
        || body.rsplit_once('-').is_some_and(|(label, n)| {
            !label.is_empty()
                && label.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
                && !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit())
        });
    is_token.then_some(end + 1)
}

/// Where the run of host-name characters starting at `at` ends, and whether it is one of
/// AWS's own host names (`*.amazonaws.com`, `com.amazonaws.<region>.<service>`), in which a
/// name is not the user's.
fn dotted_run(text: &str, at: usize) -> (usize, bool) {
    let rest = &text[at..];
    let len = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'))
        .count();
    let host = rest[..len].trim_end_matches('.');
    let own = host.starts_with("com.amazonaws.")
        || host.ends_with(".amazonaws.com")
        || host.ends_with(".amazonaws.com.cn")
        || host.contains(".amazonaws.com.");
    (at + len.max(1), own && len > 0)
}

/// Whether `text` has any of the words a credential starts with (`credential_at` finds
/// nothing in the rest): most text has none, and is then passed through without a scan.
fn may_hold_credentials(text: &str) -> bool {
    next_credential_mark(text.as_bytes(), 0).is_some()
}

/// The longest URL scheme `credential_at` reads before `://`.
const SCHEME_MAX: usize = 16;

/// The bytes that mark a word a credential starts with, each at a fixed place in it:
/// `authorization:` and `://` by their colon, `bearer ` by its `b`, `eyJ` by its `J`, `AKIA`
/// by its `K`, `ASIA` by its `S`. Rare in messages, so a scan for them skips most bytes.
const MARKS: [bool; 256] = {
    const BYTES: &[u8] = b":bBJKS";
    let mut marks = [false; 256];
    let mut i = 0;
    while i < BYTES.len() {
        marks[BYTES[i] as usize] = true;
        i += 1;
    }
    marks
};

/// How far before its mark a credential can start: `authorization:` is 13 bytes before its
/// colon, and a URL's scheme up to `SCHEME_MAX` before `://`.
const MARK_REACH: usize = if SCHEME_MAX > 13 { SCHEME_MAX } else { 13 };

/// The first mark at or after `from` that is part of one of those words: every credential
/// `credential_at` finds starts at most `MARK_REACH` bytes before such a mark.
fn next_credential_mark(b: &[u8], from: usize) -> Option<usize> {
    let before = |at: usize, word: &[u8]| {
        at >= word.len() && b[at - word.len()..at].eq_ignore_ascii_case(word)
    };
    let after = |at: usize, word: &[u8]| b.get(at..at + word.len()) == Some(word);
    (from..b.len()).find(|&at| {
        MARKS[usize::from(b[at])]
            && match b[at] {
                b':' => after(at + 1, b"//") || before(at, b"authorization"),
                b'b' | b'B' => b
                    .get(at..at + 7)
                    .is_some_and(|w| w.eq_ignore_ascii_case(b"bearer ")),
                b'J' => at >= 2 && &b[at - 2..at] == b"ey",
                b'K' | b'S' => at >= 1 && b[at - 1] == b'A' && after(at + 1, b"IA"),
                _ => false,
            }
    })
}

/// A credential starting at `at`: its length and what replaces it (keeping the label, such
/// as `Bearer ` or `https://`, so the text still says what was there).
fn credential_at(text: &str, at: usize) -> Option<(usize, String)> {
    let rest = &text[at..];
    let bytes = rest.as_bytes();
    // `Authorization: <anything to the end of the line or quote>`.
    const AUTH: &str = "authorization:";
    if bytes.len() > AUTH.len() && bytes[..AUTH.len()].eq_ignore_ascii_case(AUTH.as_bytes()) {
        let value_start = AUTH.len()
            + rest[AUTH.len()..]
                .bytes()
                .take_while(|b| *b == b' ' || *b == b'\t')
                .count();
        let value_len = rest[value_start..]
            .find(['\n', '\r', '"', '\''])
            .unwrap_or(rest.len() - value_start);
        if value_len > 0 && !rest[value_start..].starts_with(CREDENTIALS) {
            return Some((
                value_start + value_len,
                format!("{}{CREDENTIALS}", &rest[..value_start]),
            ));
        }
        return None;
    }
    const BEARER: &str = "bearer ";
    if bytes.len() > BEARER.len() && bytes[..BEARER.len()].eq_ignore_ascii_case(BEARER.as_bytes()) {
        let len = token_chars(&rest[BEARER.len()..]);
        if len >= 8 {
            return Some((
                BEARER.len() + len,
                format!("{}{CREDENTIALS}", &rest[..BEARER.len()]),
            ));
        }
    }
    // A JWT: three base64url parts, the first two JSON objects (`eyJ` is `{"`).
    if rest.starts_with("eyJ") {
        let len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            .count();
        let jwt = &rest[..len];
        if jwt.split('.').count() == 3
            && jwt.split('.').nth(1).is_some_and(|p| p.starts_with("eyJ"))
        {
            return Some((len, CREDENTIALS.to_string()));
        }
    }
    // An access key id: AKIA (long-term) or ASIA (temporary) and 16 more.
    if (rest.starts_with("AKIA") || rest.starts_with("ASIA")) && bytes.len() >= 20 {
        let id = &bytes[..20];
        let ends = bytes.get(20).is_none_or(|b| !b.is_ascii_alphanumeric());
        if ends
            && id
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return Some((20, CREDENTIALS.to_string()));
        }
    }
    // `scheme://user:password@host`: the user information goes.
    let scheme = bytes
        .iter()
        .take(SCHEME_MAX)
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-'))
        .count();
    if scheme > 0 && rest[scheme..].starts_with("://") {
        let start = scheme + 3;
        let authority = rest[start..]
            .find(|c: char| c == '/' || c.is_whitespace() || c == '"' || c == '\'')
            .unwrap_or(rest.len() - start);
        if let Some(at_sign) = rest[start..start + authority].rfind('@') {
            let user_info = &rest[start..start + at_sign];
            if user_info.contains(':') && user_info != CREDENTIALS {
                return Some((start + at_sign, format!("{}{CREDENTIALS}", &rest[..start])));
            }
        }
    }
    None
}

/// The length of a run of characters a bearer token is made of.
fn token_chars(text: &str) -> usize {
    text.bytes()
        .take_while(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=')
        })
        .count()
}

/// An account id at the start of `text`: 12 digits, or `1234-5678-9012`; its length and the
/// digits (so both spellings get the same token).
fn account_at(text: &str) -> Option<(usize, String)> {
    let b = text.as_bytes();
    let digits = |from: usize, n: usize| {
        b.len() >= from + n && b[from..from + n].iter().all(u8::is_ascii_digit)
    };
    let ends = |at: usize| b.get(at).is_none_or(|c| !c.is_ascii_alphanumeric());
    if digits(0, 12) && ends(12) {
        return Some((12, text[..12].to_string()));
    }
    if digits(0, 4)
        && b.get(4) == Some(&b'-')
        && digits(5, 4)
        && b.get(9) == Some(&b'-')
        && digits(10, 4)
        && ends(14)
        && b.get(14) != Some(&b'-')
    {
        return Some((14, text[..14].replace('-', "")));
    }
    None
}

/// An IPv4 address at the start of `text`. A trailing dot ends a sentence (`10.1.2.3.`); a
/// dot and a digit make it a version (`1.2.3.4.5`).
fn ipv4_at(text: &str) -> Option<usize> {
    let len = crate::mask::ipv4_len(text)?;
    let b = text.as_bytes();
    let version = b.get(len) == Some(&b'.') && b.get(len + 1).is_some_and(u8::is_ascii_digit);
    (!version).then_some(len)
}

/// `ip-10-0-1-25`, an EC2 host name (the rest of it, `.ec2.internal`, says nothing).
fn ec2_host_at(text: &str) -> Option<usize> {
    let rest = text.strip_prefix("ip-")?;
    let b = rest.as_bytes();
    let mut at = 0;
    for octet in 0..4 {
        if octet > 0 {
            if b.get(at) != Some(&b'-') {
                return None;
            }
            at += 1;
        }
        let run = b[at.min(b.len())..]
            .iter()
            .take(4)
            .take_while(|c| c.is_ascii_digit())
            .count();
        if run == 0 || run > 3 {
            return None;
        }
        at += run;
    }
    b.get(at)
        .is_none_or(|c| !c.is_ascii_alphanumeric() && *c != b'-')
        .then_some(3 + at)
}

/// `vpc-0a1b2c3d` or `vpc-0a1b2c3d4e5f60718`: the prefix and 8 or 17 hex digits.
fn resource_id_at(text: &str, prefix: &str) -> Option<usize> {
    let rest = text.strip_prefix(prefix)?;
    let hex = rest
        .bytes()
        .take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
        .count();
    let ends = rest
        .as_bytes()
        .get(hex)
        .is_none_or(|b| !b.is_ascii_alphanumeric() && *b != b'-' && *b != b'_');
    ((hex == 8 || hex == 17) && ends).then_some(prefix.len() + hex)
}

/// An e-mail address at the start of `text`.
fn email_at(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let local = b
        .iter()
        .take(65)
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-'))
        .count();
    if local == 0 || b.get(local) != Some(&b'@') {
        return None;
    }
    let domain = b[local + 1..]
        .iter()
        .take(255)
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-'))
        .count();
    let domain_text = text[local + 1..local + 1 + domain].trim_end_matches('.');
    let labels: Vec<&str> = domain_text.split('.').collect();
    let valid = labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty())
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|c| c.is_ascii_alphabetic()));
    valid.then_some(local + 1 + domain_text.len())
}

/// Addresses that are the same in every account and say nothing about anyone: `0.0.0.0/0` in
/// a route check, loopback, and link-local ones such as the task metadata endpoint.
fn is_well_known(ip: &str) -> bool {
    ip == "0.0.0.0"
        || ip == "255.255.255.255"
        || ip.starts_with("127.")
        || ip.starts_with("169.254.")
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
    fn parameter_names_go_after_parameter_and_alone() {
        let mut r = Redactor::new();
        let text = "on resource: arn:aws:ssm:us-east-1:111122223333:parameter/acme/prod/db_password because; read /acme/prod/db_password.";
        r.learn_text(text);
        let out = r.redact(text);
        assert!(!out.contains("acme"), "{out}");
        assert!(!out.contains("db_password"), "{out}");
        assert!(out.ends_with("read /<parameter-1>."), "{out}");
    }

    #[test]
    fn an_address_that_ends_a_sentence_is_found() {
        let mut r = Redactor::new();
        assert_eq!(
            r.redact("failed to connect to 10.1.2.3. Connection refused; v1.2.3.4.5"),
            "failed to connect to <ip-1>. Connection refused; v1.2.3.4.5"
        );
    }

    #[test]
    fn aws_names_stay_whatever_a_service_is_called() {
        let mut r = Redactor::new();
        r.learn_name(Kind::Service, "api");
        r.learn_name(Kind::Family, "logs");
        assert_eq!(
            r.redact("endpoint com.amazonaws.us-east-1.ecr.api and logs.us-east-1.amazonaws.com; service api; family logs"),
            "endpoint com.amazonaws.us-east-1.ecr.api and logs.us-east-1.amazonaws.com; service <service-1>; family <family-1>"
        );
    }

    #[test]
    fn credentials_go_even_without_redact() {
        let mut r = Redactor::credentials_only();
        let text = "key AKIAIOSFODNN7EXAMPLE, Authorization: AWS4-HMAC-SHA256 Credential=x\nBearer abcdefgh12345678 and eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl at https://bob:hunter2@registry.example.com/v2/ account 123456789012";
        assert_eq!(
            r.redact(text),
            "key <credentials>, Authorization: <credentials>\nBearer <credentials> and <credentials> at https://<credentials>@registry.example.com/v2/ account 123456789012"
        );
    }

    /// Looking only near the marks of credentials finds what the scan of every character
    /// finds, on strings built from the pieces credentials, tokens, colour codes and URLs are
    /// made of.
    #[test]
    fn credentials_found_near_needles_are_those_a_full_scan_finds() {
        const PIECES: &[&str] = &[
            "AKIA",
            "ASIA",
            "akia",
            "IOSFODNN7EXAMPLE",
            "eyJ",
            "eyj",
            "hbGciOiJ",
            ".",
            "Authorization:",
            "authorization: ",
            "Bearer ",
            "bearer",
            "abcdefgh12345678",
            "https",
            "git+ssh",
            "://",
            "u:p@",
            "host/",
            "\u{1b}",
            "[31m",
            "\u{1b}M",
            "<credentials>",
            "<ip-1>",
            " ",
            "\n",
            "\"",
            "'",
            "é",
            "日本",
            "-",
            "x",
            "0123456789",
            "abcdefghijklmnopqrst",
            "@",
            ":",
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut r = Redactor::credentials_only();
        let mut changed = 0;
        for _ in 0..50_000 {
            let len = 1 + next(14);
            let text: String = (0..len).map(|_| PIECES[next(PIECES.len())]).collect();
            let full = r.scan(&text, false);
            assert_eq!(r.redact(&text), full, "{text:?}");
            changed += usize::from(full != text);
        }
        // The pieces do make credentials, often enough for the comparison to mean something.
        assert!(changed > 5_000, "{changed}");
    }

    #[test]
    fn ids_hosts_and_addresses_of_people_go() {
        let mut r = Redactor::new();
        assert_eq!(
            r.redact("vpc-0a1b2c3d subnet-0123456789abcdef0 sg-12345678 eni-0a1b2c3d4e5f60718 fs-12ab34cd on ip-10-20-3-41.ec2.internal, ops@example.com, account 1111-2222-3333 = 111122223333"),
            "<vpc-1> <subnet-1> <security-group-1> <eni-1> <file-system-1> on <host-1>.ec2.internal, <email-1>, account <account-1> = <account-1>"
        );
    }

    #[test]
    fn arns_of_other_services_teach_their_names() {
        let mut r = Redactor::new();
        r.learn_text("arn:aws:lambda:us-east-1:111122223333:function:resize-images:prod arn:aws:sns:us-east-1:111122223333:alerts-topic arn:aws:appmesh:us-east-1:111122223333:mesh/shop-mesh/virtualNode/cart-node arn:aws:ecs:us-east-1:111122223333:capacity-provider/spot-cp arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-0a1b2c3d");
        let out = r.redact("resize-images alerts-topic shop-mesh cart-node spot-cp fs-0a1b2c3d");
        assert_eq!(
            out,
            "<function-1> <topic-1> <mesh-1> <mesh-2> <capacity-provider-1> <file-system-1>"
        );
    }

    #[test]
    fn a_name_right_after_a_colour_code_is_found() {
        let mut r = Redactor::new();
        r.learn_name(Kind::Cluster, "payments-prod");
        assert_eq!(
            r.redact("\u{1b}[31mpayments-prod\u{1b}[0m failed; \u{1b}Mpayments-prod"),
            "\u{1b}[31m<cluster-1>\u{1b}[0m failed; \u{1b}M<cluster-1>"
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
