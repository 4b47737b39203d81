"""The report model and the files written from it (JSON, JUnit XML, W3C EARL)."""
