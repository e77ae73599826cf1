-- Claims go endpoint by endpoint (a busy or dead endpoint's backlog is never scanned for the others).
CREATE INDEX deliveries_endpoint_due ON deliveries (endpoint_id, next_attempt_at, seq) WHERE status = 'pending';
