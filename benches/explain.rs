//! `cargo bench --bench explain`: whole-process time for one pasted error, and diagnoses per
//! second for a 100,000-line paste, using the release binary. Speed goals live here, not in
//! timed tests. Under `cargo test` (no `--bench` argument) it runs once, briefly, as a smoke test.
//!
//! The large paste comes in two kinds: varied (the default target: every line's values drawn
//! fresh, as in a real archive, so few lines repeat) and repeated (the catalog's examples over
//! and over, which mostly measures the match cache).

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ecs_diagnose::catalog::Catalog;

#[path = "../examples/support/vary.rs"]
mod vary;

const SEED_1: &str = r#"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref public.ecr.aws/nginx/nginx:latest: failed to do request: Head "https://public.ecr.aws/v2/nginx/nginx/manifests/latest": dial tcp 99.83.145.10:443: i/o timeout"#;

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let bin = env!("CARGO_BIN_EXE_ecs-diagnose");
    let (runs, lines) = if full { (200, 100_000) } else { (3, 1_000) };

    // 1. One paste, whole process: start, load the catalog, diagnose, print.
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let status = Command::new(bin)
                .args(["explain", "--color", "never", SEED_1])
                .stdout(Stdio::null())
                .status()
                .expect("the binary runs");
            assert!(status.success());
            start.elapsed()
        })
        .collect();
    times.sort();
    let median = times[times.len() / 2];
    let p90 = times[times.len() * 9 / 10];
    println!(
        "one paste, whole process ({runs} runs): median {:.2} ms, p90 {:.2} ms (target: median under 5 ms)",
        ms(median),
        ms(p90)
    );

    // 2. A large paste, as one stdin stream: varied values, then the catalog's examples verbatim.
    let catalog = Catalog::builtin().expect("the built-in catalog loads");
    let mut rng = vary::Rng(7);
    let failures = vary::reasons(&catalog);
    let varied: Vec<String> = (0..lines)
        .map(|_| vary::paste_line(&mut rng, &failures))
        .collect();
    let examples: Vec<String> = catalog
        .patterns()
        .iter()
        .flat_map(|p| p.examples.iter().map(|e| e.text.replace('\n', " ")))
        .collect();
    let repeated: Vec<String> = (0..lines)
        .map(|i| examples[i % examples.len()].clone())
        .collect();
    for (kind, paste_lines) in [("varied", &varied), ("repeated", &repeated)] {
        let distinct = paste_lines
            .iter()
            .collect::<std::collections::HashSet<_>>()
            .len();
        let mut paste = paste_lines.join("\n");
        paste.push('\n');
        for format in ["text", "json"] {
            let elapsed = explain_paste(bin, &paste, format);
            println!(
                "{lines}-line {kind} paste ({distinct} distinct, {:.1} MB), --output {format}: {:.0} ms, {:.0} diagnoses/s",
                paste.len() as f64 / 1e6,
                ms(elapsed),
                lines as f64 / elapsed.as_secs_f64()
            );
        }
    }
}

fn explain_paste(bin: &str, paste: &str, format: &str) -> Duration {
    let start = Instant::now();
    let mut child = Command::new(bin)
        .args(["explain", "-", "--color", "never", "--output", format])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(paste.as_bytes())
        .expect("write stdin");
    child.wait().expect("the binary finishes");
    start.elapsed()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
