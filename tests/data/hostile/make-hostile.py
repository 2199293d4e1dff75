#!/usr/bin/env python3
"""Write the hostile-mail corpus and its manifest (tests/unit/test_hostile.c).

Each message is malformed on purpose in one way mail really is (missing or
wrong boundaries, undeclared or wrong charsets, 8-bit headers, deep nesting,
long lines, empty bodies, broken base64, NUL bytes, hostile attachments).
The files are committed, so CI needs no Python: run this only to change
them, in this directory:
    python3 make-hostile.py
Output is deterministic. The 30 MB message is not here: the test makes it
at run time.

MANIFEST.tsv, one tab-separated line per file:
  file     the .eml
  status   response | auto-reply | bounce | list | quarantined
  reason   a phrase of status_reason, or - when it must be NULL
  subject  a phrase of the decoded subject, - when it must be NULL, * any
  text     a phrase of the decoded text, - when it must be empty, * any
  absent   a phrase the text must not contain, or -
  att      a phrase of some attachment's text_error, or * (no check)
"""
import base64
import io
import os
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = []


def case(name, data, status, reason="-", subject="*", text="*", absent="-", att="*"):
    if isinstance(data, str):
        data = data.encode("utf-8")
    CASES.append((name, data, status, reason, subject, text, absent, att))


def msg(headers, body, nl="\r\n"):
    """headers: list of str (or bytes); body: str or bytes."""
    out = bytearray()
    for h in headers:
        out += h if isinstance(h, bytes) else h.encode("utf-8")
        out += nl.encode()
    out += nl.encode()
    out += body if isinstance(body, bytes) else body.encode("utf-8")
    return bytes(out)


FROM = "From: Resident <resident@example.org>"


def b64(data):
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def pdf(lines, encrypt=False, truncate=None):
    ops = ["BT", "/F1 12 Tf", "72 770 Td", "14 TL"]
    for l in lines:
        ops.append("(%s) Tj T*" % l)
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    if encrypt:
        # Standard security handler, R2; /U is not what the empty user
        # password gives, so a reader must ask for a password.
        objs.append(b"<< /Filter /Standard /V 1 /R 2 /O <" + b"41" * 32 + b"> /U <" +
                    b"42" * 32 + b"> /P -44 >>")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    trailer = b"/Size %d /Root 1 0 R" % (len(objs) + 1)
    if encrypt:
        trailer += b" /Encrypt 6 0 R /ID [<00112233445566778899aabbccddeeff>" \
                   b"<00112233445566778899aabbccddeeff>]"
    out += b"trailer\n<< " + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    if truncate:
        out = out[:truncate]
    return bytes(out)


def zipped(files, method=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, content in files:
            info = zipfile.ZipInfo(name, date_time=(2021, 12, 9, 16, 20, 0))
            info.compress_type = method
            info.external_attr = 0o644 << 16
            z.writestr(info, content)
    return buf.getvalue()


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_xml(body):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<w:document xmlns:w="%s">'
            '<w:body>%s</w:body></w:document>' % (W, body)).encode("utf-8")


def with_attachment(subject, body, filename, ctype, data):
    return msg([FROM, "Subject: " + subject,
                'Content-Type: multipart/mixed; boundary="B"'],
               "--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body +
               "\r\n--B\r\nContent-Type: %s; name=\"%s\"\r\n"
               "Content-Disposition: attachment; filename=\"%s\"\r\n"
               "Content-Transfer-Encoding: base64\r\n\r\n" % (ctype, filename, filename) +
               b64(data).decode() + "--B--\r\n")


# ------------------------------------------------------------- boundaries

case("boundary-missing.eml",
     msg([FROM, "Subject: no boundary", "Content-Type: multipart/mixed"],
         "Street lighting on Coldharbour Lane is poor.\r\n"),
     "response", text="Street lighting on Coldharbour Lane is poor.")

