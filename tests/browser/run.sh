#!/usr/bin/env bash
# Runs the browser tests (tests/browser/*.test.mjs) with node's test runner: each file starts its
# own stack (stack.mjs: redis-server, the local org, web) and drives Debian's headless Chromium
# through puppeteer-core. CTest calls it (label browser). A missing Chromium or puppeteer-core
# fails the run: scripts/setup installs both.
#   tests/browser/run.sh build/release/src/pricing-engine [FILE.test.mjs ...]
set -euo pipefail
binary=${1:?usage: run.sh path/to/pricing-engine [test files]}
shift
here=$(cd "$(dirname "$0")" && pwd)
chromium=${PE_CHROMIUM:-/usr/bin/chromium}
problems=()
[[ -x $chromium ]] || problems+=("Chromium is not installed at $chromium (Debian's chromium package)")
[[ -d $here/node_modules/puppeteer-core ]] ||
  problems+=("puppeteer-core is not installed in $here/node_modules")
command -v redis-server >/dev/null || problems+=("redis-server is not in PATH")
command -v redis-cli >/dev/null || problems+=("redis-cli is not in PATH (operations.test.mjs)")
if [[ ${#problems[@]} -gt 0 ]]; then
  printf 'browser tests: %s\n' "${problems[@]}" >&2
  echo "browser tests: run scripts/setup, which installs them" >&2
  exit 1
fi
PE_BINARY=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
# The screenshots: the build folder's browser-screenshots/ unless PE_SCREENSHOT_DIR says where
# (PE_SCREENSHOT_DIR=docs/screenshots refreshes the README's).
PE_SCREENSHOT_DIR=$(realpath -m "${PE_SCREENSHOT_DIR:-$(dirname "$PE_BINARY")/../browser-screenshots}")
export PE_BINARY PE_CHROMIUM=$chromium PE_SCREENSHOT_DIR
cd "$here"
if [[ $# -eq 0 ]]; then set -- ./*.test.mjs; fi
exec node --test --test-reporter=spec --test-concurrency=1 "$@"
