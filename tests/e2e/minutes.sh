#!/usr/bin/env bash
# End-to-end: minutes and records of executive decisions, made from the
# proceedings in the sample meeting files and read back from the PDF:
# attendance, declarations, every minute number in order, every resolution,
# the chair's signature block, bookmarks and page numbers; public minutes
# never hold a private item's text (canaries planted in every field,
# searched in the text and the uncompressed bytes); the call-in deadline in
# clear working days; every kind of bad proceedings a located error with
# no PDF written.
. "$(dirname "$0")/lib.sh"

CABINET=samples/meetings/cabinet-2018-06-21.json
PANEL=samples/meetings/scrutiny-panel-2022-06-08.json

# record_check NAME PDF MEETING minutes|decisions public|full: reads the PDF
# back with pdftotext and qpdf --json, one ok/not ok line per check.
record_check() {
    python3 - "$@" <<'PY' || FAILS=$((FAILS + 1))
import json, re, subprocess, sys
name, pdf, meeting_path, kind, mode = sys.argv[1:6]
public = mode == "public"
bad = 0
def ok(msg): print(f"ok - {name}: {msg}")
def not_ok(msg, *detail):
    global bad
    bad += 1
    print(f"not ok - {name}: {msg}")
    for d in detail: print(f"    {d}")
def norm(s): return re.sub(r"\s+", " ", s).strip()
# without spaces and hyphens: a line may break (and hyphenate) anywhere
def bare(s): return re.sub(r"[\s\-\u00ad]+", "", s)
def check(cond, msg, *detail):
    ok(msg) if cond else not_ok(msg, *detail)

m = json.load(open(meeting_path))
p = m["proceedings"]
text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, check=True, text=True).stdout
flat = norm(text)
flatb = bare(text)
j = json.loads(subprocess.run(["qpdf", "--json", pdf], capture_output=True, check=True).stdout)
npages = len(j["pages"])

agenda = {str(it["number"]): it for it in m["items"]}
def label(i, mn):
    if "number" in mn: return str(mn["number"])
    num = p.get("numbering", {})
    n = num.get("first", 1) + i
    return num.get("format", "{n}").replace("{n}", str(n))
def private(mn):
    return "private" in mn or "exempt" in agenda[str(mn["item"])]
def paras(v):
    if v is None: return []
    if isinstance(v, str): return [v]
    out = []
    for b in v: out += [b] if isinstance(b, str) else b["bullets"]
    return out
def res(v): return [v] if isinstance(v, str) else (v or [])

minutes = list(enumerate(p["minutes"]))
if kind == "decisions":
    minutes = [(i, mn) for i, mn in minutes if "decision" in mn]

# every minute heading, in order, with its number and title
pos, missing = 0, []
for i, mn in minutes:
    title = agenda[str(mn["item"])]["title"] if (private(mn) and (public or kind == "decisions")) \
            else mn.get("title", agenda[str(mn["item"])]["title"])
    head = norm(f"{label(i, mn)} {title}")
    k = flat.find(head, pos)
    if k < 0: missing.append(head)
    else: pos = k + len(head)
check(not missing, f"{len(minutes)} minute headings, numbers in order", *missing[:3])

# bookmarks: one per minute, titled with its number
outl = [norm(o.get("title", "")) for o in j.get("outlines", [])]
def walk(os):
    for o in os:
        yield norm(o.get("title", ""))
        yield from walk(o.get("kids", []))
titles = list(walk(j.get("outlines", [])))
nob = [label(i, mn) for i, mn in minutes if not any(t.startswith(label(i, mn) + " ") for t in titles)]
check(not nob, "a bookmark per minute", *nob[:3])

# every resolution of an open (or full) minute is printed; a withheld one
# never is
shown = [r for i, mn in minutes if not (private(mn) and (public or kind == "decisions")) for r in res(mn.get("resolved"))]
hidden = [r for i, mn in minutes if private(mn) and (public or kind == "decisions") for r in res(mn.get("resolved"))]
lost = [r for r in shown if bare(r) not in flatb]
check(not lost, f"{len(shown)} resolutions printed", *lost[:3])
leaked = [r for r in hidden if bare(r)[:30] in flatb]
check(not leaked, f"{len(hidden)} private resolutions withheld", *leaked[:3])
if shown:
    check("RESOLVED –" in flat, "resolutions read 'RESOLVED –'")

