"""Intake's pure domain: commands and deciders for tips, problems and self-inspection."""
