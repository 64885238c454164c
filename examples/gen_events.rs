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
use serde_json::json;

#[path = "support/vary.rs"]
mod vary;
use vary::{REGIONS, Rng, Varier, reasons};

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
