"""A local ECS API for the live tests: moto's server, in-process, seeded with stopped tasks.

moto serves stoppedReason verbatim but cannot set stopCode, stop times, container reasons or
exit codes through its API, so the seeding sets those on moto's stored task objects (the recipe
verified in shared/reference/aws-sdk-and-moto.md).

Usage: python moto_server.py [--bench N] [--scenarios FILE.json --cluster NAME]
(a scenarios file holds a list of [family, group, reason, stop code, containers, count] in the
shape of SCENARIOS, containers as [name, image, exit code, reason] lists)
Prints `READY <port>` once the server answers, then serves until stdin closes.
"""

import argparse
import json
import sys
from datetime import datetime, timedelta, timezone

import boto3
from moto.backends import get_backend
from moto.ecs.models import Container
from moto.server import ThreadedMotoServer

ACCOUNT = "123456789012"
REGION = "us-east-1"

SEED_1 = ('CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref '
          'public.ecr.aws/nginx/nginx:latest: failed to do request: Head '
          '"https://public.ecr.aws/v2/nginx/nginx/manifests/latest": dial tcp 99.83.145.10:443: i/o timeout')
SEED_2 = ('CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref '
          f'{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/repo:latest: failed to do request: Head '
          f'"https://{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/v2/repo/manifests/latest": dial tcp: lookup '
          f'{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com on 10.0.0.2:53: no such host')
SEED_3 = ('CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref '
          f'{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/ecr-public/nginx/nginx:stable: '
          f'{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/ecr-public/nginx/nginx:stable: not found')
OOM = "OutOfMemoryError: Container killed due to memory usage"
SCALING = "Scaling activity initiated by (deployment ecs-svc/4387950321749260193)"
UNKNOWN = "WidgetError: the frobnicator gave up after 30s"

# (family, group, stopped reason, stop code, [(container, image, exit code, reason)], count)
SCENARIOS = [
    ("web", "service:web", SEED_1, "TaskFailedToStart",
     [("web", "public.ecr.aws/nginx/nginx:latest", None, SEED_1)], 3),
    ("web", "service:web", SEED_3, "TaskFailedToStart",
     [("web", f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/ecr-public/nginx/nginx:stable", None, SEED_3)], 2),
    ("web", "service:web", SCALING, "ServiceSchedulerInitiated",
     [("web", "public.ecr.aws/nginx/nginx:latest", 143, None)], 4),
    ("api", "service:api", "Essential container in task exited", "EssentialContainerExited",
     [("api", f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/api:1.0", 137, OOM),
      ("log-router", "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable", 0, None)], 2),
    ("worker", "family:worker", SEED_2, "TaskFailedToStart",
     [("worker", f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/repo:latest", None, SEED_2)], 1),
    ("worker", "family:worker", UNKNOWN, "EssentialContainerExited",
     [("worker", f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/repo:latest", 1, None)], 1),
]


def bench_scenarios(n):
    """N stopped tasks with a mix of reasons, for the live benchmark."""
    reasons = [(SEED_1, "TaskFailedToStart"), (SEED_3, "TaskFailedToStart"), (SCALING, "ServiceSchedulerInitiated"),
               ("Essential container in task exited", "EssentialContainerExited")]
    per = n // len(reasons)
    out = []
    for i, (reason, code) in enumerate(reasons):
        count = per + (1 if i < n % len(reasons) else 0)
        out.append(("web", "service:web", reason, code, [("web", "public.ecr.aws/nginx/nginx:latest", 1, None)], count))
    return out


def seed(port, scenarios, cluster="demo"):
    ecs = boto3.client("ecs", region_name=REGION, endpoint_url=f"http://127.0.0.1:{port}",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    ecs.create_cluster(clusterName=cluster)
    for family in sorted({s[0] for s in scenarios}):
        # Every container needs `memory` (moto fails run_task without it); no
        # requiresCompatibilities, so FARGATE tasks need no subnet (moto quirks 1-3).
        ecs.register_task_definition(family=family, containerDefinitions=[
            {"name": family, "image": "public.ecr.aws/nginx/nginx:latest", "memory": 512, "essential": True}])
    backend = get_backend("ecs")[ACCOUNT][REGION]
    base = datetime(2026, 11, 23, 9, 0, 0, tzinfo=timezone.utc)
    seeded = []
    minute = 0
    for family, group, reason, stop_code, containers, count in scenarios:
        remaining = count
        while remaining > 0:
            batch = min(remaining, 10)  # RunTask starts at most 10 tasks
            remaining -= batch
            started_by = "ecs-svc/4387950321749260193" if group.startswith("service:") else "batch"
            tasks = ecs.run_task(cluster=cluster, taskDefinition=family, count=batch, launchType="FARGATE",
                                 group=group, startedBy=started_by)["tasks"]
            for task in tasks:
                arn = task["taskArn"]
                ecs.stop_task(cluster=cluster, task=arn, reason=reason)
                stored = backend.tasks[cluster][arn]
                stored.stop_code = stop_code
                stored.stopped_at = base + timedelta(minutes=minute)
                minute += 1
                built = []
                for name, image, exit_code, container_reason in containers:
                    c = Container(backend.describe_task_definition(family))
                    c.name, c.image, c.last_status = name, image, "STOPPED"
                    c.exitCode = exit_code
                    if container_reason:
                        c.reason = container_reason
                    built.append(c)
                stored.containers = built
                seeded.append({"arn": arn, "family": family, "group": group, "reason": reason})
    return seeded


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", type=int, default=0)
    parser.add_argument("--scenarios")
    parser.add_argument("--cluster", default="demo")
    args = parser.parse_args()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    port = server._server.server_port
    if args.scenarios:
        with open(args.scenarios) as f:
            scenarios = [tuple(s) for s in json.load(f)]
    elif args.bench:
        scenarios = bench_scenarios(args.bench)
    else:
        scenarios = SCENARIOS
    seeded = seed(port, scenarios, args.cluster)
    sys.stdout.write(f"READY {port} {json.dumps(seeded)}\n")
    sys.stdout.flush()
    # Serve until the test closes our stdin (or kills us).
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
