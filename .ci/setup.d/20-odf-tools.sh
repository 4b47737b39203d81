#!/usr/bin/env bash
# The ODF suite's reference producers and consumers (LibreOffice headless, pandoc, AbiWord,
# Gnumeric's ssconvert) and pdftotext to read PDF exports. Idempotent.
set -euo pipefail
packages=(libreoffice-writer-nogui libreoffice-calc-nogui pandoc abiword gnumeric poppler-utils)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ((${#missing[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
