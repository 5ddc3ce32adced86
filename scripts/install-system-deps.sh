#!/usr/bin/env bash
# System packages the test suite needs that npm cannot provide: Debian's Chromium for the browser tests
# (the inbox and the Temporal Web UI, driven by playwright-core). Idempotent and quiet; needs root.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then exit 0; fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-deps: /usr/bin/chromium is missing and this is not root; run: sudo apt-get install -y chromium" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
echo "install-system-deps: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
