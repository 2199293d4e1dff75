#!/usr/bin/env python3
"""Generate consultd's sample consultation responses as raw RFC 5322 files.

Usage (from any directory):
    python3 make-samples.py            write NN-*.eml and MANIFEST.tsv here, then check them
    python3 make-samples.py --check    only check the files already here

Every message is built byte by byte (not through the email package) so that
charsets and transfer encodings are exactly as declared: windows-1252 curly
quotes are 0x91-0x94, ISO-8859-15's euro is 0xA4, quoted-printable lines end
in soft breaks, and so on. The check then parses each file with Python's
email package, decodes the body and looks for the manifest's `expect` phrase.
Output is deterministic: running the script twice gives identical bytes.
"""

import base64
import binascii
import datetime as dt
import email
import email.policy
import hashlib
import html
import html.parser
import io
import os
import re
import sys
import textwrap
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
TO = "Police and Crime Plan consultation <consultation@mopac.example.org>"

CODECS = {
    "utf-8": "utf-8",
    "us-ascii": "ascii",
    "iso-8859-1": "latin-1",
    "iso-8859-15": "iso8859_15",
    "windows-1252": "cp1252",
}

THEMES = ["violence", "victims", "trust", "exploitation", "asb", "burglary-robbery",
          "drugs", "neighbourhood-policing", "partnership", "resources", "justice"]


# ---------------------------------------------------------------- helpers

def rfc2047(text, charset, mode):
    """Encode the whole of `text` as one or more RFC 2047 encoded words,
    joined by folding whitespace (which decoders drop between words)."""
    codec = CODECS[charset]
    words, chunk = [], ""
    for ch in text:
        if len((chunk + ch).encode(codec)) > 24:
            words.append(chunk)
            chunk = ""
        chunk += ch
    if chunk:
        words.append(chunk)
    out = []
    for w in words:
        data = w.encode(codec)
        if mode == "Q":
            enc = ""
            for b in data:
                c = chr(b)
                if b == 0x20:
                    enc += "_"
                elif c.isalnum() and b < 0x80 or c in "!*+-/":
                    enc += c
                else:
                    enc += "=%02X" % b
        else:
            enc = base64.b64encode(data).decode("ascii")
        out.append("=?%s?%s?%s?=" % (charset.upper(), mode, enc))
    return "\n ".join(out)


def fold(name, value):
    """Fold an ASCII header at spaces so that lines stay under 78 characters."""
    line = name + ": " + value
    if "\n" in value or len(line) <= 78:
        return line
    out, cur = [], ""
    for word in line.split(" "):
        if cur and len(cur) + 1 + len(word) > 76:
            out.append(cur)
            cur = " " + word
        else:
            cur = word if not cur else cur + " " + word
    out.append(cur)
    return "\n".join(out)


def wrap_text(text, protect, width=72):
    """Wrap lines longer than 76 characters, never breaking inside `protect`."""
    out = []
    for line in text.split("\n"):
        if len(line) <= 76:
            out.append(line)
            continue
        guarded = line.replace(protect, protect.replace(" ", "\x00")) if protect else line
        filled = textwrap.fill(guarded, width=width, break_long_words=False,
                               break_on_hyphens=False)
        out.append(filled.replace("\x00", " "))
    return "\n".join(out)


def transfer_encode(data, cte):
    if cte in ("7bit", "8bit"):
        if cte == "7bit":
            assert all(b < 0x80 for b in data), "non-ASCII byte in a 7bit body"
        return data if data.endswith(b"\n") else data + b"\n"
    if cte == "quoted-printable":
        enc = binascii.b2a_qp(data, quotetabs=False, istext=True, header=False)
        return enc if enc.endswith(b"\n") else enc + b"\n"
    if cte == "base64":
        return base64.encodebytes(data)
    raise ValueError(cte)


def text_part(ctype, charset, label, cte, body):
    """Return (header lines, encoded body bytes) for one text part."""
    data = body.encode(CODECS[charset])
    label = label or ("UTF-8" if charset == "utf-8" else charset)
    headers = ["Content-Type: %s; charset=%s" % (ctype, label),
               "Content-Transfer-Encoding: %s" % cte]
    return headers, transfer_encode(data, cte)


def auto_html(text, charset):
    """The HTML alternative a mail client would send for a plain text body."""
    paras = []
    for block in text.strip("\n").split("\n\n"):
        lines = [html.escape(l, quote=False) for l in block.split("\n")]
        paras.append("<p>" + "<br>\n".join(lines) + "</p>")
    return ("<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html; "
            "charset=%s\">\n</head>\n<body>\n<div style=\"font-family: Calibri, Arial, "
            "sans-serif; font-size: 11pt\">\n%s\n</div>\n</body>\n</html>\n"
            % (charset, "\n".join(paras)))


def make_pdf(lines):
    """A minimal but valid one-page PDF showing `lines` in Helvetica."""
    ops = ["BT", "/F1 12 Tf", "72 770 Td", "14 TL"]
    for l in lines:
        esc = l.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append("(%s) Tj T*" % esc)
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
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


