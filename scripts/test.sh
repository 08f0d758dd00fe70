#!/usr/bin/env bash
# The whole test suite, as README's second command and .ci/run run it:
#   typecheck, lint, unit tests (Node 20 and Node 24), integration tests against a real
#   control plane (built from Go modules on first use and cached outside the repo).
# Each stage's results go to stdout; the last line is the total, "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE="${DAY2_CACHE:-$HOME/.cache/day2}"
LOG_DIR="$(mktemp -d)"
trap 'rm -rf "$LOG_DIR"' EXIT
mkdir -p "$CACHE"

stage() { printf '\n== %s ==\n' "$*"; }

unit_files() { find src test/unit -name '*.test.ts' 2>/dev/null | sort; }

# Runs node's test runner (TAP to stdout), keeping a copy to count results from. A stage
# with failures does not stop the later ones: the total at the end counts them all and sets
# the exit code (a stage that ends without a summary fails the run there).
run_tests() {
  local name="$1" node_bin="$2"
  shift 2
  "$node_bin" --import tsx --test --test-reporter=tap "$@" | tee "$LOG_DIR/$name.tap" || true
}

stage "test dependencies"
bash scripts/test-deps.sh

stage "typecheck"
npx tsc -p tsconfig.json --noEmit

stage "lint"
npx eslint --max-warnings=50 .
npm run -s format:check

stage "unit tests (Node $(node --version))"
mapfile -t UNIT < <(unit_files)
run_tests unit-node20 node "${UNIT[@]}"

stage "unit tests (Node 24)"
NODE24="$(bash scripts/node24.sh "$CACHE")"
# better-sqlite3 in node_modules is built for Node 20's ABI; the store loads this Node 24 build.
DAY2_SQLITE_NATIVE_BINDING="$(bash scripts/node24.sh "$CACHE" sqlite-binding)" \
  run_tests unit-node24 "$NODE24" "${UNIT[@]}"

stage "control plane binaries"
bash test/cluster/build.sh

stage "dashboard build (the browser tests drive dist/web)"
npm run -s build:web

stage "integration tests (real kube-apiserver, etcd, controller-manager, scheduler, kwok)"
node --import tsx test/integration/run.ts | tee "$LOG_DIR/integration.tap" || true

pass=0
fail=0
for f in "$LOG_DIR"/*.tap; do
  p=$(grep -E '^# pass [0-9]+' "$f" | tail -1 | awk '{print $3}')
  x=$(grep -E '^# fail [0-9]+' "$f" | tail -1 | awk '{print $3}')
  if [ -z "$p" ] || [ -z "$x" ]; then
    echo "no test summary in $(basename "$f" .tap)" >&2
    exit 1
  fi
  pass=$((pass + p))
  fail=$((fail + x))
done
echo
echo "total: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
