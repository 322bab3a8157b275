#!/usr/bin/env bash
# Sets up and starts the medbus demo region: the local stack (Kafka, Apicurio, Zipkin,
# PostgreSQL) with the canonical schemas registered, then the demo region's services.
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false

bash tools/setup.sh
bash tools/stack/stack.sh up
( set -a; . .medbus/stack.env; set +a; npx tsx --tsconfig tsconfig.base.json tools/stack/create-topics.ts )
npx tsx tools/codegen/check-compatibility.ts
bash tools/demo.sh up

cat <<'TXT'

Everything keeps running in the background:
  npm run status         where each server and service is
  npm stop               stop the services and the stack that `npm start` started
  npm test               all tests
TXT
