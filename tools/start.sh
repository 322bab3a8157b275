#!/usr/bin/env bash
# Sets up and starts the medbus demo region: the local stack (Kafka, Apicurio, Zipkin,
# PostgreSQL) with the canonical schemas registered, then the services that exist so far.
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false

bash tools/setup.sh
bash tools/stack/stack.sh up
npx tsx tools/codegen/check-compatibility.ts

cat <<'TXT'

medbus is up. The stack keeps running in the background:
  npm run stack:status   where each server is
  npm run stack:down     stop what `npm start` started
  npm test               all tests
TXT
