"""A database client that leaks a reference cycle on every query.

Each Connection keeps its Session so that it can close it, and each
Session keeps its Connection to send queries on: a reference cycle.  Both
define __del__, so the cycle is freed only when the garbage collector
runs, never when fetch() returns, and the sockets stay open until then.

Find it:  cpdb -x del_cycle.cpdb del_cycle.py
"""

import sys


class Connection:
    """A connection to a database server (pretend)."""

    def __init__(self, host):
        self.host = host
        self.session = None
        self.is_open = True

    def send(self, sql):
        return "%d rows from %s" % (len(sql) % 7, self.host)

    def close(self):
        if self.is_open:
            self.is_open = False
            print("closing connection to", self.host)

    def __del__(self):
        self.close()


class Session:
    """A unit of work on one connection."""

    def __init__(self, connection):
        self.connection = connection
        connection.session = self      # the back link makes the cycle
        self.statements = []

    def execute(self, sql):
        self.statements.append(sql)
        return self.connection.send(sql)

    def __del__(self):
        # A session going away closes its connection.
        self.connection.close()


def fetch(host, sql):
    # The caller never closes the connection: it expects reference
    # counting to do it when this function returns.
    session = Session(Connection(host))
    return session.execute(sql)


def report(results):
    print("%d queries answered" % len(results))


def main():
    results = []
    for n in range(3):
        results.append(fetch("db%d.example.com" % n,
                             "SELECT * FROM orders WHERE id = %d" % n))
    report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
