//! The `--probe` worlds of tests/live/probe_world.py: moto with the seed scenarios' VPCs,
//! zones, roles and resources, recorded answers for the calls moto does not serve, and fault
//! injection. A missing test environment is a failure with instructions, never a skip.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

pub struct ProbeWorld {
    child: Child,
    pub port: u16,
    /// World name -> task id (and a few resource ids the assertions name).
    pub seeded: Value,
}

pub fn python() -> PathBuf {
    if let Some(path) = std::env::var_os("ECS_DIAGNOSE_TEST_PYTHON") {
        return PathBuf::from(path);
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    assert!(
        venv.exists(),
        "the probe tests need moto: run them with scripts/test.sh, which installs it into .venv"
    );
    venv
}

impl ProbeWorld {
    pub fn start(bench: Option<usize>) -> ProbeWorld {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/live/probe_world.py");
        let mut cmd = Command::new(python());
        cmd.arg(&script);
        if let Some(n) = bench {
            cmd.args(["--bench", &n.to_string()]);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the probe world");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("read from the probe world");
        let rest = line
            .strip_prefix("READY ")
            .unwrap_or_else(|| panic!("the probe world did not start: {line:?}"));
        let (port, seeded) = rest.split_once(' ').expect("READY <port> <json>");
        ProbeWorld {
            child,
            port: port.parse().expect("a port"),
            seeded: serde_json::from_str(seeded).expect("JSON"),
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn id(&self, world: &str) -> String {
        self.seeded[world]
            .as_str()
            .unwrap_or_else(|| panic!("no world {world}"))
            .to_string()
    }

    /// The binary against this world (dummy credentials, no instance metadata).
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_ecs-diagnose"))
            .args(args)
            .args(["--endpoint-url", &self.endpoint()])
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_SESSION_TOKEN")
            .output()
            .expect("the binary runs")
    }

    /// `task --probe -o json` for one world's task.
    pub fn probe_task(&self, world: &str, extra: &[&str]) -> (Value, i32) {
        let id = self.id(world);
        let mut args = vec![
            "task",
            "--cluster",
            "probe",
            &id,
            "--probe",
            "--region",
            "us-east-1",
            "-o",
            "json",
        ];
        args.extend_from_slice(extra);
        let out = self.run(&args);
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}\nstderr: {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (report, out.status.code().expect("exit code"))
    }

    fn http(&self, method: &str, path: &str, body: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default()
    }

    /// Makes every call of `op` fail (`denied`, `throttled`) or answer late (`slow`); `None`
    /// clears it.
    pub fn fault(&self, op: &str, kind: Option<&str>) {
        let body = serde_json::json!({"op": op, "kind": kind}).to_string();
        self.http("POST", "/_probe/fault", &body);
    }

    /// Calls the server answered, by operation, since the last reset.
    pub fn calls(&self) -> Value {
        serde_json::from_str(&self.http("GET", "/_probe/calls", "")).expect("calls as JSON")
    }

    pub fn reset_calls(&self) {
        self.http("POST", "/_probe/calls/reset", "");
    }
}

impl Drop for ProbeWorld {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
