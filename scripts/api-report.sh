#!/usr/bin/env bash
# The checked-in API reports (etc/api/*.api.md) of the package's three entries, from the built dist/*.d.ts.
#   npm run api:check    # fails when the public API differs from the reports (CI; run after `npm run build`)
#   npm run api:report   # (--local) rewrites the reports; commit them with the change that altered the API
# Extra arguments go to `api-extractor run` (e.g. --verbose).
set -uo pipefail
cd "$(dirname "$0")/.."

status=0
[[ " $* " == *" --local "* ]] && mkdir -p etc/api   # api-extractor writes into it but does not create it
for entry in index workflow testing; do
  if [ ! -f "dist/${entry}.d.ts" ]; then
    echo "api-report: dist/${entry}.d.ts is missing; run \`npm run build\` first" >&2
    status=1
    continue
  fi
  echo "== api-extractor: ${entry}"
  npx --no-install api-extractor run --config "etc/api-extractor/${entry}.json" "$@" || status=1
done
if [ "$status" -ne 0 ] && [[ " $* " != *" --local "* ]]; then
  echo "api-report: the public API differs from etc/api/ (or a report is missing). If the change is deliberate," >&2
  echo "run \`npm run api:report\` and commit the updated etc/api/*.api.md with it." >&2
fi
exit "$status"
