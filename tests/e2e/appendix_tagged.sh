#!/usr/bin/env bash
# End-to-end: a tagged PDF appendix keeps its structure tree. The appendix
# is a paper Quire itself renders (tagged, two pages, a list, a table and a
# link); packed beside an untagged one, its elements are read back with
# pikepdf: under the item's Sect where its pages' Figures were, each
# marked-content reference pointing into the form its page is drawn as,
# with the text of every element that of the source's element and of the
# page; the untagged appendix keeps its Figures and its warning. Trees that
# cannot be trusted (a cycle, an MCID the content lacks, content no element
# owns, nesting past the limit, a /Pg that is no page of the file, marked
# content in a form of the appendix's own) each fall back to the Figures
# with a warning naming the item, letter, file and fault, and the pack
# stays valid (qpdf --check, tests/structure_check.py). A kept tree's
# attribute values the pack cannot write as they are (a real past libharu's
# range, a name or key with a space) are left out, the rest kept; a stray
# ')' in a page's content is read over. A value thousands of elements
# share is read for each, within a bound on the text read in all; a
# large /RoleMap is looked up quickly. Figures and formulas without
# alternative text keep the tree, with one warning for the file. Broken
# syntax in an object that shares an object stream with the pages: a
# stray '#' (libqpdf reads the object) falls back as without object
# streams; an integer past 64 bits (libqpdf reads nothing after it in
# the stream) is refused, saying so, with no pack written.
. "$(dirname "$0")/lib.sh"

Q="${QUIRE_WRAP:-} $BIN"

need_pikepdf

D=$TMP/m
mkdir -p "$D"
{
    printf '# Monitoring letter\n\nThe first paragraph qzxTaggedOne of the letter.\n\n'
    printf -- '- the first point\n- the second point\n\n'
    printf '| Area | Grade |\n| --- | --- |\n| Leadership | Good |\n\n'
    printf 'A paragraph with a [link](https://example.org/report) in it.\n\n'
    for i in $(seq 1 45); do
        printf 'Paragraph %s of the letter, long enough to fill the page with words that wrap over the line.\n\n' "$i"
    done
    printf '## Closing\n\nThe last paragraph qzxTaggedLast.\n'
} >"$D/letter.md"
expect_exit "the tagged appendix renders" 0 $Q render -t "$D/letter.md" -o "$D/letter.pdf"
"$PY" - "$D" <<'PY'
import sys, pikepdf
from pikepdf import Dictionary, Name, Pdf
d = sys.argv[1]
pdf = Pdf.new()
font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
content = pdf.make_stream(b"BT /F1 20 Tf 72 700 Td (Untagged plan qzxPlan) Tj ET")
pdf.pages.append(pikepdf.Page(Dictionary(Type=Name.Page, MediaBox=[0, 0, 595, 842],
                 Contents=content, Resources=Dictionary(Font=Dictionary(F1=font)))))
pdf.save(f"{d}/plan.pdf")

# trees that cannot be kept, each made from the good file
def elems(pdf):
    out, stack = [], [pdf.Root.StructTreeRoot.K]
    while stack:
        n = stack.pop()
        if isinstance(n, pikepdf.Array):
            stack.extend(reversed(list(n)))
        elif isinstance(n, pikepdf.Dictionary) and "/S" in n:
            out.append(n)
            stack.append(n.get("/K"))
    return out
def first(pdf, s):
    return next(e for e in elems(pdf) if e.S == s)
def bad(name, edit):
    pdf = Pdf.open(f"{d}/letter.pdf")
    edit(pdf)
    pdf.save(f"{d}/{name}.pdf")
def cycle(pdf):
    p = first(pdf, "/P")
    p.K = pikepdf.Array([p.K, pdf.Root.StructTreeRoot.K])
def mcid(pdf):
    first(pdf, "/P").K = 999
def unowned(pdf):
    doc = pdf.Root.StructTreeRoot.K
    kids = doc.K if isinstance(doc, pikepdf.Dictionary) else doc[0].K
    del kids[1]
def deep(pdf):
    p = first(pdf, "/P")
    inner = pikepdf.Dictionary(S=Name.P, Pg=p.Pg, K=p.K)
    for _ in range(150):
        inner = pdf.make_indirect(pikepdf.Dictionary(S=Name.Div, K=inner))
    p.K = inner
    p.S = Name.Div
    del p.Pg
def strange_page(pdf):
    first(pdf, "/P").Pg = pdf.make_indirect(pikepdf.Dictionary(Type=Name.Page))
def own_form(pdf):
    p = first(pdf, "/P")
    p.K = pikepdf.Dictionary(Type=Name.MCR, Pg=p.Pg, MCID=p.K,
                             Stm=pdf.make_stream(b""))
