"""``python -m conformance.cli``: the ``conformance`` command."""

from conformance.cli import main

main()
