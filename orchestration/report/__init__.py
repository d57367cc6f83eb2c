"""The HTML report drawn from the published snapshot after each successful run."""
