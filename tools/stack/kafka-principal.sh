#!/usr/bin/env bash
# Provisions a Kafka principal of the medbus stack with the least privilege it needs (decision
# record 0011): its SCRAM user, its ACLs and, for an MIS adapter, its topics (the registry exporter:
# its dead-letter topic of booking.appointment; the contact centre: that of booking.waitlist). Idempotent.
#
#   bash tools/stack/kafka-principal.sh adapter <adapter id>... [--namespace <ns>] [--revoke]
#   bash tools/stack/kafka-principal.sh booking [--namespace <ns>] [--revoke]
#   bash tools/stack/kafka-principal.sh registry-exporter [--namespace <ns>] [--revoke]
#   bash tools/stack/kafka-principal.sh contact-center [--namespace <ns>] [--revoke]
#
# The password is generated once into .medbus/kafka-users.env (mode 0600) as KAFKA_PASSWORD_<NAME>
# and never printed. --namespace grants the same rights on a namespaced run's topics and groups
# (`<ns>.mis.slot.<id>`, see 0010); --revoke takes the grants back (the user stays). Runs as the
# stack's admin (.medbus/conf/kafka-admin.properties, written by `stack.sh up`).
#
# Topic names follow libs/kafka's adapter-topics.mapper.ts and deadLetterTopicOf: the contract topic
# suffixed with the adapter id, dead letters under `dlq.`.
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
STATE=${MEDBUS_STATE_DIR:-$REPO_ROOT/.medbus}
ADMIN_CONFIG=$STATE/conf/kafka-admin.properties
PARTITIONS=${MEDBUS_TOPIC_PARTITIONS:-3}
# shellcheck source=kafka/credentials.sh
. "$SCRIPT_DIR/kafka/credentials.sh"

die() { printf '[kafka-principal] ERROR: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '6,9p' "${BASH_SOURCE[0]}" | sed 's/^# *//' >&2; exit 2; }

kind=${1:-}; shift || true
ids=() namespace="" verb=allow
while (($#)); do
  case $1 in
    --namespace) namespace=${2:?--namespace needs a value}; shift 2 ;;
    --revoke) verb=revoke; shift ;;
    -*) usage ;;
    *) ids+=("$1"); shift ;;
  esac
done
[[ -z $namespace || $namespace =~ ^[a-z0-9][a-z0-9-]{0,47}$ ]] || die "namespace must be lower-case letters, digits and dashes"
prefix=${namespace:+$namespace.}
[[ -f $ADMIN_CONFIG ]] || die "no $ADMIN_CONFIG: start the stack first (bash tools/stack/stack.sh up)"

# grant <principal> <operation>... -- <resource type> <literal|prefixed> <name>
grant() {
  local principal=$1 operations=() ; shift
  while [[ $1 != -- ]]; do operations+=("$1"); shift; done
  shift
  local operation
  for operation in "${operations[@]}"; do echo "$verb User:$principal $operation $1 $2 $prefix$3"; done
}

adapter_spec() {
  local id=$1 topic
  [[ $id =~ ^[a-z0-9][a-z0-9-]{0,39}$ ]] || die "adapter id '$id' must be lower-case letters, digits and dashes (at most 40)"
  local own=("mis.organisation.$id" "mis.resource.$id" "mis.slot.$id" "mis.adapter-heartbeat.$id" "booking.command-outcome.$id")
  if [[ $verb == allow ]]; then
    echo "user $id $(kafka_password "$id")"
    for topic in "${own[@]}" "booking.command.$id"; do echo "topic $prefix$topic $PARTITIONS"; echo "topic ${prefix}dlq.$topic $PARTITIONS"; done
  fi
  for topic in "${own[@]}" "dlq.booking.command.$id"; do grant "$id" WRITE DESCRIBE -- TOPIC LITERAL "$topic"; done
  grant "$id" READ DESCRIBE -- TOPIC LITERAL "booking.command.$id"
  grant "$id" READ -- GROUP PREFIXED "mis-adapter-$id-"
}

