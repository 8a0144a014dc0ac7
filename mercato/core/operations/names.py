"""Every metric /metrics serves, named in one place.

Counted by the web processes (http_metrics.py; summed over gunicorn's workers when
PROMETHEUS_MULTIPROC_DIR is set):

- ``mercato_http_requests_total{method, route, status}`` counter: requests answered. ``route``
  is the URL pattern that matched (``/api/v1/orders/<number>``), never the raw path;
  ``unmatched`` when none did. ``method`` is ``other`` for a method outside the usual seven.
- ``mercato_http_request_duration_seconds{method, route}`` histogram: time to the response.

Read from the database at each scrape (figures.py, mercato/figures.py), so they are the same
whichever process answers:

- ``mercato_orders_placed_total`` counter: orders placed, ever.
- ``mercato_payment_transactions_total{kind, outcome}`` counter: payment ledger rows by kind
  (authorize, capture, void, refund) and outcome (succeeded, failed).
- ``mercato_outbox_pending_deliveries`` gauge: deliveries waiting for (another) attempt.
- ``mercato_outbox_lag_seconds`` gauge: age of the oldest pending delivery's event; 0 when none.
- ``mercato_outbox_dead_letters`` gauge: deliveries given up after the last attempt.
- ``mercato_outbox_deliveries{handler, status}`` gauge: deliveries by handler and status.
- ``mercato_figures_up`` gauge: 1 when every figure above was read, 0 when a read failed.

The ``_total`` suffix of a counter is added by prometheus-client; the constants below are the
names given to it.
"""

HTTP_REQUESTS = "mercato_http_requests"
HTTP_REQUEST_DURATION = "mercato_http_request_duration_seconds"

ORDERS_PLACED = "mercato_orders_placed"
PAYMENT_TRANSACTIONS = "mercato_payment_transactions"
OUTBOX_PENDING = "mercato_outbox_pending_deliveries"
OUTBOX_LAG = "mercato_outbox_lag_seconds"
OUTBOX_DEAD_LETTERS = "mercato_outbox_dead_letters"
OUTBOX_DELIVERIES = "mercato_outbox_deliveries"
FIGURES_UP = "mercato_figures_up"
