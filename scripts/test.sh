#!/usr/bin/env bash
# Runs every test: unit, catalog, CLI snapshots, and the live tests against a local AWS API
# server (moto, installed here into .venv from tests/requirements.txt when missing). Builds with
# the `probe` feature (off by default: its SDK crates take long to compile), so the `--probe`
# tests run too.
# Usage: scripts/test.sh [extra cargo test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv
if ! "$venv/bin/python" -c 'import moto, boto3, flask' >/dev/null 2>&1; then
    echo "installing the test ECS API server (moto) into $venv ..." >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/requirements.txt
fi
export ECS_DIAGNOSE_TEST_PYTHON="$PWD/$venv/bin/python"

# The tests talk to 127.0.0.1 only: dummy credentials, no instance metadata probing.
export AWS_EC2_METADATA_DISABLED=true
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing
export AWS_DEFAULT_REGION=us-east-1
unset AWS_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_ECS

cargo test --locked --features probe "$@"
