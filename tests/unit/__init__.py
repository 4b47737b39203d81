"""Fast unit tests of the harness core: no reference candidate is started here."""
