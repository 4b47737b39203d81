#!/usr/bin/env bash
# The ODF suite's reference producers and consumers (LibreOffice headless, pandoc, AbiWord,
# Gnumeric's ssconvert) and pdftotext to read PDF exports. Idempotent.
set -euo pipefail
packages=(libreoffice-writer-nogui libreoffice-calc-nogui pandoc abiword gnumeric poppler-utils)
source "$(dirname "$0")/../install-missing.bash"
install_missing "${packages[@]}"
