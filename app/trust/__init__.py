"""Trust: API keys and roles, ETags, idempotent creation, the audit trail, input limits."""
