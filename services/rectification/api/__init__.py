"""The rectification service's HTTP API."""
