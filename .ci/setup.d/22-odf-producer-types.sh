#!/usr/bin/env bash
# LibreOffice's presentation and drawing components (the ODF producer profile's .odp/.odg
# round trips), its Python UNO bridge (password-encrypted saves for the encryption corpus)
# and NSS's certutil. Idempotent.
set -euo pipefail
packages=(libreoffice-impress-nogui libreoffice-draw-nogui python3-uno libnss3-tools)
source "$(dirname "$0")/../install-missing.bash"
install_missing "${packages[@]}"