case("boundary-wrong.eml",
     msg([FROM, "Subject: wrong boundary", 'Content-Type: multipart/mixed; boundary="AAA"'],
         "--BBB\r\nContent-Type: text/plain\r\n\r\nWe need more PCSOs on the estate.\r\n--BBB--\r\n"),
     "response", text="We need more PCSOs on the estate.")

case("boundary-unclosed.eml",
     msg([FROM, "Subject: unclosed", 'Content-Type: multipart/mixed; boundary="X"'],
         "--X\r\nContent-Type: text/plain\r\n\r\nThe final boundary never comes.\r\n"),
     "response", text="The final boundary never comes.")

case("boundary-empty.eml",
     msg([FROM, "Subject: empty boundary", 'Content-Type: multipart/mixed; boundary=""'],
         "--\r\nContent-Type: text/plain\r\n\r\nEmpty boundary text.\r\n----\r\n"),
     "response", text="Empty boundary text.")

case("boundary-very-long.eml",
     msg([FROM, "Subject: long boundary",
          'Content-Type: multipart/mixed; boundary="%s"' % ("b" * 2000)],
         "--%s\r\nContent-Type: text/plain\r\n\r\nLong boundary text.\r\n--%s--\r\n"
         % ("b" * 2000, "b" * 2000)),
     "response", text="Long boundary text.")

case("boundary-prefix-of-other.eml",
     msg([FROM, "Subject: prefix", 'Content-Type: multipart/mixed; boundary="ab"'],
         "--ab\r\nContent-Type: text/plain\r\n\r\nFirst part.\r\n--abc not a boundary\r\n"
         "--ab\r\nContent-Type: text/plain\r\n\r\nSecond part.\r\n--ab--\r\n"),
     "response", text="Second part.")

case("boundary-reused-inside.eml",
     msg([FROM, "Subject: same boundary twice", 'Content-Type: multipart/mixed; boundary="S"'],
         "--S\r\nContent-Type: multipart/alternative; boundary=\"S\"\r\n\r\n"
         "--S\r\nContent-Type: text/plain\r\n\r\nInner plain text.\r\n--S--\r\n"
         "--S\r\nContent-Type: text/plain\r\n\r\nOuter tail.\r\n--S--\r\n"),
     "response", text="tail")

case("multipart-no-parts.eml",
     msg([FROM, "Subject: no parts", 'Content-Type: multipart/mixed; boundary="Z"'],
         "--Z--\r\n"),
     "response", text="-")

case("multipart-only-preamble.eml",
     msg([FROM, "Subject: preamble", 'Content-Type: multipart/mixed; boundary="Z"'],
         "Only a preamble, and then the end.\r\n--Z--\r\n"),
     "response", text="Only a preamble, and then the end.")

# --------------------------------------------------------------- charsets

case("charset-undeclared-latin1.eml",
     msg([FROM, "Subject: latin1 no charset"], b"Caf\xe9 culture in Peckham.\r\n"),
     "response", text="Caf\u00e9 culture in Peckham.")

case("charset-utf8-label-latin1-bytes.eml",
     msg([FROM, "Subject: mislabelled", "Content-Type: text/plain; charset=utf-8"],
         b"Na\xefve policing costs \xa35m.\r\n"),
     "response", text="Na\u00efve policing costs \u00a35m.")

case("charset-unknown.eml",
     msg([FROM, "Subject: unknown charset", "Content-Type: text/plain; charset=x-klingon"],
         "Plain ASCII under a made-up charset.\r\n"),
     "response", text="Plain ASCII under a made-up charset.")

case("charset-utf16-label-ascii-bytes.eml",
     msg([FROM, "Subject: utf16 label", "Content-Type: text/plain; charset=utf-16"],
         "Odd length ASCII under a UTF-16 label.\r\n"),
     "response", text="*")

