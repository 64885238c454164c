//! Writes a synthetic archive of "ECS Task State Change" events, seeded and repeatable, for the
//! `events` benchmark and tests. Reasons come from the catalog's own examples, plus normal stops
//! and unrecognised noise; each task emits its real sequence of state changes.
//!
//! By default (`--values varied`) every task's reason carries values of its own, as real ones
//! do: the examples are templates whose accounts, regions, addresses, ids, ARNs, image names
//! and tags are drawn fresh per task. `--values repeated` copies the examples verbatim, so the
//! same few hundred reasons repeat (a benchmark of the match cache more than of matching).
//!
//!     cargo run --release --example gen_events -- --events 1000000 --out bench/out/1m.jsonl [--gzip] [--seed 7] [--values repeated]
//!     cargo run --release --example gen_events -- --tasks 100000 --out bench/out/100k-tasks.jsonl
//!     cargo run --release --example gen_events -- --dump-regexes bench/out/regexes.txt

use std::fs::File;
use std::io::{BufWriter, Write};

use ecs_diagnose::catalog::Catalog;
use ecs_diagnose::mask::{Segment, Variable, segments};
use ecs_diagnose::model::Field;
use serde_json::json;

/// xorshift64*: tiny, seeded, good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn hex(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from_digit((self.next() % 16) as u32, 16).unwrap())
            .collect()
    }
}

/// Fresh values for one task's messages: the same original value gets the same replacement
/// within a task (a host and the URL on it stay consistent), a new one in the next task.
struct Varier<'r> {
    rng: &'r mut Rng,
    map: std::collections::HashMap<String, String>,
}

