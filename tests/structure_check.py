#!/usr/bin/env python3
"""structure_check.py FILE.pdf... — walk the structure tree of Quire's
tagged PDFs with pikepdf (a reader independent of libharu and poppler) and
check what PDF/UA-1 readers check of it:

  - every marked-content sequence with an MCID on a page, or in a Form
    XObject a page draws that has /StructParents (an imported page whose
    structure is kept), is owned by exactly one structure element, and
    every MCID the tree names exists; a reference into a form (/Stm) names
    as /Pg a page that draws it;
  - the ParentTree agrees: each page's (and such form's) /StructParents
    entry lists, at index MCID, the element owning that MCID; each annotation's /StructParent maps
    to the element holding its OBJR;
  - every Link annotation has /Contents, a /StructParent and an OBJR in a
    Link element; every Link and every Figure element has /Alt;
  - outline items carry their destination as a direct array and no /Type;
  - the StructTreeRoot has /ParentTreeNextKey, greater than every key used;
  - Info dates are D:YYYYMMDDHHmmSS followed by Z or +HH'mm' (nothing after
    Z: "Z00'00'" reads as another date than the XMP's in PDFBox).

Prints "ok - NAME: check" / "not ok - NAME: check" lines (as
tests/e2e/lib.sh) with the first few problems, and exits 1 when any check
fails, 2 when pikepdf is missing.
"""
import os
import re
import sys

try:
    import pikepdf
except ImportError:
    print("structure_check.py: pikepdf is missing (Debian: python3-pikepdf)",
          file=sys.stderr)
    sys.exit(2)

MAX_SHOWN = 5


def key(obj):
    """Identity of an indirect object."""
    return obj.objgen


def number_tree(node, out, seen=None):
    """Flatten a number tree into out {int: value}."""
    seen = seen if seen is not None else set()
    if node.is_indirect:
        if key(node) in seen:
            return
        seen.add(key(node))
    nums = node.get("/Nums")
    if nums is not None:
        for i in range(0, len(nums) - 1, 2):
            out[int(nums[i])] = nums[i + 1]
    for kid in node.get("/Kids", []):
        number_tree(kid, out, seen)


def page_mcids(page):
    """MCIDs of the marked-content sequences in a page's (or a form's)
    content stream."""
    found = []
    for operands, op in pikepdf.parse_content_stream(page):
        if str(op) != "BDC" or len(operands) < 2:
            continue
        props = operands[1]
        if isinstance(props, pikepdf.Dictionary) and "/MCID" in props:
            found.append(int(props.MCID))
    return found


