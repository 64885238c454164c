"""Archive benchmark: `ecs-diagnose events` on synthetic archives, plain and gzipped, side by side
with what a user would do instead, in the same run:
  - jq extracting .detail.stoppedReason of final STOPPED events, then `sort | uniq -c`;
  - ripgrep counting lines that match any of the catalog's regexes (`rg -c -i -f`).
It also times ecs-diagnose reading and parsing alone: `--cluster` naming no cluster of the
archive, so every final event is read and parsed, then filtered out before it is diagnosed. That
is the floor under any matcher, and shows how much of ripgrep's time is left for diagnosing.

Archives (seeded generator examples/gen_events.rs, written to bench/out/ and reused):
  - varied: every task's reason carries values of its own (IPs, accounts, regions, images,
    tags, ids), as real archives do, so a cache of earlier answers helps little;
  - repeated: the catalog's examples copied verbatim, so most tasks repeat an earlier reason
    (what the match cache makes cheap).

Usage (from the repository root, after `cargo build --release --examples`):
    python3 bench/events.py            # every row
    python3 bench/events.py --quick    # the varied 100k-task archive only
Needs jq and rg (Debian: apt-get install jq ripgrep). Targets: at least 10x faster than jq
(8x gzipped), within 2x of ripgrep's scan of the same bytes, peak RSS under 100 MB for 1M events.
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BIN = ROOT / "target" / "release" / "ecs-diagnose"
GEN = ROOT / "target" / "release" / "examples" / "gen_events"


# (values, unit, count): unit is what the generator counts, tasks or events.
ROWS = [
    ("varied", "tasks", 100_000),
    ("varied", "events", 1_000_000),
    ("repeated", "events", 100_000),
    ("repeated", "events", 1_000_000),
]


def generate(values, unit, n, gzip):
    name = f"{values}-{n // 1000}k-{unit}.jsonl" + (".gz" if gzip else "")
    path = OUT / name
    if not path.exists():
        print(f"generating {name} ...", file=sys.stderr)
        args = [str(GEN), f"--{unit}", str(n), "--values", values, "--out", str(path)]
        subprocess.run(args + (["--gzip"] if gzip else []), check=True)
    return path


def count_events(path, gzip):
    cat = f"zcat '{path}'" if gzip else f"cat '{path}'"
    out = subprocess.run(["bash", "-c", f"{cat} | wc -l"], check=True, capture_output=True, text=True)
    return int(out.stdout.split()[0])


# A cluster name the generator never writes: reading and parsing, no diagnosis.
NO_CLUSTER = ["--cluster", "no-such-cluster-in-the-archive"]


def run_ours(path, extra=()):
    """Wall time and peak RSS (KB) of ecs-diagnose, from wait4."""
    start = time.perf_counter()
    proc = subprocess.Popen([str(BIN), "events", str(path), "--output", "json", *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"ecs-diagnose failed on {path}")
    return elapsed, usage.ru_maxrss


def timed_shell(command):
    start = time.perf_counter()
    subprocess.run(["bash", "-c", command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    rows = ROWS[:1] if "--quick" in sys.argv[1:] else ROWS
    for tool in ("jq", "rg"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (Debian: apt-get install jq ripgrep)")
    if not BIN.exists() or not GEN.exists():
        raise SystemExit("build first: cargo build --release --examples")
    OUT.mkdir(parents=True, exist_ok=True)
    regexes = OUT / "regexes.txt"
    subprocess.run([str(GEN), "--dump-regexes", str(regexes)], check=True)
    jq_filter = 'select(."detail-type"=="ECS Task State Change" and .detail.lastStatus=="STOPPED") | .detail.stoppedReason'
    print(f"{'archive':<30} {'MB':>7} {'ecs-diagnose':>12} {'events/s':>10} {'MB/s':>6} {'RSS MB':>7}"
          f" {'jq':>8} {'vs jq':>6} {'rg':>7} {'vs rg':>6} {'parse':>7} {'vs rg':>6}")
    for values, unit, n in rows:
        for gzip in (False, True):
            path = generate(values, unit, n, gzip)
            events = count_events(path, gzip)
            size = path.stat().st_size / 1e6
            ours, rss = min((run_ours(path) for _ in range(3)), key=lambda r: r[0])
            cat = f"zcat '{path}'" if gzip else f"cat '{path}'"
            jq = timed_shell(f"{cat} | jq -r '{jq_filter}' | sort | uniq -c | sort -rn")
            rg = min(timed_shell(f"rg -c -i {'-z ' if gzip else ''}-f '{regexes}' '{path}'") for _ in range(3))
            parse = min(run_ours(path, NO_CLUSTER)[0] for _ in range(3))
            print(f"{path.name:<30} {size:>7.0f} {ours:>11.2f}s {events / ours:>10,.0f} {size / ours:>6.0f} {rss / 1024:>7.1f}"
                  f" {jq:>7.1f}s {jq / ours:>5.1f}x {rg:>6.2f}s {ours / rg:>5.2f}x"
                  f" {parse:>6.2f}s {parse / rg:>5.2f}x", flush=True)


if __name__ == "__main__":
    main()
