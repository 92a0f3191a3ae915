"""A ThreadingHTTPServer whose handler runs in a request thread; the
main thread makes requests over loopback with urllib."""
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("hello " + self.path).encode()
        self.send_response(200)         # the breakpoint line
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    t = threading.Thread(target=server.serve_forever, name="server")
    t.start()
    for path in ("/a", "/b"):
        with urllib.request.urlopen("http://127.0.0.1:%d%s"
                                    % (port, path), timeout=30) as r:
            print("got", r.read().decode())
    server.shutdown()
    t.join()
    server.server_close()


main()
