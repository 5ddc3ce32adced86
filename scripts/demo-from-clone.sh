#!/usr/bin/env bash
# `npm run demo` from a fresh clone inside `mktemp -d` (mode 700: as root, a folder the postgres user cannot
# enter), as a new user would run it: it must pass, and print no JSON log line to the terminal.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
dir="$(mktemp -d)"
cleanup() {
  # The cluster's data may live outside the clone (/tmp/breakwater-pgdata-…, see src/devstack/postgres.ts).
  local pgdata
  pgdata=$(node -e "try{process.stdout.write(require('$dir/clone/.breakwater/stack.json').postgres.dataDir||'')}catch{}" 2>/dev/null || true)
  (cd "$dir/clone" 2>/dev/null && node dist/devstack/cli.js stop >/dev/null 2>&1) || true
  case "$pgdata" in /tmp/breakwater-pgdata-*) rm -rf "$pgdata" ;; esac
  rm -rf "$dir"
}
trap cleanup EXIT
git clone -q "$src" "$dir/clone"
cd "$dir/clone"
npm ci --no-audit --no-fund --silent
# The Temporal CLI the parent already provisioned, when there is one (no second download).
if [ -z "${TEMPORAL_CLI:-}" ] && [ -x "$src/.breakwater/tools/pypi/temporal/bin/temporal" ]; then export TEMPORAL_CLI="$src/.breakwater/tools/pypi/temporal/bin/temporal"; fi
status=0
env -u DATABASE_URL BREAKWATER_DEMO_TASK_QUEUE="demo-clone-$$" npm run demo --silent >"$dir/out.txt" 2>&1 || status=$?
cat "$dir/out.txt"
if grep -nE '^[[:space:]]*\{.*"(level|msg)"' "$dir/out.txt"; then echo "FAIL: JSON log lines reached the terminal"; exit 1; fi
[ $status -eq 0 ] || { echo "FAIL: npm run demo exited $status"; exit $status; }
echo "OK: the demo passed from a clone in $dir with no JSON log line on the terminal"
