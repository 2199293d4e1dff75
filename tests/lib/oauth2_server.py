#!/usr/bin/env python3
"""An OAuth2 token-introspection endpoint (RFC 7662) for Dovecot's oauth2
passdb in the tests. Standard library only.

  oauth2_server.py --port-file F --token-file T --user U [--log FILE]
                   [--lifetime SECONDS]

The valid token is the first line of --token-file, read at every request,
so a test rotates it by rewriting the file. Dovecot hands the token over in
one of three ways (introspection_mode): post (form field "token"), get (the
token appended to the URL) or auth (an "Authorization: Bearer" header); all
three are understood. The answer is {"active": true, "username": U} for the
valid token and {"active": false} for any other.

Bounded: it listens on 127.0.0.1 only, on a free port it writes to
--port-file, and exits by itself after --lifetime seconds. The log has one
JSON line per request: path, mode, active; never the token.
"""
import argparse
import json
import os
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = None
log_lock = threading.Lock()


def log(entry):
    if not args.log:
        return
    with log_lock, open(args.log, "a") as f:
        f.write(json.dumps(entry) + "\n")


def valid_token():
    with open(args.token_file, "rb") as f:
        return f.read().split(b"\n")[0].decode("utf-8", "replace")


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *a):
        pass  # quiet; the JSON log says what matters

    def presented(self, body):
        auth = self.headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            return "auth", auth[7:].strip()
        if body:
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
            if "token" in form:
                return "post", form["token"][0]
        path = urllib.parse.unquote(self.path)
        if "/" in path:
            # introspection_mode = get: the URL ends with the token.
            return "get", path.rsplit("/", 1)[1].split("?")[-1].split("=")[-1]
        return "none", ""

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, 65536)) if length > 0 else b""
        mode, token = self.presented(body)
        active = token != "" and token == valid_token()
        reply = {"active": True, "username": args.user} if active else {"active": False}
        data = json.dumps(reply).encode()
        log({"path": urllib.parse.urlsplit(self.path).path.split("/")[1] if "/" in self.path else "",
             "method": self.command, "mode": mode, "active": active})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = answer
    do_POST = answer


def main():
    global args
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port-file", required=True)
    p.add_argument("--token-file", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--log")
    p.add_argument("--lifetime", type=float, default=120)
    args = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, args.port_file)
    timer = threading.Timer(args.lifetime, lambda: os._exit(0))
    timer.daemon = True
    timer.start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
