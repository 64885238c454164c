"""Archive benchmark: `ecs-diagnose events` on synthetic archives of 100k and 1M events, plain
and gzipped, side by side with what a user would do instead, in the same run:
  - jq extracting .detail.stoppedReason of final STOPPED events, then `sort | uniq -c`;
  - ripgrep counting lines that match any of the catalog's regexes (`rg -c -i -f`).

Usage (from the repository root, after `cargo build --release --examples`):
    python3 bench/events.py [100000 1000000]
Needs jq and rg (Debian: apt-get install jq ripgrep). Archives are written to bench/out/ by the
seeded generator (examples/gen_events.rs) and reused. Targets: at least 10x faster than jq,
within 2x of ripgrep's scan of the same bytes, peak RSS under 100 MB for 1M events.
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


def generate(n, gzip):
    path = OUT / (f"{n}.jsonl" + (".gz" if gzip else ""))
    if not path.exists():
        print(f"generating {path.name} ...", file=sys.stderr)
        args = [str(GEN), "--events", str(n), "--out", str(path)] + (["--gzip"] if gzip else [])
        subprocess.run(args, check=True)
    return path


def run_ours(path):
    """Wall time and peak RSS (KB) of ecs-diagnose, from wait4."""
    start = time.perf_counter()
    proc = subprocess.Popen([str(BIN), "events", str(path), "--output", "json"],
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
    sizes = [int(a) for a in sys.argv[1:]] or [100_000, 1_000_000]
    for tool in ("jq", "rg"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (Debian: apt-get install jq ripgrep)")
    if not BIN.exists() or not GEN.exists():
        raise SystemExit("build first: cargo build --release --examples")
    OUT.mkdir(parents=True, exist_ok=True)
    regexes = OUT / "regexes.txt"
    subprocess.run([str(GEN), "--dump-regexes", str(regexes)], check=True)
    jq_filter = 'select(."detail-type"=="ECS Task State Change" and .detail.lastStatus=="STOPPED") | .detail.stoppedReason'
    print(f"{'archive':<22} {'MB':>7} {'ecs-diagnose':>12} {'events/s':>10} {'MB/s':>6} {'RSS MB':>7}"
          f" {'jq':>8} {'vs jq':>6} {'rg':>7} {'vs rg':>6}")
    for n in sizes:
        for gzip in (False, True):
            path = generate(n, gzip)
            size = path.stat().st_size / 1e6
            ours, rss = min((run_ours(path) for _ in range(3)), key=lambda r: r[0])
            cat = f"zcat '{path}'" if gzip else f"cat '{path}'"
            jq = timed_shell(f"{cat} | jq -r '{jq_filter}' | sort | uniq -c | sort -rn")
            rg = min(timed_shell(f"rg -c -i {'-z ' if gzip else ''}-f '{regexes}' '{path}'") for _ in range(3))
            print(f"{path.name:<22} {size:>7.0f} {ours:>11.2f}s {n / ours:>10,.0f} {size / ours:>6.0f} {rss / 1024:>7.1f}"
                  f" {jq:>7.1f}s {jq / ours:>5.1f}x {rg:>6.2f}s {ours / rg:>5.2f}x")


if __name__ == "__main__":
    main()
