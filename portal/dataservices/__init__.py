"""Stored documents, certificates, import and export jobs."""
