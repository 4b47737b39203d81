#!/usr/bin/env bash
# Headless Chromium (Debian's) for the browser tests of the HTML reports, and axe-core
# (npm) for their accessibility audit, installed into the git-ignored .tools/ directory.
# Playwright drives this Chromium; it never downloads a browser of its own.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi
AXE_VERSION=4.10.3
if [ ! -f .tools/axe/node_modules/axe-core/axe.min.js ] \
   || ! grep -q "\"version\": \"$AXE_VERSION\"" .tools/axe/node_modules/axe-core/package.json; then
  if ! command -v npm >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  fi
  mkdir -p .tools/axe
  npm install --silent --no-audit --no-fund --prefix .tools/axe "axe-core@$AXE_VERSION" >/dev/null
fi