# footers count the pages
want = [f"Page {k} of {npages}" for k in range(1, npages + 1)]
check(all(w in flat for w in want), f"page numbers 1 to {npages}")

if kind == "minutes":
    for who in p["present"]:
        check(who in flat, f"present: {who}")
    for s in p.get("substitutes", []):
        check(norm(f"{s['name']} (substitute for {s['for']})") in flat, f"substitute {s['name']} for {s['for']}")
    for who in p.get("apologies", []):
        check(who in norm(flat.split("Apologies for absence:")[1])[:400], f"apologies: {who}")
    for o in p.get("officers", []):
        check(norm(f"{o['name']} ({o['role']})") in flat, f"officer {o['name']}")
    for d in p.get("declarations", []):
        check(norm(d["interest"]) in flat, f"declaration by {d['member']}")
    tail = flat[flat.rfind("The meeting closed"):]
    # (pdftotext may read the footer between the two parts of the line)
    check(re.search(r"Chair …{10,}.* Date …{10,}", tail) is not None, "ends with the chair's signature block", tail[:120])
    check(text.count("NOT FOR PUBLICATION") == (0 if public or not any(private(mn) for _, mn in minutes) else npages),
          "NOT FOR PUBLICATION on every page of full minutes with private items, none in public ones")
sys.exit(1 if bad else 0)
PY
}

# ---- the samples ----------------------------------------------------------

expect_exit "panel minutes build" 0 $QUIRE minutes $PANEL -o $TMP/panel.pdf
record_check "panel minutes" $TMP/panel.pdf $PANEL minutes full
[ "$(stat -c %a $TMP/panel.pdf)" = 600 ] && ok "full minutes with a private item are mode 600" \
    || not_ok "full minutes with a private item are mode 600" "mode $(stat -c %a $TMP/panel.pdf)"
pdftotext $TMP/panel.pdf $TMP/panel.txt
qpdf --qdf --object-streams=disable $TMP/panel.pdf $TMP/panel.qdf
grep -aq '/StructTreeRoot' $TMP/panel.qdf && grep -aq '/Marked true' $TMP/panel.qdf \
    && ok "panel minutes are a tagged PDF" || not_ok "panel minutes are a tagged PDF"
contains "panel minutes: the recorded vote names the members" $TMP/panel.txt "For (5): Councillor Davison"
contains "panel minutes: bullet list of findings" $TMP/panel.txt "children in care were visited regularly"
contains "panel minutes: declaration kind" $TMP/panel.txt "Non-registrable interest"
contains "panel minutes: left the room" $TMP/panel.txt "left the room"
contains "panel minutes: time GOV.UK style" $TMP/panel.txt "from 4pm to 5:40pm"
contains "panel minutes: weekday and date" $TMP/panel.txt "Wednesday 8 June 2022"
# names are never split at a line end: "Coun-" then "cillor Mawston" would
# read badly in the list of those present (pdftotext keeps the soft hyphen)
if grep -q $'Coun\xc2\xad$' $TMP/panel.txt || grep -q 'Coun-$' $TMP/panel.txt; then
    not_ok "panel minutes: no name hyphenated in the list of those present" \
        "$(grep -n 'Coun' $TMP/panel.txt | head -3)"
else
    ok "panel minutes: no name hyphenated in the list of those present"
fi

expect_exit "panel public minutes build" 0 $QUIRE minutes $PANEL -o $TMP/panel-public.pdf --public
record_check "panel public minutes" $TMP/panel-public.pdf $PANEL minutes public
pdftotext $TMP/panel-public.pdf $TMP/panel-public.txt
contains "public minutes: the private item's paragraph" $TMP/panel-public.txt "paragraph"
contains "public minutes: the private item is withheld" $TMP/panel-public.txt "Its minute is not published"

expect_exit "cabinet minutes build" 0 $QUIRE minutes $CABINET -o $TMP/cabinet.pdf
record_check "cabinet minutes" $TMP/cabinet.pdf $CABINET minutes full
pdftotext $TMP/cabinet.pdf $TMP/cabinet.txt
contains "running minute numbers show the agenda item" $TMP/cabinet.txt "Agenda item 8"

