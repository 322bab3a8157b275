#!/usr/bin/env bash
# Run any Kafka class with the medbus stack's Kafka classpath (broker, clients, kafka-tools).
#
#   bash tools/stack/kafka-run-class.sh <MainClass> [args...]
#
# e.g. producer benchmark against the stack broker:
#   bash tools/stack/kafka-run-class.sh org.apache.kafka.tools.ProducerPerformance \
#     --topic bench --num-records 100000 --record-size 512 --throughput -1 \
#     --producer-props bootstrap.servers=127.0.0.1:9092 acks=all
#
# Fetches the jars on first use (same cache as `stack.sh up`). Logs go to stderr at WARN;
# override the JVM heap with KAFKA_HEAP_OPTS and add JVM flags with KAFKA_OPTS.
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ $# -ge 1 ]] || { echo "usage: $0 <MainClass> [args...]" >&2; exit 2; }
LIBS=$(bash "$SCRIPT_DIR/stack.sh" kafka-libs)
JAVA=${MEDBUS_JAVA:-}
[[ -z $JAVA && -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]] && JAVA=$JAVA_HOME/bin/java
JAVA=${JAVA:-java}
# shellcheck disable=SC2086
exec "$JAVA" ${KAFKA_HEAP_OPTS:--Xmx512m} ${KAFKA_OPTS:-} \
  -Dlog4j2.configurationFile="$SCRIPT_DIR/kafka/log4j2.xml" \
  -Dmedbus.log.level="${MEDBUS_KAFKA_TOOLS_LOG_LEVEL:-WARN}" \
  -cp "$LIBS/*" "$@"