# a value thousands of elements share, read again for each: a /K array
# of 200,000 nulls, an attribute object of 100,000 keys
def shared(pdf, key, value):
    spans = [pdf.make_indirect(Dictionary({"/S": Name.Span, key: value}))
             for _ in range(5000)]
    first(pdf, "/Document").K.append(
        pdf.make_indirect(Dictionary(S=Name.Div, K=pikepdf.Array(spans))))
def shared_kids(pdf):
    shared(pdf, "/K", pdf.make_indirect(pikepdf.Array([None] * 200000)))
def shared_attrs(pdf):
    a = Dictionary(O=Name.Layout)
    for i in range(100000):
        a["/K%d" % i] = i
    shared(pdf, "/A", pdf.make_indirect(a))
for name, edit in (("cycle", cycle), ("mcid", mcid), ("unowned", unowned),
                   ("deep", deep), ("strange-page", strange_page), ("own-form", own_form),
                   ("shared-kids", shared_kids), ("shared-attrs", shared_attrs)):
    bad(name, edit)

# trees that are kept, with attribute values the pack cannot write as they
# are: a real past libharu's ±32,767 or a whole number past 2e9; a name or
# a key with a space (written #20 here)
def odd_numbers(pdf):
    first(pdf, "/P").A = Dictionary({
        "/O": Name.Layout, "/Width": 40000.5, "/Height": -3000000000,
        "/SpaceBefore": 12.5, "/StartIndent": 100000, "/Placement": Name.Block})
def odd_names(pdf):
    first(pdf, "/P").A = Dictionary({
        "/O": Name.Layout, "/SpaceBefore": 12.5, "/Placement": Name.Block,
        "/TextAlign": Name("/a b"), "/Odd Key": 1})
bad("odd-numbers", odd_numbers)
bad("odd-names", odd_names)

# a page whose content has a stray ')' (no string open): the scan for
# MCIDs must step over it
def stray_paren(pdf):
    page = pdf.pages[0].obj
    page.Contents = pdf.make_stream(page.Contents.read_bytes() + b"\n) Tj\n")
bad("stray-paren", stray_paren)

# a /RoleMap of 100,000 entries, and 10,000 elements of types it maps
# (elements without content: dropped, the tree kept)
def big_rolemap(pdf):
    rm = Dictionary()
    for i in range(100000):
        rm["/R%d" % i] = Name("/R%d" % (i + 1))
    pdf.Root.StructTreeRoot.RoleMap = pdf.make_indirect(rm)
    spans = [pdf.make_indirect(Dictionary(S=Name("/R%d" % (99000 + i % 500))))
             for i in range(10000)]
    first(pdf, "/Document").K.append(
        pdf.make_indirect(Dictionary(S=Name.Div, K=pikepdf.Array(spans))))
bad("big-rolemap", big_rolemap)

# figures and a formula without alternative text (one figure's /Alt is
# empty), and the same with it (/Alt, or /ActualText)
def figures(alt):
    def edit(pdf):
        ps = [e for e in elems(pdf) if e.S == "/P"]
        ps[1].S = ps[2].S = Name.Figure
        ps[3].S = Name.Formula
        if alt:
            ps[1].Alt = pikepdf.String("A chart of the grades")
            ps[2].ActualText = pikepdf.String("Leadership: good")
            ps[3].Alt = pikepdf.String("x squared")
        else:
            ps[2].Alt = pikepdf.String("")
    return edit
bad("no-alt", figures(False))
bad("with-alt", figures(True))
PY

# A token libqpdf cannot parse, planted in an object that shares the
# catalog's object stream, so that libqpdf meets it when it first reads
# the page tree: an integer past 64 bits (libqpdf stops reading the
# stream there, and every later object of it reads as null), a stray '#'
# in a name (a warning; every object read). pikepdf writes no invalid
# syntax, so a name of the same length is planted and replaced in the
# bytes of QDF output, whose object streams are not compressed.
"$PY" - "$D" <<'PY' || FAILS=$((FAILS + 1))
import re, subprocess, sys, pikepdf
from pikepdf import Dictionary, Name, Pdf
sys.path.insert(0, "tests/e2e")
from pdfcheck import expect, failed
d = sys.argv[1]
BIG = "123456789012345678901234567890"
HASH = "/Fo#zz".ljust(len(BIG))
def first_p(pdf):
    st = [pdf.Root.StructTreeRoot.K]
    while st:
        e = st.pop()
        if isinstance(e, pikepdf.Array):
            st.extend(reversed(list(e)))
        elif isinstance(e, pikepdf.Dictionary) and "/S" in e:
            if e.S == "/P":
                return e
            st.append(e.get("/K"))
