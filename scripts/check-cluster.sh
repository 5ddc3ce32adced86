#!/usr/bin/env bash
# `npm run check:cluster`: Breakwater on the production-configured Temporal cluster (opt-in; not part of
# npm test: a cold build of the server takes many minutes, the run ~10 more). Exits non-zero on any violation.
#  1. Builds go.temporal.io/server v1.32.2 + temporal-sql-tool once per machine (tools/temporal-server,
#     GOTOOLCHAIN=go1.27.3; src/devstack/clusterTools.ts).
#  2. A quick chaos run against a cluster of its own (four service processes, persistence + SQL visibility in
#     the run's own Postgres): workers SIGKILLed at random and at the named fault points (mid-step: around the
#     portal POST, after a shared-state commit, after an alert is recorded), Temporal restarted 3 times (all
#     four server processes SIGKILLed at once, then one service's process alone, then all four again),
#     Postgres restarted under Temporal and Breakwater. Asserts 0 lost, 0 duplicate
#     side effects, 0 wrong VERIFIED and every other invariant, plus `breakwater runs` and its
#     search-attribute filters against SQL visibility.
#  3. The one command: `stack start --profile cluster` in a scratch project home (on DATABASE_URL's server
#     when set, else a project-local Postgres), runs on its two workers, the real `breakwater runs --pipeline`
#     / `--status AwaitingHuman` against SQL visibility (src/devstack/clusterSmoke.ts), `stack stop`.
#  4. Without DATABASE_URL: its project-local Postgres stopped under it (clear error from `breakwater runs`),
#     the one command again, nothing lost.
# CHECK_CLUSTER_SEED / _PIPELINES / _DURATION / _SETTLE / _TEMPORAL_RESTARTS size step 2; CHECK_CLUSTER_OUT keeps its report.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"

npm run build --silent
node -e "require('./dist/devstack/clusterTools').ensureClusterTools()"
echo "== cluster tools ready after $(( $(date +%s) - started )) s"

out="${CHECK_CLUSTER_OUT:-$(mktemp -d)/reliability-cluster.md}"
node dist/chaos/main.js --cluster --seed "${CHECK_CLUSTER_SEED:-2412}" --pipelines "${CHECK_CLUSTER_PIPELINES:-2}" \
  --duration "${CHECK_CLUSTER_DURATION:-90}" --settle "${CHECK_CLUSTER_SETTLE:-180}" --faults-per-minute 4 \
  --temporal-restarts "${CHECK_CLUSTER_TEMPORAL_RESTARTS:-3}" --out "$out"
grep -q '| Workflows lost | 0 | 0 | pass |' "$out"
grep -q 'wrong VERIFIED.* | 0 | 0 | pass |' "$out"
grep -q 'Duplicate side effects.* | 0 | 0 | pass |' "$out"
echo "== chaos on the cluster: every invariant held ($out), $(( $(date +%s) - started )) s"

home=$(mktemp -d)
chmod 755 "$home"   # as root, a project-local Postgres runs as postgres, which must reach its data folder
export BREAKWATER_HOME="$home"
export DATABASE_SCHEMA="${DATABASE_SCHEMA:-check_cluster}"   # Breakwater's tables apart from anyone else's on a shared server
stop() { node dist/devstack/cli.js stop || true; rm -rf "$home"; }
trap stop EXIT
node dist/devstack/cli.js start --profile cluster
node dist/devstack/cli.js status
node dist/devstack/clusterSmoke.js
if [ -z "${DATABASE_URL:-}" ]; then
  # 4. Postgres restarting under the one-command cluster (its own project-local Postgres; a shared DATABASE_URL
  #    server is never stopped): while it is down `breakwater runs` must fail with a clear cause, then the one
  #    command brings everything back (the Postgres returns on a new port, so cluster and workers restart) and
  #    every run recorded before is still listed.
  node -e "const s=require('$home/stack.json'); require('./dist/devstack/postgres').stopPostgres(s.postgres.dataDir, 'immediate')"
  if err=$(node bin/breakwater.js runs --limit 5 2>&1); then echo "check:cluster: 'breakwater runs' succeeded with Postgres down"; exit 1; fi
  echo "$err" | grep -q 'UNAVAILABLE' || { echo "check:cluster: unclear error with Postgres down: $err"; exit 1; }
  echo "== with Postgres down, breakwater runs says: $err"

  node dist/devstack/cli.js start --profile cluster
  node dist/devstack/clusterSmoke.js
  listed=$(node bin/breakwater.js runs --json --limit 1000 | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).runs.filter(r=>r.workflowId.startsWith('smoke-')).length))")
  [ "$listed" -ge 6 ] || { echo "check:cluster: after the Postgres restart only $listed smoke runs are listed (want both smokes' 3 + 3)"; exit 1; }
  echo "== after the Postgres restart: $listed smoke runs listed (both smokes), nothing lost"
else
  echo "== Postgres restart under the one-command cluster skipped: DATABASE_URL is a shared server (the chaos run above restarted its own)"
fi
echo "check:cluster: all checks passed, total $(( $(date +%s) - started )) s"
