#!/usr/bin/env bash
# Node.js and panva's oidc-provider (the OpenID Connect reference candidate), installed from
# npm exactly as fixtures/oidc-provider/package-lock.json pins it.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$major" -lt 18 ]; then
  echo "oidc-provider 8.x needs Node.js 18 or later; found $(node --version)" >&2
  exit 1
fi
cd "$here/fixtures/oidc-provider"
lock_digest="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ -f node_modules/.eos-lock-digest ] && [ "$(cat node_modules/.eos-lock-digest)" = "$lock_digest" ]; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
echo "$lock_digest" > node_modules/.eos-lock-digest