def make_docx(paragraphs):
    """A minimal valid .docx (Office Open XML) with fixed timestamps."""
    W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join("<w:p><w:r><w:t xml:space=\"preserve\">%s</w:t></w:r></w:p>"
                   % html.escape(p, quote=False) for p in paragraphs)
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
        ("word/document.xml",
         '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<w:document xmlns:w="%s"><w:body>%s</w:body></w:document>' % (W, body)),
    ]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in files:
            info = zipfile.ZipInfo(name, date_time=(2021, 12, 9, 16, 20, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, content.encode("utf-8"))
    return buf.getvalue()


def attachment_part(filename, ctype, data):
    headers = ['Content-Type: %s; name="%s"' % (ctype, filename),
               'Content-Disposition: attachment; filename="%s"' % filename,
               "Content-Transfer-Encoding: base64"]
    return headers, base64.encodebytes(data)


def multipart(subtype, boundary, parts, preamble=True):
    """parts: list of (headers, body bytes). Returns (headers, body bytes)."""
    out = bytearray()
    if preamble:
        out += b"This is a multi-part message in MIME format.\n\n"
    for headers, body in parts:
        out += b"--" + boundary.encode() + b"\n"
        out += "\n".join(headers).encode("ascii") + b"\n\n" + body
        if not body.endswith(b"\n"):
            out += b"\n"
    out += b"--" + boundary.encode() + b"--\n"
    return ['Content-Type: multipart/%s;\n boundary="%s"' % (subtype, boundary)], bytes(out)


# ---------------------------------------------------------------- the samples

LAMBETH_PDF = make_pdf([
    "London Borough of Lambeth",
    "Response to the Police and Crime Plan 2021-25: data annex",
    "",
    "Knife crime with injury, year to September 2021: 212 offences",
    "Victims aged under 25: 36 per cent",
    "London Crime Prevention Fund allocation at risk: 380,000 pounds",
    "Children open to the contextual safeguarding panel: 94",
])

SUTTON_PDF = make_pdf([
    "Sutton Borough Neighbourhood Watch Association",
    "Member survey, October 2021 (412 schemes, 1,106 replies)",
    "",
    "Most worrying crime: burglary 48%, vehicle crime 27%, ASB 14%",
    "Knows the name of their ward officer: 22%",
    "Has seen an officer on foot in the last month: 31%",
])

HRBID_DOCX = make_docx([
    "Holloway Road Business Improvement District",
    "Response to the Police and Crime Plan 2021-25 consultation",
    "1. Retail crime. Members reported 1,140 incidents of shop theft between April and "
    "October 2021, almost double the same period in 2019.",
    "2. Anti-social behaviour. Street drinking, begging and graffiti around the station "
    "and the shop fronts.",
    "3. Visible policing. The town centre team has fallen from six officers to two.",
    "4. Partnership. A formal place for BIDs in borough partnership arrangements and a "
    "data-sharing agreement for our street wardens.",
])

S = []


def sample(**kw):
    S.append(kw)


# 01 ---------------------------------------------------------------------------
sample(
    n=1, slug="lambeth-council", kind="organisation", structure="mixed",
    enc="quoted-printable", cs="utf-8",
    themes="violence,exploitation,partnership,resources",
    expect="the council’s highest community safety priority",
    frm="Adaeze Okonkwo-Barrett <a.okonkwo-barrett@lambeth.example>",
    subject="London Borough of Lambeth response to the Police and Crime Plan 2021-25 "
            "consultation",
    date=(2021, 12, 10, 16, 42, 7), mid="AM0PR03MB4417E2C19D8A1@example.org",
    extra=["X-Mailer: Microsoft Outlook 16.0"],
    attach=[("Lambeth-PCP-response-annex.pdf", "application/pdf", LAMBETH_PDF)],
    text="""\
Dear MOPAC consultation team,

Please find below, and attached as a PDF annex, the London Borough of Lambeth’s response to the draft Police and Crime Plan 2021–25. This response has been agreed by the Cabinet Member for Stronger and Safer Communities.

Lambeth welcomes the plan’s focus on reducing violence. Serious youth violence remains the council’s highest community safety priority: in the year to September 2021 the borough recorded 212 knife crime offences with injury, and more than a third of the victims were under 25. We support a public health approach and ask that the plan commits the Violence Reduction Unit to multi-year funding for the work it has started with our schools and youth services.

We are concerned about the proposed top-slice of the London Crime Prevention Fund. The fund supports our gangs and exploitation team, our domestic abuse advocates and two detached youth work projects. A reduction of even 10% would mean a £380,000 shortfall over the plan period, and we would have to decommission services that the police themselves rely on.

Partnership working in Lambeth is strong, but it depends on timely data. We ask that the plan sets a clear expectation that the Met shares police data with community safety partnerships monthly and at ward level, so that the Safer Lambeth Partnership can target problem locations and track what works.

Finally, we would like the plan to say more about children who are criminally exploited through county lines. Our contextual safeguarding work shows that children found out of borough are too often treated as offenders first. We want a child-first approach written into the plan and into how officers respond when a child is found in a trap house.

Yours faithfully,

Adaeze Okonkwo-Barrett
Head of Community Safety
London Borough of Lambeth
Community Safety Unit, 3rd Floor, 14 Acre Lane Parade, London SW2 5QT
Tel: 020 7946 0312
""")

# 02 ---------------------------------------------------------------------------
sample(
    n=2, slug="southwark-scrutiny", kind="organisation", structure="alternative",
    enc="quoted-printable", cs="utf-8",
    themes="trust,neighbourhood-policing,resources",
    expect="the Met’s budget has fallen by around",
    frm="Cllr Marcus Hensley-Adebayo <marcus.hensley-adebayo@southwark.example>",
    cc="Scrutiny Team <scrutiny@southwark.example>",
    subject="Southwark Housing and Community Safety Scrutiny Commission - "
            "response to draft Police and Crime Plan",
    date=(2021, 12, 17, 11, 5, 51), mid="DB7PR09MB2635.71c0a3@example.org",
    extra=["X-Mailer: Microsoft Outlook 16.0"],
    text="""\
Dear Sir or Madam,

Police and Crime Plan 2021–25: response of Southwark’s Housing and Community Safety Scrutiny Commission

The Commission held an evidence session on 7 December 2021 with the borough commander, the Safer Neighbourhood Board and local residents, and this response reflects what we heard.

First, residents told us clearly that they no longer know who their local officers are. Since Southwark and Lambeth were merged into a single Basic Command Unit, ward officers have been routinely abstracted to cover response and public order duties, and several wards went for months without a dedicated ward officer at all. We recommend that the plan ring-fences neighbourhood officers and publishes abstraction rates for each ward every quarter.

Second, confidence in the police among Black residents in Southwark is markedly lower than among White residents, and the use of stop and search — particularly searches where nothing is found — is a major driver of this. We ask MOPAC to publish borough-level data on stop and search outcomes by ethnicity, and to fund independent community monitoring groups properly so that they can review body-worn video footage.

Third, the Commission notes that the Met’s budget has fallen by around £1 billion in real terms since 2010. We do not think the ambitions in the draft plan can be delivered without a realistic funding settlement, and we would ask the Mayor to be candid about which services will be protected if further savings are required.

We would be happy to discuss these recommendations further.

Cllr Marcus Hensley-Adebayo
Chair, Housing and Community Safety Scrutiny Commission
London Borough of Southwark
""")

# 03 ---------------------------------------------------------------------------
sample(
    n=3, slug="hackney-snb", kind="organisation", structure="plain",
    enc="7bit", cs="us-ascii",
    themes="trust,neighbourhood-policing,asb",
    expect="the foundation of local policing",
    frm="Dr Helen Achterberg <chair@hackneysnb.example.org>",
    subject="Hackney Safer Neighbourhood Board - consultation response",
    date=(2021, 12, 2, 20, 14, 33), mid="8c1f0e2a-5b7d-4c1e-9a36-0d2f61b9e4a7@example.org",
    extra=["User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:91.0) Gecko/20100101 "
           "Thunderbird/91.3.2"],
    text="""\
Dear consultation team,

I write on behalf of the Hackney Safer Neighbourhood Board (SNB) in response to the draft Police and Crime Plan.

The Board's members include the chairs of all 21 ward panels in the borough. The clearest message from those panels is that residents want to see the same officers on their streets week after week. Dedicated ward officers are the foundation of local policing, yet in the past year our panels have repeatedly reported ward officers being moved onto aid and response shifts at short notice. Ward panel meetings are cancelled when no officer can attend, and the promises made at them are not followed up.

Anti-social behaviour is the issue raised most often at ward panels: street drinking around Dalston Junction, noise and groups congregating late at night on estates, and off-road bikes along the canal towpath. ASB is often dismissed as low level, but it shapes how safe people feel far more than the headline crime figures do.

On trust and confidence, we welcome the plan's commitment to community engagement, but engagement has to mean being willing to be scrutinised. We would like the plan to set out how the Met will respond when the SNB and community monitoring groups raise concerns about stop and search and use of force, and to commit senior officers to attending SNB meetings.

Yours sincerely,

Dr Helen Achterberg
Chair, Hackney Safer Neighbourhood Board
""")

# 04 ---------------------------------------------------------------------------
sample(
    n=4, slug="victims-charity", kind="organisation", structure="alternative",
    enc="base64", cs="utf-8",
    themes="victims,justice",
    expect="Victims’ satisfaction with the Met has fallen",
    frm="Sunita Ramasubramanian <policy@victimvoice.example.org>",
    subject="Victim Voice London: response to the Police and Crime Plan consultation",
    date=(2021, 12, 20, 9, 31, 2), mid="CAH7nP3x+Qv2k1@example.com",
    text="""\
Dear MOPAC,

Victim Voice London is an independent charity supporting around 6,000 victims and witnesses of crime across London every year. We welcome the commitment in the draft plan to put victims at its heart, and we set out below what our clients tell us would make that real.

Victims’ satisfaction with the Met has fallen for five years running. The single biggest complaint we hear is about communication: victims are not told when a suspect is arrested, bailed or released, and they find out about charging decisions second-hand. The Victims’ Code already gives them a right to this information. We ask that MOPAC monitors compliance with the Code publicly, borough by borough, and that the Victims’ Commissioner for London is given the data to hold the Met to account.

Continuity matters too. Victims of serious crime often deal with four or five different officers over the life of a case. Wherever possible, one named officer should stay with a victim from report to court.

The court backlog is now the greatest risk to victims’ engagement. Trials for serious sexual offences are being listed for 2023 and beyond, and we are seeing more victims withdraw because they cannot face waiting two or three years to give evidence. We would like the plan to press the CPS and HM Courts and Tribunals Service to make pre-recorded cross-examination available in every Crown Court in London, and to fund independent sexual violence advisers (ISVAs) so that no victim waits for one.

Kind regards,

Sunita Ramasubramanian
Head of Policy and Public Affairs
Victim Voice London
Registered charity no. 1190456
""")

# 05 ---------------------------------------------------------------------------
sample(
    n=5, slug="youth-charity", kind="organisation", structure="html",
    enc="quoted-printable", cs="utf-8",
    themes="violence,exploitation,trust,partnership",
    expect="Young people’s relationship with the police",
    frm="Kemi Adeyemi-Lawson <kemi@igniteyouth.example.org>",
    subject="Ignite Youth Trust - our young people's response",
    date=(2021, 12, 14, 13, 58, 40), mid="ignite.20211214135840.7731@example.org",
    html="""\
<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<style type="text/css">
body { font-family: "Segoe UI", Arial, sans-serif; font-size: 14px; color: #222; }
.quote { font-style: italic; color: #5a2d82; }
p.sig { margin-top: 24px; color: #555; }
</style>
</head>
<body>
<p>Dear Police and Crime Plan team,</p>
<p>Ignite Youth Trust works with around 900 young people aged 11–25 in Croydon and Sutton, many of whom have been victims of violence or are at risk of being drawn into it. We asked the young people in our youth forum what they wanted to say to the Mayor. This is their response, in their own words as far as possible.</p>
<ul>
<li class="quote">“Stop acting like every group of boys is a gang.”</li>
<li class="quote">“If you get stopped three times in a week you’re not going to call them when something happens.”</li>
<li class="quote">“The older lot are the ones giving out the work. Why do the younger ones get nicked and not them?”</li>
</ul>
<p>Our young people do not feel safe. Several have lost friends to knife crime in the past two years, and most told us they know someone who carries a knife for protection. The plan is right to prioritise violence reduction, but enforcement on its own will not work. Youth workers in A&amp;E departments, mentoring and detached outreach reach young people at the moment they are most open to change, and they work best when the police, schools and the council plan them together.</p>
<p>We are also seeing younger children, some as young as 12, being groomed to run drugs out of London. These children need to be treated as victims of exploitation and safeguarded, not criminalised. We ask that the plan commits the Met to using the National Referral Mechanism consistently for children found in county lines.</p>
<p>Finally, trust. Young people’s relationship with the police is at a low point. We would like to see officers and youth workers meeting young people in youth clubs and schools, not only in stop and search encounters, and young people given a formal role in scrutinising how stop and search is used.</p>
<p class="sig">With best wishes,<br>
Kemi Adeyemi-Lawson<br>
Chief Executive, Ignite Youth Trust<br>
Unit 2, 57 Whitgift Mews, Croydon CR0 1QS</p>
</body>
</html>
""")

# 06 ---------------------------------------------------------------------------
sample(
    n=6, slug="residents-association", kind="organisation", structure="plain",
    enc="8bit", cs="iso-8859-1",
    themes="asb,burglary-robbery,drugs,neighbourhood-policing",
    expect="spent over £12,000 this year repairing",
    frm="Dolores Fitzgerald-Mensah <bellenden.court.ra@example.com>",
    subject="Bellenden Court Residents' Association - Police and Crime Plan",
    date=(2021, 11, 29, 19, 47, 12), mid="5d2e7a61.1c69fb81.4a3c.2f07@example.com",
    text="""\
To whom it may concern,

The committee of the Bellenden Court Residents' Association represents 340 households on the Bellenden Court estate, Peckham, London SE15 4QT. We discussed the draft Police and Crime Plan at our November meeting and the committee asked me to send these comments.

Our biggest problem is drug dealing in the stairwells and bin stores of Harrier House and Kestrel House. Residents, including families with young children, have to step over people using crack and heroin on the landings, and needles are regularly found next to the play area.

Along with the dealing comes anti-social behaviour: shouting at all hours, smashed lights in the communal areas and graffiti in the lifts. The council has spent over £12,000 this year repairing entry doors that are forced again within days.

We have also had a run of burglaries, bikes stolen from the communal bike store and parcels taken from the lobby. The café on the corner has been broken into three times since the summer.

When residents ring 101 they wait forty minutes. When they ring 999 officers sometimes come hours later, by which time everyone has gone. We used to have a PCSO who knew everybody by name and walked the estate twice a day. We want that back.

Yours faithfully,

Mrs Dolores Fitzgerald-Mensah
Secretary, Bellenden Court Residents' Association
Flat 12, Harrier House, Bellenden Court, London SE15 4QT
Tel. 020 7946 0587
""")

# 07 ---------------------------------------------------------------------------
sample(
    n=7, slug="business-improvement-district", kind="organisation", structure="mixed",
    enc="quoted-printable", cs="windows-1252", cslabel="Windows-1252",
    themes="asb,burglary-robbery,neighbourhood-policing,partnership",
    expect="the Holloway Road BID’s formal response",
    frm="Rachel Denholm <rachel.denholm@hollowayroadbid.example.com>",
    subject="Holloway Road BID response - Police and Crime Plan 2021-25",
    date=(2021, 12, 9, 16, 24, 18), mid="LO2P265MB3108A9F0C2D7B@example.com",
    extra=["X-Mailer: Microsoft Outlook 16.0"],
    attach=[("HRBID response to PCP 2021-25.docx",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             HRBID_DOCX)],
    text="""\
Dear Sir/Madam,

Please find attached the Holloway Road BID’s formal response to the Police and Crime Plan 2021–25 consultation. A summary of our main points follows for convenience.

1. Retail crime. Shop theft in our district has risen sharply since shops reopened. Our members reported 1,140 incidents between April and October 2021 – almost double the same period in 2019. Staff are threatened and assaulted when they intervene. Most incidents are never investigated because the value is under £200, which the thieves know very well.

2. Anti-social behaviour. Begging, street drinking and groups “hanging about” outside the station at night make customers and staff feel unsafe, and we spend a significant part of our budget on cleaning graffiti and removing fly-tipping from shop fronts.

3. Visible policing. The town centre team has been cut from six officers to two. Our businesses want officers they can call by name, not a 101 number that goes unanswered.

4. Partnership. The BID funds two street wardens and a radio link scheme that connects 85 businesses with the council’s CCTV room. We would welcome a formal place for BIDs in borough partnership arrangements, and a data-sharing agreement so that our wardens’ reports reach the police.

Yours faithfully,

Rachel Denholm
BID Manager, Holloway Road Business Improvement District
Unit 4, 312 Holloway Road, London N7 8QX
020 7946 0741
""")

# 08 ---------------------------------------------------------------------------
sample(
    n=8, slug="interfaith-forum", kind="organisation", structure="plain",
    enc="8bit", cs="windows-1252",
    themes="violence,trust,partnership",
    expect="help to rebuild trust – but only",
    frm="Revd Josephine Abara-Lindqvist <secretary@tottenhaminterfaith.example.org>",
    subject="Tottenham Interfaith Forum - response to the Police and Crime Plan",
    date=(2021, 12, 6, 10, 2, 55), mid="000a01d7ea8f$3c41b2e0$b4c518a0$@example.org",
    extra=["X-Mailer: Microsoft Outlook 14.0"],
    text="""\
Dear Mayor’s Office for Policing and Crime,

The Tottenham Interfaith Forum brings together 23 churches, mosques, gurdwaras, synagogues and temples across north Tottenham. We write to respond to the draft Police and Crime Plan.

Hate crime. Members of our congregations have experienced a worrying rise in hate crime this year: a mosque on the High Road had its windows smashed twice in October, Jewish families have been abused in the street, and a Sikh taxi driver was assaulted in what police themselves described as a racially aggravated attack. Many victims do not report because they do not believe anything will happen. We ask that the plan treats hate crime as a priority in its own right, with clear targets for increasing reporting and charging.

Trust. Faith leaders are often the first people families come to after a stop and search that went wrong, or after a death in custody. We can help to rebuild trust – but only if the police are willing to be open with us. We ask for regular, honest briefings from the borough commander and for faith communities to be represented on stop and search scrutiny panels.

Working together. Our places of worship run food banks, youth clubs and bereavement support. We would like to be recognised as partners in community safety, with a seat on the Community Safety Partnership and access to the same information that other partners receive.

In peace,

Revd Canon Josephine Abara-Lindqvist
Chair, Tottenham Interfaith Forum
“Serving all faiths and none”
""")

# 09 ---------------------------------------------------------------------------
sample(
    n=9, slug="womens-aid", kind="organisation", structure="alternative",
    enc="quoted-printable", cs="utf-8",
    themes="violence,victims,justice,partnership",
    expect="Lea Valley Women’s Aid provides refuge accommodation",
    frm="Farah Qureshi-Hollis <ceo@leavalleywomensaid.example.org>",
    subject=rfc2047("Response to Police and Crime Plan 2021–25 – Lea Valley Women’s Aid",
                    "utf-8", "Q"),
    date=(2021, 12, 22, 15, 12, 9), mid="CAF9d0gS1mQ_p7xJ0e@example.com",
    text="""\
Dear colleagues,

Lea Valley Women’s Aid provides refuge accommodation, community outreach and independent domestic violence advisers (IDVAs) for women and children in Waltham Forest and Redbridge. We are grateful for the opportunity to respond.

Violence against women and girls must be a standalone priority. In the year to October our helpline took 4,312 calls, a 38% increase on before the pandemic. Tackling VAWG means going after perpetrators: we would like the plan to commit to proactive targeting of high-harm, serial domestic abuse offenders, and to tackling harassment of women and girls on the street and on public transport.

Victims need support that lasts. Refuge spaces in London are full almost every night, and our IDVAs are each holding caseloads of more than 100 women — well above safe levels. Commissioning in one-year cycles means we lose experienced staff every spring; multi-year commissioning by MOPAC, agreed with the boroughs, would make a real difference.

The criminal justice system is failing survivors. Women who report domestic abuse wait many months for a charging decision and then over a year for a trial date, and many give up. Specialist domestic abuse courts should be restored, and breaches of protective orders must be enforced.

Finally, we ask that specialist ‘by and for’ services for Black and minoritised women are commissioned in partnership with the specialist sector, not as an afterthought.

With thanks,

Farah Qureshi-Hollis
CEO, Lea Valley Women’s Aid
""")

# 10 ---------------------------------------------------------------------------
sample(
    n=10, slug="community-safety-partnership", kind="organisation", structure="html",
    enc="base64", cs="utf-8",
    themes="drugs,partnership,resources,justice",
    expect="how the plan’s priorities can be reflected",
    frm="Mohammed Al-Rashidi <community.safety@hounslow.example>",
    subject="Safer Hounslow Partnership - joint response to the draft Police and Crime Plan",
    date=(2022, 1, 7, 12, 40, 26), mid="SHP-2022-0107-124026@example.org",
    html="""\
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>
<body>
<p>Dear MOPAC Consultation Team,</p>
<p>This is the joint response of the Safer Hounslow Partnership, the statutory community safety partnership for the London Borough of Hounslow. Its members include the council, the Metropolitan Police West Area BCU, London Fire Brigade, the Probation Service, the NHS and Hounslow’s voluntary sector.</p>
<p>We have four main points:</p>
<ol>
<li><strong>Partnership data.</strong> Partners need shared, timely data. The plan should commit to a London-wide data-sharing agreement so that CSPs can see police, health and probation data together.</li>
<li><strong>Funding certainty.</strong> The London Crime Prevention Fund is worth &pound;1.3 million to Hounslow over the current period. Any top-slice must be transparent, and allocations should be confirmed at least six months before each financial year.</li>
<li><strong>Drugs.</strong> Drug markets drive much of the harm in the borough. We support enforcement against dealers but want equal weight on treatment: people arrested with a drug dependency should be referred to treatment from custody every time.</li>
<li><strong>Reoffending.</strong> Integrated Offender Management works when probation, police &amp; housing sit together. Since the probation reforms of June 2021 we have lost some of that, and we ask MOPAC to use its convening role to rebuild it.</li>
</ol>
<p>The partnership would welcome a meeting to discuss how the plan&rsquo;s priorities can be reflected in our own strategic assessment.</p>
<p>Yours sincerely,<br>
Mohammed Al-Rashidi<br>
Chair, Safer Hounslow Partnership<br>
Assistant Director, Community Safety &amp; Enforcement, London Borough of Hounslow</p>
</body></html>
""")

# 11 ---------------------------------------------------------------------------
sample(
    n=11, slug="barnet-council", kind="organisation", structure="plain",
    enc="base64", cs="utf-8",
    themes="burglary-robbery,neighbourhood-policing,resources",
    expect="Barnet is London’s most populous borough",
    frm="Graham Pettifer-Osei <community.safety@barnet.example>",
    subject="Police and Crime Plan consultation - London Borough of Barnet",
    date=(2022, 1, 11, 17, 3, 44), mid="barnet.pcp.20220111170344.0041@example.org",
    text="""\
Dear Sir or Madam,

Re: Police and Crime Plan 2021–25 — response from the London Borough of Barnet

Barnet is London’s most populous borough, with almost 400,000 residents, yet since the creation of the North West Basic Command Unit residents have consistently told us that they see fewer police officers than ever. Response times to emergency calls in the west of the borough have lengthened, and the closure of two front counters means that many residents now have no police station within reasonable distance.

Burglary remains the crime residents worry about most. Barnet has one of the highest volumes of residential burglary in London, and very few burglaries are solved. Older residents in particular tell us that they feel insecure in their own homes after a burglary in their street.

The council recognises the financial pressures on the Met. However, we believe the allocation of officers across London should reflect population and demand. We ask that the new officers funded by the national uplift programme are allocated in proportion to borough population, and that the proceeds of any further estate sales are reinvested in local policing rather than in central functions.

Yours faithfully,

Graham Pettifer-Osei
Strategic Lead, Community Safety
London Borough of Barnet
Council Offices, 7 Montrose Parade, London NW9 5QL
Tel: 020 7946 0129
""")

# 12 ---------------------------------------------------------------------------
sample(
    n=12, slug="enfield-council", kind="organisation", structure="alternative",
    enc="7bit", cs="us-ascii",
    themes="exploitation,partnership,justice",
    expect="147 children at risk of criminal",
    frm="Janet Okoro-Whitlock <childrens.services@enfield.example>",
    subject="Response of the London Borough of Enfield to the draft Police and Crime Plan",
    date=(2022, 1, 12, 10, 19, 30), mid="enfield-20220112101930-88f2@example.org",
    text="""\
Dear Consultation Team,

Response of the London Borough of Enfield to the draft Police and Crime Plan

1. Enfield welcomes the draft plan, and in particular its recognition that many young people who come into contact with the police are themselves at risk of exploitation.

2. Child criminal exploitation. Our Exploitation Panel currently tracks 147 children at risk of criminal or sexual exploitation. Many go missing from home or school for days at a time and are found in other counties carrying drugs. We ask that the plan commits the Met to the pan-London protocol on missing and exploited children, and to considering every such child as a possible victim of modern slavery.

3. Youth justice. The number of first-time entrants to the youth justice system in Enfield has fallen, but the young people who remain in the system are more likely to reoffend. Our Youth Justice Service wants to expand out-of-court disposals and diversion, and asks MOPAC to support this with the courts and the CPS.

4. Partnership. None of this works without information sharing. Our multi-agency safeguarding hub (MASH) relies on police attending strategy meetings and sharing intelligence promptly. We ask for dedicated police capacity in the MASH and on the Exploitation Panel, protected from abstraction.

Yours sincerely,

Janet Okoro-Whitlock
Director of Children's Services
London Borough of Enfield
""")

# 13 ---------------------------------------------------------------------------
sample(
    n=13, slug="neighbourhood-watch", kind="organisation", structure="mixed",
    nested_alternative=True,
    enc="8bit", cs="utf-8",
    themes="burglary-robbery,neighbourhood-policing,resources",
    expect="the Met faces a £50 million shortfall",
    frm="Brian Whitcombe <chair@suttonnhw.example.org>",
    subject="Sutton Borough Neighbourhood Watch Association response (with survey results)",
    date=(2021, 12, 28, 14, 26, 3), mid="a91c33b0-2f1e-4d55-b6a8-3e7c90d1f2ab@example.org",
    extra=["User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:91.0) Gecko/20100101 "
           "Thunderbird/91.4.1"],
    attach=[("SBNWA-member-survey-2021.pdf", "application/pdf", SUTTON_PDF)],
    text="""\
Dear Sir or Madam,

I attach the results of our member survey on behalf of the Sutton Borough Neighbourhood Watch Association, which coordinates 412 watch schemes covering about 18,000 households. Our members’ main concerns are set out below.

Burglary and vehicle crime are what our members worry about most. Catalytic converter thefts went through the roof last winter, and in Cheam and Belmont we have had a string of distraction burglaries targeting elderly residents. Members feel that once a burglary has been reported, nothing further happens beyond a crime reference number.

Our members also want to see officers on foot. The Safer Neighbourhood teams in the south of the borough have been stretched so thinly that most coordinators no longer know the name of their ward sergeant.

We understand that the Met faces a £50 million shortfall over the next two years. We would urge the Mayor not to balance the books by cutting neighbourhood officers or PCSOs, who cost relatively little and do a great deal for public confidence. The Association itself runs on a grant of £3,500 a year and a lot of volunteers’ goodwill.

Yours faithfully,

Brian Whitcombe
Chair, Sutton Borough Neighbourhood Watch Association
14 Grange Vale Close, Sutton SM2 7RB
Mobile 07700 900418
""")

# 14 ---------------------------------------------------------------------------
sample(
    n=14, slug="never-see-a-copper", kind="individual", structure="plain",
    enc="7bit", cs="us-ascii", mime=False,
    themes="neighbourhood-policing",
    expect="nobody ever sees a copper round",
    frm="Dave Kettering <davek1961@example.com>",
    subject="police plan",
    date=(2021, 11, 17, 22, 41, 9), mid="20211117224109.GA3187@example.com",
    text="""\
nobody ever sees a copper round here any more. used to be one walking up
and down the high street every day, now you'd be lucky to see a car go
past with its lights on.

Dave (Walthamstow)
""")

# 15 ---------------------------------------------------------------------------
sample(
    n=15, slug="knife-crime-school", kind="individual", structure="plain",
    enc="quoted-printable", cs="utf-8",
    themes="violence,partnership",
    expect="I don’t want my son walking home",
    frm="Michelle Anand <michelle.anand@example.com>",
    subject="Knife crime near my son's school",
    date=(2021, 11, 23, 8, 15, 37), mid="8E0B1F2C-77A4-4D1B-9C3E-5A6D0F7E21B9@example.com",
    extra=["X-Mailer: iPhone Mail (19B74)"],
    text="""\
My son is 14 and last month a boy was stabbed outside the chicken shop opposite his school in Thornton Heath. The kids all know who carries a knife. I don’t want my son walking home scared every day. Why can’t the police and the school work together on this, with the school’s police officer actually talking to the kids? Something has to be done about knives before another child dies.

Michelle Anand
""")

# 16 ---------------------------------------------------------------------------
sample(
    n=16, slug="phone-snatched", kind="individual", structure="plain",
    enc="7bit", cs="us-ascii",
    themes="burglary-robbery,neighbourhood-policing",
    expect="snatched by two lads on a moped",
    frm="Tom Gallagher <tomgallagher88@example.com>",
    subject="Phone theft - waste of time reporting",
    date=(2021, 11, 25, 18, 2, 14), mid="CAJ4p2ws7Lk9Hq0@example.com",
    text="""\
Had my phone snatched by two lads on a moped on Upper Street in broad daylight. Rang 999, was told someone would call back. Nobody did. Got a crime number by email three days later and then a letter saying the case was closed. What is the point in reporting anything.
""")

# 17 ---------------------------------------------------------------------------
sample(
    n=17, slug="unsubscribe", kind="individual", structure="plain",
    enc="7bit", cs="us-ascii",
    themes="-",
    expect="remove me from your mailing list",
    frm="A. Brennan <a.brennan@example.org>",
    subject="unsubscribe",
    date=(2021, 11, 19, 7, 55, 0), mid="61979a5c.1c69fb81.e93d.0b4a@example.org",
    text="""\
Please remove me from your mailing list. I don't remember signing up to this.

Thanks,
A. Brennan
""")

# 18 ---------------------------------------------------------------------------
sample(
    n=18, slug="road-layout-question", kind="individual", structure="alternative",
    enc="8bit", cs="utf-8",
    themes="-",
    expect="adds 15–20 minutes to my journey",
    frm="Gillian Frost <gill.frost@example.com>",
    subject="Bollards on Chaucer Road",
    date=(2021, 12, 1, 12, 33, 48), mid="CAKx0r9Tz5vB3d@example.com",
    text="""\
Hello,

I’m not sure this is the right place, but the consultation leaflet came through my door. Can you tell me whether the new bollards on Chaucer Road are staying permanently? The bus now has to go round by the station and it adds 15–20 minutes to my journey to work. Who do I write to about the road layout?

Thanks,
Gillian Frost
27 Chaucer Road, London SE24 9QA
""")

# 19 ---------------------------------------------------------------------------
sample(
    n=19, slug="stop-and-search", kind="individual", structure="plain",
    enc="base64", cs="utf-8",
    themes="trust",
    expect="in front of his mum’s house",
    frm="Jerome Baptiste-Clarke <jbc.2002@example.com>",
    subject="stop and search",
    date=(2021, 12, 3, 23, 12, 5), mid="CAB3m8Yd0Rr1ZqT@example.com",
    text="""\
I’m 19 and I’ve been stopped and searched five times this year. Every time they say I “match a description”. They never find anything. Last time they pulled my friend out of the car in front of his mum’s house and the officer wouldn’t give his name. How are we supposed to trust the police when this keeps happening? If you want young Black men to have confidence in the Met then stop treating us like suspects, and get some officers who actually come from our area.
""")

# 20 ---------------------------------------------------------------------------
sample(
    n=20, slug="station-sold", kind="individual", structure="plain",
    enc="8bit", cs="iso-8859-1", cslabel="ISO-8859-1",
    themes="neighbourhood-policing,resources",
    expect="station for £7.2 million and now",
    frm="Roger Hale <rogerhale@example.org>",
    subject="Cuts",
    date=(2021, 11, 30, 9, 4, 27), mid="001901d7e5c4$7a2b1c30$6e815490$@example.org",
    text="""\
Dear Sir,

You sold off Limehurst Road police station for £7.2 million and now you want us to believe you care about local policing. The nearest front counter is three miles away. Every year we hear about cuts and savings and every year there are fewer police on the streets. Stop wasting money on consultants and put it into officers.

R. Hale, E3
""")

# 21 ---------------------------------------------------------------------------
sample(
    n=21, slug="dealers-on-the-stairs", kind="individual", structure="plain",
    enc="7bit", cs="us-ascii",
    themes="asb,drugs",
    expect="theres dealers on the stairs",
    frm="shaz <shaz.b2011@example.com>",
    subject="drugs on our estate",
    date=(2021, 12, 5, 1, 27, 50), mid="CAGz5h1Pq8rX0w@example.com",
    text="""\
theres dealers on the stairs of our block every nite, you can smell the weed from the lifts and theres needels on the landing. kids have to walk past it. they shout and play music til 3am. reported it loads of times nothing happens. sort it out
""")

# 22 ---------------------------------------------------------------------------
sample(
    n=22, slug="off-road-bikes", kind="individual", structure="html",
    enc="7bit", cs="us-ascii",
    themes="asb",
    expect="the off-road bikes come tearing across",
    frm="Priya Raman <priya.raman@example.com>",
    subject="Off road bikes",
    date=(2021, 12, 8, 21, 30, 16), mid="D4B1C0E2-3F9A-4E8B-A1C7-9B2E6F0D5A34@example.com",
    html="""\
<html><head></head><body><div dir="ltr">
<p>Every evening the off-road bikes come tearing across the marshes and up and down our road, no helmets, no plates, doing wheelies past the kids playing.<br>
It is only a matter of time before someone gets killed.</p>
<p>Priya<br>Sent from my iPhone</p>
</div></body></html>
""")

# 23 ---------------------------------------------------------------------------
sample(
    n=23, slug="county-lines-nephew", kind="individual", structure="plain",
    enc="quoted-printable", cs="utf-8",
    themes="exploitation,drugs",
    expect="He’d been missing for four days",
    frm="name withheld <concerned.aunt@example.org>",
    subject="County lines",
    date=(2021, 12, 11, 15, 45, 22), mid="0102017db1e4c7a2-9f3e1c55@example.org",
    text="""\
Hi,

I want to raise county lines. My nephew is 15 and was picked up by police in Margate last spring with drugs and cash on him. He’d been missing for four days. Everyone treated him like a criminal, but he’d been groomed by older men who gave him trainers and then said he owed them money. Children like him are victims. Please make sure the plan says that, and goes after the men running these lines, not the kids. The dealing round here has got worse too – crack is being sold openly in the park.

(name withheld)
""")

# 24 ---------------------------------------------------------------------------
sample(
    n=24, slug="burgled-no-follow-up", kind="individual", structure="plain",
    enc="8bit", cs="windows-1252",
    themes="burglary-robbery,victims",
    expect="The “victim care” the plan talks about",
    frm="Ian Marchetti <ian.marchetti@example.com>",
    subject="Burglary - no follow up",
    date=(2021, 12, 13, 20, 8, 31), mid="000001d7f05e$1b2c3d40$5f6a7b80$@example.com",
    extra=["X-Mailer: Microsoft Outlook 15.0"],
    text="""\
Dear MOPAC,

We were burgled in September while we were on holiday – they took my late mother’s jewellery and both our laptops. The officer who came was kind but we never heard from him again. I rang Victim Support myself weeks later because nobody had referred us. My wife still can’t sleep properly and checks the locks three times every night. The “victim care” the plan talks about needs to actually happen.

Ian and Sheila Marchetti
44 Cranbrook Road, London SE8 4QT
020 7946 0903
""")

# 25 ---------------------------------------------------------------------------
sample(
    n=25, slug="domestic-abuse-survivor", kind="individual", structure="alternative",
    enc="quoted-printable", cs="utf-8",
    themes="violence,victims,justice",
    expect="adjourned three times — it is now",
    frm="S. <survivor.voice21@example.com>",
    subject="My experience",
    date=(2021, 12, 16, 22, 54, 18), mid="CAD8x2Lq4fN7vYp@example.com",
    text="""\
I am writing as a survivor of domestic abuse. I reported my ex-partner in 2019. It took eleven months for the CPS to charge him and the trial has been adjourned three times — it is now listed for May 2022. In that time he has breached his bail conditions twice and nothing happened. I had an IDVA for the first few months, then the service closed and I was on my own. I nearly withdrew my statement more than once.

Please, if the plan is serious about violence against women and girls, make the police treat breaches seriously and make sure women like me have someone with us all the way through to court.

S.
""")

# 26 ---------------------------------------------------------------------------
sample(
    n=26, slug="revolving-door", kind="individual", structure="plain",
    enc="7bit", cs="us-ascii",
    themes="justice",
    expect="The revolving door has to stop",
    frm="Martin Pugh <m.pugh@example.org>",
    subject="Reoffending",
    date=(2021, 12, 18, 11, 20, 0), mid="20211218112000.4f2a91@example.org",
    text="""\
The revolving door has to stop. A man on our road has been in and out of prison six times in the four years I've lived here. Each time he comes out there is no housing, no job and no real support from probation, and within weeks he is back to his old ways and back in court. Rehabilitation should start on day one and probation needs the staff to actually supervise people.
""")

# 27 ---------------------------------------------------------------------------
sample(
    n=27, slug="101-on-hold", kind="individual", structure="plain",
    enc="7bit", cs="us-ascii", mime=False,
    themes="neighbourhood-policing",
    expect="on hold for 52 minutes",
    frm="Kevin O'Donoghue <kev.odonoghue@example.com>",
    subject="101",
    date=(2021, 12, 19, 19, 36, 41), mid="20211219193641.GB1144@example.com",
    text="""\
I rang 101 to report a van that had been dumped outside my house and was
on hold for 52 minutes before it cut off. The online form crashed twice.
If you want people to report things make it possible to report them!!!
""")

# 28 ---------------------------------------------------------------------------
sample(
    n=28, slug="hate-crime-bus", kind="individual", structure="plain",
    enc="8bit", cs="utf-8",
    themes="violence,victims",
    expect="called her a ‘dirty Pole’",
    frm=rfc2047("Zofia Wiśniewska", "utf-8", "Q") + " <zofia.wisniewska@example.com>",
    subject="Hate crime on the bus",
    date=(2021, 12, 21, 18, 49, 3), mid="CAE1f7Uu3Wz6nKd@example.com",
    text="""\
Since Brexit my family has been shouted at many times in the street for speaking Polish. In August a man spat at my daughter on the 207 bus and called her a ‘dirty Pole’. We reported it as a hate crime. The officer was polite but we never heard anything again, and when I called to ask I was told the case was closed. My daughter is afraid to speak Polish on the bus now. Hate crime victims need to be kept informed and supported, not forgotten.

Zofia Wiśniewska, Ealing
""")

# 29 ---------------------------------------------------------------------------
sample(
    n=29, slug="walking-home-at-night", kind="individual", structure="html",
    enc="7bit", cs="utf-8",
    themes="violence,trust,neighbourhood-policing",
    expect="I don't feel safe getting home at night",
    frm="Lauren <lauren.m.hughes@example.com>",
    subject="Women's safety",
    date=(2021, 11, 24, 23, 3, 17), mid="CAN5q0Ha7jT2xVe@example.com",
    html="""\
<div dir="ltr">
<p>Hi,</p>
<p>I'm 26 and I don't feel safe getting home at night. I walk from Clapham Common station and get followed or shouted at most weeks. Violence against women and girls has to be a real priority in the plan &amp; not just words.</p>
<p>After everything that happened this year I honestly don't know if I would feel safe approaching a lone male officer either. The Met needs to show it is dealing with officers who abuse women, not protecting them.</p>
<p>More officers on the Tube and around stations late at night would help.<br>
Not just at weekends.</p>
<p>Thanks,<br>
Lauren</p>
</div>
""")

# 30 ---------------------------------------------------------------------------
sample(
    n=30, slug="fly-tipping-alley", kind="individual", structure="plain",
    enc="quoted-printable", cs="iso-8859-1",
    themes="asb,partnership",
    expect="Fines of £400 mean nothing if",
    frm="K. Demetriou <k.demetriou@example.org>",
    subject="Fly tipping and graffiti behind Fore Street",
    date=(2021, 12, 23, 10, 27, 59), mid="20211223102759.7e3c@example.org",
    text="""\
Dear sir or madam,

The alleyway behind the shops and the café on Fore Street is used as a dumping ground every weekend: mattresses, fridges, builders' rubble. The walls are covered in graffiti and the street lights have been smashed so it's pitch black at night. The council says it's a police matter and the police say it's a council matter. Fines of £400 mean nothing if nobody is ever caught. Can the council and the police please get together, put up a camera and sort it out between them instead of passing the buck?

Mr K. Demetriou
Flat 3, 212 Fore Street, London N18 2QZ
""")

# 31 ---------------------------------------------------------------------------
sample(
    n=31, slug="crime-prevention-fund", kind="individual", structure="alternative",
    enc="7bit", cs="us-ascii",
    themes="partnership,resources",
    expect="top-slice the London Crime Prevention Fund",
    frm="Peter Okafor <peter.okafor@example.com>",
    subject="London Crime Prevention Fund",
    date=(2021, 12, 27, 16, 11, 38), mid="CAM2c8Rf6pW1tUo@example.com",
    text="""\
Dear MOPAC,

I have been a volunteer on our ward panel for ten years. I see the plan proposes to top-slice the London Crime Prevention Fund to pay for pan-London programmes. That money is what lets boroughs fund the local projects that actually work. Please do not take more money away from the boroughs. If there is less money overall, be honest about it and let the council and the police decide locally, together, what to keep.

Regards,
Peter Okafor
""")

# 32 ---------------------------------------------------------------------------
sample(
    n=32, slug="witness-court-delays", kind="individual", structure="plain",
    enc="quoted-printable", cs="windows-1252", cslabel="windows-1252",
    themes="victims,justice",
    expect="now set for “some time in 2022”",
    frm="Harriet Lowe <harriet.lowe@example.org>",
    subject="Court delays",
    date=(2022, 1, 3, 9, 48, 12), mid="000b01d80088$2e4f6a10$8ae03e30$@example.org",
    extra=["X-Mailer: Microsoft Outlook 16.0"],
    text="""\
I was a witness to an incident at the post office where I work in March 2020. The trial has been postponed four times and is now set for “some time in 2022”. I have moved house and changed jobs since then. Nobody from the Witness Service has contacted me in over a year. How is anyone expected to remember details two years later? Sort out the courts – the delays are a gift to the guilty.

Harriet Lowe
""")

# 33 ---------------------------------------------------------------------------
sample(
    n=33, slug="mum-defrauded", kind="individual", structure="plain",
    enc="base64", cs="iso-8859-1",
    themes="exploitation,victims",
    expect="She lost £6,400",
    frm=rfc2047("Renée Dubois-Marsh", "iso-8859-1", "B") + " <renee.dm@example.com>",
    subject="Older people being targeted",
    date=(2022, 1, 4, 14, 2, 45), mid="3b7e0c2d-91a4-4f6e-8d15-7c2a0b9e6f13@example.com",
    text="""\
Hello,

My mother is 84 and lives alone in Hendon. This year she was targeted by a man who befriended her on the phone, then turned up at her door and persuaded her to hand over her bank card. She lost £6,400. Another time a gang of "roofers" charged her £3,000 for work that was never done. The police took a statement but told us there was little they could do. Older people living alone are being exploited and nobody seems to be looking out for them. Vulnerable adults need protecting - please put this in the plan, and make sure victims like her get proper support afterwards.

Renée Dubois-Marsh
""")

# 34 ---------------------------------------------------------------------------
sample(
    n=34, slug="racing-cars", kind="individual", structure="plain",
    enc="7bit", cs="us-ascii",
    themes="asb",
    expect="race up and down Westhorne Avenue",
    frm="Gary Mills <garymills@example.com>",
    subject="Speeding on Westhorne Avenue",
    date=(2022, 1, 5, 2, 14, 9), mid="CAP9k3Wn1sQ8yBa@example.com",
    text="""\
Cars race up and down Westhorne Avenue at 60mph every night, revving engines and screeching tyres at 2am. Its a racetrack. Nobody enforces the 20 limit. When is something going to be done?
""")

# 35 ---------------------------------------------------------------------------
sample(
    n=35, slug="officer-numbers", kind="individual", structure="plain",
    enc="8bit", cs="windows-1252",
    themes="trust,neighbourhood-policing,resources",
    expect="less than €20 million a year",
    frm="Pieter van Dijk <p.vandijk@example.org>",
    subject="Officer numbers and diversity",
    date=(2022, 1, 6, 20, 37, 26), mid="000c01d8033a$4b5c6d70$e1152a50$@example.org",
    text="""\
Dear MOPAC,

Two points. First, officer numbers: the Mayor keeps talking about “record” recruitment, but London still has fewer officers per head than ten years ago and the new recruits are being sent out with almost no experience. The plan should say how many officers London actually needs and where the money is coming from – not just celebrate the uplift.

Second, the Met needs to look like London. Only around 16% of officers are from Black, Asian or minority ethnic backgrounds, and women leave the service faster than men. Recruit locally and, just as important, keep them.

P.S. I grew up in the Netherlands, where every neighbourhood has its own wijkagent whom everyone knows. It isn’t expensive – Amsterdam’s whole community officer scheme costs less than €20 million a year.

Pieter van Dijk
""")

# 36 ---------------------------------------------------------------------------
sample(
    n=36, slug="catalytic-converter", kind="individual", structure="plain",
    enc="8bit", cs="iso-8859-1",
    themes="burglary-robbery",
    expect="The second time cost me £1,850",
    frm=rfc2047("José Martín Herrera", "iso-8859-1", "B") + " <jmherrera@example.com>",
    subject="Catalytic converter theft",
    date=(2022, 1, 8, 10, 55, 31), mid="20220108105531.3a1d6e@example.com",
    text="""\
Hello,

My Toyota has had its catalytic converter stolen twice this year, both times from outside my house on Kenton Lane, Harrow HA3 8QT. The second time cost me £1,850 and three weeks without a car, which I need for work. The thieves were on camera both times, I gave the footage to the police, and I heard nothing. Our street WhatsApp group says six cars have been done in the last year. Vehicle crime ruins people's livelihoods. Please take it seriously.

José
""")

# 37 ---------------------------------------------------------------------------
sample(
    n=37, slug="bike-and-flat", kind="individual", structure="plain",
    enc="quoted-printable", cs="iso-8859-15", cslabel="ISO-8859-15",
    themes="burglary-robbery,neighbourhood-policing",
    expect="I had to pay €350 to replace",
    frm=rfc2047("Élodie Marchand", "iso-8859-15", "Q") + " <elodie.marchand@example.org>",
    subject="Theft and no police station",
    date=(2022, 1, 9, 17, 21, 6), mid="7f4c2b1a-e8d3-4a90-b6f2-13c9e5a7d048@example.org",
    extra=["User-Agent: Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:91.0) "
           "Gecko/20100101 Thunderbird/91.4.1"],
    text="""\
Bonjour / Hello,

I moved to Tooting from Lyon two years ago. In September my bike was stolen from outside the station, and a week later my flat was broken into and my laptop taken. I had to pay €350 to replace my French residence documents that were in the bag. In both cases the police only gave me a crime number by email. In France I could go to the commissariat in my quartier and speak to an officer. Here the nearest police counter is open three days a week. Please bring back local police stations that people can actually walk into.

Élodie Marchand
""")

# 38 ---------------------------------------------------------------------------
sample(
    n=38, slug="car-wash-workers", kind="individual", structure="plain",
    enc="7bit", cs="us-ascii",
    themes="exploitation",
    expect="victims of modern slavery",
    frm="Alan Birch <alan.birch@example.com>",
    subject="Hand car wash - modern slavery?",
    date=(2021, 12, 12, 13, 6, 52), mid="CAQ4v7Ee2kH9mLs@example.com",
    text="""\
There is a hand car wash on the corner of the retail park in Beckton. The men working there look exhausted, they work seven days a week from early morning, and they seem to live in the portacabin behind it. I'm worried they are victims of modern slavery. Who checks these places? Please make tackling trafficking and forced labour part of the plan.
""")

# 39 ---------------------------------------------------------------------------
sample(
    n=39, slug="youth-clubs", kind="individual", structure="alternative",
    enc="base64", cs="utf-8",
    themes="violence,partnership",
    expect="Bring back youth clubs – half",
    frm="Denise Walcott <denise.walcott@example.com>",
    subject="Youth clubs",
    date=(2021, 12, 30, 11, 42, 19), mid="CAR6n1Tg8bM3qPw@example.com",
    text="""\
Bring back youth clubs – half the ones in Lewisham have closed in the last ten years. Kids have nowhere to go after school and end up on the streets, where the gangs find them. Get schools, youth services and the police working together to run things in the evenings and the holidays, and you’ll see fewer stabbings.

Denise Walcott
""")

# 40 ---------------------------------------------------------------------------
sample(
    n=40, slug="gangs-on-the-estate", kind="individual", structure="plain",
    enc="7bit", cs="us-ascii",
    themes="violence,exploitation,drugs",
    expect="another stabbing last week",
    frm="marcia <marcia1975@example.com>",
    subject="GANGS",
    date=(2022, 1, 10, 22, 18, 0), mid="CAS2p5Yk0cR7wNf@example.com",
    text="""\
the gangs on the Marlowe estate run everything, selling crack out the back of the flats and there was another stabbing last week. my son is 13 and there already trying to get him to hold stuff for them. what are the police doin about it??? NOTHING
""")

# 41 ---------------------------------------------------------------------------
sample(
    n=41, slug="earning-trust", kind="individual", structure="html",
    enc="8bit", cs="utf-8",
    themes="trust",
    expect="many of my former pupils’ parents simply",
    frm="Beverley Campbell-Reid <bev.campbellreid@example.org>",
    subject="Trust and confidence",
    date=(2022, 1, 2, 15, 30, 44), mid="e3d2c1b0-7a6f-4e5d-9c8b-0f1e2d3c4b5a@example.org",
    html="""\
<html>
<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>
<body>
<p>Dear Sir/Madam,</p>
<p>I am a retired teacher and have been a Black Londoner for 60 years. I would like the plan to include three things:</p>
<ul>
<li>Publish stop &amp; search figures by ethnicity for every borough, every month.</li>
<li>Make the complaints system truly independent – people do not complain because they think the police investigate themselves.</li>
<li>Recruit and, above all, keep Black officers. Ask why they leave.</li>
</ul>
<p>Trust has to be earned. At the moment many of my former pupils’ parents simply do not believe the police are there for them.</p>
<p>Yours faithfully,<br>
Mrs Beverley Campbell-Reid<br>
86 Railton Road, London SE24 0QT<br>
020 7946 0258</p>
</body>
</html>
""")

# 42 ---------------------------------------------------------------------------
sample(
    n=42, slug="online-grooming", kind="individual", structure="plain",
    enc="quoted-printable", cs="utf-8",
    themes="exploitation,partnership",
    expect="parents don’t know where to turn",
    frm="Anjali Mehta <anjali.mehta@example.com>",
    subject=rfc2047("Children’s safety online – please read", "utf-8", "Q"),
    date=(2022, 1, 13, 21, 9, 57), mid="CAT8r3Bd5hJ1zKx@example.com",
    text="""\
My 12-year-old daughter was contacted on Snapchat by a man pretending to be a 14-year-old boy, who asked her for photos. The school only found out because her friend told a teacher. Online grooming of children is happening every day and parents don’t know where to turn. Please could the police and schools work together to teach kids and parents about online harm, and make it easier to report it.

Anjali
""")

# 43 ---------------------------------------------------------------------------
sample(
    n=43, slug="street-drinkers", kind="individual", structure="plain",
    enc="7bit", cs="us-ascii",
    themes="asb,drugs",
    expect="Street drinkers outside the Co-op",
    frm="Sandra Kowalczyk <sandra.k@example.org>",
    subject="Street drinking Mitcham Lane",
    date=(2021, 12, 15, 9, 12, 40), mid="20211215091240.5c2b@example.org",
    text="""\
Street drinkers outside the Co-op on Mitcham Lane from 9am every day. Shouting, fighting, urinating in doorways. Some of them clearly need help with their drinking so theres no point just moving them on. Get them into treatment and stop the off-licences selling super-strength cans.
""")

# 44 ---------------------------------------------------------------------------
sample(
    n=44, slug="complaint-ignored", kind="individual", structure="plain",
    enc="base64", cs="windows-1252",
    themes="trust",
    expect="The plan talks about “transparency and accountability”",
    frm="Daniel Achebe-Ross <d.achebe.ross@example.com>",
    subject="Complaint ignored",
    date=(2022, 1, 14, 8, 40, 3), mid="000d01d80930$5c6d7e80$15283ba0$@example.com",
    extra=["X-Mailer: Microsoft Outlook 16.0"],
    text="""\
In July I made a formal complaint about the way officers spoke to my elderly father during a search of his flat (they had the wrong address). Five months on I have had one acknowledgement letter and nothing else. The plan talks about “transparency and accountability” – it means nothing if complaints just disappear. Who is holding the Met to account?

Daniel Achebe-Ross, 07700 900732
""")

# 45 ---------------------------------------------------------------------------
sample(
    n=45, slug="auto-reply", kind="individual", status="auto-reply", structure="plain",
    enc="7bit", cs="us-ascii",
    themes="-",
    expect="I am on leave until Tuesday",
    frm="Nadia Rahman <n.rahman@example.com>",
    subject="Out of office: Thank you for your interest in the consultation",
    date=(2021, 12, 24, 9, 0, 12), mid="autoreply.20211224090012.9d1e@example.com",
    extra=["Auto-Submitted: auto-replied",
           "In-Reply-To: <newsletter-2021-12@mopac.example.org>"],
    text="""\
Thank you for your email. I am on leave until Tuesday 4 January 2022 and will have limited access to email. If your message is urgent please contact my colleague Sam Whitaker on 020 7946 0456.

Kind regards,
Nadia Rahman
""")

# 46 ---------------------------------------------------------------------------
sample(
    n=46, slug="late-east-ham", kind="individual", structure="plain",
    enc="8bit", cs="utf-8",
    themes="asb,burglary-robbery,neighbourhood-policing",
    expect="if this is too late – I only",
    frm="Carol Ndlovu <carol.ndlovu@example.org>",
    subject="Police in East Ham",
    date=(2022, 1, 18, 19, 25, 50), mid="CAV0w4Gh2nE6sTb@example.org",
    text="""\
Sorry if this is too late – I only saw the leaflet today.

Our road (off Ferndale Street, E6) has had three bikes stolen from front gardens since Christmas and a shed broken into. Groups of teenagers hang around the alley drinking and setting off fireworks most nights. We never see the ward officers – the last time was a leaflet drop in the summer. Please put more police back on foot in East Ham.

Carol Ndlovu
""")


# ---------------------------------------------------------------- building

def boundary_for(s, tag):
    h = hashlib.sha1(("%s/%s" % (s["slug"], tag)).encode()).hexdigest()
    return "----=_Part_%s_%s" % (tag, h[:24])


def filename(s):
    return "%02d-%s.eml" % (s["n"], s["slug"])


def build(s):
    date = dt.datetime(*s["date"], tzinfo=dt.timezone.utc)
    head = [fold("From", s["frm"]) if "=?" not in s["frm"] else "From: " + s["frm"],
            "To: " + s.get("to", TO)]
    if s.get("cc"):
        head.append("Cc: " + s["cc"])
    head.append("Subject: " + s["subject"] if "=?" in s["subject"]
                else fold("Subject", s["subject"]))
    head.append("Date: " + date.strftime("%a, %d %b %Y %H:%M:%S +0000"))
    head.append("Message-ID: <%s>" % s["mid"])
    head += s.get("extra", [])

    cs, cte, label = s["cs"], s["enc"], s.get("cslabel")
    text = s.get("text")
    if text is not None and cte != "quoted-printable":
        text = wrap_text(text, s["expect"])

    st = s["structure"]
    if st == "plain":
        if not s.get("mime", True):
            body = transfer_encode(text.encode("ascii"), "7bit")
            return ("\n".join(head) + "\n\n").encode("ascii") + body
        ph, body = text_part("text/plain", cs, label, cte, text)
    elif st == "html":
        markup = s["html"]
        if cte in ("7bit", "8bit"):
            markup = wrap_text(markup, s["expect"])
        ph, body = text_part("text/html", cs, label, cte, markup)
    elif st == "alternative":
        plain = text_part("text/plain", cs, label, cte, text)
        markup = auto_html(s["text"], label or cs)
        if cte in ("7bit", "8bit"):
            markup = wrap_text(markup, s["expect"])
        ph, body = multipart("alternative", boundary_for(s, "alt"),
                             [plain, text_part("text/html", cs, label, cte, markup)])
    elif st == "mixed":
        if s.get("nested_alternative"):
            markup = wrap_text(auto_html(s["text"], label or cs), s["expect"])
            first = multipart("alternative", boundary_for(s, "alt"),
                              [text_part("text/plain", cs, label, cte, text),
                               text_part("text/html", cs, label, cte, markup)],
                              preamble=False)
        else:
            first = text_part("text/plain", cs, label, cte, text)
        parts = [first] + [attachment_part(*a) for a in s["attach"]]
        ph, body = multipart("mixed", boundary_for(s, "mix"), parts)
    else:
        raise ValueError(st)
    head.append("MIME-Version: 1.0")
    head += ph
    return ("\n".join(head) + "\n\n").encode("ascii") + body


MANIFEST_COLS = ["file", "kind", "status", "structure", "encoding", "charset", "themes",
                 "expect"]


def write_all():
    for old in os.listdir(HERE):
        if re.match(r"^\d\d-.*\.eml$", old):
            os.unlink(os.path.join(HERE, old))
    rows = ["\t".join(MANIFEST_COLS)]
    for s in sorted(S, key=lambda x: x["n"]):
        with open(os.path.join(HERE, filename(s)), "wb") as f:
            f.write(build(s))
        rows.append("\t".join([filename(s), s["kind"], s.get("status", "response"),
                               s["structure"], s["enc"], s["cs"], s["themes"], s["expect"]]))
    with open(os.path.join(HERE, "MANIFEST.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(rows) + "\n")


# ---------------------------------------------------------------- checking

class TextOf(html.parser.HTMLParser):
    """Readable text of an HTML document: style/script dropped, blocks on new lines."""
    BLOCKS = {"p", "div", "br", "li", "ul", "ol", "tr", "h1", "h2", "h3", "table"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self.skip -= 1
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def html_text(markup):
    p = TextOf()
    p.feed(markup)
    p.close()
    return "".join(p.out)


def norm(t):
    return re.sub(r"\s+", " ", t).strip()


def html_paragraph_segments(markup):
    """Text of each <p> between <br>s, for paragraphs whose segment has no markup."""
    for m in re.finditer(r"<p\b[^>]*>(.*?)</p>", markup, re.S | re.I):
        for seg in re.split(r"<br\s*/?>", m.group(1), flags=re.I):
            if "<" not in seg:
                yield norm(html.unescape(seg))


def check():
    errors = []
    counts = {"theme": {t: 0 for t in THEMES}, "encoding": {}, "structure": {},
              "charset": {}, "kind": {}}
    extra = {"rfc2047": 0, "qp-soft-breaks": 0, "w1252-c1-bytes": 0, "euro-8859-15": 0}
    with open(os.path.join(HERE, "MANIFEST.tsv"), encoding="utf-8") as f:
        lines = f.read().rstrip("\n").split("\n")
    if lines[0].split("\t") != MANIFEST_COLS:
        errors.append("MANIFEST.tsv: bad header")
    rows = [dict(zip(MANIFEST_COLS, l.split("\t"))) for l in lines[1:]]
    files = sorted(x for x in os.listdir(HERE) if x.endswith(".eml"))
    if files != [r["file"] for r in rows]:
        errors.append("MANIFEST.tsv does not list exactly the .eml files")
    lo = dt.datetime(2021, 11, 16, tzinfo=dt.timezone.utc)
    hi = dt.datetime(2022, 1, 22, tzinfo=dt.timezone.utc)
    mids = set()

    for r in rows:
        name = r["file"]

        def bad(msg):
            errors.append("%s: %s" % (name, msg))

        raw = open(os.path.join(HERE, name), "rb").read()
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        for h in ("From", "To", "Subject", "Date", "Message-ID"):
            if msg[h] is None:
                bad("missing " + h)
        d = msg["Date"].datetime
        if not lo <= d < hi:
            bad("date out of range")
        mid = str(msg["Message-ID"])
        if not re.fullmatch(r"<[^<>@\s]+@example\.(com|org)>", mid):
            bad("odd Message-ID " + mid)
        if mid in mids:
            bad("duplicate Message-ID")
        mids.add(mid)
        for addr in msg["From"].addresses + msg["To"].addresses:
            if not re.search(r"(\.example|example\.(com|org))$", addr.domain):
                bad("non-example domain " + addr.domain)
        if msg["Content-Type"] is not None and msg["MIME-Version"] is None:
            bad("MIME used without MIME-Version")
        if b"=?" in raw.split(b"\n\n", 1)[0]:
            extra["rfc2047"] += 1
            decoded = str(msg["From"]) + str(msg["Subject"])
            if "=?" in decoded or all(ord(c) < 128 for c in decoded):
                bad("RFC 2047 header did not decode")

        defects = [x for part in msg.walk() for x in part.defects]
        if defects:
            bad("parser defects: %r" % defects)

        # structure, encoding and charset of the primary text part
        ctype = msg.get_content_type()
        want = {"plain": "text/plain", "html": "text/html",
                "alternative": "multipart/alternative", "mixed": "multipart/mixed"}
        if ctype != want[r["structure"]]:
            bad("structure %s but Content-Type %s" % (r["structure"], ctype))
        plain = html_part = None
        for part in msg.walk():
            if part.is_attachment() or part.get_content_maintype() != "text":
                continue
            if part.get_content_type() == "text/plain" and plain is None:
                plain = part
            if part.get_content_type() == "text/html" and html_part is None:
                html_part = part
        primary = plain or html_part
        cte = primary.get("Content-Transfer-Encoding", "7bit").lower()
        if cte != r["encoding"]:
            bad("encoding %s but part says %s" % (r["encoding"], cte))
        if (primary.get_content_charset() or "us-ascii") != r["charset"]:
            bad("charset %s but part says %s" % (r["charset"], primary.get_content_charset()))
        payload = primary.get_payload(decode=True)
        if cte == "quoted-printable" and re.search(rb"=\r?\n", primary.get_payload().encode()):
            extra["qp-soft-breaks"] += 1
        if r["charset"] == "windows-1252" and any(0x80 <= b <= 0x9f for b in payload):
            extra["w1252-c1-bytes"] += 1
        if r["charset"] == "iso-8859-15" and b"\xa4" in payload:
            extra["euro-8859-15"] += 1
        if cte == "7bit" and any(b >= 0x80 for b in raw):
            bad("7bit message has 8-bit bytes")
        if cte == "8bit" and not any(b >= 0x80 for b in payload):
            bad("8bit body is pure ASCII")

        # the expect phrase
        exp = r["expect"]
        if not 3 <= len(exp.split()) <= 8:
            bad("expect phrase is not 3-8 words")
        if plain is not None:
            text = plain.get_content()
            if not any(exp in norm(line) for line in text.split("\n")):
                bad("expect phrase not on one line of the plain text")
            if html_part is not None and exp not in norm(html_text(html_part.get_content())):
                bad("expect phrase missing from the HTML alternative")
        else:
            markup = html_part.get_content()
            text = html_text(markup)
            if not any(exp in seg for seg in html_paragraph_segments(markup)):
                bad("expect phrase not inside a single <p>")
            if not any(exp in norm(line) for line in text.split("\n")):
                bad("expect phrase not on one line of the HTML's text")
        if exp not in norm(text):
            bad("expect phrase not in decoded text")
        if any(ord(c) > 127 for c in text) and all(ord(c) < 128 for c in exp):
            bad("body has non-ASCII text but the expect phrase does not")

        # status
        auto = msg["Auto-Submitted"] not in (None, "no")
        if auto != (r["status"] == "auto-reply"):
            bad("status does not match Auto-Submitted")

        themes = [] if r["themes"] == "-" else r["themes"].split(",")
        for t in themes:
            if t not in THEMES:
                bad("unknown theme " + t)
            else:
                counts["theme"][t] += 1
        for k, col in (("encoding", "encoding"), ("structure", "structure"),
                       ("charset", "charset"), ("kind", "kind")):
            counts[k][r[col]] = counts[k].get(r[col], 0) + 1

    for k in ("theme", "structure", "encoding", "charset", "kind"):
        print("%-10s " % k + "  ".join("%s=%d" % kv for kv in counts[k].items()))
    print("%-10s " % "other" + "  ".join("%s=%d" % kv for kv in extra.items()),
          " no-theme=%d" % sum(1 for r in rows if r["themes"] == "-"),
          " files=%d" % len(rows))
    low = [t for t, c in counts["theme"].items() if c < 3]
    if low:
        errors.append("themes with fewer than 3 responses: " + ", ".join(low))
    for e in errors:
        print("FAIL", e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    if "--check" not in sys.argv[1:]:
        write_all()
    sys.exit(check())
