#!/usr/bin/env python3
"""Do the HTML copy and the PDF say the same words in the same order?

Usage: html_words.py PAPER.pdf PAGES.txt BROWSER.json PAGE.html

The PDF's words are pdftotext's (-raw -bbox: each word with its box, in
content order). The display list of the same render (PAGES.txt, from
`quire render --dump=pages`) says which structure element each word belongs
to, so the words are put in the order of the tagged PDF's structure tree
(the order a screen reader reads it, and the document's order; a table row
split over page bands is drawn a line of every cell at a time) and the
words the HTML has no counterpart for are left out: page furniture
(artifacts: running heads, page numbers, repeated table headers), list
markers (HTML lists number themselves) and charts (figures; the HTML's
charts are left out on its side too).

Both sides are normalised: NFKC, soft hyphens removed, a word the PDF
hyphenated at a line end joined to the rest, and hyphens dropped inside
words (a line break at "step-down" cannot show whether the hyphen was the
word's own). Prints "ok" or the first difference with its context, and
exits 1 on a difference.
"""
import json
import re
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET

LEAVE_OUT = {"Artifact", "Figure", "Lbl"}
HYPHENS = "-\u2010\u00ad"
ITEM = re.compile(r'^  text (\S+) e(-?\d+) ([\d.-]+) ([\d.-]+) w([\d.-]+) f\d+ s([\d.]+) ')


def display_list(path):
    """{page: [(role, elem, x0, x1, top, bottom)]} of the text items."""
    pages, page = {}, 0
    for line in open(path, encoding="utf-8"):
        if line.startswith("page "):
            page = int(line.split()[1])
            pages[page] = []
            continue
        m = ITEM.match(line)
        if not m:
            continue
        role, elem = m.group(1), int(m.group(2))
        x, y, w, size = (float(m.group(i)) for i in (3, 4, 5, 6))
        pages[page].append((role, elem, x - 0.5, x + w + 0.5,
                            y - size * 0.95, y + size * 0.3))
    return pages


def pdf_words(pdf, pages_txt):
    """[(elem, word, line_end)] in content order, furniture left out."""
    xhtml = subprocess.run(["pdftotext", "-raw", "-bbox", pdf, "-"],
                           capture_output=True, check=True).stdout
    xhtml = re.sub(rb"<!DOCTYPE[^>]*>", b"", xhtml)
    xhtml = re.sub(rb'xmlns="[^"]*"', b"", xhtml)
    root = ET.fromstring(xhtml)
    items = display_list(pages_txt)
    words, last = [], 0
    for pno, page in enumerate(root.iter("page"), start=1):
        ws = list(page.iter("word"))
        for i, w in enumerate(ws):
            x0, y0, x1, y1 = (float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax"))
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            hit = None
            for it in items.get(pno, []):
                if it[2] <= cx <= it[3] and it[4] <= cy <= it[5]:
                    hit = it
                    break
            if hit and hit[0] in LEAVE_OUT:
                continue
            elem = hit[1] if hit else last
            last = elem
            nxt = ws[i + 1] if i + 1 < len(ws) else None
            line_end = nxt is None or abs(float(nxt.get("yMin")) - y0) > 2
            words.append((elem, w.text or "", line_end))
    return words


def norm(w):
    return unicodedata.normalize("NFKC", w).replace("\u00ad", "")


def pdf_sequence(words):
    """Join line-end hyphenations within one element, order by element."""
    out = []
    i = 0
    while i < len(words):
        elem, raw, end = words[i]
        w = norm(raw)
        # the soft hyphen layout draws at a break is the word's last
        # character before normalising removes it
        while (end and raw and raw[-1] in HYPHENS and i + 1 < len(words)
               and words[i + 1][0] == elem):
            i += 1
            raw = words[i][1]
            w += norm(raw)
            end = words[i][2]
        out.append((elem, w))
        i += 1
    out.sort(key=lambda p: p[0])   # stable: content order within an element
    return strip([w for _, w in out])


def strip(ws):
    out = []
    for w in ws:
        w = "".join(ch for ch in norm(w) if ch not in HYPHENS)
        if w:
            out.append(w)
    return out


def main():
    pdf, pages_txt, browser_json, page = sys.argv[1:5]
    results = json.load(open(browser_json, encoding="utf-8"))
    html = next(r for r in results if r["file"] == page)["words"]
    a = pdf_sequence(pdf_words(pdf, pages_txt))
    b = strip(html)
    for i in range(max(len(a), len(b))):
        if i >= len(a) or i >= len(b) or a[i] != b[i]:
            print("word %d of %d (PDF) / %d (HTML) differs" % (i + 1, len(a), len(b)))
            print("    PDF:  " + " ".join(a[max(0, i - 8):i + 8]))
            print("    HTML: " + " ".join(b[max(0, i - 8):i + 8]))
            sys.exit(1)
    print("ok %d words" % len(a))


if __name__ == "__main__":
    main()
