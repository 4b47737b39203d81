#!/usr/bin/env bash
# LemonLDAP::NG's portal from Debian (the second OpenID Connect reference candidate), run as a
# PSGI application by plackup (libplack-perl) with the project's own configuration
# (fixtures/lemonldap-ng/) on a port the harness picks: no web server, no FastCGI daemon.
# Idempotent.
set -euo pipefail
# Of the portal's Recommends only what it cannot start without: Crypt::OpenSSL::Bignum (its
# RSA keys published as a JWK Set) and GD::SecurityImage with Image::Magick (the portal always
# loads its captcha module, even with every captcha disabled), IO::String (the issuer
# modules), String::Random (client credentials of dynamic registration), and the two XS
# parsers that make plackup's HTTP and cookie handling fast. openssl makes the signing key;
# Convert::PEM is what the package's own key rotation script (bin/rotateOidcKeys) needs.
packages=(liblemonldap-ng-portal-perl libcrypt-openssl-bignum-perl libgd-securityimage-perl
          libimage-magick-perl libio-string-perl libstring-random-perl libhttp-parser-xs-perl
          libcookie-baker-xs-perl libconvert-pem-perl openssl)
# Without Recommends, which would pull nginx, which the harness does not use.
source "$(dirname "$0")/../install-missing.bash"
install_missing "${packages[@]}"
# The portal package depends on lemonldap-ng-fastcgi-server, whose service systemd would
# start with Debian's demonstration configuration; the harness never uses it.
if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled --quiet lemonldap-ng-fastcgi-server 2>/dev/null; then
  systemctl disable --now lemonldap-ng-fastcgi-server >/dev/null 2>&1 || true
fi
