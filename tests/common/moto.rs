//! The moto ECS server for the live tests, seeded by tests/live/moto_server.py.
//!
//! It runs from the virtual environment scripts/test.sh prepares; a missing environment is a
//! test failure with instructions, never a silent skip.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

pub struct Moto {
    child: Child,
    pub port: u16,
    /// What was seeded: one object per task (`arn`, `family`, `group`, `reason`).
    pub seeded: Vec<Value>,
}

fn python() -> PathBuf {
    if let Some(path) = std::env::var_os("ECS_DIAGNOSE_TEST_PYTHON") {
        return PathBuf::from(path);
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    assert!(
        venv.exists(),
        "the live tests need moto: run them with scripts/test.sh, which installs it into .venv \
         (or set ECS_DIAGNOSE_TEST_PYTHON to a Python that has moto[server] and boto3)"
    );
    venv
}

impl Moto {
    /// Starts moto on a free port on 127.0.0.1, seeded with the test scenarios (or `bench` tasks).
    pub fn start(bench: Option<usize>) -> Moto {
        let mut args = Vec::new();
        if let Some(n) = bench {
            args.extend(["--bench".to_string(), n.to_string()]);
        }
        Moto::start_with(&args)
    }

    /// Starts moto seeded with `scenarios` (see tests/live/moto_server.py) in `cluster`.
    pub fn start_scenarios(scenarios: &Value, cluster: &str) -> Moto {
        let file = tempfile::Builder::new()
            .prefix("ecs-diagnose-moto-")
            .suffix(".json")
            .tempfile()
            .expect("a scratch file");
        std::fs::write(file.path(), scenarios.to_string()).expect("write the scenarios");
        let path = file.path().to_string_lossy().into_owned();
        // moto has read the file once it says READY; the file goes when `file` drops.
        Moto::start_with(&[
            "--scenarios".to_string(),
            path,
            "--cluster".to_string(),
            cluster.to_string(),
        ])
    }

    fn start_with(args: &[String]) -> Moto {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/live/moto_server.py");
        let mut cmd = Command::new(python());
        cmd.arg(&script).args(args);
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the moto server");
        let stdout = child.stdout.take().expect("piped");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read from the moto server");
        let rest = line
            .strip_prefix("READY ")
            .unwrap_or_else(|| panic!("moto did not start: {line:?}"));
        let (port, seeded) = rest.split_once(' ').expect("READY <port> <json>");
        Moto {
            child,
            port: port.parse().expect("a port number"),
            seeded: serde_json::from_str(seeded).expect("seeded tasks as JSON"),
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
