"""A worker that runs SQL through Django with DEBUG = True."""
import django
from django.conf import settings

settings.configure(
    DEBUG=True,
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3",
                           "NAME": ":memory:"}},
    INSTALLED_APPS=[],
)
django.setup()

from django.db import connection, reset_queries  # noqa: E402


def job(i):
    with connection.cursor() as cur:
        cur.execute("SELECT %s + 1", [i])
        return cur.fetchone()[0]


def main(reset):
    for i in range(300):
        job(i)
    if reset:
        reset_queries()
    return len(connection.queries)     # line 27


main(reset=False)
main(reset=True)