def page_font(pdf):
    fonts = pdf.pages[0].Resources.Font
    return fonts[next(iter(fonts.keys()))]
# the object stream the object in which needle lies is in
def stream_of(data, streams, needle):
    at = data.find(needle)
    objs = re.findall(rb"%% Object stream: object (\d+), index", data[:max(at, 0)])
    return streams.get(objs[-1].decode()) if at >= 0 and objs else None
# token planted in the object target(pdf) gives; with object streams,
# checked to be in the catalog's
def plant(name, pdf, target, token, objstm=True):
    marker = "/Q" + "z" * (len(token) - 2)
    target(pdf)["/Qzx"] = Name(marker)
    path = f"{d}/{name}.pdf"
    mode = pikepdf.ObjectStreamMode.generate if objstm else pikepdf.ObjectStreamMode.disable
    pdf.save(path, object_stream_mode=mode, qdf=True)
    data = open(path, "rb").read()
    if objstm:
        xref = subprocess.run(["qpdf", "--show-xref", path], capture_output=True,
                              text=True).stdout
        streams = dict(re.findall(r"^(\d+)/0: compressed; stream = (\d+)", xref, re.M))
        held = stream_of(data, streams, marker.encode())
        cat = stream_of(data, streams, b"/Type /Catalog")
        expect(held is not None and held == cat,
               f"{name}: the planted object shares the catalog's object stream", held, cat)
    expect(data.count(marker.encode()) == 1, f"{name}: the token is planted once")
    open(path, "wb").write(data.replace(marker.encode(), token.encode()))
letter = lambda: Pdf.open(f"{d}/letter.pdf")
plant("objstm-int", letter(), first_p, BIG)
plant("objstm-hash", letter(), first_p, HASH)
plant("plain-int", letter(), first_p, BIG, objstm=False)
plant("plain-hash", letter(), first_p, HASH, objstm=False)
plant("objstm-hash-font", letter(), page_font, HASH)
# a page, then the broken object, then the page's font: the pages read,
# but the font, after the fault in the stream, reads as null
pdf = Pdf.new()
content = pdf.make_stream(b"BT /F1 20 Tf 72 700 Td (Plan qzxPlan) Tj ET")
pdf.pages.append(pikepdf.Page(pdf.make_indirect(Dictionary(
    Type=Name.Page, MediaBox=[0, 0, 595, 842], Contents=content))))
pdf.Root.Qzx = pdf.make_indirect(Dictionary())
font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
pdf.pages[0].obj.Resources = Dictionary(Font=Dictionary(F1=font))
plant("objstm-cut-font", pdf, lambda p: p.Root.Qzx, BIG)
# a tagged page written by hand (pikepdf's writer puts a page's font
# before the structure tree): its font comes after a structure element
# in an object stream that nothing of the page tree is in, so only the
# walk of the tree, or the import, would read it. The pages' objects
# are read before the tree: the font is not lost unseen when the
# element stops libqpdf's reading of the stream.
def handmade(path, token):
    content = b"/P <</MCID 0>> BDC BT /F1 20 Tf 72 700 Td (Late qzxLate) Tj ET EMC"
    plain = {
        1: b"<< /Type /Catalog /Pages 2 0 R /MarkInfo << /Marked true >> "
           b"/StructTreeRoot 5 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
           b"/Resources << /Font << /F1 8 0 R >> >> /StructParents 0 >>",
        4: b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        5: b"<< /Type /StructTreeRoot /K 6 0 R >>",
        6: b"<< /S /Document /K [7 0 R] >>",
    }
    packed = [b"<< /S /P /Pg 3 0 R /K 0 /Qzx " + token + b" >>",
              b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    head = b"7 0 8 %d " % (len(packed[0]) + 1)
    body = head + packed[0] + b"\n" + packed[1]
    plain[9] = (b"<< /Type /ObjStm /N 2 /First %d /Length %d >>\nstream\n"
                % (len(head), len(body)) + body + b"\nendstream")
    out = bytearray(b"%PDF-1.7\n%\xb5\xb5\n")
    at = {}
    for n in sorted(plain):
        at[n] = len(out)
        out += b"%d 0 obj\n" % n + plain[n] + b"\nendobj\n"
    at[10] = len(out)
    rows = bytearray()
    for n in range(11):       # a cross-reference stream: /W [1 4 2]
        kind, f2, f3 = ((0, 0, 65535) if n == 0 else (2, 9, n - 7) if n in (7, 8)
                        else (1, at[n], 0))
        rows += bytes([kind]) + f2.to_bytes(4, "big") + f3.to_bytes(2, "big")
    out += (b"10 0 obj\n<< /Type /XRef /Size 11 /W [1 4 2] /Root 1 0 R /Length %d >>\n"
            b"stream\n" % len(rows) + rows + b"\nendstream\nendobj\n")
    out += b"startxref\n%d\n%%%%EOF\n" % at[10]
    open(f"{d}/{path}", "wb").write(out)
handmade("late-font.pdf", BIG.encode())
handmade("late-font-ok.pdf", b"1")
sys.exit(1 if failed() else 0)
PY
printf '# Ofsted monitoring visit\n\nThe letter is at appendix A.\n' >"$D/paper.md"

meeting() {
    cat >"$1" <<EOF
{"council": "Walsall Council", "committee": "Cabinet", "date": "2018-06-21",
 "time": "18:00", "venue": "Council House",
 "membership": {"members": ["Councillor Bird"]}, "contact": {"name": "Helen Owen"},
 "items": [
  {"number": 1, "title": "Apologies", "standing": {"text": "To receive apologies."}},
  {"number": 2, "title": "Ofsted monitoring visit", "paper": {"template": "paper.md"},
   "appendices": $2}]}
EOF
}
meeting "$D/m.json" '[{"letter": "A", "title": "Monitoring letter", "pdf": "letter.pdf"},
                      {"letter": "B", "title": "Improvement plan", "pdf": "plan.pdf"}]'
