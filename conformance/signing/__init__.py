"""Signed reports: DSSE envelopes around in-toto statements, Ed25519 keys, the trust list."""