case("charset-empty-value.eml",
     msg([FROM, "Subject: empty charset", "Content-Type: text/plain; charset="],
         "Text with an empty charset.\r\n"),
     "response", text="Text with an empty charset.")

case("charset-invalid-utf8-sequences.eml",
     msg([FROM, "Subject: bad utf8", "Content-Type: text/plain; charset=utf-8"],
         b"Overlong \xc0\xaf and surrogate \xed\xa0\x80 end.\r\n"),
     "response", text="end.")

case("charset-shift-jis-invalid.eml",
     msg([FROM, "Subject: sjis", "Content-Type: text/plain; charset=shift_jis"],
         b"Trailing lead byte \x81\r\n"),
     "response", text="Trailing lead byte")

# ---------------------------------------------------------------- headers

case("header-8bit-utf8-subject.eml",
     msg([FROM, "Subject: Réponse à la consultation – Brixton".encode("utf-8")],
         "Body.\r\n"),
     "response", subject="R\u00e9ponse \u00e0 la consultation", text="Body.")

case("header-8bit-latin1-subject.eml",
     msg([FROM, b"Subject: Caf\xe9 cr\xe8me"], "Body.\r\n"),
     "response", subject="Caf\u00e9 cr\u00e8me", text="Body.")

case("header-8bit-from-name.eml",
     msg([b"From: J\xf6rg M\xfcller <joerg@example.de>", "Subject: name"], "Body.\r\n"),
     "response", text="Body.")

case("header-rfc2047-broken.eml",
     msg([FROM, "Subject: =?utf-8?B?!!!not-base64!!!?= and =?utf-8?Q?half=E2=8?= end"],
         "Body.\r\n"),
     "response", subject="end", text="Body.")

case("header-rfc2047-unknown-charset.eml",
     msg([FROM, "Subject: =?x-unknown?Q?caf=E9?= tail"], "Body.\r\n"),
     "response", subject="tail", text="Body.")

case("header-very-long-line.eml",
     msg([FROM, "Subject: " + "long " * 40000, "X-Junk: " + "x" * 200000],
         "After a very long header.\r\n"),
     "response", subject="long long", text="After a very long header.")

case("header-many-headers.eml",
     msg([FROM, "Subject: many headers"] +
         ["Received: from relay%d.example.net by mx.example.org" % i for i in range(5000)],
         "After five thousand headers.\r\n"),
     "response", text="After five thousand headers.")

case("header-line-without-colon.eml",
     msg([FROM, "Subject: garbage header", "This line has no colon at all",
          "X-After: yes"], "Body after garbage.\r\n"),
     "response", text="Body after garbage.")

case("header-from-garbage.eml",
     msg(["From: <<<@@@>>> ,,, ;;;", "Subject: garbage from"], "Who sent this?\r\n"),
     "response", text="Who sent this?")

case("header-no-from.eml",
     msg(["Subject: no from", "Content-Type: text/plain"], "Anonymous but real.\r\n"),
     "response", text="Anonymous but real.")

case("header-empty-content-type.eml",
     msg([FROM, "Subject: empty ct", "Content-Type: ;;;"], "Default to text.\r\n"),
     "response", text="Default to text.")

case("header-duplicate-content-type.eml",
     msg([FROM, "Subject: two content types", "Content-Type: text/html",
          "Content-Type: text/plain"], "<p>Duplicate headers</p>\r\n"),
     "response", text="Duplicate headers")

case("header-only-whitespace-folds.eml",
     msg([FROM, "Subject: folded", " ", "\t", "  "], "Body after blank folds.\r\n"),
     "response", text="Body after blank folds.")

case("header-nul-in-subject.eml",
     msg([FROM, b"Subject: nul\x00inside"], "Body.\r\n"),
     "response", text="Body.")

case("header-bom-start.eml",
     b"\xef\xbb\xbf" + msg([FROM, "Subject: bom"], "A byte order mark first.\r\n"),
     "response", subject="bom", text="A byte order mark first.")

