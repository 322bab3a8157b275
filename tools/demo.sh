#!/usr/bin/env bash
# The demo region's services, on top of the local stack: clinics behind three vendors' simulated MIS
# (HubService SOAP, 20 organisations; MedREST JSON, 8; XMLDump files over SFTP, 6) with their medbus
# adapters, the booking service, the simulated federal registry (ФЭР)
# and the registry exporter feeding it, the contact centre's simulated PBX (AMI) and the
# contact-centre service. `up` starts what is not running
# and waits until each answers; `down` stops only what it started (pid files in .medbus/run).
# They run as a deployment runs them: compiled JavaScript (`npm run build`, rebuilt here when a
# source is newer than dist/) under node with the environment and options the build chose
# (dist/<service>/env, dist/<service>/node-options).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
state=${MEDBUS_STATE_DIR:-$root/.medbus}
mkdir -p "$state/run" "$state/logs"

SIM_PORT=${MEDBUS_SIM_PORT:-7701}
ADAPTER_PORT=${MEDBUS_ADAPTER_PORT:-7702}
BOOKING_PORT=${MEDBUS_BOOKING_PORT:-3010}
SIM_GUID=${MEDBUS_SIM_GUID:-6bd7b2a4-3c9c-4e43-9b0e-4b3c0c7d2f11}
SIM_ADMIN_TOKEN=${MEDBUS_SIM_ADMIN_TOKEN:-hubsim-admin-token}
ADAPTER_API_KEY=${MEDBUS_ADAPTER_API_KEY:-demo-booking-to-adapter-key-01}
HUB_GUID=${MEDBUS_HUB_GUID:-3f0e5c1a-9d2b-4e7f-8a61-5b2c9d0e7f13}
FERSIM_PORT=${MEDBUS_FERSIM_PORT:-7710}
EXPORTER_PORT=${MEDBUS_EXPORTER_PORT:-3030}
AMI_PORT=${MEDBUS_AMI_PORT:-7720}
PBX_ADMIN_PORT=${MEDBUS_PBX_ADMIN_PORT:-7721}
CC_PORT=${MEDBUS_CC_PORT:-3040}
MEDREST_SIM_PORT=${MEDBUS_MEDREST_SIM_PORT:-7731}
MEDREST_ADAPTER_PORT=${MEDBUS_MEDREST_ADAPTER_PORT:-7732}
XMLDUMP_SIM_PORT=${MEDBUS_XMLDUMP_SIM_PORT:-7741}
XMLDUMP_SFTP_PORT=${MEDBUS_XMLDUMP_SFTP_PORT:-7742}
XMLDUMP_ADAPTER_PORT=${MEDBUS_XMLDUMP_ADAPTER_PORT:-7743}

# The booking service's clients CLI (credentials, adapters' organisations) on the demo's database.
clients() { (set -a; . "$state/stack.env"; set +a; npx tsx --tsconfig tsconfig.base.json apps/booking/src/clients/clients.cli.ts "$@"); }

say() { printf '\033[1m[demo]\033[0m %s\n' "$*"; }

# The OIDs of a simulator's organisations (its shared admin API), comma-separated: organisations_of <port>
organisations_of() {
  curl -fsS -H "Authorization: Bearer $SIM_ADMIN_TOKEN" "http://127.0.0.1:$1/admin/organisations" |
    node -e 'console.log(JSON.parse(require("fs").readFileSync(0, "utf8")).map((o) => o.oid).join(","))'
}

# A compiled service with the build's environment and node options, then its arguments: compiled <dist name> [args…]
compiled() { local name=$1; shift; echo env $(cat "dist/$name/env") node $(cat "dist/$name/node-options") "dist/$name/main.js" "$@"; }

