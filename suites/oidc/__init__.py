"""The OpenID Connect OP suite: Core 1.0, Discovery 1.0, Dynamic Client Registration 1.0,
RFC 6749, RFC 6750, RFC 7636, RFC 7517 and RFC 7519."""