class Checker:
    def __init__(self, path):
        self.name = os.path.basename(path)
        self.pdf = pikepdf.open(path)
        self.fails = 0

    def report(self, check, problems):
        if not problems:
            print("ok - %s: %s" % (self.name, check))
            return
        self.fails += 1
        print("not ok - %s: %s" % (self.name, check))
        for p in problems[:MAX_SHOWN]:
            print("    " + p)
        if len(problems) > MAX_SHOWN:
            print("    … and %d more" % (len(problems) - MAX_SHOWN))

    def walk_tree(self):
        """Elements, MCID owners and OBJR owners from the StructTreeRoot."""
        root = self.pdf.Root.get("/StructTreeRoot")
        self.root = root
        self.elems = []               # (element, its /S)
        self.mcid_owner = {}          # (page objgen, mcid) -> [element]
        self.objr_owner = {}          # annotation objgen -> [element]
        self.stm_pages = {}           # form objgen -> {its MCRs' /Pg}
        self.tree_problems = []
        if root is None:
            self.tree_problems.append("no StructTreeRoot")
            return
        seen = set()
        stack = [(root.get("/K"), None)]
        while stack:
            node, parent = stack.pop()
            if node is None:
                continue
            if isinstance(node, pikepdf.Array):
                for kid in reversed(list(node)):
                    stack.append((kid, parent))
                continue
            if isinstance(node, int):
                pg = parent.get("/Pg") if parent is not None else None
                if pg is None:
                    self.tree_problems.append(
                        "MCID %d in an element with no /Pg" % node)
                else:
                    self.mcid_owner.setdefault((key(pg), node), []).append(parent)
                continue
            if not isinstance(node, pikepdf.Dictionary):
                continue
            typ = node.get("/Type")
            if typ == "/MCR":
                pg = node.get("/Pg") or (parent.get("/Pg") if parent else None)
                stm = node.get("/Stm")
                where = key(stm) if stm is not None else key(pg)
                self.mcid_owner.setdefault((where, int(node.MCID)), []).append(parent)
                if stm is not None:
                    self.stm_pages.setdefault(key(stm), set()).add(
                        key(pg) if pg is not None else None)
                continue
            if typ == "/OBJR":
                self.objr_owner.setdefault(key(node.Obj), []).append(parent)
                continue
            if node.is_indirect:
                if key(node) in seen:
                    self.tree_problems.append(
                        "element %r reached twice" % (node.objgen,))
                    continue
                seen.add(key(node))
            self.elems.append(node)
            stack.append((node.get("/K"), node))

    def run(self):
        pdf = self.pdf
        self.walk_tree()
        self.report("structure tree walks", self.tree_problems)

        # MCIDs on pages against their owners.
        problems = []
        page_mcid = {}
        for n, page in enumerate(pdf.pages, 1):
            ids = page_mcids(page)
            dup = sorted({m for m in ids if ids.count(m) > 1})
            if dup:
                problems.append("page %d: MCID %s used twice" % (n, dup))
            page_mcid[key(page.obj)] = (n, set(ids), page)
            for m in ids:
                owners = self.mcid_owner.get((key(page.obj), m), [])
                if len(owners) != 1:
                    problems.append("page %d: MCID %d owned by %d elements"
                                    % (n, m, len(owners)))
        # Forms with /StructParents: their MCIDs are their own (§14.7.4.4).
        for n, page in enumerate(pdf.pages, 1):
            xobjects = page.obj.get("/Resources", {}).get("/XObject", {})
            for name, xo in xobjects.items():
                if xo.get("/Subtype") != "/Form" or "/StructParents" not in xo:
                    continue
                ids = page_mcids(xo)
                what = "page %d form %s" % (n, name)
                page_mcid[key(xo)] = (what, set(ids), xo)
                for m in ids:
                    owners = self.mcid_owner.get((key(xo), m), [])
                    if len(owners) != 1:
                        problems.append("%s: MCID %d owned by %d elements"
                                        % (what, m, len(owners)))
                pgs = self.stm_pages.get(key(xo), set())
                if pgs and pgs != {key(page.obj)}:
                    problems.append("%s: references into it name /Pg %s"
                                    % (what, sorted(map(str, pgs))))
        for (pg, m), owners in self.mcid_owner.items():
            if pg not in page_mcid or m not in page_mcid[pg][1]:
                problems.append("the tree names MCID %d on %s, which has no "
                                "such sequence" % (m, pg))
        self.report("every MCID owned by exactly one element", problems)

        # The ParentTree.
        problems = []
        ptree = {}
        if self.root is not None and "/ParentTree" in self.root:
            number_tree(self.root.ParentTree, ptree)
        else:
            problems.append("no ParentTree")
        for pg, (n, ids, page) in page_mcid.items():
            if not ids:
                continue
            what = n if isinstance(n, str) else "page %d" % n
            obj = page.obj if isinstance(page, pikepdf.Page) else page
            sp = obj.get("/StructParents")
            if sp is None:
                problems.append("%s has MCIDs but no /StructParents" % what)
                continue
            arr = ptree.get(int(sp))
            if not isinstance(arr, pikepdf.Array):
                problems.append("%s: ParentTree has no array at key %d"
                                % (what, int(sp)))
                continue
            for m in sorted(ids):
                owners = self.mcid_owner.get((pg, m), [])
                if m >= len(arr) or not owners or \
                        not arr[m].is_indirect or key(arr[m]) != key(owners[0]):
                    problems.append("%s: ParentTree[%d][%d] is not the "
                                    "element owning MCID %d" % (what, int(sp), m, m))
        self.report("ParentTree maps every page's MCIDs to their elements",
                    problems)

        # Annotations.
        problems, annot_keys = [], []
        nlinks = 0
        for n, page in enumerate(pdf.pages, 1):
            for a in page.obj.get("/Annots", []):
                if a.get("/Subtype") != "/Link":
                    continue
                nlinks += 1
                where = "page %d link %r" % (n, a.objgen)
                contents = a.get("/Contents")
                if contents is None or not str(contents).strip():
                    problems.append(where + ": no /Contents")
                owners = self.objr_owner.get(key(a), [])
                if len(owners) != 1 or owners[0].get("/S") != "/Link":
                    problems.append(where + ": not the OBJR of one Link element")
                sp = a.get("/StructParent")
                if sp is None:
                    problems.append(where + ": no /StructParent")
                    continue
                annot_keys.append(int(sp))
                el = ptree.get(int(sp))
                if el is None or not owners or not el.is_indirect or \
                        key(el) != key(owners[0]):
                    problems.append(where + ": ParentTree[%d] is not its "
                                    "element" % int(sp))
        self.report("every Link annotation has /Contents, /StructParent and "
                    "an OBJR in its Link element (%d links)" % nlinks, problems)

        # Alt text.
        problems = []
        for el in self.elems:
            s = el.get("/S")
            if s in ("/Figure", "/Link"):
                alt = el.get("/Alt")
                if alt is None or not str(alt).strip():
                    problems.append("%s element %r has no /Alt" % (s, el.objgen))
        self.report("every Figure and Link element has /Alt", problems)

        # Outlines.
        problems = []
        outlines = pdf.Root.get("/Outlines")
        stack = [outlines.get("/First")] if outlines is not None else []
        seen = set()
        count = 0
        while stack:
            o = stack.pop()
            if o is None or key(o) in seen:
                continue
            seen.add(key(o))
            count += 1
            title = str(o.get("/Title", ""))
            if "/Type" in o:
                problems.append("outline item '%s' has /Type" % title)
            dest = o.get("/Dest")
            if dest is None:
                if "/A" not in o:
                    problems.append("outline item '%s' has no destination" % title)
            elif dest.is_indirect or not isinstance(dest, pikepdf.Array):
                problems.append("outline item '%s': /Dest is not a direct array"
                                % title)
            stack.append(o.get("/Next"))
            stack.append(o.get("/First"))
        self.report("outline items: direct destination arrays, no /Type "
                    "(%d items)" % count, problems)

        # ParentTreeNextKey.
        problems = []
        used = set(ptree) | set(annot_keys)
        for page in pdf.pages:
            if "/StructParents" in page.obj:
                used.add(int(page.obj.StructParents))
        for _, _, obj in page_mcid.values():
            if isinstance(obj, pikepdf.Object) and "/StructParents" in obj:
                used.add(int(obj.StructParents))
        nk = self.root.get("/ParentTreeNextKey") if self.root is not None else None
        if nk is None:
            problems.append("StructTreeRoot has no /ParentTreeNextKey")
        elif used and int(nk) <= max(used):
            problems.append("/ParentTreeNextKey %d is not above the largest "
                            "key %d" % (int(nk), max(used)))
        self.report("/ParentTreeNextKey present and above every key", problems)

        # Info dates.
        problems = []
        info = pdf.trailer.get("/Info")
        for k in ("/CreationDate", "/ModDate"):
            v = info.get(k) if info is not None else None
            if v is None:
                continue
            if not re.fullmatch(r"D:\d{14}(Z|[+-]\d\d'\d\d')", str(v)):
                problems.append("%s %s" % (k, str(v)))
        self.report("Info dates well formed", problems)
        return self.fails


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    fails = 0
    for path in argv[1:]:
        try:
            fails += Checker(path).run()
        except Exception as e:      # a file the reader cannot take is a failure
            print("not ok - %s: read with pikepdf" % os.path.basename(path))
            print("    %s: %s" % (type(e).__name__, e))
            fails += 1
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