expect_exit "a pack with a tagged and an untagged appendix builds" 0 $Q pack "$D/m.json" -o "$TMP/full.pdf"
contains "the untagged appendix is still named in a warning" "$TMP/last.err" \
    "warning: item 2 ‘Ofsted monitoring visit’, appendix B ($D/plan.pdf): the PDF is not tagged"
lacks "the tagged one has no warning" "$TMP/last.err" "appendix A"
check "qpdf --check: the pack" qpdf --check "$TMP/full.pdf"
out=$("$PY" tests/structure_check.py "$TMP/full.pdf" 2>&1)
if [ $? = 0 ]; then ok "structure tree consistent, forms' MCIDs too (tests/structure_check.py)"
else not_ok "structure tree consistent, forms' MCIDs too (tests/structure_check.py)" "$out"; fi
$Q pack "$D/m.json" -o "$TMP/again.pdf" 2>/dev/null
check "identical input gives identical bytes" cmp "$TMP/full.pdf" "$TMP/again.pdf"

"$PY" - "$TMP/full.pdf" "$D/letter.pdf" <<'PY' || FAILS=$((FAILS + 1))
import re, subprocess, sys, pikepdf
pack_path, src_path = sys.argv[1:3]
pack, src = pikepdf.open(pack_path), pikepdf.open(src_path)
def crashed(kind, value, tb):
    import traceback
    print("not ok - the grafted tree is read back to the end")
    for line in traceback.format_exception(kind, value, tb)[-3:]:
        print("    " + line.rstrip())
    sys.exit(1)
sys.excepthook = crashed
sys.path.insert(0, "tests/e2e")
from pdfcheck import expect, failed

def mc_text(stream):
    """{MCID: text} of a content stream: Quire draws BMP code points as
    two-byte codes (Identity-H), so the shown strings read as UTF-16BE."""
    out, stack = {}, []
    for operands, op in pikepdf.parse_content_stream(stream):
        op = str(op)
        if op in ("BDC", "BMC"):
            props = operands[1] if op == "BDC" and len(operands) > 1 else None
            m = int(props.MCID) if isinstance(props, pikepdf.Dictionary) and "/MCID" in props else None
            stack.append(m)
        elif op == "EMC" and stack:
            stack.pop()
        elif op in ("Tj", "TJ") and stack and stack[-1] is not None:
            parts = operands[0] if op == "TJ" else [operands[0]]
            s = "".join(bytes(p).decode("utf-16-be", "replace") for p in parts
                        if isinstance(p, pikepdf.String))
            out[stack[-1]] = out.get(stack[-1], "") + s
    return out

cache = {}
def text_of(e, page_of):
    """An element's text, in reading order, with its kids' types."""
    k = e.get("/K")
    kids = list(k) if isinstance(k, pikepdf.Array) else [] if k is None else [k]
    t = ""
    for c in kids:
        if isinstance(c, int):
            where = e.Pg
        elif isinstance(c, pikepdf.Dictionary) and c.get("/Type") == "/MCR":
            where = c.get("/Stm")
            where = where if where is not None else c.get("/Pg", e.get("/Pg"))
            c = int(c.MCID)
        elif isinstance(c, pikepdf.Dictionary) and "/S" in c:
            t += text_of(c, page_of)
            continue
        else:
            continue
        if where.objgen not in cache:
            cache[where.objgen] = mc_text(where if isinstance(where, pikepdf.Stream)
                                          else pikepdf.Page(where))
        t += cache[where.objgen].get(c, "")
    return t

