"""A small Django order service run as a long-lived worker.

It was left with DEBUG = True.  Then Django records every SQL query it
runs in django.db.connection.queries (up to 9000 of them per connection
on this Django), and a worker that never returns to a request cycle
never has them cleared: its memory grows with every request.  The fix
is DEBUG = False in production, or django.db.reset_queries() after each
unit of work.

Run it:   python3 shop.py        (needs Django: apt-get install python3-django)
Find it:  cpdb -x shop.cpdb shop.py
"""

import sys

import django
from django.conf import settings

settings.configure(
    DEBUG=True,                 # the leak: left on outside development
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3",
                           "NAME": ":memory:"}},
    INSTALLED_APPS=[],
    USE_TZ=True,
)
django.setup()

from django.db import connection  # noqa: E402  (needs the settings)


def create_schema():
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, "
                    "customer TEXT, amount REAL)")


def handle_request(n):
    """The view: record an order, then answer with the customer's total."""
    customer = "customer%d" % (n % 50)
    with connection.cursor() as cur:
        cur.execute("INSERT INTO orders (customer, amount) VALUES (%s, %s)",
                    [customer, 9.5 + n % 7])
        cur.execute("SELECT COUNT(*), SUM(amount) FROM orders "
                    "WHERE customer = %s", [customer])
        count, total = cur.fetchone()
    return {"customer": customer, "orders": count, "total": total}


def end_of_batch(batch, served):
    print("batch %d: %d requests served, %d queries kept by Django"
          % (batch, served, len(connection.queries)))


def main():
    create_schema()
    served = 0
    for batch in range(4):
        for n in range(1000):
            handle_request(served)
            served += 1
        end_of_batch(batch, served)
    return 0


if __name__ == "__main__":
    sys.exit(main())
