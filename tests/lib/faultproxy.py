#!/usr/bin/env python3
"""A loopback TCP proxy that cuts connections after N bytes.

It forwards 127.0.0.1:PORT (a free port it picks and writes to --port-file)
to 127.0.0.1:--target-port. For the i-th connection (1-based), when
--cut-after lists an i-th byte count N, it passes exactly N bytes from the
server to the client and then closes both sides; later connections are
forwarded untouched. Standard library only.

Bounded: it exits by itself after --lifetime seconds.

The log (--log) has one line per event: "conn N open", "conn N cut after
BYTES bytes", "conn N closed up=BYTES down=BYTES".
"""
import argparse
import os
import select
import socket
import sys
import threading
import time


class Proxy:
    def __init__(self, args):
        self.args = args
        self.cuts = [int(x) for x in args.cut_after.split(",") if x] if args.cut_after else []
        self.lock = threading.Lock()
        self.logf = open(args.log, "a", buffering=1) if args.log else sys.stderr

    def log(self, text):
        with self.lock:
            self.logf.write(text + "\n")
            self.logf.flush()

    def serve(self):
        lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lsock.bind(("127.0.0.1", 0))
        lsock.listen(16)
        tmp = self.args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % lsock.getsockname()[1])
        os.rename(tmp, self.args.port_file)
        deadline = time.monotonic() + self.args.lifetime
        lsock.settimeout(0.2)
        n = 0
        while time.monotonic() < deadline:
            try:
                client, _ = lsock.accept()
            except socket.timeout:
                continue
            n += 1
            limit = self.cuts[n - 1] if n <= len(self.cuts) else None
            threading.Thread(target=self.forward, args=(client, n, limit, deadline),
                             daemon=True).start()
        self.log("lifetime over")
        os._exit(0)

    def forward(self, client, n, limit, deadline):
        self.log("conn %d open" % n)
        try:
            server = socket.create_connection(("127.0.0.1", self.args.target_port), timeout=5)
        except OSError as e:
            self.log("conn %d cannot reach the target: %s" % (n, e))
            client.close()
            return
        up = down = 0
        try:
            while time.monotonic() < deadline:
                ready, _, _ = select.select([client, server], [], [], 0.5)
                if client in ready:
                    data = client.recv(65536)
                    if not data:
                        break
                    server.sendall(data)
                    up += len(data)
                if server in ready:
                    data = server.recv(65536)
                    if not data:
                        break
                    if limit is not None and down + len(data) >= limit:
                        client.sendall(data[: limit - down])
                        down = limit
                        self.log("conn %d cut after %d bytes" % (n, limit))
                        break
                    client.sendall(data)
                    down += len(data)
        except OSError:
            pass
        finally:
            for s in (client, server):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self.log("conn %d closed up=%d down=%d" % (n, up, down))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port-file", required=True)
    p.add_argument("--log")
    p.add_argument("--lifetime", type=float, default=60)
    p.add_argument("--target-port", type=int, required=True)
    p.add_argument("--cut-after", help="comma-separated byte counts, one per connection")
    Proxy(p.parse_args()).serve()


if __name__ == "__main__":
    main()