const REGIONS: [&str; 16] = [
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
    fn vary(&mut self, text: &str) -> String {
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

struct Reason {
    stopped_reason: String,
    stop_code: Option<String>,
    container_reason: Option<String>,
    exit_code: Option<i64>,
}

fn reasons(catalog: &Catalog) -> Vec<Reason> {
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

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let catalog = Catalog::builtin().expect("the catalog loads");
    if let Some(path) = value("--dump-regexes") {
        let mut out = BufWriter::new(File::create(&path).expect("create the file"));
        for p in catalog.patterns() {
            for r in &p.rules {
                if let Some(regex) = &r.regex {
                    // One line per regex, for `rg -f`: drop verbose-mode comments and line
                    // breaks, and unname groups (rg joins the lines, and names must be unique).
                    let line: String = regex
                        .source()
                        .lines()
                        .filter(|l| !l.trim_start().starts_with('#'))
                        .map(|l| match l.find(" #") {
                            Some(at) if !l[..at].ends_with('\\') => &l[..at],
                            _ => l,
                        })
                        .collect::<Vec<_>>()
                        .join(" ");
                    let mut unnamed = String::new();
                    let mut rest = line.as_str();
                    while let Some(at) = rest.find("(?P<").or_else(|| rest.find("(?<")) {
                        unnamed.push_str(&rest[..at]);
                        unnamed.push_str("(?:");
                        rest = &rest[at..];
                        rest = &rest[rest.find('>').map_or(rest.len(), |e| e + 1)..];
                    }
                    unnamed.push_str(rest);
                    writeln!(out, "{unnamed}").unwrap();
                }
            }
        }
        return;
    }
    // Either a number of events or a number of tasks (each task writes 3-4 events).
    let tasks: Option<u64> = value("--tasks").and_then(|v| v.parse().ok());
    let events: u64 = value("--events")
        .and_then(|v| v.parse().ok())
        .unwrap_or(if tasks.is_some() { u64::MAX } else { 100_000 });
    let varied = match value("--values").as_deref() {
        None | Some("varied") => true,
        Some("repeated") => false,
        Some(other) => panic!("--values varied|repeated, not {other}"),
    };
    let seed: u64 = value("--seed").and_then(|v| v.parse().ok()).unwrap_or(7);
    let path = value("--out").expect("--out PATH");
    let gzip = args.iter().any(|a| a == "--gzip");
    let file = File::create(&path).expect("create the output");
    let mut out: Box<dyn Write> = if gzip {
        Box::new(BufWriter::new(flate2::write::GzEncoder::new(
            file,
            flate2::Compression::fast(),
        )))
    } else {
        Box::new(BufWriter::with_capacity(1 << 20, file))
    };

    let mut rng = Rng(seed.max(1));
    let failures = reasons(&catalog);
    let normal = [
        (
            "Scaling activity initiated by (deployment ecs-svc/4387950321749260193)",
            "ServiceSchedulerInitiated",
            Some(143),
        ),
        ("Task stopped by user", "UserInitiated", Some(0)),
        (
            "Your Spot Task was interrupted.",
            "SpotInterruption",
            Some(143),
        ),
    ];
    let services = [
        "web", "api", "worker", "payments", "search", "auth", "ingest", "reports",
    ];
    let clusters = ["prod", "staging"];
    let start: i64 = 1_795_132_800; // 2026-11-18T00:00:00Z
    let week = 7 * 86_400;
    let mut written = 0u64;
    let mut tasks_written = 0u64;
    while written < events && tasks.is_none_or(|t| tasks_written < t) {
        tasks_written += 1;
        let (account, region) = if varied {
            let account = format!("{}", 100_000_000_000 + rng.below(899_999_999_999));
            (
                account,
                REGIONS[rng.below(REGIONS.len() as u64) as usize].to_string(),
            )
        } else {
            ("123456789012".to_string(), "eu-west-1".to_string())
        };
        let cluster = clusters[rng.below(2) as usize];
        let service = services[rng.below(services.len() as u64) as usize];
        let task_id = rng.hex(32);
        let deployment = if varied {
            format!(
                "ecs-svc/{}",
                1_000_000_000_000_000_000 + rng.below(8_000_000_000_000_000_000)
            )
        } else {
            "ecs-svc/4387950321749260193".to_string()
        };
        let task_arn = format!("arn:aws:ecs:{region}:{account}:task/{cluster}/{task_id}");
        let at = start + rng.below(week as u64) as i64;
        // 70% failures from the catalog, 25% normal stops, 5% unrecognised noise.
        let roll = rng.below(100);
        let (reason, stop_code, container_reason, exit_code) = if roll < 70 {
            let r = &failures[rng.below(failures.len() as u64) as usize];
            let (stopped_reason, container_reason) = if varied {
                // The examples' own account becomes the task's, as when a task pulls from
                // its account's registry; every other value is new.
                let mut varier = Varier {
                    rng: &mut rng,
                    map: Default::default(),
                };
                varier.map.insert("123456789012".into(), account.clone());
                let stopped = varier.vary(&r.stopped_reason);
                let container = r.container_reason.as_deref().map(|c| varier.vary(c));
                (stopped, container)
            } else {
                (r.stopped_reason.clone(), r.container_reason.clone())
            };
            (
                stopped_reason,
                r.stop_code
                    .clone()
                    .unwrap_or_else(|| "TaskFailedToStart".into()),
                container_reason,
                r.exit_code,
            )
        } else if roll < 95 {
            let (r, code, exit) = normal[rng.below(normal.len() as u64) as usize];
            let r = r.replace("ecs-svc/4387950321749260193", &deployment);
            (r, code.to_string(), None, exit)
        } else {
            let noise = format!(
                "FrobnicatorError: job {} failed on worker-{} after {}s (attempt {})",
                rng.hex(12),
                rng.below(64),
                rng.below(900),
                rng.below(5) + 1
            );
            (noise, "EssentialContainerExited".to_string(), None, Some(1))
        };
        let states: &[&str] = if stop_code == "TaskFailedToStart" {
            &["PROVISIONING", "PENDING", "STOPPED"]
        } else {
            &["PROVISIONING", "PENDING", "RUNNING", "STOPPED"]
        };
        for (i, state) in states.iter().enumerate() {
            let stopped = *state == "STOPPED";
            let time = crate_time(at - (states.len() - i) as i64 * 20);
            let mut container = json!({
                "containerArn": format!("arn:aws:ecs:{region}:{account}:container/{cluster}/{task_id}/{}", rng.hex(8)),
                "lastStatus": state, "name": service,
                "image": format!("{account}.dkr.ecr.{region}.amazonaws.com/{service}:2026.11.{}", rng.below(30)),
                "runtimeId": format!("{task_id}-{}", rng.below(9_999_999_999)),
                "taskArn": task_arn, "networkInterfaces": [{"attachmentId": rng.hex(8), "privateIpv4Address": format!("10.0.{}.{}", rng.below(255), rng.below(255))}],
                "cpu": "0", "memory": "512"
            });
            if stopped {
                if let Some(code) = exit_code {
                    container["exitCode"] = json!(code);
                }
                if let Some(reason) = &container_reason {
                    container["reason"] = json!(reason);
                }
            }
            let mut detail = json!({
                "attachments": [{"id": rng.hex(8), "type": "eni", "status": "ATTACHED", "details": [
                    {"name": "subnetId", "value": format!("subnet-{}", rng.hex(17))},
                    {"name": "networkInterfaceId", "value": format!("eni-{}", rng.hex(17))},
                    {"name": "privateIPv4Address", "value": format!("10.0.{}.{}", rng.below(255), rng.below(255))}]}],
                "availabilityZone": format!("{region}{}", ["a", "b", "c"][rng.below(3) as usize]),
                "clusterArn": format!("arn:aws:ecs:{region}:{account}:cluster/{cluster}"),
                "containers": [container], "cpu": "256", "memory": "512",
                "createdAt": crate_time(at - 120), "desiredStatus": if i + 1 == states.len() { "STOPPED" } else { "RUNNING" },
                "enableExecuteCommand": false, "group": format!("service:{service}"), "launchType": "FARGATE",
                "lastStatus": state, "overrides": {"containerOverrides": [{"name": service}]},
                "platformVersion": "1.4.0", "startedBy": deployment,
                "taskArn": task_arn, "taskDefinitionArn": format!("arn:aws:ecs:{region}:{account}:task-definition/{service}:{}", rng.below(40) + 1),
                "updatedAt": time, "version": i + 1
            });
            if stopped {
                detail["stopCode"] = json!(stop_code);
                detail["stoppedReason"] = json!(reason);
                detail["stoppedAt"] = json!(time);
                detail["stoppingAt"] = json!(time);
            }
            let event = json!({
                "version": "0", "id": format!("{}-{}-{}-{}-{}", rng.hex(8), rng.hex(4), rng.hex(4), rng.hex(4), rng.hex(12)),
                "detail-type": "ECS Task State Change", "source": "aws.ecs", "account": account, "time": time,
                "region": region, "resources": [task_arn], "detail": detail
            });
            let line = event.to_string();
            writeln!(out, "{line}").unwrap();
            written += 1;
            // EventBridge delivers at least once: about 1% duplicates.
            if stopped && rng.below(100) == 0 {
                writeln!(out, "{line}").unwrap();
                written += 1;
            }
            if written >= events {
                break;
            }
        }
        // Other ECS events share archives: about 1 in 100.
        if rng.below(100) == 0 {
            writeln!(out, "{}", json!({"version": "0", "detail-type": "ECS Container Instance State Change", "source": "aws.ecs",
                "account": account, "time": crate_time(at), "region": region, "detail": {"agentConnected": true, "status": "ACTIVE"}})).unwrap();
            written += 1;
        }
    }
    out.flush().unwrap();
}

fn crate_time(at: i64) -> String {
    ecs_diagnose::time::format_epoch(at)
}