case("mbox-from-line.eml",
     b"From resident@example.org Mon Dec  6 10:00:00 2021\r\n" +
     msg([FROM, "Subject: mbox"], "Saved with its From_ line.\r\n"),
     "response", text="Saved with its From_ line.")

# ------------------------------------------------------------------ bodies

case("body-empty.eml", msg([FROM, "Subject: empty"], ""), "response", text="-")

case("body-headers-no-blank-line.eml",
     (FROM + "\r\nSubject: no separator\r\n").encode(), "response", text="-")

case("body-zero-bytes.eml", b"", "quarantined", reason="empty message", subject="-", text="-")

case("body-only-newlines.eml", b"\r\n\r\n\r\n\r\n", "quarantined",
     reason="no From and no body", subject="-", text="-")

case("body-binary-garbage.eml", bytes((i * 37 + 11) % 256 for i in range(4096)),
     "quarantined", reason="no RFC 5322 header block", subject="-", text="-")

case("body-headers-only-no-from.eml",
     msg(["Subject: nothing else", "X-Note: hi"], ""),
     "quarantined", reason="no From and no body", subject="nothing else", text="-")

case("body-very-long-line.eml",
     msg([FROM, "Subject: long line"], "word " * 40000 + "END-OF-LINE\r\n"),
     "response", text="word word")

case("body-cr-only.eml",
     msg([FROM, "Subject: old mac"], "Line one\rLine two\r", nl="\r"),
     "response", subject="old mac", text="Line one\nLine two")

case("body-mixed-newlines.eml",
     b"From: resident@example.org\nSubject: mixed\r\n\nOne\r\nTwo\nThree\rFour\r\n",
     "response", text="Two\nThree\nFour")

case("nul-bytes-body.eml",
     msg([FROM, "Subject: nul"], b"Nul\x00bytes\x00 are\x00 dropped.\r\n"),
     "response", text="Nulbytes are dropped.")

case("nul-bytes-everywhere.eml",
     msg([FROM, "Subject: nul mp", 'Content-Type: multipart/mixed; boundary="N"'],
         b"--N\r\nContent-Type: text/plain\x00\r\n\r\nPart\x00 one.\r\n--N\x00\r\n"
         b"Content-Type: text/plain\r\n\r\nPart two.\r\n--N--\r\n"),
     "response", text="Part two.")

# ---------------------------------------------------------- transfer codings

case("base64-broken-chars.eml",
     msg([FROM, "Subject: broken base64", "Content-Transfer-Encoding: base64"],
         "V2UgbmVlZCBt!!!b3Jl@@@IGJlYXQg###b2ZmaWNlcnMu\r\n"),
     "response", text="We need more beat officers.")

case("base64-truncated.eml",
     msg([FROM, "Subject: truncated base64", "Content-Transfer-Encoding: base64"],
         "VHJ1bmNhdGVkIGJhc2U2NCBib2R5IGhlcmU\r\n"),
     "response", text="Truncated base64 body")

case("base64-not-base64.eml",
     msg([FROM, "Subject: not base64", "Content-Transfer-Encoding: base64"],
         "This is plain text mislabelled as base64!\r\n"),
     "response", text="*")

case("base64-attachment-garbage.eml",
     msg([FROM, "Subject: garbage attachment", 'Content-Type: multipart/mixed; boundary="G"'],
         "--G\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--G\r\n"
         "Content-Type: application/pdf; name=x.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
         "%%%%\x7f\x7f====AAAA====\r\n--G--\r\n"),
     "response", text="See attached.", att="not a readable PDF")

case("qp-broken.eml",
     msg([FROM, "Subject: broken qp", "Content-Transfer-Encoding: quoted-printable"],
         "Bad =ZZ escape, soft break at end =\r\nand =E2=80=9 half.=\r\n"),
     "response", text="Bad =ZZ escape")

