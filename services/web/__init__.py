"""The web application: one origin for the public pages, the officers' workbench,
the on-site ballot page and the dashboards, in front of the four services."""
