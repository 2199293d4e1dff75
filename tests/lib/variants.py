#!/usr/bin/env python3
"""Copy messages with their Message-ID made unique by a tag (or, when one
has none, a distinguishing X-Test-Variant header), so one sample yields
many distinct messages. One process for any number of copies: a loop of
one awk per message costs seconds in a 2,000-message test.

    variants.py SRC TAG DEST [SRC TAG DEST ...]
"""
import re
import sys

MESSAGE_ID = re.compile(rb"message-id:", re.IGNORECASE)


def variant(raw, tag):
    out = []
    seen = False
    lines = raw.split(b"\n")
    for i, line in enumerate(lines):
        if line in (b"", b"\r") and i < len(lines) - 1:
            if not seen:
                out.append(b"X-Test-Variant: " + tag + b"\n")
            out.extend(l + b"\n" for l in lines[i:-1])
            out.append(lines[-1])
            return b"".join(out)
        if MESSAGE_ID.match(line):
            line = line.replace(b"<", b"<" + tag + b".", 1)
            seen = True
        out.append(line + b"\n" if i < len(lines) - 1 else line)
    return b"".join(out)


def main(args):
    if not args or len(args) % 3:
        sys.exit("usage: variants.py SRC TAG DEST [SRC TAG DEST ...]")
    for i in range(0, len(args), 3):
        src, tag, dest = args[i:i + 3]
        with open(src, "rb") as f:
            raw = f.read()
        with open(dest, "wb") as f:
            f.write(variant(raw, tag.encode()))


main(sys.argv[1:])
