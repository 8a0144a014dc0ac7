"""The one table of scheduled jobs: what runs every so often, on whichever transport delivers.

The embedded worker (`manage.py run_worker`, started by `make run`) runs each job when it
starts and then every `every`; with CELERY_BROKER_URL, Celery beat runs them on the Celery
workers instead (mercato/celery.py). Each job is one service call that may run more than once
or late without harm: it acts on what is overdue at the time it runs.

Tests give their own list in `settings.MERCATO_SCHEDULE`.
"""

from datetime import timedelta

from django.conf import settings

from mercato.core.scheduling import Job

SCHEDULE: list[Job] = [
    # Active carts untouched for MERCATO_CART_TTL become Expired.
    Job("expire-carts", "mercato.cart.services.expire_carts", every=timedelta(hours=1)),
    # Checkouts left half-way (a 3-D Secure never confirmed) give back their authorizations.
    Job("abandon-checkouts", "mercato.checkout.services.abandon_stale_attempts",
        every=timedelta(minutes=10),
        kwargs={"older_than": settings.MERCATO_CHECKOUT_ABANDON_AFTER}),
]
