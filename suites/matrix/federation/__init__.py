"""The harness as a remote Matrix homeserver (Server-Server API v1.15).

``identity``: its server name and a fresh Ed25519 key per run; ``tls``: a per-run
self-signed certificate; ``events``: hashing, redaction and signing of PDUs for room
versions 10 and 11; ``server``: the HTTPS listener on loopback; ``client``: signed requests
to the candidate. Nothing here is copied from another implementation.
"""