case("encoding-unknown.eml",
     msg([FROM, "Subject: x-uuencode", "Content-Transfer-Encoding: x-made-up"],
         "Unknown transfer encoding text.\r\n"),
     "response", text="Unknown transfer encoding text.")

# ---------------------------------------------------------------- nesting

def deep(n):
    out = []
    for i in range(n):
        out.append('Content-Type: multipart/mixed; boundary="d%d"\r\n\r\n--d%d\r\n' % (i, i))
    out.append("Content-Type: text/plain\r\n\r\nDEEPEST TEXT\r\n")
    for i in reversed(range(n)):
        out.append("--d%d--\r\n" % i)
    return "".join(out)


case("nesting-200-multiparts.eml",
     msg([FROM, "Subject: deep", 'Content-Type: multipart/mixed; boundary="top"'],
         "--top\r\nContent-Type: text/plain\r\n\r\nShallow text survives.\r\n--top\r\n" +
         deep(200) + "--top--\r\n"),
     "quarantined", reason="nested deeper than 16 levels")


def deep_rfc822(n):
    inner = "From: inner@example.org\r\nSubject: innermost\r\n\r\nInnermost.\r\n"
    for i in range(n):
        inner = ("From: level%d@example.org\r\nSubject: level %d\r\n"
                 "Content-Type: message/rfc822\r\n\r\n" % (i, i)) + inner
    return inner


case("nesting-100-rfc822.eml",
     msg([FROM, "Subject: nested messages", 'Content-Type: multipart/mixed; boundary="M"'],
         "--M\r\nContent-Type: text/plain\r\n\r\nForwarded a lot.\r\n--M\r\n"
         "Content-Type: message/rfc822\r\n\r\n" + deep_rfc822(100) + "--M--\r\n"),
     "response", text="Forwarded a lot.")

case("html-deep-divs.eml",
     msg([FROM, "Subject: deep html", "Content-Type: text/html"],
         "<div>" * 20000 + "Deep HTML text" + "</div>" * 20000 + "<p>After the divs</p>\r\n"),
     "response", text="Deep HTML text")

case("html-script-and-junk.eml",
     msg([FROM, "Subject: hostile html", "Content-Type: text/html; charset=utf-8"],
         "<html><script>document.write('SCRIPTED')</script><style>p{}</style>"
         "<p>Visible <b>text<p>unclosed <<<>>> &bogus; &#0; &#xD800; &#99999999;"
         "<![CDATA[cdata]]><!-- comment --></html>\r\n"),
     "response", text="Visible text", absent="SCRIPTED")

case("many-parts.eml",
     msg([FROM, "Subject: many parts", 'Content-Type: multipart/mixed; boundary="P"'],
         "--P\r\nContent-Type: text/plain\r\n\r\nFirst of many.\r\n" +
         "".join("--P\r\nContent-Type: application/octet-stream\r\n\r\nblob %d\r\n" % i
                 for i in range(5000)) + "--P--\r\n"),
     "quarantined", reason="more than 64 attachments")

# ------------------------------------------------------------- attachments

case("pdf-truncated.eml",
     with_attachment("truncated pdf", "Our letter is attached.", "letter.pdf",
                     "application/pdf", pdf(["Truncated letter"], truncate=200)),
     "response", text="Our letter is attached.", att="PDF")

case("pdf-encrypted.eml",
     with_attachment("encrypted pdf", "Password protected letter attached.", "secret.pdf",
                     "application/pdf", pdf(["Secret letter text"], encrypt=True)),
     "response", text="Password protected letter attached.", absent="Secret letter text",
     att="encrypted PDF")

case("pdf-as-octet-stream.eml",
     with_attachment("pdf octet", "Letter attached.", "scan0001",
                     "application/octet-stream", pdf(["Octet stream letter about burglary"])),
     "response", text="[attachment: scan0001]\nOctet stream letter about burglary")

