"""The harness's own tests (a package, so ``tests.helpers`` is importable from every test)."""
