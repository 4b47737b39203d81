#!/usr/bin/env bash
# Calligra Words, the ODF suite's fifth reference tool (a consumer: calligraconverter exports
# text documents to plain text, headless with QT_QPA_PLATFORM=offscreen). Idempotent.
set -euo pipefail
packages=(calligrawords)
source "$(dirname "$0")/../install-missing.bash"
install_missing "${packages[@]}"
