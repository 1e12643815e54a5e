#!/usr/bin/python3
"""bench/reportlab_report.py — the peer `make bench` times Quire against.

Renders a plain Markdown paper (tests/data/bench/report.md, or the x10 pack
made of ten copies of it) to a PDF with ReportLab's Platypus, set as Quire
sets it by default: A4, margins of 25 mm top and bottom and 20 mm at the
sides, Liberation Sans 12 pt on a 1.25 leading, headings 18/14/12.5 pt,
bulleted lists indented 18 pt a level, tables at 10.5 pt with a shaded
header row repeated on every page, "Page N of M" centred in the footer, and
DejaVu Sans for characters Liberation Sans lacks.

Usage:
  reportlab_report.py IN.md OUT.pdf [REGULAR BOLD ITALIC BOLDITALIC FALLBACK]
  reportlab_report.py --fonts      print those five TTF paths (fc-match)

The bench resolves the fonts once with --fonts and passes the paths, as
Quire's warmed cache spares it the font look-up on each run.

The Markdown is converted by the small parser below rather than a library:
it covers what the benchmark report holds (ATX headings, paragraphs with
**bold**, *italic* and backslash line breaks, nested "-" lists, pipe tables)
and keeps the timing about typesetting, not about a general converter.
"""
import re
import subprocess
import sys

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import (Paragraph, SimpleDocTemplate, Table,
                                TableStyle)

# Quire's default house style, in points.
BODY, LEADING, PARA_SPACE = 12.0, 1.25, 6.0
HEADING = {1: 18.0, 2: 14.0, 3: 12.5}         # deeper levels: body size
LIST_INDENT, TABLE_SIZE, SMALL, PAD = 18.0, 10.5, 9.0, 4.0
TEXT, HEAD_FILL, RULE = (colors.HexColor(c)
                         for c in ("#1a1a1a", "#dee0e2", "#b1b4b6"))
STATUS = {"Red": "#d4351c", "Amber": "#f47738", "Green": "#00703c",
          "Complete": "#1d70b8"}
MARGIN_TB, MARGIN_LR = 25 * mm, 20 * mm
FONT_QUERIES = ("Liberation Sans", "Liberation Sans:bold",
                "Liberation Sans:italic", "Liberation Sans:bold:italic",
                "DejaVu Sans")


def resolve_fonts():
    return [subprocess.run(["fc-match", "-f", "%{file}", q], check=True,
                           capture_output=True, text=True).stdout
            for q in FONT_QUERIES]


# ---- fonts ------------------------------------------------------------------

class Fonts:
    def __init__(self, paths):
        names = ("Body", "Body-Bold", "Body-Italic", "Body-BoldItalic")
        for name, path in zip(names, paths):
            pdfmetrics.registerFont(TTFont(name, path))
        pdfmetrics.registerFontFamily("Body", normal=names[0], bold=names[1],
                                      italic=names[2], boldItalic=names[3])
        self.cmap = pdfmetrics.getFont("Body").face.charToGlyph
        self.fallback_path = paths[4]
        self.fallback = None

    def cover(self, markup):
        """Wrap each character the body face lacks in the fallback face, as
        Quire does; the fallback is loaded only when a character needs it."""
        if all(ord(c) < 0x100 or ord(c) in self.cmap for c in markup):
            return markup
        if self.fallback is None:
            pdfmetrics.registerFont(TTFont("Fallback", self.fallback_path))
            self.fallback = "Fallback"
        return "".join(c if ord(c) < 0x100 or ord(c) in self.cmap
                       else '<font name="Fallback">%s</font>' % c
                       for c in markup)


# ---- Markdown -----------------------------------------------------------------

STRONG = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
EMPH = re.compile(r"\*(.+?)\*|(?<!\w)_(.+?)_(?!\w)")
HEADING_LINE = re.compile(r"(#{1,6})\s+(.*?)\s*#*\s*$")
ITEM_LINE = re.compile(r"( *)[-*+]\s+(.*)")


