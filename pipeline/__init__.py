"""protokoll: OCR cleanup and archival ingestion for Swedish municipal minutes."""

__version__ = "0.1.0"
