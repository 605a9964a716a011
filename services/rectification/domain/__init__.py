"""The rectification domain: pure commands and deciders (no I/O, no clock)."""
