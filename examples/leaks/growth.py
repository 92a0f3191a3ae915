"""A web service whose memory grows with every request.

Each request builds a RequestContext that subscribes to settings changes
(so that a reload during a long request is seen), and nothing ever
unsubscribes it: SETTINGS.listeners keeps every context, and everything a
context holds, for the life of the process.

Find it:  cpdb -x growth.cpdb growth.py
"""

import sys


class Settings:
    """Application settings that can be reloaded while serving."""

    def __init__(self, **values):
        self.values = dict(values)
        self.listeners = []

    def subscribe(self, callback):
        self.listeners.append(callback)

    def reload(self, **values):
        self.values.update(values)
        for callback in self.listeners:
            callback(self.values)


SETTINGS = Settings(page_size=20, theme="light")


class RequestContext:
    """What one request needs while it is being served."""

    def __init__(self, path, user):
        self.path = path
        self.user = user
        self.headers = {"Content-Type": "text/html"}
        self.page_size = SETTINGS.values["page_size"]
        SETTINGS.subscribe(self.on_settings_changed)    # never undone

    def on_settings_changed(self, values):
        self.page_size = values["page_size"]


def render(ctx):
    rows = ["<li>item %d</li>" % i for i in range(ctx.page_size)]
    return "<ul>%s</ul>" % "".join(rows)


def handle_request(n, path, user):
    ctx = RequestContext(path, user)
    body = render(ctx)
    return 200, len(body)


def serve(requests):
    served = 0
    for n, (path, user) in enumerate(requests):
        status, size = handle_request(n, path, user)
        served += status == 200
    return served


def main():
    requests = [("/orders/%d" % i, "user%d" % (i % 7)) for i in range(50)]
    served = serve(requests)
    print("served %d requests, %d listeners subscribed"
          % (served, len(SETTINGS.listeners)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
