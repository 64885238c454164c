#!/usr/bin/env bash
# Runs every fuzz target for a fixed time (FUZZ_SECONDS, default 180 each).
#
#   scripts/fuzz.sh                 # all targets
#   FUZZ_SECONDS=600 scripts/fuzz.sh input events
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). The targets build with sanitizer flags that
# only nightly accepts; RUSTC_BOOTSTRAP lets the stable toolchain take them. Seeds come from the
# repository (fixtures, pattern files, their example strings); the corpus grows in
# fuzz/corpus/<target>. A crash leaves its input in fuzz/artifacts/<target>/ and fails the
# script: turn it into a regression test (tests/fuzz_regressions.rs) before fixing it.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-180}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(input events catalog template text redact)
fi
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

seeds=fuzz/seeds
rm -rf "$seeds"
mkdir -p "$seeds"/{input,events,catalog,template,text,redact}
# Inputs: every fixture, and every example string of the catalog, one per file.
cp tests/fixtures/* "$seeds/input/"
cp tests/fixtures/*.json tests/fixtures/*.jsonl "$seeds/events/"
gzip -c tests/fixtures/seed3-events.jsonl > "$seeds/events/seed3-events.jsonl.gz"
python3 - "$seeds" <<'PY'
import pathlib, re, sys
seeds = pathlib.Path(sys.argv[1])
for path in sorted(pathlib.Path("patterns").glob("*.yaml")):
    text = path.read_text()
    # The catalog target loads its input as `fuzz.yaml`, so the id must be `fuzz` to get past it.
    (seeds / "catalog" / path.name).write_text(re.sub(r"(?m)^id: .*$", "id: fuzz", text, count=1))
    for i, m in enumerate(re.finditer(r"(?m)^\s+- text: (.+)$", text)):
        (seeds / "text" / f"{path.stem}-{i}").write_text(m.group(1).strip("'\""))
        (seeds / "input" / f"{path.stem}-{i}").write_text(m.group(1).strip("'\""))
        # A name to learn, a line break, then a message that may mention it.
        (seeds / "redact" / f"{path.stem}-{i}").write_text("prod-web\n" + m.group(1).strip("'\""))
    for i, m in enumerate(re.finditer(r"(?m)^(?:cause|fix): (.+)$", text)):
        (seeds / "template" / f"{path.stem}-{i}").write_text(m.group(1) + "\0image=public.ecr.aws/nginx/nginx:latest\0region=eu-west-1")
PY

failed=0
for target in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$target"
    echo "== $target: ${seconds}s"
    if ! (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -timeout=10 -print_final_stats=1 \
        2>&1 | grep -E "^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|SUMMARY|artifact_prefix|Test unit written|thread .* panicked)" ); then
        :
    fi
    if find "fuzz/artifacts/$target" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) 2>/dev/null | grep -q .; then
        echo "!! $target: findings in fuzz/artifacts/$target"
        failed=1
    fi
done
exit $failed
