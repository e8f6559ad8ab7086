#!/usr/bin/env bash
# Lints the org actions' OpenAPI document (api-docs.yaml at the repository root) with Redocly
# CLI's built-in rules (redocly.yaml beside this file; .redocly.lint-ignore.yaml says what it
# lets pass and why). Redocly CLI is pinned in package-lock.json and installed by scripts/setup;
# nothing is fetched: telemetry and the update check are off. Fails on any problem the config
# marks an error. CTest calls it (openapi_lint, label conformance).
#   tests/conformance/openapi_lint.sh [path/to/api-docs.yaml]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
document=${1:-$here/../../api-docs.yaml}
redocly=$here/node_modules/.bin/redocly
if [[ ! -x $redocly ]]; then
  echo "Redocly CLI is not installed in $here/node_modules: run scripts/setup" >&2
  exit 1
fi
# Redocly CLI 2.x needs Node.js 20.19+ or 22.12+ (its package.json's engines); Debian 12's own
# nodejs is 18. Skipped there (CTest's SKIP_RETURN_CODE) rather than failing with a stack trace.
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number);
              process.exit((a === 20 && b >= 19) || (a === 22 && b >= 12) || a > 22 ? 0 : 1)'; then
  echo "openapi_lint: skipped, Redocly CLI needs Node.js 20.19+ or 22.12+ (this is $(node --version))" >&2
  exit 77
fi
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_COLOR=1
exec "$redocly" lint --config "$here/redocly.yaml" "$document"
