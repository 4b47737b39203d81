#!/usr/bin/env bash
# Sets up a container runtime where none runs: Podman with runc, limits lowered to what this
# kind of sandbox allows, and a local Debian base image for machines that cannot pull one.
# Idempotent; run as root. Prints the DOCKER_HOST to use (the harness also finds it itself).
set -euo pipefail

BASE_IMAGE="${BASE_IMAGE:-localhost/debian-base:bookworm}"

if ! command -v podman >/dev/null || ! command -v runc >/dev/null || ! command -v debootstrap >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc debootstrap >/dev/null
fi

# crun fails here ("cgroups in hybrid mode not supported"); raising rlimits is refused.
mkdir -p /etc/containers
if ! grep -q 'runtime = "runc"' /etc/containers/containers.conf 2>/dev/null; then
  cat > /etc/containers/containers.conf <<'CONF'
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]

[engine]
runtime = "runc"
CONF
fi

# No registry is reachable from some machines: build the base image from Debian's mirror.
if ! podman image exists "$BASE_IMAGE"; then
  # The mirror apt already uses for Debian's own bookworm/main.
  mirror=$(apt-cache policy 2>/dev/null | awk '$3 == "bookworm/main" {print $2; exit}' || true)
  mirror="${mirror:-http://deb.debian.org/debian}"
  root=$(mktemp -d)
  debootstrap --variant=minbase bookworm "$root" "$mirror" >/dev/null
  tar -C "$root" -c . | podman import - "$BASE_IMAGE" >/dev/null
  rm -rf "$root"
fi
echo "base image: $BASE_IMAGE"
