#!/usr/bin/env python3
"""Write the attachment fixtures used by tests/unit/test_mime.c.

The files are committed; run this only to change them:
    python3 make-attachments.py
Output is deterministic (fixed zip timestamps, no PDF dates).

  letter.pdf      one page, uncompressed content stream, Helvetica, two lines
  letter2p.pdf    two pages, one line each
  response.docx   paragraphs, runs, a tab, a line break, a table, and a
                  tracked deletion (w:delText) that must not be read
"""
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def pdf(pages):
    """A minimal valid PDF; each page is a list of lines in Helvetica 12."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", None,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for lines in pages:
        ops = ["BT", "/F1 12 Tf", "72 770 Td", "14 TL"]
        for l in lines:
            esc = l.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append("(%s) Tj T*" % esc)
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content = len(objs)
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                    b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content)
        kids.append(len(objs))
    objs[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1, xref)
    return bytes(out)


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx(body_xml, name="word/document.xml"):
    files = [
        ("[Content_Types].xml",
         '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
         'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
         '<Override PartName="/word/document.xml" ContentType="application/vnd.'
         'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
        ("_rels/.rels",
         '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
         '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'),
        (name,
         '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<w:document xmlns:w="%s"><w:body>%s</w:body></w:document>' % (W, body_xml)),
    ]
    import io
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, content in files:
            info = zipfile.ZipInfo(n, date_time=(2021, 12, 9, 16, 20, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, content.encode("utf-8"))
    return buf.getvalue()


LETTER = pdf([[
    "London Borough of Lambeth: formal response",
    "We ask for more neighbourhood officers in Brixton (and Stockwell).",
]])

LETTER2P = pdf([["Page one: knife crime near schools."],
                ["Page two: victims wait too long for court."]])

RESPONSE_DOCX = docx(
    '<w:p><w:r><w:t>Residents\u2019 Association response</w:t></w:r></w:p>'
    '<w:p><w:r><w:t xml:space="preserve">Burglary is up </w:t></w:r>'
    '<w:r><w:rPr><w:b/></w:rPr><w:t>sharply</w:t></w:r><w:r><w:t>.</w:t></w:r></w:p>'
    '<w:p><w:r><w:t>Item</w:t><w:tab/><w:t>Cost &amp; time</w:t></w:r></w:p>'
    '<w:p><w:r><w:t>Line one</w:t><w:br/><w:t>line two</w:t></w:r></w:p>'
    '<w:p><w:del w:id="1" w:author="x"><w:r><w:delText>deleted words</w:delText></w:r></w:del>'
    '<w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:t>Kept after deletion</w:t></w:r></w:p>'
    '<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Cell A</w:t></w:r></w:p></w:tc>'
    '<w:tc><w:p><w:r><w:t>Cell B</w:t></w:r></w:p></w:tc></w:tr></w:tbl>')

for name, data in [("letter.pdf", LETTER), ("letter2p.pdf", LETTER2P),
                   ("response.docx", RESPONSE_DOCX)]:
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
    print("%s: %d bytes" % (name, len(data)))
