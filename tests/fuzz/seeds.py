#!/usr/bin/env python3
"""seeds.py OUTDIR — build the fuzz seed corpora from the project's own
inputs: samples/, templates/, tests/data/ and the spec corpora of tests/spec/
(Mustache JSON tests, CommonMark and GFM examples). Writes
OUTDIR/<target>/<name> for the targets load, expand, markdown, pipeline and
image. Run from the repository root (fuzz.mk does); regenerating is cheap.
"""
import glob
import hashlib
import json
import os
import subprocess
import sys

SEP = b"\n@@@@\n"          # FUZZ_SEP in fuzz_common.h
SPEC = os.environ.get("QUIRE_SPEC", "tests/spec")
# mode byte of fuzz_expand.c
SPEC_MODE, STRICT, ORACLE, IN_TABLE = 1, 2, 4, 8


def read(path):
    with open(path, "rb") as f:
        return f.read()


def put(out, target, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def mustache_tests():
    for path in sorted(glob.glob(os.path.join(SPEC, "mustache", "*.json"))):
        with open(path, encoding="utf-8") as f:
            for t in json.load(f).get("tests", []):
                yield t


def commonmark_examples():
    fence = "`" * 32
    for path in sorted(glob.glob(os.path.join(SPEC, "commonmark", "*.txt"))):
        lines = read(path).decode("utf-8").split("\n")
        i = 0
        while i < len(lines):
            if lines[i].startswith(fence + " example"):
                md = []
                i += 1
                while i < len(lines) and lines[i] != ".":
                    md.append(lines[i])
                    i += 1
                yield ("\n".join(md) + "\n").replace("\u2192", "\t")
            i += 1


def partials_object():
    """templates/partials/*.md as the in-memory partials of the targets."""
    p = {}
    for f in sorted(glob.glob("templates/partials/*.md")):
        name = "partials/" + os.path.basename(f)[:-3]
        p[name] = read(f).decode("utf-8")
    return json.dumps(p).encode()


def main():
    out = sys.argv[1]
    for sub, pat in (("mustache", "*.json"), ("commonmark", "*.txt")):
        if not glob.glob(os.path.join(SPEC, sub, pat)):
            sys.exit("seeds.py: no %s in %s" % (pat, os.path.join(SPEC, sub)))
    samples_json = sorted(glob.glob("samples/*.json"))
    data_json = sorted(glob.glob("tests/data/*.json"))
    templates = sorted(glob.glob("templates/*.md"))
    markdown = templates + sorted(glob.glob("templates/partials/*.md")) + \
        sorted(glob.glob("samples/*.md"))
    parts = partials_object()

    # load: every data file, the styles, and the spec tests' data
    for f in samples_json + data_json + sorted(glob.glob("templates/styles/*.json")):
        put(out, "load", read(f))
    for t in mustache_tests():
        put(out, "load", json.dumps(t.get("data", {})).encode())

    # expand: the spec tests in spec mode, templates against samples
    for t in mustache_tests():
        put(out, "expand", bytes([SPEC_MODE]) + json.dumps(t.get("data", {})).encode()
            + SEP + t["template"].encode() + SEP
            + json.dumps(t.get("partials", {})).encode())
        put(out, "expand", bytes([STRICT]) + json.dumps(t.get("data", {})).encode()
            + SEP + t["template"].encode())
    for tpl in templates:
        for data in samples_json:
            put(out, "expand", bytes([STRICT]) + read(data) + SEP + read(tpl)
                + SEP + parts)
    for v in ["* not a list", "1. not a list", "# not a heading", "<b>html</b>",
              "a | b", "http://example.org www.example.org", "`code` _em_ **b**",
              "&amp; &#42;", "line one\nline two", "    indented", "[link](x)",
              "- dash", "+ plus", "> quote", "===", "\\backslash\\", "~~x~~"]:
        put(out, "expand", bytes([ORACLE]) + v.encode())
        put(out, "expand", bytes([ORACLE | IN_TABLE]) + v.encode())

    # markdown: the spec examples and our own Markdown
    for md in commonmark_examples():
        put(out, "markdown", md.encode())
    for f in markdown:
        put(out, "markdown", read(f))

    # pipeline: real papers, the validation cases, plain Markdown
    for tpl in templates:
        for data in samples_json + data_json:
            put(out, "pipeline", read(data) + SEP + read(tpl) + SEP + parts)
    for f in sorted(glob.glob("samples/*.md")):
        put(out, "pipeline", b"{}" + SEP + read(f))
    put(out, "pipeline", read("tests/data/freeform.json") + SEP +
        b"# {{title}}\n\n{{#numbers}}- {{.}}\n{{/numbers}}\n\n"
        b"| a | b |\n| - | - |\n| {{when}} | {{meeting.date}} |\n")

    # image: the hand-made PNG/JPEG set
    tmp = os.path.join(out, ".images")
    subprocess.run([sys.executable, "tests/pathological/mkpng.py", tmp],
                   check=True)
    for f in sorted(glob.glob(os.path.join(tmp, "*"))):
        if os.path.getsize(f) <= 65536:
            put(out, "image", read(f))


if __name__ == "__main__":
    main()
