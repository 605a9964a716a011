-- The key store (personal-data keys) lives apart from the read models, so that
-- read-model backups never carry the keys that unlock personal data.
CREATE DATABASE keystore;
