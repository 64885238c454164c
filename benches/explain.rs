//! `cargo bench --bench explain`: whole-process time for one pasted error, and diagnoses per
//! second for a 100,000-line paste, using the release binary. Speed goals live here, not in
//! timed tests. Under `cargo test` (no `--bench` argument) it runs once, briefly, as a smoke test.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ecs_diagnose::catalog::Catalog;

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

    // 2. A large paste: the catalog's own examples, over and over, as one stdin stream.
    let catalog = Catalog::builtin().expect("the built-in catalog loads");
    let examples: Vec<String> = catalog
        .patterns()
        .iter()
        .flat_map(|p| p.examples.iter().map(|e| e.text.replace('\n', " ")))
        .collect();
    let mut paste = String::new();
    for i in 0..lines {
        paste.push_str(&examples[i % examples.len()]);
        paste.push('\n');
    }
    for format in ["text", "json"] {
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
        let elapsed = start.elapsed();
        println!(
            "{lines}-line paste ({} distinct messages, {:.1} MB), --output {format}: {:.0} ms, {:.0} diagnoses/s",
            examples.len().min(lines),
            paste.len() as f64 / 1e6,
            ms(elapsed),
            lines as f64 / elapsed.as_secs_f64()
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