expect_exit "cabinet decisions build" 0 $QUIRE decisions $CABINET -o $TMP/decisions.pdf
record_check "cabinet decisions" $TMP/decisions.pdf $CABINET decisions public
pdftotext $TMP/decisions.pdf - | tr -s ' \n' ' ' >$TMP/decisions.txt
contains "decisions: publication date" $TMP/decisions.txt "Date of publication: Friday 22 June 2018"
contains "decisions: call-in deadline, 5 clear working days" $TMP/decisions.txt "Call-in deadline: Friday 29 June 2018"
contains "decisions: key decision marked" $TMP/decisions.txt "Key decision"
contains "decisions: urgent decision exempt from call-in, with the reason" $TMP/decisions.txt "Urgent decision – not subject to call-in: The bids are valid"
contains "decisions: conflict and dispensation" $TMP/decisions.txt "Dispensation: granted by the Monitoring Officer"
contains "decisions: reasons" $TMP/decisions.txt "Reasons for the decision"
contains "decisions: alternatives" $TMP/decisions.txt "Alternative options considered"
[ "$(stat -c %a $TMP/decisions.pdf)" != 600 ] && ok "decisions are a public record (not mode 600)" \
    || not_ok "decisions are a public record (not mode 600)"

# ---- canaries: public minutes never hold a private item's text ------------

# mutate OUT SRC PYTHON: a copy of meeting SRC in $TMP with the repo's
# templates named absolutely, changed by the Python statements (m is the
# meeting, p its proceedings)
mutate() {
    python3 - "$1" "$2" "$PWD/templates" "$3" <<'PY'
import json, sys
out, src, tdir, code = sys.argv[1:5]
m = json.load(open(src))
p = m["proceedings"]
p["minutes_template"] = tdir + "/minutes.md"
if "decisions_template" in p: p["decisions_template"] = tdir + "/decisions.md"
exec(code)
open(out, "w").write(json.dumps(m, indent=2, ensure_ascii=False) + "\n")
PY
}

mutate $TMP/canary.json $PANEL '
mn = next(x for x in p["minutes"] if "private" in x)
mn["title"] = "CANARYTITLE urgent item"
mn["discussion"] = ["CANARYDISCUSSION text", {"bullets": ["CANARYBULLET one"]}]
mn["resolved"] = ["CANARYRESOLVED one", "CANARYRESOLVED two"]
mn["reasons"] = "CANARYREASONS"
mn["alternatives"] = "CANARYALTERNATIVES"
mn["vote"] = {"for": 3, "against": 2, "abstained": 0}'
expect_exit "canary minutes (full) build" 0 $QUIRE minutes $TMP/canary.json -o $TMP/canary-full.pdf
expect_exit "canary minutes (public) build" 0 $QUIRE minutes $TMP/canary.json -o $TMP/canary-public.pdf --public
pdftotext $TMP/canary-full.pdf $TMP/canary-full.txt
pdftotext $TMP/canary-public.pdf $TMP/canary-public.txt
qpdf --qdf --object-streams=disable $TMP/canary-public.pdf $TMP/canary-public.qdf
for c in CANARYTITLE CANARYDISCUSSION CANARYBULLET CANARYRESOLVED CANARYREASONS CANARYALTERNATIVES; do
    contains "full minutes carry $c (the canary is planted)" $TMP/canary-full.txt $c
    lacks "public minutes text lacks $c" $TMP/canary-public.txt $c
    if raw_has $TMP/canary-public.qdf $c; then not_ok "public minutes bytes lack $c"
    else ok "public minutes bytes lack $c"; fi
done
contains "full minutes: the vote on the private item" $TMP/canary-full.txt "Against: 2"
# the HTML copy is made from the same view: the same text withheld
expect_exit "canary minutes (full) as HTML" 0 $QUIRE minutes $TMP/canary.json -o $TMP/canary-full.html
expect_exit "canary minutes (public) as HTML" 0 $QUIRE minutes $TMP/canary.json -o $TMP/canary-public.html --public
for c in CANARYTITLE CANARYDISCUSSION CANARYBULLET CANARYRESOLVED CANARYREASONS CANARYALTERNATIVES; do
    contains "full HTML minutes carry $c" $TMP/canary-full.html $c
    lacks "public HTML minutes lack $c" $TMP/canary-public.html $c
