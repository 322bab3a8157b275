# Sourced by stack.sh and kafka-principal.sh: the local stack's Kafka passwords. Each principal's
# password is generated once into $STATE/kafka-users.env (mode 0600) as KAFKA_PASSWORD_<NAME>
# (upper case, other characters as _) and read from there afterwards; nothing here prints one.

KAFKA_USERS_FILE=$STATE/kafka-users.env

kafka_password_variable() { # principal name -> variable name
  local name=${1^^}
  echo "KAFKA_PASSWORD_${name//[^A-Z0-9]/_}"
}

kafka_password() { # principal name -> its password on stdout (created on first use)
  local variable
  variable=$(kafka_password_variable "$1")
  mkdir -p "$(dirname "$KAFKA_USERS_FILE")"
  (
    umask 077
    command -v flock >/dev/null 2>&1 && flock 8
    local password=""
    [[ -f $KAFKA_USERS_FILE ]] && password=$(sed -n "s/^$variable=//p" "$KAFKA_USERS_FILE" | tail -1)
    if [[ -z $password ]]; then
      password=$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)
      [[ -f $KAFKA_USERS_FILE ]] ||
        printf '# medbus local stack: Kafka SCRAM passwords, one per principal (tools/stack/kafka/credentials.sh). Keep private.\n' >"$KAFKA_USERS_FILE"
      printf '%s=%s\n' "$variable" "$password" >>"$KAFKA_USERS_FILE"
    fi
    chmod 600 "$KAFKA_USERS_FILE"
    printf '%s' "$password"
  ) 8>>"$KAFKA_USERS_FILE.lock"
}
