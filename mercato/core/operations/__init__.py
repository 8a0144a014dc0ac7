"""What a production deployment watches: health probes, Prometheus metrics, request ids in logs.

health.py answers /healthz and /readyz before any other middleware; http_metrics.py counts
requests; figures.py reads business and outbox figures from the database at scrape time;
scrape.py serves /metrics; request_ids.py and log_context.py put an id on every log line.
"""
