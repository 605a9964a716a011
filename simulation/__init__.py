"""A whole campaign played through the services' public HTTP APIs, on a simulated clock."""
