"""Rebuild read models from the log into a separate database; compare two builds."""