alive() { local f="$state/run/$1.pid"; [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; }

# Whether a key authenticates at the demo's booking service: a route its role may call answers 200
# (the organisations for most roles; the adapters' registry for the contact-centre service itself).
key_works() { [ -n "${1:-}" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $1" "http://127.0.0.1:$BOOKING_PORT${2:-/v1/organisations}")" = 200 ]; }

# The next service started connects to Kafka as this least-privileged principal (provisioned by
# `stack.sh up`, password in .medbus/kafka-users.env), not as the stack's admin of stack.env.
as_kafka_principal() {
  local variable; variable="KAFKA_PASSWORD_$(echo "$1" | tr 'a-z-' 'A-Z_')"
  KAFKA_PASSWORD=$(sed -n "s/^$variable=//p" "$state/kafka-users.env" 2>/dev/null | tail -1)
  [ -n "$KAFKA_PASSWORD" ] || { say "no Kafka principal $1 in .medbus/kafka-users.env: run npm run stack:up"; exit 1; }
  KAFKA_PRINCIPAL=$1
}

start() { # name, health url, command...
  local name=$1 health=$2; shift 2
  if alive "$name"; then say "$name already running (pid $(cat "$state/run/$name.pid"))"; return; fi
  say "starting $name (log: .medbus/logs/$name.log)"
  (
    set -a; . "$state/stack.env"; set +a
    if [ -n "${KAFKA_PRINCIPAL:-}" ]; then export KAFKA_SASL_USERNAME="$KAFKA_PRINCIPAL" KAFKA_SASL_PASSWORD="$KAFKA_PASSWORD"; fi
    exec setsid "$@"
  ) >>"$state/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$state/run/$name.pid"
  local waited=0
  until curl -fsS -o /dev/null "$health" 2>/dev/null; do
    if ! alive "$name"; then say "$name exited; last lines of its log:"; tail -20 "$state/logs/$name.log"; exit 1; fi
    sleep 1; waited=$((waited + 1))
    [ $waited -lt 120 ] || { say "$name did not answer $health within 120 s"; exit 1; }
  done
  say "$name is up (${waited}s)"
}

stop() {
  local name=$1 f="$state/run/$1.pid"
  [ -f "$f" ] || return 0
  local pid; pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    say "stopping $name (pid $pid)"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

case ${1:-up} in
  up)
    [ -f "$state/stack.env" ] || { say "the stack is not up: run npm run stack:up first"; exit 1; }
    npx tsx tools/build/build-services.ts --if-stale
    start hubservice-sim "http://127.0.0.1:$SIM_PORT/health" \
      env HUBSIM_ADMIN_TOKEN="$SIM_ADMIN_TOKEN" \
      $(compiled hubservice-simulator) --port "$SIM_PORT" --seed 42 \
        --organisations 20 --doctors-per-org 8 --walkin-rate 0.2 --doctors-without-snils 0.03 \
        --notify-url "http://127.0.0.1:$ADAPTER_PORT/notifications" --notify-share 0.7
    # The region's register of organisations says each clinic's zone; the simulator publishes its own.
    zones=$(curl -fsS "http://127.0.0.1:$SIM_PORT/Hub25/code-map.json" |
      node -e 'const m = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(m.organisations.map((o) => `${o.oid}=${o.timeZone}`).join(","))')
    # The booking service accepts from the adapter only the organisations registered to it (decision record 0012).
    oids=$(organisations_of "$SIM_PORT")
    clients issue --client hubservice-demo --role MIS_ADAPTER --organisations "$oids" 2>>"$state/logs/clients.log"
    as_kafka_principal hubservice-demo
    start hubservice-adapter "http://127.0.0.1:$ADAPTER_PORT/health" \
      env ORGANISATION_TIME_ZONES="$zones" MIS_WSDL_URL="http://127.0.0.1:$SIM_PORT/Hub25/HubService.svc?wsdl" MIS_GUID="$SIM_GUID" \
        ADAPTER_ID=hubservice-demo KAFKA_CLIENT_ID=mis-adapter-hubservice OTEL_SERVICE_NAME=mis-adapter-hubservice \
        HTTP_PORT="$ADAPTER_PORT" ADAPTER_ORGANISATIONS="$oids" POLL_INTERVAL_MS=30000 RAW_PAYLOAD_DIR="$state/data/raw-payloads/hubservice-demo" \
        ADAPTER_DATABASE_SCHEMA=mis_adapter_hubservice_demo ADAPTER_API_KEYS="$ADAPTER_API_KEY" \
      $(compiled mis-adapter-hubservice)
    # The MedREST vendor: a JSON API with signed webhooks (its shared secrets live in .medbus/vendors.env, 0600).
    vendors="$state/vendors.env"
    [ -s "$vendors" ] || (umask 077 && printf 'MEDREST_API_KEY=%s\nMEDREST_WEBHOOK_SECRET=%s\nXMLDUMP_PASSWORD=%s\n' \
      "$(head -c 24 /dev/urandom | base64 | tr -d '/+=')" "$(head -c 24 /dev/urandom | base64 | tr -d '/+=')" "$(head -c 18 /dev/urandom | base64 | tr -d '/+=')" > "$vendors")
    . "$vendors"
    start medrest-sim "http://127.0.0.1:$MEDREST_SIM_PORT/health" \
      $(compiled medrest-simulator) --port "$MEDREST_SIM_PORT" --seed 43 --organisations 8 --doctors-per-org 6 --walkin-rate 0.1 \
        --admin-token "$SIM_ADMIN_TOKEN" --api-key "$MEDREST_API_KEY" --webhook-secret "$MEDREST_WEBHOOK_SECRET" \
        --webhook-url "http://127.0.0.1:$MEDREST_ADAPTER_PORT/webhooks/medrest" --webhook-share 0.8
    medrest_oids=$(organisations_of "$MEDREST_SIM_PORT")
    clients issue --client medrest-demo --role MIS_ADAPTER --organisations "$medrest_oids" 2>>"$state/logs/clients.log"
    as_kafka_principal medrest-demo
    start medrest-adapter "http://127.0.0.1:$MEDREST_ADAPTER_PORT/health" \
      env MEDREST_BASE_URL="http://127.0.0.1:$MEDREST_SIM_PORT/api/v2" MEDREST_API_KEY="$MEDREST_API_KEY" MEDREST_WEBHOOK_SECRET="$MEDREST_WEBHOOK_SECRET" \
        ADAPTER_ID=medrest-demo KAFKA_CLIENT_ID=mis-adapter-medrest OTEL_SERVICE_NAME=mis-adapter-medrest \
        HTTP_PORT="$MEDREST_ADAPTER_PORT" ADAPTER_ORGANISATIONS="$medrest_oids" POLL_INTERVAL_MS=60000 \
        ADAPTER_DATABASE_SCHEMA=mis_adapter_medrest_demo ADAPTER_API_KEYS="$ADAPTER_API_KEY" \
      $(compiled mis-adapter-medrest)
    # The XMLDump vendor: a full dump each simulated night and partial dumps every minute, fetched over SFTP.
    start xmldump-sim "http://127.0.0.1:$XMLDUMP_SIM_PORT/health" \
      $(compiled xmldump-simulator) --port "$XMLDUMP_SIM_PORT" --sftp-port "$XMLDUMP_SFTP_PORT" --seed 44 --organisations 6 --doctors-per-org 6 \
        --walkin-rate 0.05 --partial-interval 60 --dump-dir "$state/data/xmldump-dumps" \
        --admin-token "$SIM_ADMIN_TOKEN" --login medbus --password "$XMLDUMP_PASSWORD"
    xmldump_oids=$(organisations_of "$XMLDUMP_SIM_PORT")
    clients issue --client xmldump-demo --role MIS_ADAPTER --organisations "$xmldump_oids" 2>>"$state/logs/clients.log"
    as_kafka_principal xmldump-demo
    start xmldump-adapter "http://127.0.0.1:$XMLDUMP_ADAPTER_PORT/health" \
      env DUMP_URL="sftp://127.0.0.1:$XMLDUMP_SFTP_PORT/dumps/" MIS_BOOKING_URL="http://127.0.0.1:$XMLDUMP_SIM_PORT/booking" \
        MIS_LOGIN=medbus MIS_PASSWORD="$XMLDUMP_PASSWORD" DUMP_POLL_INTERVAL_MS=15000 \
        ADAPTER_ID=xmldump-demo KAFKA_CLIENT_ID=mis-adapter-xmldump OTEL_SERVICE_NAME=mis-adapter-xmldump \
        HTTP_PORT="$XMLDUMP_ADAPTER_PORT" ADAPTER_ORGANISATIONS="$xmldump_oids" \
        ADAPTER_DATABASE_SCHEMA=mis_adapter_xmldump_demo ADAPTER_API_KEYS="$ADAPTER_API_KEY" \
      $(compiled mis-adapter-xmldump)
    # The key encrypting waitlist phones (decision record 0014): generated once, readable by this user only.
    [ -s "$state/booking-data-keys" ] || (umask 077 && echo "demo1=$(head -c 32 /dev/urandom | base64)" > "$state/booking-data-keys")
    chmod 600 "$state/booking-data-keys"
    as_kafka_principal booking
    start booking "http://127.0.0.1:$BOOKING_PORT/health/live" \
      env HTTP_PORT="$BOOKING_PORT" OTEL_SERVICE_NAME=booking \
        BOOKING_DATA_KEYS="$(cat "$state/booking-data-keys")" \
        BOOKING_MIS_ADAPTERS="hubservice-demo=http://127.0.0.1:$ADAPTER_PORT,medrest-demo=http://127.0.0.1:$MEDREST_ADAPTER_PORT,xmldump-demo=http://127.0.0.1:$XMLDUMP_ADAPTER_PORT" \
        BOOKING_MIS_ADAPTER_API_KEY="$ADAPTER_API_KEY" \
      $(compiled booking)
    # The demo's clients, issued by the clients CLI once and kept (0600) while they still authenticate.
    creds="$state/demo-credentials.env"
    [ -f "$creds" ] && . "$creds"
    if ! key_works "${DEMO_OPERATOR_KEY:-}"; then
      say "issuing the demo's credentials (npm run clients; kept in .medbus/demo-credentials.env)"
      DEMO_OPERATOR_KEY=$(clients issue --client demo-operator --role OPERATOR 2>>"$state/logs/clients.log")
      DEMO_PORTAL_KEY=$(clients issue --client demo-portal --role PORTAL 2>>"$state/logs/clients.log")
      DEMO_OPERATIONS_KEY=$(clients issue --client demo-operations --role OPERATIONS 2>>"$state/logs/clients.log")
      clients issue --client demo-hub-client --role HUB_CLIENT --guid "$HUB_GUID" >/dev/null 2>>"$state/logs/clients.log" ||
        grep -q 'already registered' "$state/logs/clients.log"
    fi
    # The federal side's two keys, both FEDERAL_REGISTRY clients of booking: the exporter's own (it books
    # for the federal portal and checks its callers through booking) and the federal concentrator's, which
    # the simulator's portal presents to the exporter's ErWebService. A reissued key restarts its holder.
    if ! key_works "${DEMO_EXPORTER_KEY:-}"; then
      say "issuing the registry exporter's key (client demo-registry-exporter)"
      DEMO_EXPORTER_KEY=$(clients issue --client demo-registry-exporter --role FEDERAL_REGISTRY 2>>"$state/logs/clients.log")
      stop registry-exporter
    fi
    if ! key_works "${DEMO_CONCENTRATOR_KEY:-}"; then
      say "issuing the federal concentrator's key (client demo-fer-concentrator)"
      DEMO_CONCENTRATOR_KEY=$(clients issue --client demo-fer-concentrator --role FEDERAL_REGISTRY 2>>"$state/logs/clients.log")
      stop federal-sim
    fi
    # The contact centre: the service's own key (it checks its callers' keys at booking) and its staff,
    # one client per person: operators of the head centre and of the Sochi branch, a second-line doctor,
    # the head centre's supervisor and the Sochi branch's.
    if ! key_works "${DEMO_CC_SERVICE_KEY:-}" /v1/adapters; then
      say "issuing the contact centre's key (client demo-contact-center)"
      DEMO_CC_SERVICE_KEY=$(clients issue --client demo-contact-center --role CONTACT_CENTRE 2>>"$state/logs/clients.log")
      stop contact-center
    fi
    if ! key_works "${DEMO_HEAD_SUPERVISOR_KEY:-}"; then
      say "issuing the contact centre's staff keys"
      DEMO_SOCHI_OPERATOR_KEY=$(clients issue --client demo-operator-sochi --role OPERATOR --branch sochi 2>>"$state/logs/clients.log")
      DEMO_SECOND_LINE_KEY=$(clients issue --client demo-second-line --role SECOND_LINE 2>>"$state/logs/clients.log")
      DEMO_HEAD_SUPERVISOR_KEY=$(clients issue --client demo-head-supervisor --role HEAD_SUPERVISOR 2>>"$state/logs/clients.log")
      DEMO_SOCHI_SUPERVISOR_KEY=$(clients issue --client demo-supervisor-sochi --role BRANCH_SUPERVISOR --branch sochi 2>>"$state/logs/clients.log")
    fi
    (umask 077 && printf '%s=%s\n' \
      DEMO_OPERATOR_KEY "$DEMO_OPERATOR_KEY" DEMO_PORTAL_KEY "$DEMO_PORTAL_KEY" DEMO_OPERATIONS_KEY "$DEMO_OPERATIONS_KEY" \
      DEMO_EXPORTER_KEY "$DEMO_EXPORTER_KEY" DEMO_CONCENTRATOR_KEY "$DEMO_CONCENTRATOR_KEY" DEMO_CC_SERVICE_KEY "$DEMO_CC_SERVICE_KEY" \
      DEMO_SOCHI_OPERATOR_KEY "$DEMO_SOCHI_OPERATOR_KEY" DEMO_SECOND_LINE_KEY "$DEMO_SECOND_LINE_KEY" \
      DEMO_HEAD_SUPERVISOR_KEY "$DEMO_HEAD_SUPERVISOR_KEY" DEMO_SOCHI_SUPERVISOR_KEY "$DEMO_SOCHI_SUPERVISOR_KEY" > "$creds")
    chmod 600 "$creds"

    # The simulated federal registry: its admin token and the region's login generated once, readable by this user only.
    fer_env="$state/federal-sim.env"
    [ -s "$fer_env" ] || (umask 077 && printf 'FERSIM_ADMIN_TOKEN=%s\nFER_LOGIN=demo-region\nFER_PASSWORD=%s\n' \
      "fersim-$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')" "$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')" > "$fer_env")
    chmod 600 "$fer_env"
    . "$fer_env"
    fer_admin="Authorization: Bearer $FERSIM_ADMIN_TOKEN"
    alive federal-sim && federal_sim_was_up=1 || federal_sim_was_up=0
    start federal-sim "http://127.0.0.1:$FERSIM_PORT/health" \
      env FERSIM_ADMIN_TOKEN="$FERSIM_ADMIN_TOKEN" FERSIM_LOGINS="$FER_LOGIN:$FER_PASSWORD" FERSIM_REGION_API_KEY="$DEMO_CONCENTRATOR_KEY" \
      $(compiled federal-simulator) --port "$FERSIM_PORT" --region-url "http://127.0.0.1:$EXPORTER_PORT/er/v2_0/ErWebService"
    # Its ФРМО register knows the demo's organisations (it refuses objects of any other OID).
    curl -fsS -o /dev/null -X PUT -H "$fer_admin" -H 'content-type: application/json' \
      -d "{\"oids\": $(node -e 'console.log(JSON.stringify(process.argv[1].split(",")))' "$oids")}" "http://127.0.0.1:$FERSIM_PORT/admin/frmo"
    as_kafka_principal registry-exporter
    start registry-exporter "http://127.0.0.1:$EXPORTER_PORT/health/ready" \
      env HTTP_PORT="$EXPORTER_PORT" OTEL_SERVICE_NAME=registry-exporter EXPORTER_DATABASE_SCHEMA=registry_exporter \
        BOOKING_URL="http://127.0.0.1:$BOOKING_PORT" EXPORTER_BOOKING_API_KEY="$DEMO_EXPORTER_KEY" \
        FER_URL="http://127.0.0.1:$FERSIM_PORT/fer/RegistryService" FER_LOGIN="$FER_LOGIN" FER_PASSWORD="$FER_PASSWORD" \
      $(compiled registry-exporter)
    # The simulator keeps what it received in memory only: a new one holds nothing of what the exporter
    # already sent, and a reconciliation (as operations) finds the missing objects and sends them again.
    if [ "$federal_sim_was_up" = 0 ]; then
      curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $DEMO_OPERATIONS_KEY" "http://127.0.0.1:$EXPORTER_PORT/v1/export/reconciliations" ||
        say "could not start a reconciliation (see .medbus/logs/registry-exporter.log)"
    fi

    # The contact centre's PBX (simulated Asterisk, AMI): the head centre and two branches, callers on a
    # daily curve. Its AMI login, admin token and the service's data keys are generated once (0600).
    cc_env="$state/contact-center.env"
    [ -s "$cc_env" ] || (umask 077 && printf 'TELSIM_ADMIN_TOKEN=%s\nCC_AMI_SECRET=%s\nCC_DATA_KEYS=demo1=%s\nCC_PHONE_HASH_KEY=%s\n' \
      "telsim-$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')" "$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')" \
      "$(head -c 32 /dev/urandom | base64)" "$(head -c 32 /dev/urandom | base64)" > "$cc_env")
    chmod 600 "$cc_env"
    . "$cc_env"
    start telephony-sim "http://127.0.0.1:$PBX_ADMIN_PORT/health" \
      env TELSIM_ADMIN_TOKEN="$TELSIM_ADMIN_TOKEN" TELSIM_USERS="medbus:$CC_AMI_SECRET" \
      $(compiled telephony-simulator) --ami-port "$AMI_PORT" --admin-port "$PBX_ADMIN_PORT" \
        --queues head:12,sochi:5,novorossiysk:4 --calls-per-day 3500
    as_kafka_principal contact-center
    start contact-center "http://127.0.0.1:$CC_PORT/health/ready" \
      env HTTP_PORT="$CC_PORT" OTEL_SERVICE_NAME=contact-center CC_DATABASE_SCHEMA=contact_center \
        BOOKING_URL="http://127.0.0.1:$BOOKING_PORT" CC_BOOKING_API_KEY="$DEMO_CC_SERVICE_KEY" \
        CC_AMI_HOST=127.0.0.1 CC_AMI_PORT="$AMI_PORT" CC_AMI_USERNAME=medbus CC_AMI_SECRET="$CC_AMI_SECRET" \
        CC_QUEUE_LOG_URL="http://127.0.0.1:$PBX_ADMIN_PORT/queue_log" CC_QUEUE_LOG_TOKEN="$TELSIM_ADMIN_TOKEN" \
        CC_DATA_KEYS="$CC_DATA_KEYS" CC_PHONE_HASH_KEY="$CC_PHONE_HASH_KEY" \
        CC_CONSOLE_DIR="$root/dist/operator-console" \
      $(compiled contact-center)
    DEMO_API_KEY=$DEMO_OPERATOR_KEY
    cat <<TXT

The demo region is up:
  operator console       http://127.0.0.1:$CC_PORT/console/  sign in with a key of .medbus/demo-credentials.env
                         (DEMO_SOCHI_OPERATOR_KEY with seat PJSIP/sochi-op01, DEMO_HEAD_SUPERVISOR_KEY, ...);
                         see 'The operator console' in README.md
  slots (operator API)   curl -H 'Authorization: Bearer $DEMO_API_KEY' 'http://127.0.0.1:$BOOKING_PORT/v1/slots?freeOnly=true&limit=5'
  organisations          curl -H 'Authorization: Bearer $DEMO_API_KEY' http://127.0.0.1:$BOOKING_PORT/v1/organisations
  book a patient         see 'Book a patient' in README.md (identify → POST /v1/appointments)
  API docs (OpenAPI)     http://127.0.0.1:$BOOKING_PORT/docs
  HubService facade      http://127.0.0.1:$BOOKING_PORT/Hub25/HubService.svc?wsdl   (guid $HUB_GUID)
  credentials            .medbus/demo-credentials.env (operator, portal, operations, federal keys); audit log:
                         curl -H "Authorization: Bearer \$DEMO_OPERATIONS_KEY" http://127.0.0.1:$BOOKING_PORT/v1/audit
  simulated MIS          HubService (SOAP) http://127.0.0.1:$SIM_PORT/Hub25/HubService.svc?wsdl
                         MedREST (JSON)    http://127.0.0.1:$MEDREST_SIM_PORT/api/v2  (X-Api-Key in .medbus/vendors.env)
                         XMLDump (files)   http://127.0.0.1:$XMLDUMP_SIM_PORT/dumps/index.xml, sftp://127.0.0.1:$XMLDUMP_SFTP_PORT/dumps/
                         every one's admin API: /admin/*, Bearer $SIM_ADMIN_TOKEN (walk-ins, sick days, outages)
  adapters' health       http://127.0.0.1:$ADAPTER_PORT/health  http://127.0.0.1:$MEDREST_ADAPTER_PORT/health  http://127.0.0.1:$XMLDUMP_ADAPTER_PORT/health
  export status (ФЭР)    curl -H "Authorization: Bearer \$DEMO_OPERATIONS_KEY" http://127.0.0.1:$EXPORTER_PORT/v1/export/status
  region's ErWebService  http://127.0.0.1:$EXPORTER_PORT/er/v2_0/ErWebService?wsdl   (callers: FEDERAL_REGISTRY keys)
  federal registry (sim) http://127.0.0.1:$FERSIM_PORT/fer/RegistryService?wsdl; what it holds:
                         . .medbus/federal-sim.env; curl -H "Authorization: Bearer \$FERSIM_ADMIN_TOKEN" http://127.0.0.1:$FERSIM_PORT/admin/state
                         see 'The federal registry' in README.md (portal bookings, reconciliation)
  contact centre         . .medbus/demo-credentials.env; live wallboard of the head centre and its branches:
                         curl -H "Authorization: Bearer \$DEMO_HEAD_SUPERVISOR_KEY" http://127.0.0.1:$CC_PORT/v1/statistics/live
                         lost calls not yet returned (Sochi operator): curl -H "Authorization: Bearer \$DEMO_SOCHI_OPERATOR_KEY" http://127.0.0.1:$CC_PORT/v1/callbacks/unreturned
                         API docs: http://127.0.0.1:$CC_PORT/docs; see 'The contact centre' in README.md
  PBX (simulated, AMI)   127.0.0.1:$AMI_PORT (login medbus, secret in .medbus/contact-center.env); admin http://127.0.0.1:$PBX_ADMIN_PORT
  traces                 $(grep '^ZIPKIN_URL=' "$state/stack.env" | cut -d= -f2)
TXT
    ;;
  down)
    for name in contact-center telephony-sim registry-exporter federal-sim booking xmldump-adapter xmldump-sim medrest-adapter medrest-sim hubservice-adapter hubservice-sim; do stop "$name"; done
    ;;
  status)
    for name in hubservice-sim hubservice-adapter medrest-sim medrest-adapter xmldump-sim xmldump-adapter booking federal-sim registry-exporter telephony-sim contact-center; do
      if alive "$name"; then echo "  $name  up  pid $(cat "$state/run/$name.pid")"; else echo "  $name  down"; fi
    done
    ;;
  *) echo "usage: tools/demo.sh up|down|status" >&2; exit 2 ;;
esac