done
contains "public HTML minutes: the private item is withheld" $TMP/canary-public.html "Its minute is not published"
lacks "public minutes: no vote on the private item" $TMP/canary-public.txt "Against: 2"
# an item exempt on the agenda is private in the minutes without a 'private' block
mutate $TMP/canary-cab.json $CABINET '
mn = next(x for x in p["minutes"] if x["item"] == 10)
mn["discussion"] = "CANARYEXEMPTAGENDA"'
expect_exit "cabinet canary minutes (public) build" 0 $QUIRE minutes $TMP/canary-cab.json -o $TMP/canary-cab.pdf --public
qpdf --qdf --object-streams=disable $TMP/canary-cab.pdf $TMP/canary-cab.qdf
pdftotext $TMP/canary-cab.pdf $TMP/canary-cab.txt
lacks "public minutes lack an exempt agenda item's minute" $TMP/canary-cab.txt CANARYEXEMPTAGENDA
if raw_has $TMP/canary-cab.qdf CANARYEXEMPTAGENDA; then not_ok "public minutes bytes lack an exempt agenda item's minute"
else ok "public minutes bytes lack an exempt agenda item's minute"; fi
expect_exit "decisions with a canary in a private decision build" 0 $QUIRE decisions $TMP/canary-cab.json -o $TMP/canary-dec.pdf
qpdf --qdf --object-streams=disable $TMP/canary-dec.pdf $TMP/canary-dec.qdf
if raw_has $TMP/canary-dec.qdf CANARYEXEMPTAGENDA; then not_ok "decisions bytes lack a private decision's minute"
else ok "decisions bytes lack a private decision's minute"; fi

# ---- working days --------------------------------------------------------

deadline() { # NAME MUTATION WANT
    mutate $TMP/wd.json $CABINET "$2"
    rm -f $TMP/wd.pdf
    if $QUIRE decisions $TMP/wd.json -o $TMP/wd.pdf 2>$TMP/wd.err; then
        pdftotext $TMP/wd.pdf - | tr -s ' \n' ' ' >$TMP/wd.txt
        contains "$1" $TMP/wd.txt "Call-in deadline: $3"
    else
        not_ok "$1" "$(head -3 $TMP/wd.err)"
    fi
}
deadline "call-in over Christmas 2023" 'p["call_in"]["published"] = "2023-12-22"' "Wednesday 3 January 2024"
deadline "call-in over Easter 2024" 'p["call_in"]["published"] = "2024-03-28"' "Monday 8 April 2024"
deadline "call-in over the 2023 coronation bank holiday" 'p["call_in"]["published"] = "2023-05-05"' "Monday 15 May 2023"
deadline "extra_holidays from the meeting file" 'p["call_in"]["extra_holidays"] = ["2018-06-26"]' "Monday 2 July 2018"
deadline "working_days configurable" 'p["call_in"]["working_days"] = 3' "Wednesday 27 June 2018"
cat >$TMP/local-holidays.json <<'JSON'
{"division": "a council's own table", "from": 2018, "to": 2018,
 "events": [{"date": "2018-06-25", "title": "Local closure"}]}
JSON
deadline "call_in.holidays names another table" "p['call_in']['holidays'] = '$TMP/local-holidays.json'" "Monday 2 July 2018"
mutate $TMP/wd2031.json $CABINET 'p["call_in"]["published"] = "2031-03-03"'
expect_exit "a date past the bank holiday table is an error" 1 $QUIRE decisions $TMP/wd2031.json -o $TMP/wd2031.pdf
contains "past the table: says so" $TMP/last.err "the bank holiday table covers 2018 to 2030"

# ---- bad proceedings: located errors, nothing written ---------------------