def inline(text):
    """Markdown inline text to Platypus paragraph markup."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = STRONG.sub(lambda m: "<b>%s</b>" % (m.group(1) or m.group(2)), text)
    return EMPH.sub(lambda m: "<i>%s</i>" % (m.group(1) or m.group(2)), text)


def join_lines(lines):
    """Lines of one paragraph: a trailing backslash or two spaces is a hard
    break, any other line end a space. Joined before the inline markup is
    read, so that emphasis may span lines."""
    out = []
    for line in lines[:-1]:
        hard = line.endswith("\\") or line.endswith("  ")
        out.append(line.rstrip("\\ ").strip() + ("\0" if hard else " "))
    out.append(lines[-1].strip())
    return inline("".join(out)).replace("\0", "<br/>")


def cells(row):
    return [c.strip() for c in row.strip().strip("|").split("|")]


def starts_block(line):
    return (HEADING_LINE.match(line) or ITEM_LINE.match(line)
            or line.lstrip().startswith("|"))


def blocks(text):
    """Yield ("heading", level, text), ("para", text), ("item", depth, text)
    and ("table", rows) from Markdown text."""
    lines = text.split("\n")
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        if not line.strip():
            i += 1
        elif HEADING_LINE.match(line):
            m = HEADING_LINE.match(line)
            yield ("heading", len(m.group(1)), inline(m.group(2)))
            i += 1
        elif line.lstrip().startswith("|"):
            rows = []
            while i < n and lines[i].lstrip().startswith("|"):
                rows.append(cells(lines[i]))
                i += 1
            # the second row is the delimiter row (| --- | :---: |)
            yield ("table", [rows[0]] + rows[2:])
        elif ITEM_LINE.match(line):
            m = ITEM_LINE.match(line)
            depth, item = len(m.group(1)) // 2, [m.group(2)]
            i += 1
            while (i < n and lines[i].strip() and lines[i].startswith(" ")
                   and not ITEM_LINE.match(lines[i])):
                item.append(lines[i].strip())
                i += 1
            yield ("item", depth, join_lines(item))
        else:
            para = []
            while i < n and lines[i].strip() and not (para and starts_block(lines[i])):
                para.append(lines[i])
                i += 1
            yield ("para", join_lines(para))


# ---- typesetting ----------------------------------------------------------------

def styles():
    body = ParagraphStyle("body", fontName="Body", fontSize=BODY,
                          leading=BODY * LEADING, textColor=TEXT,
                          spaceAfter=PARA_SPACE, allowWidows=0,
                          allowOrphans=0)
    line = BODY * LEADING
    heads = {lvl: ParagraphStyle("h%d" % lvl, parent=body,
                                 fontName="Body-Bold",
                                 fontSize=HEADING.get(lvl, BODY),
                                 leading=HEADING.get(lvl, BODY) * LEADING,
                                 spaceBefore=line, spaceAfter=0.4 * line,
                                 keepWithNext=1)
             for lvl in range(1, 7)}
    cell = ParagraphStyle("cell", parent=body, fontSize=TABLE_SIZE,
                          leading=TABLE_SIZE * LEADING, spaceAfter=0)
    head_cell = ParagraphStyle("head", parent=cell, fontName="Body-Bold")
    return body, heads, cell, head_cell


def cell_width(text, face):
    return pdfmetrics.stringWidth(text, face, TABLE_SIZE) + 2 * PAD + 1


def column_widths(rows, avail):
    """Each column as wide as its longest cell; when that is too wide for
    the page, the widest columns give way first, down to their longest
    word, so short columns (dates, status) stay on one line."""
    ncol = max(len(r) for r in rows)
    want, least = [0.0] * ncol, [0.0] * ncol
    for r, row in enumerate(rows):
        face = "Body-Bold" if r == 0 else "Body"
        for j, c in enumerate(row):
            want[j] = max(want[j], cell_width(c, face))
            least[j] = max([least[j]] + [cell_width(w, face) for w in c.split()])
    free = [j for j in range(ncol) if want[j] > least[j]]
    while sum(want) > avail and free:
        j = max(free, key=lambda k: want[k])
        want[j] = max(least[j], want[j] - (sum(want) - avail))
        if want[j] == least[j]:
            free.remove(j)
    return want


def status_mark(markup):
    """A RAG status in a table cell gets a coloured square before it, as
    Quire's default style draws."""
    colour = STATUS.get(markup)
    return '<font color="%s">\u25a0</font> %s' % (colour, markup) if colour else markup


def story(text, fonts, width):
    body, heads, cell, head_cell = styles()
    items = {}
    out = []
    for b in blocks(text):
        kind = b[0]
        if kind == "heading":
            out.append(Paragraph(fonts.cover(b[2]), heads[b[1]]))
        elif kind == "para":
            out.append(Paragraph(fonts.cover(b[1]), body))
        elif kind == "item":
            depth = b[1]
            if depth not in items:
                items[depth] = ParagraphStyle(
                    "item%d" % depth, parent=body, spaceAfter=PARA_SPACE / 2,
                    leftIndent=LIST_INDENT * (depth + 1),
                    bulletIndent=LIST_INDENT * depth + 4)
            out.append(Paragraph(fonts.cover(b[2]), items[depth],
                                 bulletText="•" if depth == 0 else "–"))
        else:
            rows = b[1]
            data = [[Paragraph(fonts.cover(status_mark(inline(c))),
                               head_cell if r == 0 else cell) for c in row]
                    for r, row in enumerate(rows)]
            t = Table(data, colWidths=column_widths(rows, width), repeatRows=1,
                      hAlign="LEFT", spaceAfter=PARA_SPACE)
            t.setStyle(TableStyle([
                ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), PAD),
                ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
                ("TOPPADDING", (0, 0), (-1, -1), PAD),
                ("BOTTOMPADDING", (0, 0), (-1, -1), PAD),
            ]))
            out.append(t)
    return out


class PageOfPages(canvas.Canvas):
    """A canvas that holds each finished page back until the document ends,
    so that the footer can say "Page N of M" in one layout pass (as Quire
    does) rather than laying the document out twice."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.held = []

    def showPage(self):
        self.held.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self.held)
        for number, state in enumerate(self.held, 1):
            self.__dict__.update(state)
            self.setFont("Body", SMALL)
            self.setFillColor(TEXT)
            self.drawCentredString(A4[0] / 2, MARGIN_TB / 2 - SMALL / 3,
                                   "Page %d of %d" % (number, total))
            super().showPage()
        super().save()


def main(argv):
    if argv[1:] == ["--fonts"]:
        print("\n".join(resolve_fonts()))
        return 0
    if len(argv) not in (3, 8):
        sys.stderr.write(__doc__.split("\n\n")[2] + "\n")
        return 2
    src, dst = argv[1], argv[2]
    fonts = Fonts(argv[3:] if len(argv) == 8 else resolve_fonts())
    with open(src, encoding="utf-8") as f:
        text = f.read()
    doc = SimpleDocTemplate(dst, pagesize=A4, leftMargin=MARGIN_LR,
                            rightMargin=MARGIN_LR, topMargin=MARGIN_TB,
                            bottomMargin=MARGIN_TB, pageCompression=1,
                            invariant=1, lang="en-GB", initialFontName="Body")
    doc.build(story(text, fonts, doc.width), canvasmaker=PageOfPages)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
