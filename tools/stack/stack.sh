#!/usr/bin/env bash
# medbus local infrastructure stack: Kafka (KRaft), Apicurio Registry, Zipkin (+ OTLP/HTTP ingest),
# PostgreSQL. Real servers from Maven Central jars, no Docker.
#
#   bash tools/stack/stack.sh up | down | status       (npm run stack:up | stack:down | stack:status)
#   bash tools/stack/stack.sh restart <service>...     stop the services named, then `up`
#
# State lives in <repo>/.medbus/ (git-ignored): dist/ (unpacked servers), data/, logs/, run/ (pids),
# conf/ (rendered configs), stack.env and kafka-users.env (Kafka passwords, mode 0600). ~/.m2 is the
# download cache. See tools/stack/README.md.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
STATE=${MEDBUS_STATE_DIR:-$REPO_ROOT/.medbus}
DIST=$STATE/dist DATA=$STATE/data LOGS=$STATE/logs RUN=$STATE/run CONF=$STATE/conf
ENV_FILE=$STATE/stack.env
KAFKA_ADMIN_CONFIG=$CONF/kafka-admin.properties
# shellcheck source=kafka/credentials.sh
. "$SCRIPT_DIR/kafka/credentials.sh"

KAFKA_PORT=${MEDBUS_KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${MEDBUS_KAFKA_CONTROLLER_PORT:-9093}
APICURIO_PORT=${MEDBUS_APICURIO_PORT:-8081}
APICURIO_MGMT_PORT=${MEDBUS_APICURIO_MGMT_PORT:-9081}
ZIPKIN_PORT=${MEDBUS_ZIPKIN_PORT:-9411}
PG_PORT=${MEDBUS_PG_PORT:-55432}          # only for the private cluster fallback
SYSTEM_PG_PORT=5432

KAFKA_VERSION_DEFAULT=4.1.1 KAFKA_VERSION_FALLBACK=4.3.1
ZIPKIN_VERSION=${MEDBUS_ZIPKIN_VERSION:-3.6.1}
APICURIO_VERSIONS_J21="3.3.3 3.3.2"       # need Java 21+
APICURIO_VERSION_J17=3.0.9                # last line that runs on Java 17

APICURIO_STORAGE=${MEDBUS_APICURIO_STORAGE:-sql}          # sql (PostgreSQL, persistent) | mem
APICURIO_LEGACY_IDS=${MEDBUS_APICURIO_LEGACY_IDS:-false}  # see README: false = Confluent-like ids
APICURIO_GLOBAL_COMPAT=${MEDBUS_APICURIO_GLOBAL_COMPAT:-BACKWARD}
ZIPKIN_MAX_SPANS=${MEDBUS_ZIPKIN_MAX_SPANS:-50000}
START_TIMEOUT=${MEDBUS_START_TIMEOUT:-180}
PG_MODE=${MEDBUS_PG_MODE:-auto}           # auto | external | system | private
# Kafka over TLS (SASL_SSL): a PKCS12 keystore with the broker's key and certificate, its password,
# and the PEM CA certificate clients verify it with. Unset: SASL_PLAINTEXT on loopback.
KAFKA_SSL_KEYSTORE=${MEDBUS_KAFKA_SSL_KEYSTORE:-}
KAFKA_SSL_KEYSTORE_PASSWORD=${MEDBUS_KAFKA_SSL_KEYSTORE_PASSWORD:-}
KAFKA_SSL_CA_FILE=${MEDBUS_KAFKA_SSL_CA_FILE:-}
# MIS adapters of the demo region given a principal, topics and ACLs at `up` (kafka-principal.sh)
KAFKA_DEMO_ADAPTERS=${MEDBUS_KAFKA_DEMO_ADAPTERS:-hubservice-demo medrest-demo xmldump-demo}
REGISTRY_DB=medbus_registry

SERVICES=(kafka apicurio zipkin)
T_START=$(date +%s)

# ------------------------------------------------------------------------------------------ utils
log()  { printf '[stack] %s\n' "$*"; }
warn() { printf '[stack] WARNING: %s\n' "$*" >&2; }
die()  { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }
elapsed() { echo $(( $(date +%s) - T_START )); }

port_open() { # host port
  if have timeout; then timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
  else (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; fi
}

port_owner() { # port -> "name(pid)" of the listener when ss can tell
  have ss || return 0
  ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\("[^"]*"\),pid=\([0-9]*\).*/\1 pid \2/p' | head -1 | tr -d '"'
}

# http_code METHOD URL [CONTENT_TYPE BODY] -> prints the HTTP status (000 when unreachable)
http_code() {
  local method=$1 url=$2 ctype=${3:-} body=${4:-} code
  if have curl; then
    local args=(-s -o /dev/null -m 5 -w '%{http_code}' -X "$method")
    [[ -n $ctype ]] && args+=(-H "Content-Type: $ctype" --data-binary "$body")
    code=$(curl "${args[@]}" "$url" 2>/dev/null) || true
  elif have node; then
    code=$(node -e '
      const [m,u,t,b]=process.argv.slice(1);
      fetch(u,{method:m,headers:t?{"content-type":t}:{},body:t?b:undefined,signal:AbortSignal.timeout(5000)})
        .then(r=>console.log(r.status)).catch(()=>console.log("000"))' "$method" "$url" "$ctype" "$body" 2>/dev/null) || true
  fi
  echo "${code:-000}"
}

sha_of() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

java_major() { # /path/to/java -> major version number (0 if unknown)
  local j home v=""
  j=$(readlink -f "$(command -v "$1" 2>/dev/null || echo "$1")" 2>/dev/null) || { echo 0; return; }
  [[ -x $j ]] || { echo 0; return; }
  home=$(dirname "$(dirname "$j")")
  [[ -f $home/release ]] && v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
  [[ -z $v ]] && v=$("$j" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -1)
  v=${v#1.}; v=${v%%[.+_-]*}
  [[ $v =~ ^[0-9]+$ ]] && echo "$v" || echo 0
}

# ------------------------------------------------------------------------------------ preflight
preflight() {
  local missing=()
  have java || [[ -n ${MEDBUS_JAVA:-} || -n ${JAVA_HOME:-} ]] || missing+=("Java 17+")
  have mvn || missing+=("Maven 3.8+")
  if ((${#missing[@]})); then
    die "medbus stack needs Java 17+ and Maven 3.8+ (missing: ${missing[*]}).
        Install them, e.g.: apt-get install openjdk-17-jdk-headless maven"
  fi
  JAVA=${MEDBUS_JAVA:-}
  if [[ -z $JAVA && -n ${JAVA_HOME:-} && -x ${JAVA_HOME}/bin/java ]]; then JAVA=$JAVA_HOME/bin/java; fi
  JAVA=${JAVA:-$(command -v java)}
  JAVA_MAJOR=$(java_major "$JAVA")
  if ((JAVA_MAJOR < 17)); then
    die "medbus stack needs Java 17+ ($JAVA is Java $JAVA_MAJOR): apt-get install openjdk-17-jdk-headless maven"
  fi
  JAVAC=""
  local jdir; jdir=$(dirname "$(readlink -f "$JAVA")")
  if [[ -x $jdir/javac ]]; then JAVAC=$jdir/javac; elif have javac; then JAVAC=$(command -v javac); fi
  JAR_TOOL=""; [[ -x $jdir/jar ]] && JAR_TOOL=$jdir/jar || { have jar && JAR_TOOL=$(command -v jar); } || true
  MVN=(mvn -B -q -ntp -Dstyle.color=never)
  [[ -n ${MEDBUS_MAVEN_REPO:-} ]] && MVN+=("-Dmaven.repo.local=$MEDBUS_MAVEN_REPO")
  mkdir -p "$DIST" "$DATA" "$LOGS" "$RUN" "$CONF"
}

# Apicurio 3.3.x needs Java 21+. Use MEDBUS_APICURIO_JAVA, the default java if new enough, or any
# JDK 21+ installed side by side (e.g. /usr/lib/jvm/temurin-*); else fall back to Apicurio 3.0.x.
pick_apicurio_java() {
  APICURIO_JAVA=""
  if [[ -n ${MEDBUS_APICURIO_JAVA:-} ]]; then APICURIO_JAVA=$MEDBUS_APICURIO_JAVA; return; fi
  if ((JAVA_MAJOR >= 21)); then APICURIO_JAVA=$JAVA; return; fi
  local best="" best_v=999 j v
  for j in /usr/lib/jvm/*/bin/java /opt/java/*/bin/java /opt/*/bin/java "$HOME"/.sdkman/candidates/java/*/bin/java; do
    [[ -x $j ]] || continue
    v=$(java_major "$j")
    if ((v >= 21 && v < best_v)); then best=$j best_v=$v; fi
  done
  APICURIO_JAVA=$best
}

apicurio_candidates() {
  if [[ -n ${MEDBUS_APICURIO_VERSION:-} ]]; then echo "$MEDBUS_APICURIO_VERSION"
  elif [[ -n $APICURIO_JAVA ]]; then echo "$APICURIO_VERSIONS_J21"
  else echo "$APICURIO_VERSION_J17"; fi
}

# --------------------------------------------------------------------------------- pid handling
pid_file() { echo "$RUN/$1.pid"; }
read_pid() { local f; f=$(pid_file "$1"); [[ -s $f ]] && tr -dc '0-9' <"$f" || true; }

# a pid is "ours" when it is alive and its command line carries our markers
is_ours() { # svc pid
  local svc=$1 pid=$2 cmd
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r /proc/$pid/cmdline ]]; then cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline")
  else cmd=$(ps -o args= -p "$pid" 2>/dev/null || true); fi
  [[ $cmd == *"-Dmedbus.stack=$svc "* && $cmd == *"-Dmedbus.home=$STATE "* ]]
}

running_pid() { # svc -> pid if our process runs, else nothing (and stale pid file removed)
  local pid; pid=$(read_pid "$1")
  if [[ -n $pid ]] && is_ours "$1" "$pid"; then echo "$pid"; return 0; fi
  [[ -n $pid ]] && rm -f "$(pid_file "$1")"
  return 0
}

# launch SVC WORKDIR LOGFILE cmd... : detached (own session), pid recorded by the child itself
launch() {
  local svc=$1 dir=$2 logf=$3; shift 3
  local pf; pf=$(pid_file "$svc"); rm -f "$pf"
  {
    printf '\n===== %s starting %s =====\n' "$(date -Is)" "$svc"
    printf '%q ' "$@"; printf '\n'
  } >>"$logf"
  (cd "$dir" && exec setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pf" "$@" </dev/null >>"$logf" 2>&1 9>&-) &
  local i
  for i in $(seq 1 50); do [[ -s $pf ]] && return 0; sleep 0.1; done
  die "could not launch $svc (see $logf)"
}

stop_pids() { # svc... : TERM, wait up to 20s, then KILL
  local svc pid pids=() names=()
  for svc in "$@"; do
    pid=$(running_pid "$svc")
    if [[ -n $pid ]]; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid"); names+=("$svc")
      log "stopping $svc (pid $pid)"
    fi
  done
  local deadline=$(( $(date +%s) + ${MEDBUS_STOP_TIMEOUT:-20} )) alive i
  while :; do
    alive=0
    for i in "${!pids[@]}"; do kill -0 "${pids[$i]}" 2>/dev/null && alive=1; done
    ((alive)) || break
    if (( $(date +%s) >= deadline )); then
      for i in "${!pids[@]}"; do
        if kill -0 "${pids[$i]}" 2>/dev/null; then
          warn "${names[$i]} (pid ${pids[$i]}) ignored SIGTERM for ${MEDBUS_STOP_TIMEOUT:-20}s: SIGKILL"
          kill -KILL "${pids[$i]}" 2>/dev/null || true
        fi
      done
      sleep 0.5; break
    fi
    sleep 0.3
  done
  for svc in "$@"; do rm -f "$(pid_file "$svc")"; done
}

# ----------------------------------------------------------------------------------- PostgreSQL
pg_as() { # run a PostgreSQL binary as the cluster owner (initdb/postgres refuse root)
  if [[ $(id -u) -eq 0 ]]; then
    if have runuser; then runuser -u postgres -- "$@"; else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; fi
  else "$@"; fi
}

pg_bindir() {
  local d
  if have pg_config && [[ -x $(pg_config --bindir 2>/dev/null)/initdb ]]; then pg_config --bindir; return; fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [[ -x $d/initdb ]] && { echo "$d"; return; }
  done
}

pg_answers() { # url
  if have pg_isready; then pg_isready -q -t 3 -d "$1" >/dev/null 2>&1 && return 0; fi
  local hp; hp=$(url_hostport "$1"); port_open "${hp% *}" "${hp#* }"
}

# postgres://user[:pass]@host[:port]/db[?..] -> "host port"
url_hostport() {
  local rest=${1#*://}; rest=${rest#*@}; rest=${rest%%/*}
  local host=${rest%%:*} port=5432
  [[ $rest == *:* ]] && port=${rest##*:}
  echo "${host:-127.0.0.1} $port"
}
url_user() { local r=${1#*://}; [[ $r == *@* ]] || { echo postgres; return; }; r=${r%%@*}; echo "${r%%:*}"; }
url_pass() { local r=${1#*://}; [[ $r == *@* ]] || return 0; r=${r%%@*}; [[ $r == *:* ]] && echo "${r#*:}" || true; }
url_with_db() { # url db -> same server, other database
  local base=${1%%\?*} q=""; [[ $1 == *\?* ]] && q="?${1#*\?}"
  echo "${base%/*}/$2$q"
}

pg_create_dbs() { # admin-url db...
  local admin=$1; shift
  have psql || { warn "psql not found: cannot create databases $* (create them yourself)"; return 1; }
  local db exists
  for db in "$@"; do
    exists=$(psql "$admin" -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" 2>/dev/null) || {
      warn "cannot query databases on $(url_hostport "$admin" | tr ' ' :) as $(url_user "$admin")"; return 1; }
    if [[ $exists != 1 ]]; then
      psql "$admin" -qc "CREATE DATABASE \"$db\"" >/dev/null 2>&1 || { warn "could not create database $db"; return 1; }
      log "created database $db"
    fi
  done
}

ensure_postgres() {
  PG_KIND="" PG_PID=""
  local admin
  if [[ $PG_MODE == external || ( $PG_MODE == auto && -n ${DATABASE_URL:-} ) ]]; then
    [[ -n ${DATABASE_URL:-} ]] || die "MEDBUS_PG_MODE=external needs DATABASE_URL"
    pg_answers "$DATABASE_URL" || die "DATABASE_URL does not answer ($(url_hostport "$DATABASE_URL" | tr ' ' :))"
    PG_KIND=external
    PG_URL=$DATABASE_URL
    PG_TEST_URL=${TEST_DATABASE_URL:-$DATABASE_URL}
    PG_ADMIN_URL=$(url_with_db "$DATABASE_URL" postgres)
    [[ $APICURIO_STORAGE == sql ]] && { pg_create_dbs "$PG_ADMIN_URL" "$REGISTRY_DB" 2>/dev/null || PG_NO_REGISTRY_DB=1; }
    log "postgres: using DATABASE_URL ($(url_hostport "$DATABASE_URL" | tr ' ' :))"
    return
  fi
  if [[ $PG_MODE == system || ( $PG_MODE == auto && -z ${PG_FORCE_PRIVATE:-} ) ]] &&
     pg_answers "postgres://postgres@127.0.0.1:$SYSTEM_PG_PORT/postgres"; then
    PG_KIND=system
    admin="postgres://postgres@127.0.0.1:$SYSTEM_PG_PORT/postgres"
    if pg_create_dbs "$admin" medbus medbus_test $([[ $APICURIO_STORAGE == sql ]] && echo "$REGISTRY_DB"); then
      PG_URL="postgres://postgres@127.0.0.1:$SYSTEM_PG_PORT/medbus"
      PG_TEST_URL="postgres://postgres@127.0.0.1:$SYSTEM_PG_PORT/medbus_test"
      PG_ADMIN_URL=$admin
      log "postgres: using the server on 127.0.0.1:$SYSTEM_PG_PORT (databases medbus, medbus_test)"
      return
    fi
    [[ $PG_MODE == system ]] && die "PostgreSQL on 127.0.0.1:$SYSTEM_PG_PORT answers but databases could not be prepared"
    warn "PostgreSQL on 127.0.0.1:$SYSTEM_PG_PORT is not usable as user postgres: starting a private cluster"
  fi
  [[ $PG_MODE == system ]] && die "no PostgreSQL answers on 127.0.0.1:$SYSTEM_PG_PORT"
  ensure_private_postgres
}

ensure_private_postgres() {
  local bindir pgdata=$DATA/postgres logf=$LOGS/postgres.log
  PG_KIND=private
  PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/medbus"
  PG_TEST_URL="postgres://postgres@127.0.0.1:$PG_PORT/medbus_test"
  PG_ADMIN_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  bindir=$(pg_bindir)
  [[ -n $bindir ]] || die "no PostgreSQL answers and no server binaries found: set DATABASE_URL or apt-get install postgresql"
  if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    die "running as root and there is no 'postgres' user to own a private cluster: set DATABASE_URL"
  fi
  if [[ -f $pgdata/postmaster.pid ]] && pg_answers "$PG_ADMIN_URL"; then
    PG_PID=$(head -1 "$pgdata/postmaster.pid")
    log "postgres: private cluster already running on 127.0.0.1:$PG_PORT (pid $PG_PID)"
  else
    if [[ ! -s $pgdata/PG_VERSION ]]; then
      log "postgres: initialising a private cluster in $pgdata"
      mkdir -p "$pgdata"; chmod 755 "$STATE" "$DATA"
      [[ $(id -u) -eq 0 ]] && chown postgres: "$pgdata" && touch "$logf" && chown postgres: "$logf"
      chmod 700 "$pgdata"
      pg_as "$bindir/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --no-locale >>"$logf" 2>&1 ||
        die "initdb failed (see $logf)"
      printf "\n# medbus stack\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nfsync = off\n" >>"$pgdata/postgresql.conf"
    fi
    port_open 127.0.0.1 "$PG_PORT" && die "port $PG_PORT is taken by $(port_owner "$PG_PORT"): set MEDBUS_PG_PORT"
    [[ $(id -u) -eq 0 ]] && { touch "$logf"; chown postgres: "$logf"; }
    log "postgres: starting private cluster on 127.0.0.1:$PG_PORT"
    pg_as "$bindir/pg_ctl" -D "$pgdata" -l "$logf" -o "-p $PG_PORT" -w -t 60 start >/dev/null 9>&- ||
      die "private PostgreSQL did not start (see $logf)"
    PG_PID=$(head -1 "$pgdata/postmaster.pid")
    echo "$PG_PID" >"$RUN/postgres.pid"
  fi
  echo "$bindir" >"$RUN/postgres.bindir"
  pg_create_dbs "$PG_ADMIN_URL" medbus medbus_test $([[ $APICURIO_STORAGE == sql ]] && echo "$REGISTRY_DB") ||
    die "could not create databases in the private cluster"
}

stop_private_postgres() {
  local pgdata=$DATA/postgres bindir
  [[ -f $RUN/postgres.pid ]] || return 0
  bindir=$(cat "$RUN/postgres.bindir" 2>/dev/null || pg_bindir)
  if [[ -f $pgdata/postmaster.pid ]]; then
    log "stopping private postgres (pid $(head -1 "$pgdata/postmaster.pid"))"
    pg_as "$bindir/pg_ctl" -D "$pgdata" -m fast -w -t 20 stop >/dev/null 2>&1 ||
      warn "pg_ctl stop failed (see $LOGS/postgres.log)"
  fi
  rm -f "$RUN/postgres.pid" "$RUN/postgres.bindir"
}

# ---------------------------------------------------------------------------- distributions
# Each prepare_* is idempotent: a .stamp (hash of the pom + version) marks a complete dist.
prepare_kafka() { # [--reuse]: accept any complete dist (it may be in use by a running broker)
  local versions v dir tmp stamp reuse=${1:-}
  versions=${MEDBUS_KAFKA_VERSION:-"$KAFKA_VERSION_DEFAULT $KAFKA_VERSION_FALLBACK"}
  for v in $versions; do
    dir=$DIST/kafka-$v
    stamp="$v $(sha_of "$SCRIPT_DIR/kafka/pom.xml")"
    if [[ -f $dir/.stamp && ( $reuse == --reuse || $(cat "$dir/.stamp") == "$stamp" ) ]]; then
      echo "$v" >"$RUN/kafka.version"; return 0
    fi
    echo "fetching Kafka $v jars (Maven Central -> ~/.m2)"
    tmp=$dir.tmp.$$; rm -rf "$tmp"
    if "${MVN[@]}" -f "$SCRIPT_DIR/kafka/pom.xml" dependency:copy-dependencies \
         -Dkafka.version="$v" -DincludeScope=runtime -DoutputDirectory="$tmp/libs"; then
      rm -rf "$dir"; mv "$tmp" "$dir"; echo "$stamp" >"$dir/.stamp"
      echo "$v" >"$RUN/kafka.version"; return 0
    fi
    rm -rf "$tmp"; echo "Kafka $v could not be resolved"
  done
  return 1
}

prepare_zipkin() {
  local v=$ZIPKIN_VERSION dir=$DIST/zipkin-$ZIPKIN_VERSION stamp tmp
  stamp="$v $(sha_of "$SCRIPT_DIR/zipkin/pom.xml")"
  if ! [[ -f $dir/.stamp && $(cat "$dir/.stamp") == "$stamp" ]]; then
    echo "fetching Zipkin $v exec jar (Maven Central -> ~/.m2)"
    tmp=$dir.tmp.$$; rm -rf "$tmp"
    "${MVN[@]}" -f "$SCRIPT_DIR/zipkin/pom.xml" dependency:copy \
      -Dartifact="io.zipkin:zipkin-server:$v:jar:exec" -DoutputDirectory="$tmp" || { rm -rf "$tmp"; return 1; }
    rm -rf "$dir"; mv "$tmp" "$dir"; echo "$stamp" >"$dir/.stamp"
  fi
  # OTLP module: compiled with javac against the jars inside the exec jar (no extra downloads)
  local src=$SCRIPT_DIR/zipkin/otlp-module/src/main exec otlp=$dir/otlp ostamp names
  exec=$(ls "$dir"/zipkin-server-*-exec.jar | head -1)
  ostamp="$v $(sha_of $(find "$src" -type f | sort))"
  if [[ -f $otlp/.stamp && $(cat "$otlp/.stamp") == "$ostamp" ]]; then return 0; fi
  if [[ -z $JAVAC || -z $JAR_TOOL ]]; then
    echo "WARNING: no javac/jar (JRE only): Zipkin runs without OTLP ingest; install openjdk-17-jdk-headless"
    rm -rf "$otlp"; return 0
  fi
  echo "compiling the Zipkin OTLP/HTTP module"
  rm -rf "$otlp"; mkdir -p "$otlp/classes" "$otlp/compile-lib"
  names=$("$JAR_TOOL" tf "$exec" | grep -E '^BOOT-INF/lib/(zipkin-[0-9]|zipkin-collector-[0-9]|armeria-[0-9]|armeria-spring-boot3-autoconfigure-|spring-(core|beans|context|boot|boot-autoconfigure|jcl)-[0-9]|jackson-(core|databind|annotations)-|slf4j-api-|netty-(common|buffer|transport)-[0-9]|micrometer-core-|reactive-streams-|jspecify-|jsr305-)')
  (cd "$otlp/compile-lib" && "$JAR_TOOL" xf "$exec" $names)
  "$JAVAC" --release 17 -nowarn -encoding UTF-8 -d "$otlp/classes" \
    -cp "$otlp/compile-lib/BOOT-INF/lib/*" $(find "$src/java" -name '*.java') || return 1
  cp -r "$src/resources/." "$otlp/classes/"
  "$JAR_TOOL" cf "$otlp/medbus-zipkin-otlp.jar" -C "$otlp/classes" .
  rm -rf "$otlp/classes" "$otlp/compile-lib"
  echo "$ostamp" >"$otlp/.stamp"
}

prepare_apicurio() {
  local v dir tmp stamp tgz
  for v in $(apicurio_candidates); do
    dir=$DIST/apicurio-$v
    stamp="$v $(sha_of "$SCRIPT_DIR/apicurio/pom.xml")"
    if [[ -f $dir/.stamp && $(cat "$dir/.stamp") == "$stamp" ]]; then echo "$v" >"$RUN/apicurio.version"; return 0; fi
    echo "fetching Apicurio Registry $v distribution (Maven Central -> ~/.m2)"
    tmp=$dir.tmp.$$; rm -rf "$tmp"; mkdir -p "$tmp"
    if "${MVN[@]}" -f "$SCRIPT_DIR/apicurio/pom.xml" dependency:copy \
         -Dartifact="io.apicurio:apicurio-registry-app:$v:tar.gz:all" -DoutputDirectory="$tmp/download"; then
      tgz=$(ls "$tmp"/download/*.tar.gz | head -1)
      tar xzf "$tgz" -C "$tmp" && rm -rf "$tmp/download" || { rm -rf "$tmp"; return 1; }
      rm -rf "$dir"; mv "$tmp" "$dir"; echo "$stamp" >"$dir/.stamp"
      echo "$v" >"$RUN/apicurio.version"; return 0
    fi
    rm -rf "$tmp"; echo "Apicurio $v could not be resolved"
  done
  return 1
}

# ------------------------------------------------------------------------------- service specs
kafka_libs() { echo "$DIST/kafka-$(cat "$RUN/kafka.version")/libs"; }

kafka_probe() { # real metadata round trip (TopicCommand --list) against the broker
  local libs; libs=$(kafka_libs)
  timeout 40 "$JAVA" -Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx128m \
    -Dlog4j2.configurationFile="$SCRIPT_DIR/kafka/log4j2.xml" -cp "$libs/*" \
    org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" \
    --command-config "$KAFKA_ADMIN_CONFIG" --list >/dev/null 2>>"$LOGS/kafka-probe.log" 9>&-
}

kafka_client_protocol() { [[ -n $KAFKA_SSL_KEYSTORE ]] && echo SASL_SSL || echo SASL_PLAINTEXT; }
kafka_sasl_stamp() { printf 'admin:%s' "$(kafka_password admin)" | sha256sum | cut -c1-16; }
kafka_storage_has_admin() { [[ $(cat "$DATA/kafka/medbus-sasl.stamp" 2>/dev/null) == "$(kafka_sasl_stamp)" ]]; }

# The admin's client settings (the readiness probe, kafka-principal.sh, Kafka's Java tools), mode 0600.
write_kafka_admin_config() {
  (
    umask 077
    {
      printf 'bootstrap.servers=127.0.0.1:%s\nclient.id=medbus-stack-admin\nrequest.timeout.ms=10000\ndefault.api.timeout.ms=20000\n' "$KAFKA_PORT"
      printf 'security.protocol=%s\nsasl.mechanism=SCRAM-SHA-512\n' "$(kafka_client_protocol)"
      printf 'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="%s";\n' "$(kafka_password admin)"
      if [[ -n $KAFKA_SSL_CA_FILE ]]; then printf 'ssl.truststore.type=PEM\nssl.truststore.location=%s\n' "$KAFKA_SSL_CA_FILE"; fi
    } >"$KAFKA_ADMIN_CONFIG.tmp"
  )
  mv "$KAFKA_ADMIN_CONFIG.tmp" "$KAFKA_ADMIN_CONFIG"
}

start_kafka() {
  local v libs data=$DATA/kafka props=$CONF/kafka-server.properties admin_password sasl_stamp
  v=$(cat "$RUN/kafka.version"); libs=$(kafka_libs)
  if [[ -n $KAFKA_SSL_KEYSTORE && ( -z $KAFKA_SSL_KEYSTORE_PASSWORD || -z $KAFKA_SSL_CA_FILE ) ]]; then
    die "MEDBUS_KAFKA_SSL_KEYSTORE needs MEDBUS_KAFKA_SSL_KEYSTORE_PASSWORD and MEDBUS_KAFKA_SSL_CA_FILE"
  fi
  admin_password=$(kafka_password admin)
  (
    umask 077
    sed -e "s#@KAFKA_PORT@#$KAFKA_PORT#g" -e "s#@KAFKA_CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" \
        -e "s#@KAFKA_DATA_DIR@#$data#g" -e "s#@KAFKA_CLIENT_PROTOCOL@#$(kafka_client_protocol)#g" \
        -e "s#@KAFKA_ADMIN_PASSWORD@#$admin_password#g" -e "s#@KAFKA_CONTROLLER_PASSWORD@#$(kafka_password controller)#g" \
        "$SCRIPT_DIR/kafka/server.properties.template" >"$props"
    if [[ -n $KAFKA_SSL_KEYSTORE ]]; then
      printf '\n# TLS (MEDBUS_KAFKA_SSL_*)\nlistener.name.client.ssl.keystore.type=PKCS12\nlistener.name.client.ssl.keystore.location=%s\nlistener.name.client.ssl.keystore.password=%s\nlistener.name.client.ssl.truststore.type=PEM\nlistener.name.client.ssl.truststore.location=%s\n' \
        "$KAFKA_SSL_KEYSTORE" "$KAFKA_SSL_KEYSTORE_PASSWORD" "$KAFKA_SSL_CA_FILE" >>"$props"
    fi
  )
  # The admin's SCRAM credential is written when the storage is formatted; storage formatted without
  # it (before SASL, or for another admin password) cannot be administered, so it is formatted again.
  sasl_stamp=$(kafka_sasl_stamp)
  if [[ -f $data/meta.properties ]] && ! kafka_storage_has_admin; then
    log "kafka: storage in $data was formatted without the current SASL admin: re-formatting it (dev stack: its topics and offsets are lost)"
    rm -rf "$data"
  fi
  mkdir -p "$data"
  if [[ ! -f $data/meta.properties ]]; then
    local cid
    # A cluster id starting with '-' is read by the tool as an option ("expected one argument"): draw again.
    cid=-
    while [[ $cid == -* ]]; do cid=$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'); done
    log "kafka: formatting KRaft storage (cluster id $cid) with the SCRAM admin"
    "$JAVA" -Xmx256m -Dlog4j2.configurationFile="$SCRIPT_DIR/kafka/log4j2.xml" -cp "$libs/*" \
      kafka.tools.StorageTool format -t "$cid" -c "$props" \
      --add-scram "SCRAM-SHA-512=[name=admin,password=$admin_password]" >>"$LOGS/kafka.out" 2>&1 9>&- ||
      die "kafka storage format failed (see $LOGS/kafka.out)"
    echo "$cid" >"$data/cluster.id"
    echo "$sasl_stamp" >"$data/medbus-sasl.stamp"
  fi
  launch kafka "$STATE" "$LOGS/kafka.out" "$JAVA" -Dmedbus.stack=kafka -Dmedbus.home="$STATE" \
    -Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$SCRIPT_DIR/kafka/log4j2.xml" -Dmedbus.log.file="$LOGS/kafka.log" \
    -Dmedbus.log.level="${MEDBUS_KAFKA_LOG_LEVEL:-INFO}" -Dmedbus.log.appender=file -Dkafka.logs.dir="$LOGS" \
    -cp "$libs/*" kafka.Kafka "$props"
  STARTED_VERSION[kafka]=$v
}

apicurio_jdbc_args() {
  local url=$PG_URL hp user pass
  hp=$(url_hostport "$url"); user=$(url_user "$url"); pass=$(url_pass "$url")
  printf '%s\n' -Dapicurio.storage.kind=sql -Dapicurio.storage.sql.kind=postgresql \
    "-Dapicurio.datasource.url=jdbc:postgresql://${hp% *}:${hp#* }/$REGISTRY_DB" \
    "-Dapicurio.datasource.username=$user" "-Dapicurio.datasource.password=${pass:-postgres}" \
    -Dapicurio.datasource.jdbc.initial-size=2 -Dapicurio.datasource.jdbc.min-size=2 \
    -Dapicurio.datasource.jdbc.max-size=20
}

start_apicurio() {
  local v dir jar java storage_args=()
  v=$(cat "$RUN/apicurio.version"); dir=$DIST/apicurio-$v
  if [[ -f $dir/quarkus-run.jar ]]; then jar=quarkus-run.jar
  else jar=$(cd "$dir" && ls ./*-runner.jar 2>/dev/null | head -1); fi
  [[ -n $jar ]] || die "no quarkus-run.jar / *-runner.jar in $dir"
  java=${APICURIO_JAVA:-$JAVA}
  echo "$java" >"$RUN/apicurio.java"
  APICURIO_STORAGE_USED=mem
  if [[ $APICURIO_STORAGE == sql && -z ${PG_NO_REGISTRY_DB:-} ]]; then
    mapfile -t storage_args < <(apicurio_jdbc_args); APICURIO_STORAGE_USED="postgresql ($REGISTRY_DB)"
  elif [[ $APICURIO_STORAGE == sql ]]; then
    warn "apicurio: database $REGISTRY_DB unavailable, using in-memory storage"
  fi
  echo "$APICURIO_STORAGE_USED" >"$RUN/apicurio.storage"
  local compat=()
  [[ ${APICURIO_GLOBAL_COMPAT^^} != NONE ]] && compat=("-Dapicurio.rules.global.compatibility=${APICURIO_GLOBAL_COMPAT^^}")
  launch apicurio "$dir" "$LOGS/apicurio.log" "$java" -Dmedbus.stack=apicurio -Dmedbus.home="$STATE" \
    -Xms128m -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$APICURIO_PORT" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$APICURIO_MGMT_PORT" \
    -Dapicurio.rest.deletion.group.enabled=true -Dapicurio.rest.deletion.artifact.enabled=true \
    -Dapicurio.rest.deletion.artifact-version.enabled=true \
    -Dquarkus.http.access-log.enabled=false -Dquarkus.log.console.format='%d{HH:mm:ss} %p [%c{2.}] %m%n' \
    -Dapicurio.ccompat.legacy-id-mode.enabled="$APICURIO_LEGACY_IDS" "${compat[@]}" \
    -Dapicurio.storage.snapshot.location="$DATA" -Dapicurio.import.work-dir="$DATA" \
    "${storage_args[@]}" -jar "$jar"
  STARTED_VERSION[apicurio]=$v
}

start_zipkin() {
  local dir=$DIST/zipkin-$ZIPKIN_VERSION exec otel=()
  exec=$(ls "$dir"/zipkin-server-*-exec.jar | head -1)
  if [[ -f $dir/otlp/medbus-zipkin-otlp.jar ]]; then
    otel=("-Dloader.path=$dir/otlp/medbus-zipkin-otlp.jar" -Dspring.profiles.active=otel)
    echo on >"$RUN/zipkin.otlp"
  else
    echo off >"$RUN/zipkin.otlp"
  fi
  launch zipkin "$STATE" "$LOGS/zipkin.log" "$JAVA" -Dmedbus.stack=zipkin -Dmedbus.home="$STATE" \
    -Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    "-Darmeria.ports[0].ip=127.0.0.1" "-Darmeria.ports[0].port=$ZIPKIN_PORT" "-Darmeria.ports[0].protocols[0]=http" \
    -Dzipkin.storage.type=mem -Dzipkin.storage.mem.max-spans="$ZIPKIN_MAX_SPANS" \
    -Dspring.main.banner-mode=off "${otel[@]}" \
    -cp "$exec" org.springframework.boot.loader.launch.PropertiesLauncher
  STARTED_VERSION[zipkin]=$ZIPKIN_VERSION
}

# Default global compatibility rule. 3.1+ take it from apicurio.rules.global.compatibility at start;
# older ones ignore that property, so set it over the API when no global rule exists yet.
apicurio_post_start() {
  local level=${APICURIO_GLOBAL_COMPAT^^} rules
  [[ $level == NONE ]] && return 0
  have curl || return 0
  rules=$(curl -s -m 5 "http://127.0.0.1:$APICURIO_PORT/apis/registry/v3/admin/rules" 2>/dev/null) || return 0
  if [[ $rules == "[]" ]]; then
    curl -s -m 5 -o /dev/null -X PUT -H 'Content-Type: application/vnd.schemaregistry.v1+json' \
      -d "{\"compatibility\":\"$level\"}" "http://127.0.0.1:$APICURIO_PORT/apis/ccompat/v7/config" 2>/dev/null &&
      log "apicurio: global compatibility set to $level"
  fi
  return 0
}

# readiness probes: 0 = ready
ready_kafka()    { port_open 127.0.0.1 "$KAFKA_PORT" && kafka_probe; }
ready_apicurio() { [[ $(http_code GET "http://127.0.0.1:$APICURIO_PORT/apis/ccompat/v7/subjects") == 200 ]]; }
ready_zipkin() {
  [[ $(http_code GET "http://127.0.0.1:$ZIPKIN_PORT/health") == 200 ]] || return 1
  [[ $(cat "$RUN/zipkin.otlp" 2>/dev/null) == on ]] || return 0
  [[ $(http_code POST "http://127.0.0.1:$ZIPKIN_PORT/v1/traces" application/json '{"resourceSpans":[]}') == 200 ]]
}
svc_port() { case $1 in kafka) echo "$KAFKA_PORT";; apicurio) echo "$APICURIO_PORT";; zipkin) echo "$ZIPKIN_PORT";; esac; }
svc_log()  { case $1 in kafka) echo "$LOGS/kafka.log (and kafka.out)";; *) echo "$LOGS/$1.log";; esac; }

# --------------------------------------------------------------------------------------- up
declare -A STATE_OF STARTED_VERSION
cmd_up() {
  preflight
  exec 9>"$RUN/stack.lock"
  if have flock && ! flock -w 600 9; then die "another stack.sh is running (lock $RUN/stack.lock)"; fi
  write_kafka_admin_config

  ensure_postgres

  # what needs starting?
  local svc pid port need=()
  for svc in "${SERVICES[@]}"; do
    port=$(svc_port "$svc")
    pid=$(running_pid "$svc")
    if [[ -n $pid && $svc == kafka ]] && ! kafka_storage_has_admin; then
      log "kafka: running without the current SASL admin (started before it): restarting it"
      stop_pids kafka; pid=""
    fi
    if [[ -n $pid ]]; then
      STATE_OF[$svc]=ours; log "$svc: already running (pid $pid)"
    elif port_open 127.0.0.1 "$port"; then
      STATE_OF[$svc]=foreign
      log "$svc: port $port already in use by $(port_owner "$port" || true) (not started by this script): will use it if it answers like $svc"
    else
      STATE_OF[$svc]=start; need+=("$svc")
    fi
  done
  if [[ ${STATE_OF[apicurio]} == start ]]; then
    pick_apicurio_java
    if [[ -z $APICURIO_JAVA && -z ${MEDBUS_APICURIO_VERSION:-} ]]; then
      warn "no Java 21+ found: using Apicurio Registry $APICURIO_VERSION_J17 (Java 17). For 3.3.x set MEDBUS_APICURIO_JAVA=/path/to/java21+"
    fi
  fi
  # the readiness probe needs the Kafka jars even when the broker is already running (never replace
  # a dist under a running broker: --reuse)
  [[ ${STATE_OF[kafka]} == start ]] || prepare_kafka --reuse >"$LOGS/prepare-kafka.log" 2>&1 || true

  # prepare distributions in parallel (no-ops when already unpacked)
  local pids=() names=() i rc failed=0 now
  for svc in "${need[@]}"; do
    "prepare_$svc" >"$LOGS/prepare-$svc.log" 2>&1 &
    pids+=($!); names+=("$svc")
  done
  if ((${#pids[@]})); then
    local tp0 last=0 busy
    tp0=$(date +%s)
    while :; do
      busy=0
      for i in "${!pids[@]}"; do kill -0 "${pids[$i]}" 2>/dev/null && busy=1; done
      ((busy)) || break
      sleep 0.2
      now=$(( $(date +%s) - tp0 ))
      if ((now - last >= 5)); then log "preparing distributions (${names[*]})... ${now}s"; last=$now; fi
    done
    for i in "${!pids[@]}"; do
      rc=0; wait "${pids[$i]}" || rc=$?
      sed 's/\x1b\[[0-9;]*m//g' "$LOGS/prepare-${names[$i]}.log" | grep -v -e '^\s*$' -e '^\[ERROR\] *$' \
        -e 'Re-run Maven' -e 'full stack trace' -e 'please read the following' -e '\[Help 1\]' |
        sed "s/^/[stack] ${names[$i]}: /" || true
      if ((rc)); then failed=1; warn "${names[$i]}: preparing the distribution failed (rc=$rc), see $LOGS/prepare-${names[$i]}.log"; fi
    done
    ((failed)) && die "could not prepare all distributions (is Maven Central reachable?)"
  fi

  # start (all in parallel: they are independent)
  for svc in "${need[@]}"; do "start_$svc"; log "$svc: started ${STARTED_VERSION[$svc]} (pid $(read_pid "$svc"))"; done

  # wait for readiness
  local pending=("${SERVICES[@]}") t0 now last_note=0 next=()
  t0=$(date +%s)
  while ((${#pending[@]})); do
    next=()
    for svc in "${pending[@]}"; do
      if "ready_$svc"; then
        log "$svc: ready on 127.0.0.1:$(svc_port "$svc") ($(( $(date +%s) - t0 ))s)"
        [[ $svc == apicurio && ${STATE_OF[$svc]} == start ]] && apicurio_post_start
        continue
      fi
      if [[ ${STATE_OF[$svc]} == foreign ]]; then
        die "$svc: port $(svc_port "$svc") is taken by $(port_owner "$(svc_port "$svc")" || echo 'another process') that does not answer like $svc. Stop it or set MEDBUS_${svc^^}_PORT"
      fi
      pid=$(read_pid "$svc")
      if [[ -z $pid ]] || ! kill -0 "$pid" 2>/dev/null; then
        rm -f "$(pid_file "$svc")"
        printf '[stack] ---- last lines of %s ----\n' "$(svc_log "$svc" | cut -d' ' -f1)" >&2
        tail -n 25 "$(svc_log "$svc" | cut -d' ' -f1)" >&2 || true
        [[ $svc == kafka ]] && tail -n 15 "$LOGS/kafka.out" >&2
        if [[ $svc == apicurio ]] && grep -q UnsupportedClassVersionError "$LOGS/apicurio.log"; then
          die "apicurio: this Apicurio version needs a newer Java than $(cat "$RUN/apicurio.java" 2>/dev/null || echo "$JAVA"); set MEDBUS_APICURIO_JAVA to a Java 21+ binary"
        fi
        die "$svc exited during startup; see $(svc_log "$svc")"
      fi
      next+=("$svc")
    done
    pending=("${next[@]+"${next[@]}"}")
    ((${#pending[@]})) || break
    now=$(( $(date +%s) - t0 ))
    if ((now >= START_TIMEOUT)); then
      die "timed out after ${START_TIMEOUT}s waiting for ${pending[*]}; see $(for s in "${pending[@]}"; do svc_log "$s"; done | paste -sd' ')"
    fi
    if ((now - last_note >= 3)); then log "waiting for ${pending[*]}... ${now}s"; last_note=$now; fi
    sleep 0.5
  done

  [[ ${STATE_OF[kafka]} == foreign ]] || provision_kafka
  write_env
  print_table
  log "stack is up in $(elapsed)s; env: $ENV_FILE  (e.g. set -a; . $ENV_FILE; set +a)"
}

# The demo region's principals (booking, the registry exporter, the contact centre, its adapters) with their ACLs and
# topics; skipped when already done for this storage with the same scripts and principals.
provision_kafka() {
  local data=$DATA/kafka stamp adapter
  stamp="$(cat "$data/cluster.id" 2>/dev/null) booking registry-exporter contact-center $KAFKA_DEMO_ADAPTERS $(sha_of "$SCRIPT_DIR/kafka-principal.sh" "$SCRIPT_DIR/kafka/credentials.sh" "$SCRIPT_DIR/kafka/KafkaPrincipals.java")"
  [[ -f $data/medbus-principals.stamp && $(cat "$data/medbus-principals.stamp") == "$stamp" ]] && return 0
  log "kafka: provisioning the principals booking, registry-exporter, contact-center and $KAFKA_DEMO_ADAPTERS (ACLs, adapter topics)"
  bash "$SCRIPT_DIR/kafka-principal.sh" booking | sed 's/^/[stack] /' || die "kafka: provisioning booking failed"
  bash "$SCRIPT_DIR/kafka-principal.sh" registry-exporter | sed 's/^/[stack] /' || die "kafka: provisioning registry-exporter failed"
  bash "$SCRIPT_DIR/kafka-principal.sh" contact-center | sed 's/^/[stack] /' || die "kafka: provisioning contact-center failed"
  for adapter in $KAFKA_DEMO_ADAPTERS; do
    bash "$SCRIPT_DIR/kafka-principal.sh" adapter "$adapter" | sed 's/^/[stack] /' || die "kafka: provisioning $adapter failed"
  done
  echo "$stamp" >"$data/medbus-principals.stamp"
}

env_line() { # KEY VALUE -> dotenv line, single-quoted only when needed
  if [[ $2 =~ ^[A-Za-z0-9_./:@%+=,-]*$ ]]; then printf '%s=%s\n' "$1" "$2"
  else printf "%s='%s'\n" "$1" "${2//\'/\'\\\'\'}"; fi
}

write_env() {
  local otlp; otlp=$(cat "$RUN/zipkin.otlp" 2>/dev/null || echo off)
  [[ ${STATE_OF[zipkin]} == foreign ]] &&
    [[ $(http_code POST "http://127.0.0.1:$ZIPKIN_PORT/v1/traces" application/json '{"resourceSpans":[]}') == 200 ]] && otlp=on
  {
    echo "# medbus local stack - generated by tools/stack/stack.sh up on $(date -Is). Do not edit."
    env_line KAFKA_BROKERS "127.0.0.1:$KAFKA_PORT"
    env_line KAFKA_BOOTSTRAP_SERVERS "127.0.0.1:$KAFKA_PORT"
    # the admin: tests, tools and the bench run in namespaces of their own (per-service: kafka-users.env)
    env_line KAFKA_SASL_MECHANISM scram-sha-512
    env_line KAFKA_SASL_USERNAME admin
    env_line KAFKA_SASL_PASSWORD "$(kafka_password admin)"
    if [[ -n $KAFKA_SSL_KEYSTORE ]]; then
      env_line KAFKA_SSL true
      env_line KAFKA_SSL_CA_FILE "$KAFKA_SSL_CA_FILE"
    fi
    env_line SCHEMA_REGISTRY_URL "http://127.0.0.1:$APICURIO_PORT/apis/ccompat/v7"
    env_line APICURIO_URL "http://127.0.0.1:$APICURIO_PORT"
    env_line APICURIO_REGISTRY_API_URL "http://127.0.0.1:$APICURIO_PORT/apis/registry/v3"
    env_line ZIPKIN_URL "http://127.0.0.1:$ZIPKIN_PORT"
    env_line ZIPKIN_SPANS_URL "http://127.0.0.1:$ZIPKIN_PORT/api/v2/spans"
    if [[ $otlp == on ]]; then
      env_line OTEL_EXPORTER_OTLP_TRACES_ENDPOINT "http://127.0.0.1:$ZIPKIN_PORT/v1/traces"
      env_line OTEL_EXPORTER_OTLP_TRACES_PROTOCOL "http/protobuf"
    fi
    env_line DATABASE_URL "$PG_URL"
    env_line TEST_DATABASE_URL "$PG_TEST_URL"
  } >"$ENV_FILE.tmp"
  chmod 600 "$ENV_FILE.tmp"
  mv "$ENV_FILE.tmp" "$ENV_FILE"
}

# ----------------------------------------------------------------------------------- status
svc_url() {
  case $1 in
    kafka) echo "127.0.0.1:$KAFKA_PORT $(kafka_client_protocol) SCRAM-SHA-512, ACLs (controller :$KAFKA_CONTROLLER_PORT)";;
    apicurio) echo "http://127.0.0.1:$APICURIO_PORT/apis/ccompat/v7  (UI/API http://127.0.0.1:$APICURIO_PORT, health :$APICURIO_MGMT_PORT)";;
    zipkin)
      if [[ $(cat "$RUN/zipkin.otlp" 2>/dev/null) == on ]]; then echo "http://127.0.0.1:$ZIPKIN_PORT  (OTLP: POST /v1/traces)"
      else echo "http://127.0.0.1:$ZIPKIN_PORT"; fi;;
  esac
}

svc_status() { # svc -> "state pid"
  local svc=$1 pid port; port=$(svc_port "$svc"); pid=$(running_pid "$svc")
  if [[ -n $pid ]]; then
    if port_open 127.0.0.1 "$port"; then echo "up $pid"; else echo "starting $pid"; fi
  elif port_open 127.0.0.1 "$port"; then echo "external -"
  else echo "down -"; fi
}

pg_status_line() {
  local url kind="" state=down pid=-
  if [[ -f $RUN/postgres.pid ]]; then
    kind=private; url="postgres://postgres@127.0.0.1:$PG_PORT/medbus"; pid=$(cat "$RUN/postgres.pid")
  elif [[ -f $ENV_FILE ]]; then
    url=$(sed -n "s/^DATABASE_URL='\{0,1\}\([^']*\)'\{0,1\}$/\1/p" "$ENV_FILE"); kind=external
  fi
  url=${url:-${DATABASE_URL:-postgres://postgres@127.0.0.1:$SYSTEM_PG_PORT/medbus}}
  pg_answers "$url" && state=up
  [[ $kind == external && $state == up ]] && state="up (not managed)"
  printf '  %-9s %-17s %-8s %s\n' postgres "$state" "$pid" "$url"
}

print_table() {
  local svc s v pid
  printf '\n  %-9s %-17s %-8s %s\n' SERVICE STATE PID WHERE
  for svc in "${SERVICES[@]}"; do
    read -r s pid <<<"$(svc_status "$svc")"
    v=$(cat "$RUN/$svc.version" 2>/dev/null || true); [[ $svc == zipkin ]] && v=$ZIPKIN_VERSION
    [[ $s == up && -n $v ]] && s="up ($v)"
    printf '  %-9s %-17s %-8s %s\n' "$svc" "$s" "$pid" "$(svc_url "$svc")"
  done
  pg_status_line
  [[ -f $ENV_FILE ]] && printf '\n  env file: %s\n' "$ENV_FILE"
  [[ -f $RUN/apicurio.storage ]] && printf '  apicurio storage: %s\n' "$(cat "$RUN/apicurio.storage")"
  printf '  logs: %s\n\n' "$LOGS"
}

cmd_status() {
  mkdir -p "$RUN"
  print_table
  return 0
}

# ------------------------------------------------------------------------------------- down
cmd_down() {
  mkdir -p "$RUN"
  exec 9>"$RUN/stack.lock"
  if have flock && ! flock -w 120 9; then die "another stack.sh is running (lock $RUN/stack.lock)"; fi
  local svc any=0
  for svc in "${SERVICES[@]}"; do [[ -n $(running_pid "$svc") ]] && any=1; done
  stop_pids zipkin apicurio kafka
  stop_private_postgres
  for svc in "${SERVICES[@]}"; do
    port_open 127.0.0.1 "$(svc_port "$svc")" && log "$svc: port $(svc_port "$svc") still served by a process not started by this script (left alone)"
  done
  ((any)) || log "nothing of ours was running"
  log "stack is down ($(elapsed)s); data kept in $DATA"
}

# hidden helper for kafka-run-class.sh: ensure the Kafka jars and print their folder
cmd_kafka_libs() {
  preflight >/dev/null
  local v=${MEDBUS_KAFKA_VERSION:-$KAFKA_VERSION_DEFAULT}
  if ! [[ -f $DIST/kafka-$v/.stamp && -f $RUN/kafka.version ]]; then
    exec 9>"$RUN/stack.lock"; have flock && flock -w 600 9   # first use: don't race a concurrent `up`
  fi
  prepare_kafka --reuse >"$LOGS/prepare-kafka.log" 2>&1 || { cat "$LOGS/prepare-kafka.log" >&2; die "could not fetch the Kafka jars"; }
  kafka_libs
}

cmd_restart() { # svc...: stop them (under the lock), then `up` starts whatever is missing
  local svc
  (($#)) || die "usage: bash tools/stack/stack.sh restart <${SERVICES[*]// /|}>..."
  for svc in "$@"; do [[ " ${SERVICES[*]} " == *" $svc "* ]] || die "unknown service $svc (${SERVICES[*]})"; done
  mkdir -p "$RUN"
  exec 9>"$RUN/stack.lock"
  if have flock && ! flock -w 600 9; then die "another stack.sh is running (lock $RUN/stack.lock)"; fi
  stop_pids "$@"
  exec 9>&-
  cmd_up
}

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  restart) shift; cmd_restart "$@" ;;
  kafka-libs) cmd_kafka_libs ;;
  *) echo "usage: bash tools/stack/stack.sh up|down|status|restart <service>..." >&2; exit 2 ;;
esac
