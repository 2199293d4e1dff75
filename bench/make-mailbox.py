#!/usr/bin/env python3
"""Generate a realistic consultation mailbox for the benchmarks.

    make-mailbox.py N OUTDIR [SEED]

Writes N .eml files built from the project's sample responses: sizes spread
log-uniformly from 2 KB to 300 KB (longer letters repeat and vary their
paragraphs), about one in eight with a PDF letter attached (a real PDF
whose page stream is padded to the wanted size), the samples' own mix of
plain, HTML, multipart, quoted-printable, base64 and 8-bit charsets, and
a unique Message-ID each. Deterministic for a given SEED.
"""
import base64
import email
import email.policy
import os
import random
import sys
from email.message import EmailMessage

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(HERE, "..", "tests", "data", "samples")
PDF = os.path.join(HERE, "..", "tests", "data", "attachments", "letter.pdf")


def load_samples():
    out = []
    for name in sorted(os.listdir(SAMPLES)):
        if name.endswith(".eml"):
            with open(os.path.join(SAMPLES, name), "rb") as f:
                out.append(f.read())
    return out


def body_text(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    part = msg.get_body(preferencelist=("plain", "html"))
    try:
        return part.get_content() if part is not None else ""
    except Exception:  # an odd charset: the bytes will do
        return part.get_payload(decode=True).decode("latin-1") if part else ""


def padded_pdf(size, rng):
    with open(PDF, "rb") as f:
        pdf = f.read()
    # A comment line inside the file keeps it a valid PDF for poppler.
    pad = size - len(pdf)
    if pad <= 0:
        return pdf
    filler = bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz ") for _ in range(min(pad, 4096)))
    filler = (filler * (pad // len(filler) + 1))[:pad]
    return pdf.replace(b"%PDF-1.4\n", b"%PDF-1.4\n%" + filler.replace(b"\n", b" ") + b"\n", 1)


def main():
    n, outdir = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)
    samples = load_samples()
    texts = [body_text(s) for s in samples]
    os.makedirs(outdir, exist_ok=True)
    for i in range(n):
        size = int(2048 * (150 ** rng.random()))  # 2 KB .. 300 KB, log-uniform
        src = samples[i % len(samples)]
        with_pdf = rng.random() < 0.125
        if size < 8192 and not with_pdf:
            # Small: the sample as it is (its own encoding and structure),
            # with a fresh Message-ID.
            msg = email.message_from_bytes(src, policy=email.policy.compat32)
            del msg["Message-ID"]
            msg["Message-ID"] = "<bench-%06d@bench.example.org>" % i
            data = msg.as_bytes()
        else:
            msg = EmailMessage()
            orig = email.message_from_bytes(src, policy=email.policy.default)
            msg["From"] = orig.get("From", "resident@example.org")
            msg["To"] = "consultation@mopac.example.org"
            msg["Subject"] = orig.get("Subject", "Police and Crime Plan")
            msg["Date"] = orig.get("Date", "Mon, 6 Dec 2021 10:00:00 +0000")
            msg["Message-ID"] = "<bench-%06d@bench.example.org>" % i
            paragraphs = [t for t in texts if t.strip()]
            text = texts[i % len(texts)]
            budget = size // 2 if with_pdf else size
            while len(text) < budget:
                text += "\n\n" + rng.choice(paragraphs)
            msg.set_content(text, cte=rng.choice(["quoted-printable", "base64", "8bit"]))
            if with_pdf:
                msg.add_attachment(padded_pdf(size // 2, rng), maintype="application",
                                   subtype="pdf", filename="response-%d.pdf" % i)
            data = msg.as_bytes()
        with open(os.path.join(outdir, "%06d.eml" % i), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
