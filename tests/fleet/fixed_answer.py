#!/usr/bin/python3
"""A forged check-in service for the fleet tests (a network attacker on plain
HTTP): answers every POST with the status code and body read, at each
request, from the files CODE_FILE and BODY_FILE (so a test changes the answer
between requests without restarting it). Prints "port N" on stdout once it
listens on 127.0.0.1 (port chosen by the kernel). Runs until killed."""
import http.server
import sys


def main():
    code_file, body_file = sys.argv[1], sys.argv[2]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with open(code_file) as f:
                code = int(f.read().strip())
            with open(body_file, "rb") as f:
                body = f.read()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    print("port", srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
