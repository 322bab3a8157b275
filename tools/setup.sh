#!/usr/bin/env bash
# Installs what medbus needs on a fresh machine: Debian libraries the Kafka client links
# against, and the npm dependencies. Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
die() { printf '\033[31m[setup] %s\033[0m\n' "$*" >&2; exit 1; }

command -v node >/dev/null || die "Node.js 20.6+ is required (https://nodejs.org or apt-get install nodejs npm)."
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die "Node.js 20.6+ is required; found $(node --version)."
command -v java >/dev/null || die "Java 17+ is required for Kafka, Apicurio and Zipkin: apt-get install openjdk-17-jdk-headless"
command -v mvn >/dev/null || die "Maven 3.8+ is required to fetch Kafka, Apicurio and Zipkin: apt-get install maven"

# @confluentinc/kafka-javascript builds librdkafka against the system's libraries
# (CKJS_LINKING=dynamic), see docs/decisions/0002-kafka-client.md.
# libjemalloc2: the services run on jemalloc, which returns freed memory (README: How the services run).
# chromium: Debian's browser, which the operator console's browser tests drive with playwright-core (a downloaded
# browser build is not used); chromium-l10n: its Russian locale (date fields as dd.mm.yyyy in the screenshots).
native_libs=(build-essential python3 libssl-dev zlib1g-dev libzstd-dev libsasl2-dev liblz4-dev libjemalloc2 chromium chromium-l10n)
missing=()
for pkg in "${native_libs[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  elif command -v sudo >/dev/null; then
    say "installing Debian packages with sudo: ${missing[*]}"
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    die "missing Debian packages: ${missing[*]} (apt-get install ${missing[*]})"
  fi
fi

stamp=node_modules/.medbus-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  say "installing npm dependencies (the first time builds librdkafka: about 3 minutes on 2 cores)"
  CKJS_LINKING=dynamic npm ci --no-audit --no-fund --loglevel=error
  node -e "require('@confluentinc/kafka-javascript')" || die "the Kafka client did not build; see the npm output above"
  touch "$stamp"
else
  say "npm dependencies are up to date"
fi
