"""What the end-to-end scripts' Python checks share: "ok - name" and
"not ok - name" lines as tests/e2e/lib.sh prints them (the runner counts
them), and reading a PDF back with the tools a reader's would: qpdf --json
for its pages and outline, pdftotext page by page for its words.

A script's heredoc imports it (the scripts run from the repository's top):

    sys.path.insert(0, "tests/e2e")
    from pdfcheck import expect, qjson, texts, outline, failed
    ...
    sys.exit(1 if failed() else 0)
"""
import json
import re
import subprocess

_failures = 0


def ok(m):
    print(f"ok - {m}")


def not_ok(m, *detail):
    global _failures
    _failures += 1
    print(f"not ok - {m}")
    for x in detail:
        print(f"    {str(x)[:600]}")


def expect(cond, m, *detail):
    """One check: ok when cond holds, else not ok with the details that
    show why (each cut to 600 characters)."""
    if cond:
        ok(m)
    else:
        not_ok(m, *detail)


def failed():
    """How many checks have failed so far."""
    return _failures


def qjson(pdf):
    return json.loads(subprocess.run(["qpdf", "--json", pdf], capture_output=True,
                                     check=True).stdout)


def texts(pdf, n, squash=False):
    """[None, text of page 1, …, text of page n]: indexed by page number.
    With squash, every run of white space is one space (a line broken by
    the layout reads as one)."""
    out = [None]
    for k in range(1, n + 1):
        t = subprocess.run(["pdftotext", "-f", str(k), "-l", str(k), pdf, "-"],
                           capture_output=True, check=True, text=True).stdout
        out.append(re.sub(r"\s+", " ", t) if squash else t)
    return out


def outline(j):
    """The bookmarks of qpdf --json output, depth first: (depth, title,
    page number)."""
    out = []

    def walk(items, depth):
        for o in items:
            out.append((depth, o["title"], o.get("destpageposfrom1")))
            walk(o["kids"], depth + 1)
    walk(j["outlines"], 0)
    return out
