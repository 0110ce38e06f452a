"""Benchmarks (make bench → python -m bench): scale data, query grids, HTTP load, spreadsheets and PDFs."""
