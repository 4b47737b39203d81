#!/usr/bin/env bash
# Python-UNO for LibreOffice: fixtures/libreoffice/export_with_password.py opens the ODF
# suite's password-encrypted document through UNO (soffice --convert-to takes no password).
# Idempotent.
set -euo pipefail
packages=(python3-uno)
source "$(dirname "$0")/../install-missing.bash"
install_missing "${packages[@]}"
