#!/usr/bin/env python3
"""A stand-in for systemd's notification socket, for the tests.

Binds a Unix datagram socket at PATH and appends every message consultd
sends (READY=1, STATUS=..., WATCHDOG=1, RELOADING=1, STOPPING=1) to LOG,
one datagram per line with newlines inside it shown as '|'. Exits after
SECONDS (default 120) so a test can never leave it behind.
"""
import os
import socket
import sys
import time


def main():
    path, log = sys.argv[1], sys.argv[2]
    limit = float(sys.argv[3]) if len(sys.argv) > 3 else 120.0
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(0.5)
    end = time.monotonic() + limit
    with open(log, "a", buffering=1) as out:
        while time.monotonic() < end:
            try:
                data = sock.recv(4096)
            except socket.timeout:
                continue
            out.write(data.decode("utf-8", "replace").replace("\n", "|") + "\n")
    sock.close()
    os.unlink(path)


if __name__ == "__main__":
    main()
