"""A service that keeps every response buffer: tracemalloc material."""

kept = []


def respond(i):
    body = bytearray(2000)
    kept.append(body)
    return len(kept)


def serve(n):
    for i in range(n):
        respond(i)


def main():
    serve(500)
    first = len(kept)           # line 19: after the first batch
    serve(500)
    second = len(kept)          # line 21: after the second batch
    return first, second


main()
