//! A small ECS API server on 127.0.0.1 for tests moto cannot do: real pagination, throttling,
//! server errors, slow and refused connections, `failures[]`, access denied. It speaks the
//! awsJson1_1 protocol the SDK uses (POST / with `X-Amz-Target`), HTTP/1.1 with keep-alive.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

/// What the server answers to one request.
pub enum Reply {
    /// HTTP 200 with this JSON body.
    Ok(Value),
    /// An AWS error: HTTP status, `__type` and message.
    Error(u16, &'static str, &'static str),
    /// Accept the request and never answer.
    Hang,
    /// HTTP 200 with this JSON body, after a pause.
    Slow(Duration, Value),
    /// HTTP 200 whose chunked body never ends (sent until the client goes, at most 2 GiB).
    Endless,
    /// HTTP 200 with this body, as it is (not JSON, say).
    Raw(&'static str),
}

type Handler = dyn Fn(&str, &Value, usize) -> Reply + Send + Sync;

pub struct FakeEcs {
    pub port: u16,
    /// Every request: (operation, body).
    pub calls: Arc<Mutex<Vec<(String, Value)>>>,
}

impl FakeEcs {
    /// Serves `handler(operation, body, n)`, where `n` counts calls of that operation from 0.
    pub fn start(
        handler: impl Fn(&str, &Value, usize) -> Reply + Send + Sync + 'static,
    ) -> FakeEcs {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().unwrap().port();
        let calls: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let shared = Arc::clone(&calls);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let handler = Arc::clone(&handler);
                let calls = Arc::clone(&shared);
                std::thread::spawn(move || serve(stream, &*handler, &calls));
            }
        });
        FakeEcs { port, calls }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn count(&self, operation: &str) -> usize {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|(op, _)| op == operation)
            .count()
    }
}

fn serve(stream: TcpStream, handler: &Handler, calls: &Mutex<Vec<(String, Value)>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone the stream"));
    let mut writer = stream;
    loop {
        let mut target = String::new();
        let mut length = 0usize;
        let mut line = String::new();
        // Request line, then headers up to the blank line.
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                match name.to_ascii_lowercase().as_str() {
                    "x-amz-target" => {
                        target = value
                            .trim()
                            .rsplit('.')
                            .next()
                            .unwrap_or_default()
                            .to_string()
                    }
                    "content-length" => length = value.trim().parse().unwrap_or(0),
                    _ => {}
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let n = {
            let mut calls = calls.lock().unwrap();
            let n = calls.iter().filter(|(op, _)| *op == target).count();
            calls.push((target.clone(), body.clone()));
            n
        };
        let (status, payload) = match handler(&target, &body, n) {
            Reply::Ok(value) => (200, value),
            Reply::Error(status, kind, message) => {
                (status, json!({"__type": kind, "message": message}))
            }
            Reply::Hang => {
                std::thread::sleep(Duration::from_secs(3600));
                return;
            }
            Reply::Slow(pause, value) => {
                std::thread::sleep(pause);
                (200, value)
            }
            Reply::Endless => {
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nTransfer-Encoding: chunked\r\n\r\ne\r\n{\"taskArns\":[\"\r\n";
                if writer.write_all(head.as_bytes()).is_err() {
                    return;
                }
                let chunk = format!("100000\r\n{}\r\n", "a".repeat(1 << 20));
                for _ in 0..2048 {
                    if writer.write_all(chunk.as_bytes()).is_err() {
                        return;
                    }
                }
                return;
            }
            Reply::Raw(text) => {
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{text}",
                    text.len()
                );
                if writer.write_all(response.as_bytes()).is_err() {
                    return;
                }
                continue;
            }
        };
        let payload = payload.to_string();
        let response = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: 00000000-0000-0000-0000-000000000000\r\nContent-Length: {}\r\n\r\n{payload}",
            payload.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

/// `n` stopped task ARNs in cluster `demo`.
pub fn task_arns(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("arn:aws:ecs:us-east-1:123456789012:task/demo/{i:032x}"))
        .collect()
}

/// A ListTasks page of `arns`, honouring `maxResults` and `nextToken` (an offset).
pub fn list_page(arns: &[String], body: &Value) -> Value {
    let start: usize = body["nextToken"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let size = body["maxResults"].as_u64().unwrap_or(100) as usize;
    let end = (start + size).min(arns.len());
    let mut page = json!({"taskArns": arns[start..end]});
    if end < arns.len() {
        page["nextToken"] = json!(end.to_string());
    }
    page
}

/// DescribeTasks output for the requested ARNs: every task stopped by the OOM killer.
pub fn describe_oom(body: &Value) -> Value {
    let tasks: Vec<Value> = body["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|arn| {
            json!({
                "taskArn": arn,
                "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/demo",
                "group": "service:api",
                "lastStatus": "STOPPED",
                "stopCode": "EssentialContainerExited",
                "stoppedReason": "Essential container in task exited",
                "stoppedAt": 1795427045.0,
                "containers": [{"name": "api", "exitCode": 137, "reason": "OutOfMemoryError: Container killed due to memory usage"}]
            })
        })
        .collect();
    json!({"tasks": tasks, "failures": []})
}
