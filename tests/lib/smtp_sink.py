#!/usr/bin/env python3
"""A small SMTP server on 127.0.0.1 that records what it receives.

    smtp_sink.py --dir DIR [--port-file F] [--tls starttls|implicit --cert C --key K]
                 [--user U --password P] [--fail-first N] [--reject] [--drop-after-data]

Every accepted message is written to DIR/NNNN.eml exactly as received
(after dot-unstuffing), and one line per DATA attempt is appended to
DIR/log.tsv: time (seconds, float), mail-from, rcpts (comma separated),
outcome (250, 451, 550 or drop), file, and the time the connection was
accepted. Modes:
  --fail-first N      answer 451 to the first N messages, then accept
  --reject            answer 550 to every message
  --drop-after-data   close the connection after the message, without a reply
  --delay S           wait S seconds after the message before replying
With --user/--password, AUTH PLAIN and LOGIN are offered (only after TLS when
TLS is configured) and MAIL is refused until a client has logged in.
"""
import argparse
import base64
import os
import socket
import socketserver
import ssl
import sys
import threading
import time

lock = threading.Lock()
state = {"data": 0, "saved": 0}


class Handler(socketserver.StreamRequestHandler):
    timeout = 30

    def send(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def readline(self):
        line = self.rfile.readline(65537)
        if not line:
            raise ConnectionError("closed")
        return line.rstrip(b"\r\n")

    def upgrade(self, ctx):
        self.wfile.flush()
        conn = ctx.wrap_socket(self.request, server_side=True)
        self.request = conn
        self.connection = conn
        self.rfile = conn.makefile("rb")
        self.wfile = conn.makefile("wb")

    def handle(self):
        self.connected_at = time.time()
        opts = self.server.opts
        self.tls = False
        if opts.tls == "implicit":
            try:
                self.upgrade(self.server.ctx)
            except (ssl.SSLError, OSError):
                return
            self.tls = True
        self.authed = not opts.user
        self.reset()
        self.send("220 sink.test ESMTP consultd test sink")
        try:
            while True:
                if not self.command(self.readline()):
                    return
        except (ConnectionError, ssl.SSLError, OSError, socket.timeout):
            return

    def reset(self):
        self.mail_from = None
        self.rcpts = []

    def command(self, line):
        opts = self.server.opts
        text = line.decode("utf-8", "replace")
        verb = text.split(" ", 1)[0].upper()
        arg = text[len(verb):].strip()
        if verb in ("EHLO", "HELO"):
            self.reset()
            caps = ["250-sink.test", "250-8BITMIME", "250-SIZE 10485760"]
            if opts.tls == "starttls" and not self.tls:
                caps.append("250-STARTTLS")
            if opts.user and (self.tls or not opts.tls):
                caps.append("250-AUTH PLAIN LOGIN")
            caps.append("250 HELP")
            for c in caps:
                self.send(c)
        elif verb == "STARTTLS" and opts.tls == "starttls" and not self.tls:
            self.send("220 go ahead")
            self.upgrade(self.server.ctx)
            self.tls = True
            self.reset()
        elif verb == "AUTH" and opts.user:
            parts = arg.split()
            mech = parts[0].upper() if parts else ""
            if mech == "PLAIN":
                blob = parts[1] if len(parts) > 1 else None
                if blob is None:
                    self.send("334 ")
                    blob = self.readline().decode()
                try:
                    _, user, pw = base64.b64decode(blob).decode().split("\0")
                except Exception:
                    self.send("501 bad PLAIN")
                    return True
            elif mech == "LOGIN":
                if len(parts) > 1:
                    user = base64.b64decode(parts[1]).decode()
                else:
                    self.send("334 VXNlcm5hbWU6")
                    user = base64.b64decode(self.readline()).decode()
                self.send("334 UGFzc3dvcmQ6")
                pw = base64.b64decode(self.readline()).decode()
            else:
                self.send("504 mechanism not supported")
                return True
            if user == opts.user and pw == opts.password:
                self.authed = True
                self.send("235 authenticated")
            else:
                self.send("535 authentication failed")
        elif verb == "MAIL":
            if not self.authed:
                self.send("530 authentication required")
            elif opts.tls == "starttls" and not self.tls:
                self.send("530 STARTTLS first")
            else:
                # the path only, without parameters such as SIZE=
                path = arg.split(":", 1)[1].strip() if ":" in arg else arg
                self.mail_from = path.split(" ", 1)[0]
                self.rcpts = []
                self.send("250 OK")
        elif verb == "RCPT":
            if self.mail_from is None:
                self.send("503 MAIL first")
            else:
                path = arg.split(":", 1)[1].strip() if ":" in arg else arg
                self.rcpts.append(path.split(" ", 1)[0])
                self.send("250 OK")
        elif verb == "DATA":
            if not self.rcpts:
                self.send("503 RCPT first")
                return True
            self.send("354 end with <CRLF>.<CRLF>")
            lines = []
            while True:
                raw = self.rfile.readline(1 << 20)
                if not raw:
                    raise ConnectionError("closed in DATA")
                if raw in (b".\r\n", b".\n"):
                    break
                if raw.startswith(b".."):
                    raw = raw[1:]
                lines.append(raw)
            return self.finish_data(b"".join(lines))
        elif verb == "RSET":
            self.reset()
            self.send("250 OK")
        elif verb == "NOOP":
            self.send("250 OK")
        elif verb == "QUIT":
            self.send("221 bye")
            return False
        else:
            self.send("502 not implemented")
        return True

    def finish_data(self, body):
        opts = self.server.opts
        with lock:
            state["data"] += 1
            n = state["data"]
            if opts.drop_after_data:
                outcome = "drop"
            elif opts.reject:
                outcome = "550"
            elif n <= opts.fail_first:
                outcome = "451"
            else:
                outcome = "250"
            name = ""
            if outcome in ("250", "drop"):
                # A dropped one is kept too: the server had it whole.
                state["saved"] += 1
                name = "%04d.eml" % state["saved"]
                with open(os.path.join(opts.dir, name), "wb") as f:
                    f.write(body)
            with open(os.path.join(opts.dir, "log.tsv"), "a") as f:
                f.write("%.3f\t%s\t%s\t%s\t%s\t%.3f\n" % (
                    time.time(), self.mail_from, ",".join(self.rcpts), outcome, name,
                    self.connected_at))
        self.reset()
        if opts.delay:
            time.sleep(opts.delay)
        if outcome == "drop":
            return False
        if outcome == "451":
            self.send("451 4.3.0 try again later")
        elif outcome == "550":
            self.send("550 5.1.1 no such user")
        else:
            self.send("250 2.0.0 queued as %d" % n)
        return True


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port-file")
    ap.add_argument("--tls", choices=["starttls", "implicit"])
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--fail-first", type=int, default=0)
    ap.add_argument("--reject", action="store_true")
    ap.add_argument("--drop-after-data", action="store_true")
    ap.add_argument("--delay", type=float, default=0)
    opts = ap.parse_args()
    os.makedirs(opts.dir, exist_ok=True)
    srv = Server(("127.0.0.1", 0), Handler)
    srv.opts = opts
    if opts.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(opts.cert, opts.key)
        srv.ctx = ctx
    port = srv.server_address[1]
    if opts.port_file:
        tmp = opts.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, opts.port_file)
    else:
        print(port, flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
