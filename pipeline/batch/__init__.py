"""Batch runs (coordinator, scheduler, workers, manifest); may import the stages and the core."""