# bad NAME MUTATION POINTER MESSAGE [COMMAND]: exit 1, the error at
# file:line:col with the JSON pointer, and no PDF
bad() {
    local f=$TMP/bad.json
    mutate $f $PANEL "$2"
    rm -f $TMP/bad.pdf
    expect_exit "$1: exit 1" 1 $QUIRE ${5:-minutes} $f -o $TMP/bad.pdf
    if grep -qE "^$f:[0-9]+:[0-9]+: error: $3: .*$4" $TMP/last.err; then ok "$1: located error"
    else not_ok "$1: located error" "want $f:L:C: error: $3: …$4" "$(head -3 $TMP/last.err)"; fi
    [ ! -e $TMP/bad.pdf ] && ok "$1: no PDF" || not_ok "$1: no PDF"
}
bad "declaration by a non-member" \
    'p["declarations"][0]["member"] = "Councillor Nobody"' \
    /proceedings/declarations/0/member "'Councillor Nobody' is not a member"
bad "more votes than members present" \
    'p["minutes"][3]["vote"] = {"for": 6, "against": 2, "abstained": 1}' \
    /proceedings/minutes/3/vote "9 votes .* only 8 members were present"
bad "a named voter not present" \
    'p["minutes"][3]["vote"]["for"][0] = "Councillor Walker"' \
    /proceedings/minutes/3/vote/for/0 "'Councillor Walker' voted but is not listed as present"
bad "a minute for an item not on the agenda" \
    'p["minutes"][0]["item"] = 99' \
    /proceedings/minutes/0/item "there is no agenda item '99'"
bad "duplicate minute numbers" \
    'p["minutes"][1]["number"] = 1' \
    /proceedings/minutes/1 "minute number 1 is used twice"
bad "a misspelt private block" \
    'mn = p["minutes"][5]; mn["Private"] = mn.pop("private")' \
    /proceedings/minutes/5/Private "did you mean 'private'"
bad "an unknown kind of interest" \
    'p["declarations"][0]["kind"] = "non-registrable"' \
    /proceedings/declarations/0/kind "did you mean 'non_registrable'"
bad "a Schedule 12A paragraph that does not exist" \
    'p["minutes"][5]["private"]["paragraph"] = 9' \
    /proceedings/minutes/5/private/paragraph "1 to 7"
bad "a substitute for a member who is present" \
    'p["substitutes"][0]["for"] = "Councillor Ewan"' \
    /proceedings/substitutes/0/for "is listed as present"
bad "an end time that is not a time" \
    'p["end"] = "5.40pm"' /proceedings/end "not a time"
bad "a declaration by a member who was not present" \
    'p["declarations"][0]["member"] = "Councillor Walker"' \
    /proceedings/declarations/0/member "'Councillor Walker' is not listed as present"
bad "a vote by a member who declared an interest and left the room" \
    'p["declarations"][0]["left_room"] = True' \
    /proceedings/minutes/3/vote/for/4 "'Councillor Storey' voted, but declared an interest in agenda item 4 and left the room"
bad "decisions without a call-in block" \
    'p["minutes"][3]["decision"] = {"key": False}; p["decisions_template"] = p["minutes_template"].replace("minutes.md", "decisions.md")' \
    /proceedings "missing required field 'call_in'" decisions
mutate $TMP/early.json $CABINET 'p["call_in"]["published"] = "2018-06-20"'
expect_exit "decisions published before the meeting: exit 1" 1 $QUIRE decisions $TMP/early.json -o $TMP/early.pdf
grep -qE "^$TMP/early.json:[0-9]+:[0-9]+: error: /proceedings/call_in/published: decisions cannot be published" $TMP/last.err \
    && ok "decisions published before the meeting: located error" \
    || not_ok "decisions published before the meeting: located error" "$(head -2 $TMP/last.err)"

# the vice-chair presiding
mutate $TMP/vice.json $PANEL 'p["present"].remove("Councillor Davison"); p["apologies"].append("Councillor Davison"); p["in_the_chair"] = "Councillor Platt"
p["minutes"][3]["vote"]["for"].remove("Councillor Davison")'
expect_exit "vice-chair in the chair builds" 0 $QUIRE minutes $TMP/vice.json -o $TMP/vice.pdf
pdftotext $TMP/vice.pdf - | tr -s ' \n' ' ' >$TMP/vice.txt
contains "vice-chair in the chair" $TMP/vice.txt "Councillor Platt (Vice-Chair, in the Chair)"
bad "a member listed as present twice" \
    'p["present"].append("Councillor Ewan")' /proceedings/present/7 "'Councillor Ewan' is listed twice"

