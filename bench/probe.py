"""Probe benchmark: `cluster --probe` over N stopped tasks (two services, three subnets of one
VPC, one execution role) on the local moto world of tests/live/probe_world.py, and the same on a
40-task cluster of the same layout. Prints wall time and the probe calls by action: they depend
on the distinct subnets, VPCs, services, task definitions and roles, not on N.

Usage (after scripts/test.sh has created .venv, and `cargo build --release --features probe`;
ECS_DIAGNOSE_BIN names another binary):
    .venv/bin/python bench/probe.py [N]        default: 1000
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(os.environ.get("ECS_DIAGNOSE_BIN", ROOT / "target" / "release" / "ecs-diagnose"))
ENV = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
           AWS_EC2_METADATA_DISABLED="true", AWS_DEFAULT_REGION="us-east-1")


def scan(endpoint, cluster):
    start = time.perf_counter()
    out = subprocess.run([str(BIN), "cluster", cluster, "--probe", "--endpoint-url", endpoint, "--region",
                          "us-east-1", "--output", "json"], env=ENV, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if not out.stdout:
        raise SystemExit(f"no output: {out.stderr}")
    report = json.loads(out.stdout)
    calls = {k: v for k, v in report["scan"]["api_calls"].items() if ":" in k}
    return elapsed, report["summary"]["tasks"], calls


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    if not BIN.exists():
        raise SystemExit("build first: cargo build --release --features probe")
    print(f"seeding {n} stopped tasks into moto...", file=sys.stderr)
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests/live/probe_world.py"), "--bench", str(n)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()
        if not line.startswith("READY "):
            raise SystemExit(f"the probe world did not start: {line!r}")
        endpoint = f"http://127.0.0.1:{line.split()[1]}"
        for cluster in ("bench", "small"):
            elapsed, tasks, calls = scan(endpoint, cluster)
            print(f"{tasks:>6} tasks  {elapsed:6.2f}s  {sum(calls.values()):>3} probe calls: "
                  + ", ".join(f"{v} {k}" for k, v in sorted(calls.items())))
    finally:
        proc.stdin.close()
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
