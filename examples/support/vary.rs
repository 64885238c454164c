//! Seeded value variation for the benchmarks' synthetic data (`examples/gen_events.rs` and
//! `benches/explain.rs` include this file): the catalog's examples become templates whose
//! accounts, regions, addresses, ids, ARNs, image names and tags are drawn fresh each time.

#![allow(dead_code)]

use ecs_diagnose::catalog::Catalog;
use ecs_diagnose::mask::{Segment, Variable, segments};
use ecs_diagnose::model::Field;

/// xorshift64*: tiny, seeded, good enough for test data.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn hex(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from_digit((self.next() % 16) as u32, 16).unwrap())
            .collect()
    }
}

/// Fresh values for one task's messages: the same original value gets the same replacement
/// within a task (a host and the URL on it stay consistent), a new one in the next task.
pub struct Varier<'r> {
    pub rng: &'r mut Rng,
    pub map: std::collections::HashMap<String, String>,
}

pub const REGIONS: [&str; 16] = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-south-1",
    "sa-east-1",
    "ca-central-1",
];
const NAMES: [&str; 24] = [
    "web",
    "api",
    "worker",
    "payments",
    "search",
    "auth",
    "ingest",
    "reports",
    "billing",
    "checkout",
    "orders",
    "catalog",
    "gateway",
    "notifier",
    "scheduler",
    "thumbnails",
    "ledger",
    "profile",
    "inventory",
    "metrics",
    "exporter",
    "crawler",
    "mailer",
    "frontend",
];

impl Varier<'_> {
    fn digits(&mut self, len: usize) -> String {
        let mut s: String = (0..len)
            .map(|_| char::from(b'0' + self.rng.below(10) as u8))
            .collect();
        if s.starts_with('0') {
            s.replace_range(0..1, "1");
        }
        s
    }
    fn name(&mut self) -> String {
        format!(
            "{}-{}",
            NAMES[self.rng.below(NAMES.len() as u64) as usize],
            self.rng.hex(4)
        )
    }
    fn tag(&mut self) -> String {
        format!(
            "{}.{}.{}",
            self.rng.below(4) + 1,
            self.rng.below(20),
            self.rng.below(300)
        )
    }
    /// A new address of the same kind (private stays private in the same range, public
    /// stays public), so a rule that tells them apart decides the same way.
    fn ip(&mut self, old: &str) -> String {
        let octets: Vec<u32> = old.split('.').filter_map(|o| o.parse().ok()).collect();
        let (a, b) = (
            octets.first().copied().unwrap_or(0),
            octets.get(1).copied().unwrap_or(0),
        );
        let r = |v: &mut Self| v.rng.below(254) + 1;
        match (a, b) {
            (10, _) => format!(
                "10.{}.{}.{}",
                self.rng.below(256),
                self.rng.below(256),
                r(self)
            ),
            (172, 16..=31) => format!(
                "172.{}.{}.{}",
                16 + self.rng.below(16),
                self.rng.below(256),
                r(self)
            ),
            (192, 168) => format!("192.168.{}.{}", self.rng.below(256), r(self)),
            // Well-known addresses (the credentials endpoint, the VPC resolver) keep their meaning.
            (169, 254) | (127, _) | (0, _) => old.to_string(),
            _ if old.ends_with(".2") && matches!(a, 10 | 172 | 192) => old.to_string(),
            _ => {
                let first = [3, 13, 18, 34, 35, 44, 52, 54, 75, 99][self.rng.below(10) as usize];
                format!(
                    "{first}.{}.{}.{}",
                    self.rng.below(256),
                    self.rng.below(256),
                    r(self)
                )
            }
        }
    }
    fn fresh(&mut self, kind: Variable, old: &str) -> String {
        if let Some(new) = self.map.get(old) {
            return new.clone();
        }
        let new = match kind {
            Variable::Account => self.digits(12),
            Variable::Ip => self.ip(old),
            Variable::Uuid => format!(
                "{}-{}-{}-{}-{}",
                self.rng.hex(8),
                self.rng.hex(4),
                self.rng.hex(4),
                self.rng.hex(4),
                self.rng.hex(12)
            ),
            Variable::Hex => self.rng.hex(old.len()),
            Variable::Number if old.len() >= 6 => self.digits(old.len()),
            Variable::Arn => self.arn(old),
            // Short numbers are status codes, exit codes, ports and counts: their meaning stays.
            Variable::Number => old.to_string(),
        };
        self.map.insert(old.to_string(), new.clone());
        new
    }
    /// arn:partition:service:region:account:resource, with the region, account and the
    /// resource's own name replaced.
    fn arn(&mut self, old: &str) -> String {
        let parts: Vec<&str> = old.splitn(6, ':').collect();
        if parts.len() < 6 {
            return old.to_string();
        }
        let region = if parts[3].is_empty() {
            String::new()
        } else {
            self.region(parts[3])
        };
        let account = if parts[4].chars().all(|c| c.is_ascii_digit()) && !parts[4].is_empty() {
            self.fresh(Variable::Account, parts[4])
        } else {
            parts[4].to_string()
        };
        let resource = self.vary(parts[5]);
        // The resource's last name segment (after the type: `role/`, `secret:`, `task/c/`).
        let resource = match resource.rfind(['/', ':']) {
            Some(at)
                if resource[at + 1..].chars().any(|c| c.is_ascii_alphabetic())
                    && !resource[at + 1..].chars().all(|c| c.is_ascii_hexdigit()) =>
            {
                let old_name = resource[at + 1..].to_string();
                let new_name = match self.map.get(&old_name) {
                    Some(known) => known.clone(),
                    None => {
                        let fresh = self.name();
                        self.map.insert(old_name, fresh.clone());
                        fresh
                    }
                };
                format!("{}{}", &resource[..=at], new_name)
            }
            _ => resource,
        };
        format!(
            "{}:{}:{}:{region}:{account}:{resource}",
            parts[0], parts[1], parts[2]
        )
    }
    fn region(&mut self, old: &str) -> String {
        if !REGIONS.contains(&old) {
            return old.to_string();
        }
        let key = format!("\u{1}region:{old}");
        if let Some(new) = self.map.get(&key) {
            return new.clone();
        }
        let new = REGIONS[self.rng.below(REGIONS.len() as u64) as usize].to_string();
        self.map.insert(key, new.clone());
        new
    }
    /// `text` with its values (accounts, addresses, ids, long numbers, ARNs, regions, image
    /// names and tags) replaced.
    pub fn vary(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 16);
        for segment in segments(text) {
            match segment {
                Segment::Value(kind, value) => {
                    let new = self.fresh(kind, value);
                    out.push_str(&new);
                }
                Segment::Text(t) => out.push_str(t),
            }
        }
        for region in REGIONS {
            if out.contains(region) {
                let new = self.region(region);
                out = out.replace(region, &new);
            }
        }
        self.vary_images(&out)
    }
    /// Image references (`repo/name:tag`, `/v2/repo/name/manifests/tag`): a new last name and tag.
    fn vary_images(&mut self, text: &str) -> String {
        let mut out = text.to_string();
        let mut renames: Vec<(String, String)> = Vec::new();
        for token in text.split(|c: char| {
            c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '(' | ')' | '[' | ']')
        }) {
            let token = token.trim_end_matches([':', '.']);
            if token.contains("://") || !token.contains('/') || token.starts_with("arn:") {
                continue;
            }
            let Some((path, tag)) = token.rsplit_once(':') else {
                continue;
            };
            let valid_tag = !tag.is_empty()
                && tag.len() <= 40
                && tag
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
                && !tag.chars().all(|c| c.is_ascii_digit() && tag.len() > 3);
            let Some((_, name)) = path.rsplit_once('/') else {
                continue;
            };
            if !valid_tag
                || name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            {
                continue;
            }
            let new_name = self.name();
            let new_tag = self.tag();
            renames.push((format!("/{name}:{tag}"), format!("/{new_name}:{new_tag}")));
            renames.push((
                format!("/{name}/manifests/{tag}"),
                format!("/{new_name}/manifests/{new_tag}"),
            ));
        }
        for (old, new) in renames {
            out = out.replace(&old, &new);
        }
        out
    }
}