def tree(e, out, depth=0):
    if not isinstance(e, pikepdf.Dictionary) or "/S" not in e:
        return
    out.append((depth, str(e.S), e))
    k = e.get("/K")
    for c in (list(k) if isinstance(k, pikepdf.Array) else [] if k is None else [k]):
        tree(c, out, depth + 1)

# the item's Sect: the one whose kids hold appendix B's Figure
sects = []
allp = []
tree(pack.Root.StructTreeRoot.K, allp)
figs = [e for _, s, e in allp if s == "/Figure"]
alts = [str(f.get("/Alt", "")) for f in figs]
expect(alts == ["Appendix B: Improvement plan, page 1 of 1 (a page of a PDF document)"],
       "the untagged appendix's page is a Figure with its alternative text; the tagged one's are not Figures", alts)
sect = figs[0].P if figs else None
top = [c for c in sect.K if isinstance(c, pikepdf.Dictionary) and c.get("/S") == "/Part"] if sect else []
expect(len(top) == 1 and top[0].P.objgen == sect.objgen,
       "the appendix's Document is grafted as a Part, its /P the item's Sect", [str(c.get("/S")) for c in sect.K] if sect else None)
kids = [str(c.get("/S")) for c in sect.K] if sect else []
expect(kids[-2:] == ["/Part", "/Figure"],
       "it stands where its pages' Figures stood: after the paper, before appendix B's Figure", kids)

graft = []
if top:
    tree(top[0], graft)
srcl = []
tree(src.Root.StructTreeRoot.K, srcl)
norm = {"/Document": "/Part", "/Link": "/Span"}
gs = [(d, s) for d, s, _ in graft]
ss = [(d, norm.get(s, s)) for d, s, _ in srcl]
expect(gs == ss and len(gs) > 20, "the grafted elements are the source's, in order and nesting (%d)" % len(gs),
       gs[:12], ss[:12])
types = {s for _, s in gs}
expect({"/H1", "/H2", "/P", "/L", "/LI", "/Lbl", "/LBody", "/Table", "/TR", "/TH", "/TD", "/Span"} <= types,
       "headings, paragraphs, a list, a table and the link's text are all there", sorted(types))

ths = [e for _, s, e in graft if s == "/TH"]
expect(ths and all(isinstance(e.get("/A"), pikepdf.Dictionary) and e.A.get("/O") == "/Table"
                   and "/Scope" in e.A for e in ths),
       "header cells keep their attributes (/A: /O /Table, /Scope)", [repr(e.get("/A")) for e in ths][:2])

# every reference points into the form its placeholder page draws
pages = {p.objgen: i for i, p in enumerate(pack.pages, 1)}
mcrs, wrong = 0, []
for _, _, e in graft:
    k = e.get("/K")
    for c in (list(k) if isinstance(k, pikepdf.Array) else [k]):
        if isinstance(c, int):
            wrong.append("a bare MCID %d in %s" % (c, e.S))
        if isinstance(c, pikepdf.Dictionary) and c.get("/Type") == "/MCR":
            mcrs += 1
            pg, stm = c.get("/Pg"), c.get("/Stm")
            xo = pikepdf.Page(pg).obj.Resources.get("/XObject", {}) if pg is not None else {}
            if stm is None or not any(x.objgen == stm.objgen for _, x in xo.items()):
                wrong.append("MCID %d: /Stm is not a form of its /Pg" % int(c.MCID))
            elif "/StructParents" not in stm:
                wrong.append("MCID %d: its form has no /StructParents" % int(c.MCID))
    if "/Pg" in e and e.Pg.objgen not in pages:
        wrong.append("%s: /Pg is no page of the pack" % e.S)
expect(mcrs > 20 and not wrong, "each of %d marked-content references names its placeholder page and that page's form" % mcrs, wrong[:5])
on = sorted({pages[c.Pg.objgen] for _, _, e in graft for c in
             (list(e.K) if isinstance(e.get("/K"), pikepdf.Array) else [])
             if isinstance(c, pikepdf.Dictionary) and c.get("/Type") == "/MCR"})
expect(len(on) == 2 and on[1] == on[0] + 1, "the references span the appendix's two placeholder pages", on)

# the text of each element is the source's, and the page's
diff = [(s, a[:40], b[:40]) for (_, s, ge), (_, _, se) in zip(graft, srcl)
        for a, b in [(text_of(ge, None), text_of(se, None))] if a != b]
expect(not diff, "each grafted element's text is its source element's", diff[:3])
def words(s):
    return re.sub(r"\s+", " ", s.replace("\u00ad", "")).split()
pt = {n: subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), pack_path, "-"],
                        capture_output=True, text=True).stdout for n in on}
