#!/usr/bin/env bash
# The ODF suite's reference producers and consumers (LibreOffice headless, pandoc, AbiWord,
# Gnumeric) and pdftotext for reading what they export.
set -euo pipefail
needed=()
for pair in soffice:libreoffice-writer-nogui soffice:libreoffice-calc-nogui pandoc:pandoc \
            abiword:abiword ssconvert:gnumeric pdftotext:poppler-utils; do
  package=${pair#*:}
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || needed+=("$package")
done
if ((${#needed[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
fi