booking_spec() {
  [[ $verb == allow ]] && echo "user booking $(kafka_password booking)"
  grant booking READ DESCRIBE -- TOPIC PREFIXED mis.
  grant booking READ DESCRIBE -- TOPIC PREFIXED booking.command-outcome.
  grant booking WRITE DESCRIBE -- TOPIC PREFIXED booking.command.
  grant booking WRITE DESCRIBE -- TOPIC LITERAL booking.appointment
  grant booking WRITE DESCRIBE -- TOPIC LITERAL booking.waitlist
  grant booking WRITE DESCRIBE -- TOPIC PREFIXED dlq.
  grant booking READ -- GROUP PREFIXED booking
}

# The federal registry's exporter reads every adapter's organisations, resources and slots (it
# subscribes by pattern, so a new adapter's topics need no new grant) and booking's appointments.
registry_exporter_spec() {
  local aggregate
  if [[ $verb == allow ]]; then
    echo "user registry-exporter $(kafka_password registry-exporter)"
    echo "topic ${prefix}dlq.booking.appointment $PARTITIONS"
  fi
  for aggregate in organisation resource slot; do
    grant registry-exporter READ DESCRIBE -- TOPIC PREFIXED "mis.$aggregate."
    grant registry-exporter WRITE DESCRIBE -- TOPIC PREFIXED "dlq.mis.$aggregate."
  done
  grant registry-exporter READ DESCRIBE -- TOPIC LITERAL booking.appointment
  grant registry-exporter WRITE DESCRIBE -- TOPIC LITERAL dlq.booking.appointment
  grant registry-exporter READ -- GROUP PREFIXED registry-exporter
}

# The contact centre hears what concerns a patient or an organisation: every adapter's organisations,
# resources, slots and heartbeats (prefixed, as the exporter), booking's appointments and waitlist
# offers; it writes their dead letters (creates dlq.booking.waitlist).
contact_center_spec() {
  local aggregate
  if [[ $verb == allow ]]; then
    echo "user contact-center $(kafka_password contact-center)"
    echo "topic ${prefix}dlq.booking.appointment $PARTITIONS"
    echo "topic ${prefix}dlq.booking.waitlist $PARTITIONS"
  fi
  for aggregate in organisation resource slot adapter-heartbeat; do
    grant contact-center READ DESCRIBE -- TOPIC PREFIXED "mis.$aggregate."
    grant contact-center WRITE DESCRIBE -- TOPIC PREFIXED "dlq.mis.$aggregate."
  done
  for topic in booking.appointment booking.waitlist; do
    grant contact-center READ DESCRIBE -- TOPIC LITERAL "$topic"
    grant contact-center WRITE DESCRIBE -- TOPIC LITERAL "dlq.$topic"
  done
  grant contact-center READ -- GROUP PREFIXED contact-center
}

case $kind in
  adapter) ((${#ids[@]})) || usage; spec=$(for id in "${ids[@]}"; do adapter_spec "$id"; done); what="adapter ${ids[*]}" ;;
  booking) ((${#ids[@]} == 0)) || usage; spec=$(booking_spec); what=booking ;;
  registry-exporter) ((${#ids[@]} == 0)) || usage; spec=$(registry_exporter_spec); what=registry-exporter ;;
  contact-center) ((${#ids[@]} == 0)) || usage; spec=$(contact_center_spec); what=contact-center ;;
  *) usage ;;
esac

result=$(printf '%s\n' "$spec" | MEDBUS_KAFKA_TOOLS_LOG_LEVEL=ERROR bash "$SCRIPT_DIR/kafka-run-class.sh" "$SCRIPT_DIR/kafka/KafkaPrincipals.java" "$ADMIN_CONFIG") ||
  die "could not provision $what (is the stack up?)"
printf '[kafka-principal] %s%s: %s\n' "$what" "${namespace:+ in namespace $namespace}" "$result"