pub struct Reason {
    pub stopped_reason: String,
    pub stop_code: Option<String>,
    pub container_reason: Option<String>,
    pub exit_code: Option<i64>,
}

pub fn reasons(catalog: &Catalog) -> Vec<Reason> {
    let mut out = Vec::new();
    for p in catalog.patterns() {
        for e in &p.examples {
            let (stopped_reason, container_reason) = match e.field {
                Some(Field::ContainerReason) => (
                    e.stopped_reason
                        .clone()
                        .unwrap_or_else(|| "Task failed to start".to_string()),
                    Some(e.text.clone()),
                ),
                _ => (e.text.clone(), None),
            };
            out.push(Reason {
                stopped_reason,
                stop_code: e.stop_code.clone(),
                container_reason,
                exit_code: e.exit_code,
            });
        }
    }
    out
}

/// One line of a varied paste: the message a user would paste for a task, with the archive's
/// mix (70% catalog failures with fresh values, 25% normal stops, 5% unrecognised noise).
pub fn paste_line(rng: &mut Rng, failures: &[Reason]) -> String {
    let roll = rng.below(100);
    if roll < 70 {
        let r = &failures[rng.below(failures.len() as u64) as usize];
        let mut varier = Varier {
            rng,
            map: Default::default(),
        };
        let text = r.container_reason.as_deref().unwrap_or(&r.stopped_reason);
        varier.vary(text).replace('\n', " ")
    } else if roll < 95 {
        match rng.below(3) {
            0 => format!(
                "Scaling activity initiated by (deployment ecs-svc/{})",
                1_000_000_000_000_000_000 + rng.below(8_000_000_000_000_000_000)
            ),
            1 => "Task stopped by user".to_string(),
            _ => "Your Spot Task was interrupted.".to_string(),
        }
    } else {
        format!(
            "FrobnicatorError: job {} failed on worker-{} after {}s (attempt {})",
            rng.hex(12),
            rng.below(64),
            rng.below(900),
            rng.below(5) + 1
        )
    }
}
