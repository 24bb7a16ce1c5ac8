"""Readers: files in the corpus -> `Page`s (notes now, PDFs through `ingest.pdf`)."""
