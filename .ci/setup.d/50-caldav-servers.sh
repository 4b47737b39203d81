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
  # The packages' own services must not start; a policy-rc.d of our own (only when the
  # machine has none) keeps invoke-rc.d from starting them, and goes again afterwards.
  own_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  if [ -n "$own_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
fi
