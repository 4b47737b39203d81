"""One package per standard: a requirements catalogue, checks, provisioning and faults."""
