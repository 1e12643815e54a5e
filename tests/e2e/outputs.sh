#!/usr/bin/env bash
# End-to-end: what Quire writes and where. Outputs holding exempt
# information (a paper whose data carries paper.exempt, a full pack with an
# exempt item) are mode 0600 whatever the umask and say NOT FOR PUBLICATION
# on every exempt page; every other output follows the umask, and a
# stricter mode of the file it replaces is kept. An output that is one of
# the inputs, or that is not a regular file (a FIFO, a symlink to a device,
# a directory), is refused with exit 1 before anything is written. Pack
# images resolve against each paper's template folder, whatever the
# current folder.
. "$(dirname "$0")/lib.sh"

Q="${QUIRE_WRAP:-} $BIN"
EXEMPT=samples/meetings/papers/residential-placement-contract.json
OPEN=samples/cabinet-ofsted-working-group.json
CABINET=samples/meetings/cabinet-2018-06-21.json
TPL=templates/cabinet-report.md
O=$TMP/o
mkdir -p $O

# mode NAME FILE MODE: stat -c %a of FILE is MODE
mode() {
    local m
    m=$(stat -c %a "$2" 2>/dev/null)
    [ "$m" = "$3" ] && ok "$1: mode $3" || not_ok "$1: mode $3" "got '${m:-no file}'"
}

# every_page NAME PDF TEXT: TEXT on every page, exactly once
every_page() {
    local n k c bad=""
    n=$(pdfinfo "$2" 2>/dev/null | awk '/^Pages:/ {print $2}')
    for k in $(seq 1 ${n:-0}); do
        c=$(pdftotext -f $k -l $k "$2" - | grep -cF "$3")
        [ "$c" = 1 ] || bad="$bad page$k:$c"
    done
    [ -n "$n" ] && [ -z "$bad" ] && ok "$1: '$3' once on each of $n pages" || not_ok "$1: '$3' once on every page" "pages:${n:-none}$bad"
}

