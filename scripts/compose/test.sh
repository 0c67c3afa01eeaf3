#!/usr/bin/env bash
# npm run test:compose: a Docker engine (started if none runs), the local stand-in base images
# (built once), then the compose test itself (test/compose/compose.ts). docs/compose-test.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/compose/ensure-dockerd.sh
scripts/compose/build-base-images.sh
exec node --import tsx test/compose/compose.ts
