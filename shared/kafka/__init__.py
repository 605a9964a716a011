"""Kafka adapters: topic admin, the acknowledged producer, the dead-lettering consumer."""
