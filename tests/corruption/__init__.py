"""Corrupted variants of a real Datumaro export, checked against dlint and Datumaro 1.13.12 itself."""
