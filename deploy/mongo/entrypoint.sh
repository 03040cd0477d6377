#!/bin/bash
# MongoDB for Strata: a one-node replica set (transactions and change streams need one) with access control.
# The replica set's internal key comes from MONGO_REPLICA_SET_KEY (written by `strata init-env`) and is
# written where only mongod can read it; then the image's own entrypoint creates the root user and runs
# /docker-entrypoint-initdb.d on first start, and starts mongod. The healthcheck initiates the set.
set -euo pipefail
if [[ -z "${MONGO_REPLICA_SET_KEY:-}" ]]; then
  echo "MONGO_REPLICA_SET_KEY is empty: run 'strata init-env' to generate .env" >&2
  exit 1
fi
key_file=/data/configdb/replica-set.key
printf '%s' "$MONGO_REPLICA_SET_KEY" > "$key_file"
chmod 400 "$key_file"
chown mongodb:mongodb "$key_file"
exec docker-entrypoint.sh mongod --replSet rs0 --keyFile "$key_file" --bind_ip_all "$@"
