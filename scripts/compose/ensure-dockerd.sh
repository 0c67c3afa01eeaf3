#!/usr/bin/env bash
# Starts a Docker engine (dockerd, as root, in the background) when none answers on the default
# socket; leaves a running one alone. Used by the compose test and .ci/run. Not part of a deployment.
set -euo pipefail
if docker info >/dev/null 2>&1; then
  exit 0
fi
if ! command -v dockerd >/dev/null || ! command -v docker-compose >/dev/null; then
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io docker-compose tini >/dev/null
fi
log="${DOCKERD_LOG:-/var/log/dockerd-compose-test.log}"
echo "starting dockerd (log: $log)"
nohup dockerd >"$log" 2>&1 &
for _ in $(seq 1 60); do
  docker info >/dev/null 2>&1 && exit 0
  sleep 1
done
echo "dockerd did not answer within 60 s; last lines of $log:" >&2
tail -20 "$log" >&2
exit 1
