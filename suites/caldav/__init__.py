"""The CalDAV suite: RFC 4791 with RFC 4918, RFC 6578, RFC 5397 and RFC 6764."""