both = " ".join(pt.values())
missing = []
for _, s, e in graft:
    if s in ("/P", "/H1", "/H2"):
        for w in words(text_of(e, None)):
            if w not in both:
                missing.append((str(s), w))
ph = [text_of(e, None) for _, s, e in graft if s in ("/P", "/H1", "/H2")]
expect(not missing and any("qzxTaggedOne" in t for t in ph) and any("qzxTaggedLast" in t for t in ph),
       "the text of the grafted P and H elements is the text on the placeholder pages", missing[:5])

# the placeholder pages: no Figure marked content; the form is drawn
# outside any marked-content sequence (its own MCIDs are the elements')
problems = []
for n in on:
    depth, figure = 0, False
    for operands, op in pikepdf.parse_content_stream(pack.pages[n - 1]):
        op = str(op)
        if op in ("BDC", "BMC"):
            depth += 1
            figure = figure or str(operands[0]) == "/Figure"
        elif op == "EMC":
            depth -= 1
        elif op == "Do" and depth != 0:
            problems.append("page %d: the form is drawn inside marked content" % n)
    if figure:
        problems.append("page %d still has Figure marked content" % n)
expect(not problems, "the placeholders' Figure is gone and the forms lie outside marked content", problems)
nk = int(pack.Root.StructTreeRoot.ParentTreeNextKey)
sps = [int(x.StructParents) for n in on for _, x in pack.pages[n - 1].Resources.XObject.items()
       if "/StructParents" in x]
expect(len(sps) == 2 and max(sps) < nk, "each form has its ParentTree key, below /ParentTreeNextKey", sps, nk)
sys.exit(1 if failed() else 0)
PY

# a public pack: an exempt tagged appendix is never opened, as before
meeting "$D/ex.json" '[{"letter": "A", "title": "Monitoring letter", "pdf": "letter.pdf",
                        "exempt": {"paragraph": 1, "reason": "It names a child."}}]'
expect_exit "public pack with an exempt tagged appendix builds" 0 $Q pack "$D/ex.json" --public -o "$TMP/public.pdf"
mv "$D/letter.pdf" "$D/letter.away"
expect_exit "and builds with the file deleted" 0 $Q pack "$D/ex.json" --public -o "$TMP/public2.pdf"
check "byte-identical without the exempt file" cmp "$TMP/public.pdf" "$TMP/public2.pdf"
mv "$D/letter.away" "$D/letter.pdf"

# Under AddressSanitizer (every libqpdf allocation unwound) or valgrind,
# reading a hundred thousand objects through libqpdf takes minutes, not
# seconds: the checks of how long such files take run on the normal build.
SLOW_BUILD=""
if [ -n "${QUIRE_WRAP:-}" ] || nm "$BIN" 2>/dev/null | grep -q __asan_init; then
    SLOW_BUILD=yes
fi

