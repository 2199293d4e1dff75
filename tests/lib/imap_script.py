#!/usr/bin/env python3
"""A small scripted IMAP server for the fault and protocol tests.

It plays what a real Dovecot cannot: responses injected around STARTTLS,
an exact XOAUTH2 exchange, and a server that stops answering (or hangs up)
at a chosen point of a chosen connection. Standard library only.

It serves the messages of a directory (*.eml, sorted; UIDs 1..n) from
memory; \\Seen flags live as long as the process, across connections.

Bounded: it listens on 127.0.0.1 only, on a free port it writes to
--port-file, and exits by itself after --lifetime seconds.

Faults (CONN is the 1-based number of the connection, or a range A-B):
  --stall CONN:POINT   stop answering at POINT (keep reading, answer nothing)
  --cut CONN:POINT     close the connection at POINT
POINT is one of greeting, login, select, search, fetch-size, fetch-body
(before any answer to the command) or fetch-mid (in the middle of the
first message literal of the body FETCH).

Hostile answers (--hostile CONN:KIND), for what libetpan 1.9.4 mishandles:
  permanentflags  the SELECT reply has "[PERMANENTFLAGS (%)]": the first
                  flag cannot be parsed, and libetpan's cleanup of the
                  empty list dereferences NULL (a segfault)
  huge-literal    the body FETCH is answered with a literal announced as
                  {4294967295}, followed by --flood-bytes of filler
                  (libetpan allocates the announced size up front)
  lying-size      RFC822.SIZE says the real size, the body FETCH sends the
                  message padded to --flood-bytes

Answers that are legal but unusual (--odd-fetch): unsolicited FETCH
responses (flag changes, with and without UID) before each body, and each
body's UID sent after its literal.

Mail that arrives between commands (--late-messages DIR): DIR's messages
join the mailbox at one moment and are announced with "* N EXISTS" then
only, never again. --late-at idle (the default): at the first IDLE, before
the "+ idling" continuation, in a segment of its own (a server may report
changes since the last command before it confirms IDLE). --late-at store:
in the answer to the first UID STORE, before its tagged OK (as mail
delivered while a client flags or moves is announced).

The log (--log) has one line per event: "conn N open t=SECONDS" (since the
start), "conn N C: <line>" (secrets elided), "conn N auth ok|bad ...",
"conn N stall|cut POINT t=SECONDS", "conn N closed", and "seen UID,UID,..."
after every flag change.
"""
import argparse
import base64
import json
import os
import re
import socket
import ssl
import sys
import threading
import time

CRLF = b"\r\n"


class Stall(Exception):
    """Raised to stop answering on this connection."""


class Cut(Exception):
    """Raised to close this connection at once."""


