#!/usr/bin/env bash
# A container runtime (Podman with runc) and the local base image the reference images build on.
set -euo pipefail
bash docker/setup-runtime.sh