# the house style "AGREED that …"
mutate $TMP/agreed.json $PANEL '
p["resolution_style"] = "agreed"
p["minutes"][4]["resolved"] = "that the information provided be noted."'
expect_exit "AGREED house style builds" 0 $QUIRE minutes $TMP/agreed.json -o $TMP/agreed.pdf
pdftotext $TMP/agreed.pdf - | tr -s ' \n' ' ' >$TMP/agreed.txt
contains "AGREED house style" $TMP/agreed.txt "AGREED that the information provided be noted."

# lists are bounded: a hostile file is refused at once, not compared list
# against list for minutes
mutate $TMP/huge.json $PANEL '
p["minutes"] = [{"item": 4}] * 600'
expect_exit "600 minutes: exit 1" 1 timeout 20 $QUIRE minutes $TMP/huge.json -o $TMP/huge.pdf
contains "the minutes' bound is named" $TMP/last.err "'minutes' has 600 entries: more than the limit of 500"
mutate $TMP/huge.json $PANEL '
p["minutes"][3]["vote"] = {"for": ["Councillor Ewan"] * 20000}'
expect_exit "a vote of 20,000 names: exit 1" 1 timeout 20 $QUIRE minutes $TMP/huge.json -o $TMP/huge.pdf
contains "  ... counted, not searched" $TMP/last.err "20000 votes (for, against and abstentions) but only 8 members were present"

# the line is the declaration's: count it in the file written
mutate $TMP/line.json $PANEL 'p["declarations"][0]["member"] = "Councillor Nobody"'
want=$(grep -n '"Councillor Nobody"' $TMP/line.json | cut -d: -f1)
$QUIRE minutes $TMP/line.json -o $TMP/line.pdf 2>$TMP/line.err
grep -q "^$TMP/line.json:$want:" $TMP/line.err && ok "the error is on the declaration's line ($want)" \
    || not_ok "the error is on the declaration's line ($want)" "$(head -2 $TMP/line.err)"

# every problem in one run
mutate $TMP/many.json $PANEL '
p["declarations"][0]["member"] = "Councillor Nobody"
p["minutes"][0]["item"] = 99
p["minutes"][1]["number"] = 3'
expect_exit "several problems: exit 1" 1 $QUIRE minutes $TMP/many.json -o $TMP/many.pdf
n=$(grep -c ': error: /proceedings' $TMP/last.err)
[ "$n" -ge 3 ] && ok "several problems reported in one run ($n)" || not_ok "several problems reported in one run" "$(cat $TMP/last.err)"

# ---- outputs and usage ----------------------------------------------------

cp $PANEL $TMP/keep.json
mutate $TMP/self.json $PANEL ''
cp $TMP/self.json $TMP/self.orig
expect_exit "output that is the meeting file: exit 1" 1 $QUIRE minutes $TMP/self.json -o $TMP/self.json
cmp -s $TMP/self.json $TMP/self.orig && ok "the meeting file is untouched" || not_ok "the meeting file is untouched"
expect_exit "minutes without -o: usage" 2 $QUIRE minutes $PANEL
expect_exit "decisions --public: usage (a record of decisions is public)" 2 $QUIRE decisions $CABINET -o $TMP/x.pdf --public
expect_exit "minutes -t names another template" 0 $QUIRE minutes $PANEL -t templates/minutes.md -o $TMP/t.pdf
mutate $TMP/notpl.json $PANEL 'del p["minutes_template"]'
expect_exit "no template named: exit 1" 1 $QUIRE minutes $TMP/notpl.json -o $TMP/notpl.pdf
contains "no template named: says how to name one" $TMP/last.err "minutes_template"
mutate $TMP/noproc.json $PANEL 'del m["proceedings"]'
expect_exit "a meeting file with no proceedings: exit 1" 1 $QUIRE minutes $TMP/noproc.json -o $TMP/noproc.pdf
# a meeting file with proceedings still makes its agenda pack
expect_exit "the pack ignores the proceedings" 0 $QUIRE pack $PANEL -o $TMP/pack.pdf

finish