class Server:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.started = time.monotonic()
        self.nconn = 0
        self.messages = []
        if args.messages:
            for name in sorted(os.listdir(args.messages)):
                if name.endswith(".eml"):
                    with open(os.path.join(args.messages, name), "rb") as f:
                        data = f.read()
                    # IMAP messages have CRLF line ends.
                    data = re.sub(rb"\r?\n", CRLF, data)
                    self.messages.append(data)
        self.late = []
        if args.late_messages:
            for name in sorted(os.listdir(args.late_messages)):
                if name.endswith(".eml"):
                    with open(os.path.join(args.late_messages, name), "rb") as f:
                        self.late.append(re.sub(rb"\r?\n", CRLF, f.read()))
        self.seen = set()
        self.faults = {}
        for kind, specs in (("stall", args.stall), ("cut", args.cut),
                            ("hostile", args.hostile)):
            for spec in specs:
                conns, point = spec.split(":", 1)
                first, _, last = conns.partition("-")
                for conn in range(int(first), int(last or first) + 1):
                    if kind == "hostile":
                        self.faults[(conn, "hostile")] = point
                    else:
                        self.faults[(conn, point)] = kind
        self.logf = open(args.log, "a", buffering=1) if args.log else sys.stderr
        self.tls_ctx = None
        if args.cert:
            self.tls_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.tls_ctx.load_cert_chain(args.cert, args.key)

    def elapsed(self):
        return time.monotonic() - self.started

    def log(self, text):
        with self.lock:
            self.logf.write(text + "\n")
            self.logf.flush()

    def hostile(self, conn, kind):
        """Whether this connection is to give the hostile answer KIND."""
        if self.faults.get((conn, "hostile")) != kind:
            return False
        self.log("conn %d hostile %s t=%.2f" % (conn, kind, self.elapsed()))
        return True

    def fault(self, conn, point):
        kind = self.faults.get((conn, point))
        if kind is None:
            return
        self.log("conn %d %s %s t=%.2f" % (conn, kind, point, self.elapsed()))
        raise Stall() if kind == "stall" else Cut()

    def serve(self):
        lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lsock.bind(("127.0.0.1", 0))
        lsock.listen(16)
        port = lsock.getsockname()[1]
        tmp = self.args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, self.args.port_file)
        deadline = time.monotonic() + self.args.lifetime
        lsock.settimeout(0.2)
        while time.monotonic() < deadline:
            try:
                sock, _ = lsock.accept()
            except socket.timeout:
                continue
            with self.lock:
                self.nconn += 1
                n = self.nconn
            t = threading.Thread(target=Session(self, sock, n, deadline).run, daemon=True)
            t.start()
        self.log("lifetime over")
        os._exit(0)


