#!/usr/bin/env bash
# `npm test`: type-check, lint, build, provision the real servers, then every test file on node's runner.
# Each integration test file starts its own Temporal dev server and works in its own Postgres schema.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== typecheck"; npx tsc --noEmit -p tsconfig.json
echo "== lint";      npx eslint .
echo "== build";     npm run build --silent
echo "== api";       api=$(bash scripts/api-report.sh 2>&1) || { echo "$api"; exit 1; }   # the public API matches etc/api/
echo "== system deps"; bash scripts/install-system-deps.sh   # Debian's Chromium for the browser tests; no-op when present
echo "== stack";     node dist/devstack/cli.js start >/dev/null
# Tools provisioned above are reused by every test file (no re-download, no race between files).
export TEMPORAL_CLI="${TEMPORAL_CLI:-$(node -e "process.stdout.write(require('./dist/devstack/temporalTools').ensureTemporalCli())")}"
export TEMPORAL_TEST_SERVER="${TEMPORAL_TEST_SERVER:-$(node -e "process.stdout.write(require('./dist/devstack/temporalTools').ensureTemporalTestServer())")}"
# Jaeger v1.75.0 (tools/jaeger): built once per machine into the tools cache, ~4 min cold on 2 cores.
export JAEGER_BIN="${JAEGER_BIN:-$(node -e "process.stdout.write(require('./dist/devstack/jaegerTools').ensureJaeger())")}"

files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  mapfile -t files < <(find dist -name '*.test.js' | sort)
fi
echo "== test (${#files[@]} files)"
# TAP goes to the terminal and to a file; CI shows only the end of a long log, so failures are repeated there.
results=.breakwater/test-results.tap
mkdir -p .breakwater
status=0
node --test --test-concurrency="${TEST_CONCURRENCY:-2}" --test-timeout="${TEST_TIMEOUT_MS:-600000}" \
  --test-reporter=tap --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$results" "${files[@]}" || status=$?
if [ $status -ne 0 ]; then
  echo "== failed tests (from $results)"
  node scripts/failed-tests.mjs "$results" || true
fi
exit $status
