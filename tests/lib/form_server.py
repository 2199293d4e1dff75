#!/usr/bin/env python3
"""A form provider's responses endpoint, for tests: typeform, google-forms or
generic, serving items (in the provider's documented item shape) from a JSON
file, paged the way the provider pages.

  form_server.py --preset P --items FILE --port-file F --token T [--page-size N]
                 [--log FILE]

Control (no auth), for the test script:
  POST /_control/faults  JSON list applied to the next requests, one each:
        {"status": 429, "retry_after": 1} | {"status": 429, "retry_after_date": 3}
        (Retry-After as an HTTP-date that many seconds ahead) | {"status": 500} | {"truncate": true}
        | {"malformed": true} | {"delay": 5}
  POST /_control/items   JSON list of items: appended, or replacing the item
        with the same id (a Google Forms edit)
Every request is logged as one JSON line: path, query, if_none_match, status.
"""
import argparse
import datetime
import email.utils
import hashlib
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
state = {"items": [], "faults": []}
args = None


def parse_time(s):
    s = s.strip()
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    if "." in s:
        head, rest = s.split(".", 1)
        frac = "".join(c for c in rest if c.isdigit())
        tz = rest[len(frac):]
        s = head + "." + (frac + "000000")[:6] + tz
    return datetime.datetime.fromisoformat(s).timestamp()


def item_id(it):
    if args.preset == "typeform":
        return it.get("token") or it.get("response_id")
    if args.preset == "google-forms":
        return it.get("responseId")
    return str(it.get("id"))


def safe_time(s):
    try:
        return parse_time(s)
    except Exception:
        return float("inf")  # a bad time is served, never hidden


def page(query):
    items = state["items"]
    if args.preset == "typeform":
        size = int(query.get("page_size", ["25"])[0])
        if size < 1 or size > 1000:
            return 400, {"code": "VALIDATION_ERROR", "description": "page_size"}
        if "since" in query:
            since = parse_time(query["since"][0])
            items = [i for i in items if safe_time(i.get("submitted_at", "")) >= since]
        if "after" in query:
            ids = [item_id(i) for i in items]
            tok = query["after"][0]
            if tok not in ids:
                return 400, {"code": "VALIDATION_ERROR", "description": "unknown token"}
            items = items[ids.index(tok) + 1:]
        chunk = items[:size]
        pages = (len(items) + size - 1) // size
        return 200, {"total_items": len(items), "page_count": pages, "items": chunk}
    if args.preset == "google-forms":
        if "filter" in query:
            f = query["filter"][0]
            assert f.startswith("timestamp >= "), f
            t = parse_time(f[len("timestamp >= "):])
            items = [i for i in items if safe_time(i.get("lastSubmittedTime", i.get("createTime", ""))) >= t]
        off = int(query.get("pageToken", ["0"])[0] or 0)
        chunk = items[off:off + args.page_size]
        body = {}
        if chunk:
            body["responses"] = chunk
        if off + args.page_size < len(items):
            body["nextPageToken"] = str(off + args.page_size)
        return 200, body
    off = int(query.get("cursor", ["0"])[0])
    chunk = items[off:off + args.page_size]
    nxt = str(off + len(chunk)) if len(chunk) == args.page_size else None
    return 200, {"data": {"submissions": chunk}, "paging": {"next": nxt}}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, status, body, headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        if body:
            self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log(self, parsed, status, fault):  # t: when the request came in
        if args.log:
            with lock, open(args.log, "a") as f:
                f.write(json.dumps({"path": parsed.path, "query": urllib.parse.parse_qs(parsed.query),
                                    "if_none_match": self.headers.get("If-None-Match"),
                                    "status": status, "fault": fault, "t": self.t0}) + "\n")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        data = json.loads(self.rfile.read(n) or b"[]")
        with lock:
            if self.path == "/_control/faults":
                state["faults"].extend(data)
            elif self.path == "/_control/items":
                for it in data:
                    ids = [item_id(i) for i in state["items"]]
                    if item_id(it) in ids:
                        state["items"][ids.index(item_id(it))] = it
                    else:
                        state["items"].append(it)
            else:
                self.send(404, b"")
                return
        self.send(204, b"")

    def do_GET(self):
        self.t0 = time.time()
        parsed = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(parsed.query)
        if self.headers.get("Authorization") != "Bearer " + args.token:
            self.log(parsed, 401, None)
            self.send(401, b'{"code": "AUTHENTICATION_FAILED"}')
            return
        with lock:
            fault = state["faults"].pop(0) if state["faults"] else None
            status, body = page(query)
        raw = json.dumps(body).encode()
        if fault and "delay" in fault:
            time.sleep(fault["delay"])
        if fault and "status" in fault:
            self.log(parsed, fault["status"], fault)
            hdrs = []
            if "retry_after" in fault:
                hdrs = [("Retry-After", str(fault["retry_after"]))]
            elif "retry_after_date" in fault:
                when = email.utils.formatdate(time.time() + fault["retry_after_date"], usegmt=True)
                hdrs = [("Retry-After", when)]
            self.send(fault["status"], b'{"error": "fault"}', hdrs)
            return
        if fault and fault.get("truncate"):
            self.log(parsed, 200, fault)
            self.send_response(200)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw[: len(raw) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if fault and fault.get("malformed"):
            self.log(parsed, 200, fault)
            self.send(200, raw[: len(raw) // 2] + b"\n")
            return
        etag = '"' + hashlib.sha1(raw).hexdigest() + '"'
        if status == 200 and self.headers.get("If-None-Match") == etag:
            self.log(parsed, 304, fault)
            self.send(304, b"", [("ETag", etag)])
            return
        self.log(parsed, status, fault)
        self.send(status, raw, [("ETag", etag)] if status == 200 else [])


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--preset", required=True, choices=["typeform", "google-forms", "generic"])
    p.add_argument("--items", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--page-size", type=int, default=2)
    p.add_argument("--log")
    args = p.parse_args()
    with open(args.items) as f:
        state["items"] = json.load(f)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(tmp, args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