# trees that cannot be kept: the Figures, a warning, a valid pack
for case in "cycle:is reached twice: a cycle, or an element with two parents" "mcid:the tree names MCID 999 on page 1, which its content does not have" \
            "unowned:belongs to no element" "deep:the tree is nested deeper than 100 levels" \
            "strange-page:an element's /Pg is not one of its pages" \
            "own-form:marked content in a form of its own (/Stm)" \
            "shared-kids:its objects come to more than 32 MB of text" \
            "shared-attrs:its objects come to more than 32 MB of text" \
            "plain-int:error reading object: overflow/underflow converting 123456789012345678901234567890 to 64-bit integer" \
            "plain-hash:name with stray # will not work with PDF >= 1.2, at byte" \
            "objstm-hash:an object stored in one object stream with its pages is damaged: name with stray # will not work with PDF >= 1.2, at byte"; do
    f=${case%%:*} msg=${case#*:}
    # 32 MB of object text: ~1.5 s on the normal build, which checks it
    if [ "$f" = shared-kids ] && [ -n "$SLOW_BUILD" ]; then
        skip "$f: the walk stops at 32 MB of object text" "sanitizer or valgrind build: minutes, not seconds"
        continue
    fi
    meeting "$D/bad.json" "[{\"letter\": \"A\", \"title\": \"Monitoring letter\", \"pdf\": \"$f.pdf\"}]"
    expect_exit "$f: the pack builds within 60 s" 0 timeout 60 $Q pack "$D/bad.json" -o "$TMP/$f.pdf"
    contains "$f: a warning names item, letter, file and fault" "$TMP/last.err" \
        "warning: item 2 ‘Ofsted monitoring visit’, appendix A ($D/$f.pdf): the PDF is tagged, but its structure tree cannot be kept ("
    contains "$f: the fault is '$msg'" "$TMP/last.err" "$msg"
    check "$f: qpdf --check" qpdf --check "$TMP/$f.pdf"
    out=$("$PY" tests/structure_check.py "$TMP/$f.pdf" 2>&1)
    if [ $? = 0 ]; then ok "$f: structure tree consistent"; else not_ok "$f: structure tree consistent" "$out"; fi
    n=$("$PY" -c 'import sys, pikepdf
p = pikepdf.open(sys.argv[1]); n = 0; st = [p.Root.StructTreeRoot.K]
while st:
    e = st.pop()
    if isinstance(e, pikepdf.Array): st.extend(e)
    elif isinstance(e, pikepdf.Dictionary) and "/S" in e:
        n += e.S == "/Figure" and "Appendix A" in str(e.get("/Alt", ""))
        st.append(e.get("/K"))
print(n)' "$TMP/$f.pdf")
    if [ "$n" = 2 ]; then ok "$f: its two pages are Figures with alternative text"
    else not_ok "$f: its two pages are Figures with alternative text" "$n Figures"; fi
done

# An object sharing the catalog's object stream that libqpdf warns of but
# reads (a stray '#'): the tree falls back (above) as it does without
# object streams. One that libqpdf cannot read at all stops its reading
# of the stream, and each object after it reads as null without a word
# (a page's font too, in objstm-cut-font, whose page reads as whole):
# the file is refused, saying so rather than blaming the page tree; as
# it is when the object warned of is one the pages use.
for case in "objstm-int:the PDF is damaged: an object stream that holds its pages cannot be read past a broken object (overflow/underflow converting 123456789012345678901234567890 to 64-bit integer), and libqpdf reads every object after it as nothing" \
            "objstm-cut-font:the PDF is damaged: an object stream that holds its pages cannot be read past a broken object (overflow/underflow converting 123456789012345678901234567890 to 64-bit integer)" \
            "objstm-hash-font:which its pages use (name with stray # will not work with PDF >= 1.2, at byte" \
            "late-font:the PDF is damaged in what its pages use (object 8/0: error reading object: overflow/underflow converting 123456789012345678901234567890 to 64-bit integer)"; do
    f=${case%%:*} msg=${case#*:}
    meeting "$D/cut.json" "[{\"letter\": \"A\", \"title\": \"Monitoring letter\", \"pdf\": \"$f.pdf\"}]"
    expect_exit "$f: the pack fails" 1 $Q pack "$D/cut.json" -o "$TMP/$f.pdf"
    contains "$f: the error names item, letter and file" "$TMP/last.err" \
        "error: item 2 ‘Ofsted monitoring visit’, appendix A ($D/$f.pdf): the PDF is damaged"
    contains "$f: the fault is '$msg'" "$TMP/last.err" "$msg"
    lacks "$f: the page tree is not blamed" "$TMP/last.err" "page tree is damaged"
    if [ -e "$TMP/$f.pdf" ]; then not_ok "$f: no pack written"; else ok "$f: no pack written"; fi
done

meeting "$D/cut.json" '[{"letter": "A", "title": "Monitoring letter", "pdf": "late-font-ok.pdf"}]'
expect_exit "late-font-ok: the same file with a sound element builds" 0 $Q pack "$D/cut.json" -o "$TMP/late-ok.pdf"
lacks "late-font-ok: no error, and the tree is kept" "$TMP/last.err" "appendix A"
check "late-font-ok: qpdf --check" qpdf --check "$TMP/late-ok.pdf"

# figures and formulas without alternative text: the tree is kept, with
# one warning for the file that counts them; with it, no warning
meeting "$D/alt.json" '[{"letter": "A", "title": "Monitoring letter", "pdf": "no-alt.pdf"}]'
expect_exit "no-alt: the pack builds" 0 $Q pack "$D/alt.json" -o "$TMP/no-alt.pdf"
contains "no-alt: a warning names item, letter, file and what lacks alternative text" "$TMP/last.err" \
    "warning: item 2 ‘Ofsted monitoring visit’, appendix A ($D/no-alt.pdf): 2 figures and 1 formula in the PDF have no alternative text (/Alt), so screen readers skip them; ask for a copy with alternative text"
n=$(grep -c "alternative text" "$TMP/last.err")
if [ "$n" = 1 ]; then ok "no-alt: one warning for the file, not one per element"
else not_ok "no-alt: one warning for the file, not one per element" "$n lines"; fi
lacks "no-alt: the tree is kept" "$TMP/last.err" "cannot be kept"
check "no-alt: qpdf --check" qpdf --check "$TMP/no-alt.pdf"
meeting "$D/alt.json" '[{"letter": "A", "title": "Monitoring letter", "pdf": "with-alt.pdf"}]'
expect_exit "with-alt: the pack builds" 0 $Q pack "$D/alt.json" -o "$TMP/with-alt.pdf"
lacks "with-alt: no warning (/Alt or /ActualText on each)" "$TMP/last.err" "appendix A"
for f in no-alt with-alt; do
    got=$("$PY" -c 'import sys, pikepdf
p = pikepdf.open(sys.argv[1]); st = [p.Root.StructTreeRoot.K]; out = []
while st:
    e = st.pop()
    if isinstance(e, pikepdf.Array): st.extend(reversed(list(e)))
    elif isinstance(e, pikepdf.Dictionary) and "/S" in e:
        if e.S in ("/Figure", "/Formula") and "Appendix" not in str(e.get("/Alt", "")):
            out.append("%s:%s" % (str(e.S)[1:], "/Alt" in e or "/ActualText" in e))
        st.append(e.get("/K"))
print(" ".join(out))' "$TMP/$f.pdf")
    case $f in no-alt) want="Figure:False Figure:True Formula:False" ;;
               *) want="Figure:True Figure:True Formula:True" ;; esac
    if [ "$got" = "$want" ]; then ok "$f: the grafted figures and formula are the source's, as they were"
    else not_ok "$f: the grafted figures and formula are the source's, as they were" "got: $got" "want: $want"; fi
done

# a stray ')' in a page's content: read over, the tree kept (it was
# scanned for ever)
meeting "$D/paren.json" '[{"letter": "A", "title": "Monitoring letter", "pdf": "stray-paren.pdf"}]'
expect_exit "stray-paren: the pack builds within 30 s" 0 timeout 30 $Q pack "$D/paren.json" -o "$TMP/paren.pdf"
lacks "stray-paren: no error, and the tree is kept" "$TMP/last.err" "appendix A"
check "stray-paren: qpdf --check" qpdf --check "$TMP/paren.pdf"
out=$("$PY" tests/structure_check.py "$TMP/paren.pdf" 2>&1)
if [ $? = 0 ]; then ok "stray-paren: structure tree consistent"; else not_ok "stray-paren: structure tree consistent" "$out"; fi

# a /RoleMap of 100,000 entries looked up for 10,000 elements: quickly
if [ -n "$SLOW_BUILD" ]; then
    skip "big-rolemap: the pack builds within 30 s" "sanitizer or valgrind build: minutes, not seconds"
else
    meeting "$D/rolemap.json" '[{"letter": "A", "title": "Monitoring letter", "pdf": "big-rolemap.pdf"}]'
    expect_exit "big-rolemap: the pack builds within 30 s" 0 timeout 30 $Q pack "$D/rolemap.json" -o "$TMP/rolemap.pdf"
    lacks "big-rolemap: no error, and the tree is kept" "$TMP/last.err" "appendix A"
    check "big-rolemap: qpdf --check" qpdf --check "$TMP/rolemap.pdf"
fi

# attribute values the pack cannot write as they are are left out (an
# attribute is a hint): the tree is kept, the pack builds and is valid
for case in "odd-numbers:/O=/Layout /Placement=/Block /SpaceBefore=12.5 /StartIndent=100000" \
            "odd-names:/O=/Layout /Placement=/Block /SpaceBefore=12.5"; do
    f=${case%%:*} want=${case#*:}
    meeting "$D/attrs.json" "[{\"letter\": \"A\", \"title\": \"Monitoring letter\", \"pdf\": \"$f.pdf\"}]"
    expect_exit "$f: the pack builds" 0 $Q pack "$D/attrs.json" -o "$TMP/$f.pdf"
    lacks "$f: no error, and the tree is kept" "$TMP/last.err" "appendix A"
    check "$f: qpdf --check" qpdf --check "$TMP/$f.pdf"
    out=$("$PY" tests/structure_check.py "$TMP/$f.pdf" 2>&1)
    if [ $? = 0 ]; then ok "$f: structure tree consistent"; else not_ok "$f: structure tree consistent" "$out"; fi
    keys=$("$PY" -c 'import sys, pikepdf
p = pikepdf.open(sys.argv[1]); st = [p.Root.StructTreeRoot.K]
while st:
    e = st.pop()
    if isinstance(e, pikepdf.Array): st.extend(e)
    elif isinstance(e, pikepdf.Dictionary) and "/S" in e:
        a = e.get("/A")
        if isinstance(a, pikepdf.Dictionary) and a.get("/O") == "/Layout":
            print(" ".join(sorted("%s=%s" % (k, a[k]) for k in a.keys())))
        st.append(e.get("/K"))' "$TMP/$f.pdf" 2>&1 | tail -1)
    if [ "$keys" = "$want" ]; then ok "$f: the writable entries are kept, the rest left out"
    else not_ok "$f: the writable entries are kept, the rest left out" "got: $keys" "want: $want"; fi
done
exit $((FAILS > 0))
