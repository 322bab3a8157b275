#!/usr/bin/env bash
# All of medbus's tests: static checks, unit tests, and integration tests against the real
# Kafka, Apicurio, Zipkin and PostgreSQL of the local stack (started here when it is not up).
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false

bash tools/setup.sh
echo "[test] generated contracts are current"
npx tsx tools/codegen/generate-contracts.ts --check
echo "[test] types"
npx tsc -p tsconfig.base.json --noEmit
npx tsc -p apps/operator-console/tsconfig.json
echo "[test] lint (module boundaries)"
npx nx show projects >/dev/null
npx eslint . --max-warnings=0
echo "[test] local stack"
bash tools/stack/stack.sh up
( set -a; . .medbus/stack.env; set +a; npx tsx --tsconfig tsconfig.base.json tools/stack/create-topics.ts )
echo "[test] schema compatibility (BACKWARD) against the registry"
npx tsx tools/codegen/check-compatibility.ts

echo "[test] build (the e2e tests run the compiled services)"
npx tsx tools/build/build-services.ts

mkdir -p .medbus
results=.medbus/jest-results.json
status=0
NODE_OPTIONS="${NODE_OPTIONS:-} --experimental-vm-modules" npx jest --ci --forceExit --json --outputFile="$results" "$@" || status=$?
node -e '
  const r = require(process.argv[1]);
  console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$PWD/$results" || true
exit "$status"
