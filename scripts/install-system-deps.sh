#!/usr/bin/env bash
# System packages the test suite needs that npm cannot provide:
# - Debian's Chromium for the browser tests (the inbox and the Temporal Web UI, driven by playwright-core);
# - Debian's Prometheus (`prometheus` and `promtool`): the alert rules in deploy/prometheus are checked and
#   unit-tested by promtool, and a real Prometheus scrapes a worker (src/pipelines/endToEnd/prometheus.test.ts).
# Idempotent and quiet (a no-op when everything is present); installing needs root.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium fonts-liberation)
# The package ships both binaries; either one missing means the package is.
{ [ -x /usr/bin/prometheus ] && [ -x /usr/bin/promtool ]; } || missing+=(prometheus)

if [ ${#missing[@]} -eq 0 ]; then exit 0; fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-deps: missing ${missing[*]} and this is not root; run: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's package starts a prometheus service where an init system runs (not in CI containers); the tests
# start their own on a free loopback port, so a running service does not get in their way.
for pkg in "${missing[@]}"; do
  case "$pkg" in
    chromium) echo "install-system-deps: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)" ;;
    prometheus) echo "install-system-deps: installed $(/usr/bin/prometheus --version 2>&1 | head -1)" ;;
  esac
done