# --- modes -----------------------------------------------------------------
for u in 022 077; do
    rm -f $O/*.pdf
    (umask $u
     $Q render $EXEMPT -t $TPL -o $O/exempt.pdf 2>$TMP/err.$u
     $Q render $OPEN -t $TPL -o $O/open.pdf 2>>$TMP/err.$u
     $Q pack $CABINET -o $O/full.pdf 2>>$TMP/err.$u
     $Q pack $CABINET -o $O/public.pdf --public 2>>$TMP/err.$u)
    open_mode=$([ $u = 022 ] && echo 644 || echo 600)
    mode "umask $u: exempt standalone paper" $O/exempt.pdf 600
    mode "umask $u: full pack with an exempt item" $O/full.pdf 600
    mode "umask $u: open paper" $O/open.pdf $open_mode
    mode "umask $u: public pack" $O/public.pdf $open_mode
done
# an owner's chmod survives a rebuild; a wider one never widens an exempt file
chmod 600 $O/open.pdf
(umask 022; $Q render $OPEN -t $TPL -o $O/open.pdf 2>/dev/null)
mode "a rebuild keeps the owner's stricter mode" $O/open.pdf 600
chmod 640 $O/open.pdf
(umask 022; $Q render $OPEN -t $TPL -o $O/open.pdf 2>/dev/null)
mode "a rebuild keeps a group-only mode" $O/open.pdf 640
chmod 644 $O/exempt.pdf
(umask 022; $Q render $EXEMPT -t $TPL -o $O/exempt.pdf 2>/dev/null)
mode "an exempt paper replacing a 644 file is 600" $O/exempt.pdf 600
(umask 022; $Q pack $CABINET -o $O/public.pdf --public 2>/dev/null)
mode "a public pack under umask 022 replacing a 600 file stays 600" $O/public.pdf 600

# --- NOT FOR PUBLICATION -----------------------------------------------------
$Q render $EXEMPT -t $TPL -o $O/exempt.pdf 2>/dev/null
every_page "exempt standalone paper" $O/exempt.pdf "NOT FOR PUBLICATION"
pdftotext $O/open.pdf $O/open.txt
lacks "open paper has no NOT FOR PUBLICATION mark" $O/open.txt "NOT FOR PUBLICATION"
# the full pack: the exempt paper's pages carry the mark once (not once from
# the paper and again from the pack)
$Q pack $CABINET -o $O/full.pdf 2>/dev/null
n=$(pdfinfo $O/full.pdf | awk '/^Pages:/ {print $2}')
marked=0; twice=""
for k in $(seq 1 $n); do
    c=$(pdftotext -f $k -l $k $O/full.pdf - | grep -cF "NOT FOR PUBLICATION")
    [ "$c" -ge 1 ] && marked=$((marked + 1))
    [ "$c" -gt 1 ] && twice="$twice $k"
done
[ $marked -ge 1 ] && [ -z "$twice" ] && ok "full pack: exempt pages marked once ($marked pages)" \
    || not_ok "full pack: exempt pages marked once" "marked $marked, twice on:$twice"
# an item exempt only in the meeting file is marked by the pack
P=$TMP/p
mkdir -p $P
printf '# Closed report\n\nText.\n\n<!-- pagebreak -->\n\nMore text.\n' >$P/closed.md
cat >$P/m.json <<'EOF'
{"council": "Harwood Borough Council", "committee": "Cabinet", "date": "2025-10-15",
 "time": "18:00", "venue": "Civic Centre", "membership": {"members": ["Councillor Adeyemi"]},
 "contact": {"name": "Jo Price"},
 "items": [{"number": 1, "title": "Closed report", "paper": {"template": "closed.md"},
            "exempt": {"paragraph": 1, "reason": "Names a child."}}]}
EOF
expect_exit "meeting-only exempt item: full pack builds" 0 $Q pack $P/m.json -o $P/full.pdf
[ -f $P/full.pdf ] && {
    n=$(pdfinfo $P/full.pdf | awk '/^Pages:/ {print $2}')
    c=$(pdftotext -f $((n - 1)) -l $n $P/full.pdf - | grep -cF "NOT FOR PUBLICATION")
    [ "$c" = 2 ] && ok "meeting-only exempt item: both its pages marked once" || not_ok "meeting-only exempt item: both its pages marked once" "count $c"
    mode "meeting-only exempt item: full pack" $P/full.pdf 600
}

# --- outputs that are inputs, or not regular files ---------------------------
W=$TMP/w
mkdir -p $W/t
cp $OPEN $W/data.json
cp -r templates/* $W/t/
cp $W/data.json $W/data.orig
cp $W/t/cabinet-report.md $W/tpl.orig
# refuse NAME FILE-TO-KEEP COMMAND...: exit 1 and FILE-TO-KEEP unchanged
refuse() {
    local name=$1 keep=$2; shift 2
    local before
    before=$(ls -l --time-style=full-iso "$keep"; cksum <"$keep")
    expect_exit "$name: refused (exit 1)" 1 "$@"
    contains "$name: says it will not overwrite an input" $TMP/last.err "refusing to overwrite an input"
    [ "$(ls -l --time-style=full-iso "$keep"; cksum <"$keep")" = "$before" ] && ok "$name: the input is untouched" || not_ok "$name: the input is untouched"
}
refuse "render -o its data" $W/data.json $Q render $W/data.json -t $W/t/cabinet-report.md -o $W/data.json
refuse "render -o its template" $W/t/cabinet-report.md $Q render $W/data.json -t $W/t/cabinet-report.md -o $W/t/cabinet-report.md
refuse "render -o a partial" $W/t/partials/author.md $Q render $W/data.json -t $W/t/cabinet-report.md -o $W/t/partials/author.md
refuse "render -o its style" $W/t/styles/council.json $Q render $W/data.json -t $W/t/cabinet-report.md -s $W/t/styles/council.json -o $W/t/styles/council.json
ln -s data.json $W/link.pdf
refuse "render -o a symlink to its data" $W/data.json $Q render $W/data.json -t $W/t/cabinet-report.md -o $W/link.pdf
[ -L $W/link.pdf ] && ok "the symlink is still a symlink" || not_ok "the symlink is still a symlink"
cmp -s $W/data.json $W/data.orig && ok "render: data intact after all refusals" || not_ok "render: data intact after all refusals"
# packs: the meeting file, an item's data, and (public) an exempt item's
# data, which a public pack never opens
S=$TMP/s
mkdir -p $S
cp -r samples $S/
cp -r templates $S/
SM=$S/samples/meetings/cabinet-2018-06-21.json
refuse "pack -o its meeting file" $SM $Q pack $SM -o $SM
refuse "pack -o an item's data" $S/samples/meetings/papers/improvement-plan-progress.json $Q pack $SM -o $S/samples/meetings/papers/improvement-plan-progress.json
refuse "public pack -o an exempt item's data" $S/samples/meetings/papers/residential-placement-contract.json $Q pack $SM --public -o $S/samples/meetings/papers/residential-placement-contract.json
refuse "pack -o the shared template" $S/templates/cabinet-report.md $Q pack $SM -o $S/templates/cabinet-report.md
# not a regular file: a symlink to a device, a FIFO, a directory
ln -s /dev/null $W/null.pdf
expect_exit "render -o a symlink to /dev/null: exit 1" 1 $Q render $W/data.json -t $W/t/cabinet-report.md -o $W/null.pdf
contains "symlink to a device: says why" $TMP/last.err "not a regular file"
[ "$(readlink $W/null.pdf)" = /dev/null ] && [ -c /dev/null ] && ok "the symlink to /dev/null is left as it was" || not_ok "the symlink to /dev/null is left as it was"
expect_exit "pack -o a symlink to /dev/null: exit 1" 1 $Q pack $SM -o $W/null.pdf
[ -L $W/null.pdf ] && ok "pack left the symlink as it was" || not_ok "pack left the symlink as it was"
mkfifo $W/fifo.pdf
expect_exit "render -o a FIFO: exit 1" 1 $Q render $W/data.json -t $W/t/cabinet-report.md -o $W/fifo.pdf
[ -p $W/fifo.pdf ] && ok "the FIFO is still a FIFO" || not_ok "the FIFO is still a FIFO"
mkdir $W/dir.pdf
expect_exit "render -o a directory: exit 1" 1 $Q render $W/data.json -t $W/t/cabinet-report.md -o $W/dir.pdf
contains "directory: says why" $TMP/last.err "is a directory"
if [ -z "$(ls $W | grep '\.tmp\.')" ]; then ok "refusals leave no temporary file"; else not_ok "refusals leave no temporary file" "$(ls $W)"; fi

# --- pack images resolve against the paper's template, from any folder -------
I=$TMP/img
mkdir -p $I/papers/figs $I/elsewhere
python3 - $I/papers/figs/chart.png <<'PY'
import struct, sys, zlib
def chunk(k, d): return struct.pack(">I", len(d)) + k + d + struct.pack(">I", zlib.crc32(k + d) & 0xFFFFFFFF)
w, h = 41, 29
raw = b"".join(b"\0" + bytes(x % 256 for x in range(w * 3)) for _ in range(h))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY
printf '# Figures\n\n![A chart of the figures](figs/chart.png)\n' >$I/papers/figures.md
cat >$I/meeting.json <<'EOF'
{"council": "Harwood Borough Council", "committee": "Cabinet", "date": "2025-10-15",
 "time": "18:00", "venue": "Civic Centre", "membership": {"members": ["Councillor Adeyemi"]},
 "contact": {"name": "Jo Price"},
 "items": [{"number": 1, "title": "Figures", "paper": {"template": "papers/figures.md"}}]}
EOF
(cd $I/elsewhere && $Q pack ../meeting.json -o pack.pdf) >$TMP/last.out 2>$TMP/last.err
rc=$?
[ $rc = 0 ] && ok "pack run from another folder: exit 0" || not_ok "pack run from another folder: exit 0" "rc $rc" "$(head -5 $TMP/last.err)"
pdfimages -list $I/elsewhere/pack.pdf 2>/dev/null | awk 'NR>2 && $4==41 && $5==29 {f=1} END {exit !f}' \
    && ok "pack from another folder shows the paper's image" || not_ok "pack from another folder shows the paper's image"
lacks "no warning about a missing image" $TMP/last.err "chart.png"
# --- the sample manifest keeps exempt outputs in their own folder -------------
(umask 022; $Q build samples/monthly.json --out $TMP/monthly >/dev/null 2>$TMP/monthly.err)
misplaced=""; exempt_n=0
for f in $(cd $TMP/monthly && find . -name '*.pdf' | sort); do
    if pdftotext $TMP/monthly/$f - 2>/dev/null | grep -qF "NOT FOR PUBLICATION"; then
        exempt_n=$((exempt_n + 1))
        case $f in ./exempt/*) ;; *) misplaced="$misplaced $f" ;; esac
        [ "$(stat -c %a $TMP/monthly/$f)" = 600 ] || misplaced="$misplaced $f(mode $(stat -c %a $TMP/monthly/$f))"
    else
        case $f in ./exempt/*) misplaced="$misplaced $f(open,in exempt/)" ;; esac
    fi
done
[ $exempt_n -ge 2 ] && [ -z "$misplaced" ] && ok "samples/monthly.json: the $exempt_n exempt outputs are in exempt/, mode 600, and only they" \
    || not_ok "samples/monthly.json: exempt outputs in exempt/ only, mode 600" "exempt outputs: $exempt_n; misplaced:$misplaced" "$(tail -3 $TMP/monthly.err)"

# --- build: a job's output may not be its own input, nor the manifest -------
B=$TMP/bo
mkdir -p $B
cp samples/cabinet-ofsted-working-group.json $B/paper.json
cp $B/paper.json $B/paper.orig
printf '{"papers": [{"data": "paper.json", "template": "%s/templates/cabinet-report.md", "output": "paper.json"}]}\n' "$PWD" >$B/m.json
expect_exit "build: a paper written over its own data fails (exit 1)" 1 $Q build $B/m.json --out $B
contains "build: refusing to overwrite an input" $TMP/last.err "refusing to overwrite an input"
cmp -s $B/paper.json $B/paper.orig && ok "build: the data file is as it was" || not_ok "build: the data file is as it was"
printf '{"papers": [{"data": "paper.json", "template": "%s/templates/cabinet-report.md", "output": "m2.json"}]}\n' "$PWD" >$B/m2.json
cp $B/m2.json $B/m2.orig
expect_exit "build: an output that is the manifest fails (exit 1)" 1 $Q build $B/m2.json --out $B
contains "build: the manifest is named" $TMP/last.err "is the manifest itself"
cmp -s $B/m2.json $B/m2.orig && ok "build: the manifest is as it was" || not_ok "build: the manifest is as it was"
finish