class Session:
    def __init__(self, server, sock, n, deadline):
        self.srv = server
        self.sock = sock
        self.n = n
        self.deadline = deadline
        self.buf = b""
        self.tls = False
        self.authed = False
        self.selected = False

    # ---- I/O -----------------------------------------------------------
    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def line(self, text):
        self.send(text.encode() + CRLF)

    def recv_more(self):
        self.sock.settimeout(max(0.1, self.deadline - time.monotonic()))
        data = self.sock.recv(65536)
        if not data:
            raise EOFError()
        self.buf += data

    def read_line(self):
        while CRLF not in self.buf:
            self.recv_more()
        line, self.buf = self.buf.split(CRLF, 1)
        return line

    def read_command(self):
        """A command line with any client literals folded in."""
        line = self.read_line()
        while True:
            m = re.search(rb"\{(\d+)(\+?)\}$", line)
            if not m:
                return line
            size = int(m.group(1))
            if not m.group(2):
                self.line("+ go ahead")
            while len(self.buf) < size:
                self.recv_more()
            lit, self.buf = self.buf[:size], self.buf[size:]
            line = line[: m.start()] + b'"' + lit + b'"' + self.read_line()

    def stall(self):
        """Answer nothing more; read and drop until the client hangs up."""
        try:
            while True:
                self.buf = b""
                self.recv_more()
        except (EOFError, OSError):
            pass

    # ---- the session ---------------------------------------------------
    def run(self):
        srv = self.srv
        srv.log("conn %d open t=%.2f" % (self.n, srv.elapsed()))
        try:
            srv.fault(self.n, "greeting")
            if self.srv.args.greeting_caps:
                # Capabilities before TLS, which a client must forget once
                # TLS is up (RFC 3501 6.2.1).
                self.line("* OK [CAPABILITY %s] scripted IMAP server ready" %
                          self.srv.args.greeting_caps)
            else:
                self.line("* OK scripted IMAP server ready")
            while True:
                line = self.read_command()
                if not self.dispatch(line):
                    break
        except Stall:
            self.stall()
        except Cut:
            pass
        except (EOFError, OSError, ssl.SSLError) as e:
            srv.log("conn %d ended: %s" % (self.n, type(e).__name__))
        finally:
            try:
                self.sock.close()
            except OSError:
                pass
            srv.log("conn %d closed" % self.n)

    def capabilities(self):
        caps = ["IMAP4rev1", "UIDPLUS"]
        if self.srv.tls_ctx is not None and not self.tls:
            caps.append("STARTTLS")
        if self.srv.args.xoauth2_token_file:
            caps.append("AUTH=XOAUTH2")
            caps.append("SASL-IR")
        if self.srv.args.idle:
            caps.append("IDLE")
        return " ".join(caps)

    def dispatch(self, line):
        srv, a = self.srv, self.srv.args
        text = line.decode("utf-8", "replace")
        parts = text.split(" ", 2)
        tag = parts[0]
        cmd = parts[1].upper() if len(parts) > 1 else ""
        rest = parts[2] if len(parts) > 2 else ""
        if cmd in ("LOGIN", "AUTHENTICATE"):
            srv.log("conn %d C: %s %s <elided>" % (self.n, tag, cmd))
        else:
            srv.log("conn %d C: %s" % (self.n, text))
        if cmd == "CAPABILITY":
            self.line("* CAPABILITY " + self.capabilities())
            self.line(tag + " OK CAPABILITY completed")
        elif cmd == "NOOP":
            self.line(tag + " OK NOOP completed")
        elif cmd == "LOGOUT":
            self.line("* BYE logging out")
            self.line(tag + " OK LOGOUT completed")
            return False
        elif cmd == "STARTTLS":
            return self.starttls(tag)
        elif cmd == "LOGIN":
            srv.fault(self.n, "login")
            m = re.match(r'("(?:[^"\\]|\\.)*"|\S+) ("(?:[^"\\]|\\.)*"|\S+)$', rest)
            user = m and m.group(1).strip('"')
            pw = m and m.group(2).strip('"')
            if a.password is not None and user == a.user and pw == a.password:
                self.authed = True
                srv.log("conn %d auth ok login" % self.n)
                self.line(tag + " OK LOGIN completed")
            else:
                srv.log("conn %d auth bad login" % self.n)
                self.line(tag + " NO [AUTHENTICATIONFAILED] Authentication failed")
        elif cmd == "AUTHENTICATE":
            srv.fault(self.n, "login")
            self.authenticate(tag, rest)
        elif cmd in ("SELECT", "EXAMINE"):
            if not self.authed:
                self.line(tag + " BAD not authenticated")
                return True
            srv.fault(self.n, "select")
            self.selected = True
            n = len(srv.messages)
            self.line("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)")
            if srv.hostile(self.n, "permanentflags"):
                self.line("* OK [PERMANENTFLAGS (%)] Limited")
            else:
                self.line("* OK [PERMANENTFLAGS (\\Seen \\Deleted)] Limited")
            self.line("* %d EXISTS" % n)
            self.line("* 0 RECENT")
            self.line("* OK [UIDVALIDITY %d] UIDs valid" % a.uidvalidity)
            self.line("* OK [UIDNEXT %d] Predicted next UID" % (n + 1))
            self.line(tag + " OK [READ-WRITE] SELECT completed")
        elif cmd == "UID" and self.selected:
            sub, _, args = rest.partition(" ")
            sub = sub.upper()
            if sub == "SEARCH":
                srv.fault(self.n, "search")
                self.search(tag, args)
            elif sub == "FETCH":
                self.fetch(tag, args)
            elif sub == "STORE":
                self.store(tag, args)
            else:
                self.line(tag + " BAD unsupported UID command")
        elif cmd == "IDLE" and a.idle and (self.tls or self.srv.tls_ctx is None):
            if a.late_at == "idle" and self.announce_late():
                time.sleep(0.3)  # a segment of its own
            self.line("+ idling")
            while True:
                if self.read_line().upper() == b"DONE":
                    break
            self.line(tag + " OK IDLE terminated")
        elif cmd == "CREATE":
            self.line(tag + " NO [ALREADYEXISTS] Mailbox exists")
        else:
            self.line(tag + " BAD unknown or unexpected command")
        return True

    def starttls(self, tag):
        srv, a = self.srv, self.srv.args
        if srv.tls_ctx is None or self.tls:
            self.line(tag + " BAD STARTTLS not available")
            return True
        if self.buf:
            srv.log("conn %d client sent data after STARTTLS before the answer" % self.n)
            return False
        answer = (tag + " OK Begin TLS negotiation now").encode() + CRLF
        inject = b""
        if a.inject and tag.isdigit():
            t = int(tag)
            if a.inject == "no":
                # Answers for the commands that would follow: a vulnerable
                # client would take "login refused" from these.
                inject = ("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n"
                          "%d NO [AUTHENTICATIONFAILED] injected before TLS\r\n"
                          "%d NO injected before TLS\r\n" % (t + 1, t + 2)).encode()
            elif a.inject == "exists":
                # A forged login and mailbox: a vulnerable client would report
                # 999 messages with UIDVALIDITY 666.
                inject = ("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n"
                          "%d OK injected LOGIN completed\r\n"
                          "* 999 EXISTS\r\n* OK [UIDVALIDITY 666] injected\r\n"
                          "* OK [UIDNEXT 1000] injected\r\n"
                          "%d OK [READ-WRITE] injected SELECT completed\r\n" % (t + 1, t + 2)).encode()
        if a.inject_late:
            # The injected text in a segment of its own, after the answer.
            self.send(answer)
            time.sleep(0.2)
            self.send(inject)
        else:
            # One send: the injected text arrives in the same TCP segment.
            self.send(answer + inject)
        if inject:
            srv.log("conn %d injected %d bytes after the STARTTLS answer" % (self.n, len(inject)))
        self.sock.settimeout(5)
        # What comes next must be a TLS handshake record (0x16). Anything
        # else is logged (a password in it is replaced by <password>).
        try:
            first = self.sock.recv(256, socket.MSG_PEEK)
        except OSError:
            first = b""
        if first[:1] != b"\x16":
            shown = first
            if a.password:
                shown = shown.replace(a.password.encode(), b"<password>")
            srv.log("conn %d not a TLS handshake after STARTTLS: %r" % (self.n, shown))
            if a.password and a.password.encode() in first:
                srv.log("conn %d PASSWORD SENT IN CLEAR" % self.n)
        try:
            self.sock = srv.tls_ctx.wrap_socket(self.sock, server_side=True)
        except (ssl.SSLError, OSError) as e:
            srv.log("conn %d tls handshake failed: %s" % (self.n, e))
            return False
        self.tls = True
        srv.log("conn %d tls established" % self.n)
        return True

    def authenticate(self, tag, rest):
        srv, a = self.srv, self.srv.args
        words = rest.split(" ")
        if words[0].upper() != "XOAUTH2" or not a.xoauth2_token_file:
            self.line(tag + " NO unsupported mechanism")
            return
        if len(words) > 1 and words[1] not in ("", "="):
            initial = words[1]
            srv.log("conn %d sasl initial response inline" % self.n)
        else:
            self.line("+ ")
            initial = self.read_line().decode()
            srv.log("conn %d sasl initial response after continuation" % self.n)
        with open(a.xoauth2_token_file, "rb") as f:
            token = f.read().split(b"\n")[0]
        expected = b"user=" + a.user.encode() + b"\x01auth=Bearer " + token + b"\x01\x01"
        try:
            got = base64.b64decode(initial, validate=True)
        except ValueError:
            got = None
        if got == expected:
            self.authed = True
            srv.log("conn %d auth ok xoauth2 exact" % self.n)
            self.line(tag + " OK [CAPABILITY %s] AUTHENTICATE completed" % self.capabilities())
            return
        # Say what was wrong without writing the token itself.
        if got is None:
            why = "not base64"
        elif not got.startswith(b"user=" + a.user.encode() + b"\x01auth=Bearer "):
            why = "wrong framing or user"
        elif not got.endswith(b"\x01\x01"):
            why = "wrong terminator"
        else:
            why = "wrong token"
        srv.log("conn %d auth bad xoauth2 %s" % (self.n, why))
        err = json.dumps({"status": "401", "schemes": "bearer",
                          "scope": "https://mail.google.com/"}).encode()
        self.line("+ " + base64.b64encode(err).decode())
        reply = self.read_line()
        srv.log("conn %d sasl error acknowledged with %s" %
                (self.n, "an empty line" if reply == b"" else "a non-empty line"))
        self.line(tag + " NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)")

    # ---- mailbox commands ---------------------------------------------
    def uid_set(self, spec):
        n = len(self.srv.messages)
        out = set()
        for piece in spec.split(","):
            if ":" in piece:
                lo, hi = piece.split(":")
                lo = n if lo == "*" else int(lo)
                hi = n if hi == "*" else int(hi)
                lo, hi = min(lo, hi), max(lo, hi)
                out.update(range(lo, hi + 1))
            else:
                out.add(n if piece == "*" else int(piece))
        return sorted(u for u in out if 1 <= u <= n)

    def search(self, tag, args):
        words = args.replace("(", " ").replace(")", " ").split()
        uids = list(range(1, len(self.srv.messages) + 1))
        i = 0
        while i < len(words):
            w = words[i].upper()
            if w == "UID":
                allowed = set(self.uid_set(words[i + 1]))
                uids = [u for u in uids if u in allowed]
                i += 2
            elif w == "UNSEEN":
                with self.srv.lock:
                    uids = [u for u in uids if u not in self.srv.seen]
                i += 1
            elif w in ("ALL", "CHARSET", "UTF-8", "US-ASCII"):
                i += 1
            else:
                self.line(tag + " BAD unsupported search key")
                return
        self.line("* SEARCH" + "".join(" %d" % u for u in uids))
        self.line(tag + " OK UID SEARCH completed")

    def fetch(self, tag, args):
        srv = self.srv
        spec, _, items = args.partition(" ")
        items = items.upper()
        body = "BODY.PEEK[]" in items or "BODY[]" in items
        header = "BODY.PEEK[HEADER]" in items
        srv.fault(self.n, "fetch-body" if body or header else "fetch-size")
        date = time.strftime("%d-%b-%Y %H:%M:%S +0000", time.gmtime())
        for uid in self.uid_set(spec):
            msg = srv.messages[uid - 1]
            head = "* %d FETCH (UID %d" % (uid, uid)
            if "RFC822.SIZE" in items:
                head += " RFC822.SIZE %d" % len(msg)
            if "FLAGS" in items:
                with srv.lock:
                    head += " FLAGS (%s)" % ("\\Seen" if uid in srv.seen else "")
            if body or header:
                data = msg if body else msg.split(CRLF + CRLF, 1)[0] + CRLF + CRLF
                section = "BODY[]" if body else "BODY[HEADER]"
                head += ' INTERNALDATE "%s" %s {%d}' % (date, section, len(data))
                if body and srv.hostile(self.n, "huge-literal"):
                    self.send(head.encode().replace(b"{%d}" % len(data), b"{4294967295}") + CRLF)
                    self.flood()
                    raise Stall()
                if body and srv.hostile(self.n, "lying-size"):
                    pad = max(0, self.srv.args.flood_bytes - len(data))
                    # Lines of filler appended to the body, so it stays a mail.
                    data = data + (b"x" * 98 + CRLF) * (pad // 100)
                    head = head.rsplit("{", 1)[0] + "{%d}" % len(data)
                if body and srv.args.odd_fetch:
                    # Unsolicited flag changes between the answers, one
                    # with its UID (as Dovecot sends them), and the UID
                    # after the literal (the order is the server's).
                    other = len(srv.messages) - uid + 1
                    self.line("* %d FETCH (FLAGS (\\Seen))" % other)
                    self.line("* %d FETCH (UID %d FLAGS (\\Seen \\Answered))" % (other, other))
                    tail = ' INTERNALDATE "%s" %s {%d}' % (date, section, len(data))
                    self.send(("* %d FETCH (" % uid + tail[1:]).encode() + CRLF + data +
                              (" UID %d)" % uid).encode() + CRLF)
                    continue
                if (self.n, "fetch-mid") in srv.faults:
                    self.send(head.encode() + CRLF + data[: len(data) // 2])
                    srv.fault(self.n, "fetch-mid")
                self.send(head.encode() + CRLF + data + b")" + CRLF)
            else:
                self.line(head + ")")
        self.line(tag + " OK UID FETCH completed")

    def flood(self):
        """Send --flood-bytes of filler into an announced literal, or as
        much as the client takes before it hangs up."""
        chunk = (b"y" * 1023 + b"\n") * 1024
        sent = 0
        try:
            while sent < self.srv.args.flood_bytes:
                self.sock.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass
        self.srv.log("conn %d flooded %d bytes" % (self.n, sent))

    def store(self, tag, args):
        srv = self.srv
        spec, _, rest = args.partition(" ")
        if "+FLAGS" not in rest.upper() or "\\SEEN" not in rest.upper():
            self.line(tag + " OK STORE ignored")
            return
        with srv.lock:
            srv.seen.update(self.uid_set(spec))
            seen = sorted(srv.seen)
        srv.log("seen " + ",".join(str(u) for u in seen))
        if srv.args.late_at == "store":
            self.announce_late()
        self.line(tag + " OK UID STORE completed")

    def announce_late(self):
        """Add the late messages, if not yet, and say EXISTS once."""
        srv = self.srv
        with srv.lock:
            late, srv.late = srv.late, []
            srv.messages.extend(late)
            n = len(srv.messages)
        if not late:
            return False
        srv.log("conn %d late %d t=%.2f" % (self.n, len(late), srv.elapsed()))
        self.line("* %d EXISTS" % n)
        return True


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port-file", required=True)
    p.add_argument("--log")
    p.add_argument("--lifetime", type=float, default=60)
    p.add_argument("--messages", help="directory of *.eml to serve")
    p.add_argument("--uidvalidity", type=int, default=4242)
    p.add_argument("--user", default="consult")
    p.add_argument("--password", help="accept LOGIN with this password")
    p.add_argument("--xoauth2-token-file",
                   help="offer AUTH=XOAUTH2; the token required is this file's first line, "
                        "read at every AUTHENTICATE")
    p.add_argument("--idle", action="store_true", help="offer IDLE")
    p.add_argument("--late-messages",
                   help="directory of *.eml that arrive later, announced once (--late-at)")
    p.add_argument("--late-at", choices=["idle", "store"], default="idle")
    p.add_argument("--greeting-caps", help="capabilities announced in the greeting")
    p.add_argument("--cert", help="PEM certificate: offer STARTTLS")
    p.add_argument("--key")
    p.add_argument("--inject", choices=["no", "exists"],
                   help="inject responses after the STARTTLS answer, before TLS")
    p.add_argument("--inject-late", action="store_true",
                   help="send the injected text as a segment of its own")
    p.add_argument("--stall", action="append", default=[], metavar="CONN:POINT")
    p.add_argument("--cut", action="append", default=[], metavar="CONN:POINT")
    p.add_argument("--hostile", action="append", default=[], metavar="CONN:KIND")
    p.add_argument("--odd-fetch", action="store_true",
                   help="unsolicited FETCH responses between the bodies, the UID after each body")
    p.add_argument("--flood-bytes", type=int, default=256 << 20,
                   help="filler sent by huge-literal and lying-size")
    Server(p.parse_args()).serve()


if __name__ == "__main__":
    main()
