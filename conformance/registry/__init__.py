"""The label registry: labels with an append-only event history, and signed snapshots of it."""
