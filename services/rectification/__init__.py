"""The rectification service."""
