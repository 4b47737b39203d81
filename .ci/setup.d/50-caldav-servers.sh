#!/usr/bin/env bash
# Cyrus IMAP's CalDAV (httpd module) and DAViCal (PHP on PostgreSQL), the CalDAV reference
# candidates beside Radicale and Xandikos. Their packaged services are not used: the harness
# starts each server itself from fixtures/candidates/{cyrus,davical}.toml with a fresh store.
set -euo pipefail
need=()
dpkg -s cyrus-caldav >/dev/null 2>&1 || need+=(cyrus-imapd cyrus-caldav cyrus-admin sasl2-bin)
dpkg -s davical >/dev/null 2>&1 || need+=(davical php-cli php-pgsql php-xml php-curl postgresql)
if [ "${#need[@]}" -gt 0 ]; then
  apt-get update -qq
  # No service is started by the packages here (no init); policy-rc.d keeps it that way.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
fi
