#!/usr/bin/python3
"""A hostile mirror for the fleet tests: serves a directory like a static web
server, except for paths matching --match, which it answers as told:
  trickle   the real file, with its Content-Length, 3 bytes per second
  headers   a 200 status line followed by header lines, forever
Prints "port N" on stdout once it listens on 127.0.0.1 (port chosen by the
kernel). Runs until killed; each connection is its own thread."""
import argparse
import http.server
import os
import re
import socketserver
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--match", required=True, help="regex on the request path")
    ap.add_argument("--mode", choices=["trickle", "headers"], required=True)
    args = ap.parse_args()
    pattern = re.compile(args.match)

    class Handler(http.server.SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def __init__(self, *a, **kw):
            super().__init__(*a, directory=args.root, **kw)

        def log_message(self, fmt, *a):
            sys.stderr.write("hostile: " + (fmt % a) + "\n")

        def do_GET(self):
            if not pattern.search(self.path):
                return super().do_GET()
            try:
                if args.mode == "trickle":
                    self.trickle()
                else:
                    self.endless_headers()
            except (BrokenPipeError, ConnectionResetError):
                pass

        def trickle(self):
            path = self.translate_path(self.path)
            data = open(path, "rb").read() if os.path.isfile(path) else b"x" * 4096
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            for i in range(len(data)):
                self.wfile.write(data[i:i + 1])
                self.wfile.flush()
                time.sleep(1 / 3)

        def endless_headers(self):
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            n = 0
            while True:
                self.wfile.write(b"X-Padding-%d: %s\r\n" % (n, b"a" * 200))
                n += 1
                if n % 100 == 0:
                    self.wfile.flush()
                    time.sleep(0.01)

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True

    srv = Server(("127.0.0.1", 0), Handler)
    print("port %d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