case("docx-not-a-zip.eml",
     with_attachment("bad docx", "Response attached.", "response.docx",
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     b"This is not a zip archive at all."),
     "response", text="Response attached.", att="not a readable zip")

case("docx-no-document-xml.eml",
     with_attachment("docx without body", "Response attached.", "empty.docx",
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     zipped([("word/other.xml", b"<x/>")])),
     "response", text="Response attached.", att="no word/document.xml")

case("docx-broken-xml.eml",
     with_attachment("docx broken xml", "Response attached.", "broken.docx",
                     "application/octet-stream",
                     zipped([("word/document.xml",
                              docx_xml("<w:p><w:r><w:t>Readable start</w:t></w:r></w:p>")
                              [:-30] + b"<<<&&&")])),
     "response", text="Response attached.", att="not well-formed")

# 40 MB of one paragraph deflates to about 40 kB: a zip bomb for the cap.
BOMB = docx_xml("<w:p><w:r><w:t>" + "A" * (40 * 1024 * 1024) + "</w:t></w:r></w:p>")
case("docx-zip-bomb.eml",
     with_attachment("docx bomb", "A very small email.", "bomb.docx",
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     zipped([("word/document.xml", BOMB)])),
     "response", text="A very small email.", att="larger than")

case("docx-entities.eml",
     with_attachment("docx entities", "Response attached.", "lol.docx",
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     zipped([("word/document.xml",
                              b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
                              b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                              b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
                              b'<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                              b'<w:document xmlns:w="' + W.encode() + b'"><w:body>'
                              b'<w:p><w:r><w:t>Entity &c; &e; test</w:t></w:r></w:p>'
                              b'</w:body></w:document>')])),
     "response", text="Response attached.", absent="root:", att="not well-formed")

case("text-attachment-latin1.eml",
     msg([FROM, "Subject: text attachment", 'Content-Type: multipart/mixed; boundary="T"'],
         b"--T\r\nContent-Type: text/plain\r\n\r\nSee notes.\r\n--T\r\n"
         b"Content-Type: text/plain; charset=iso-8859-1; name=notes.txt\r\n"
         b"Content-Disposition: attachment; filename=notes.txt\r\n\r\n"
         b"Caf\xe9 owners want CCTV.\r\n--T--\r\n"),
     "response", text="[attachment: notes.txt]\nCaf\u00e9 owners want CCTV.")

# ------------------------------------------------------------ auto and bulk

case("auto-submitted-empty.eml",
     msg([FROM, "Subject: empty auto-submitted", "Auto-Submitted:"], "Real words.\r\n"),
     "response", text="Real words.")

case("ooo-hours-not-auto.eml",
     msg([FROM, "Subject: Out of office hours policing", "X-Auto-Response-Suppress: All"],
         "I'm out of office hours most nights and never see a patrol.\r\n"),
     "response", text="never see a patrol")

case("bounce-plain-qmail.eml",
     msg(["From: MAILER-DAEMON@mx.example.net", "Subject: failure notice"],
         "Hi. This is the qmail-send program at mx.example.net.\r\n"
         "I'm afraid I wasn't able to deliver your message.\r\n"),
     "bounce", reason="MAILER-DAEMON", text="qmail-send")

case("list-with-garbage-id.eml",
     msg([FROM, "Subject: list", b"List-Id: \xff\xfe<junk\x01list>"], "Newsletter.\r\n"),
     "list", reason="List-Id", text="Newsletter.")


def main():
    lines = ["file\tstatus\treason\tsubject\ttext\tabsent\tatt"]
    for name, data, status, reason, subject, text, absent, att in CASES:
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
        for field in (reason, subject, text, absent, att):
            assert "\t" not in field
        lines.append("\t".join([name, status, reason, subject,
                                text.replace("\n", "\\n"), absent, att]))
    with open(os.path.join(HERE, "MANIFEST.tsv"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print("%d messages" % len(CASES))


if __name__ == "__main__":
    main()
