"""The event kernel every service imports: envelope and codec, event registry,
topics, Kafka helpers, settings, clock, auth, privacy and region data."""
