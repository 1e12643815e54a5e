#!/usr/bin/env bash
# End-to-end: what the people who write the data (and the templates) must
# not be able to do with a paper that councils publish — inject Markdown
# through a value, show files from outside the template's tree, make links
# to local files or scripts, exhaust memory or time with images or links —
# and the message each input gives when it is a directory.
. "$(dirname "$0")/lib.sh"

# expect NAME CODE TEXT COMMAND...: exit CODE and TEXT (fixed string) on stderr
expect() {
    local name=$1 code=$2 text=$3; shift 3
    expect_exit "$name: exit $code" "$code" "$@"
    if [ "$text" != - ]; then contains "$name: message" "$TMP/last.err" "$text"; fi
}

# a small valid PNG (1 x 1, red), written by python's zlib
png() { # png FILE [W H]
    python3 - "$1" "${2:-1}" "${3:-1}" <<'PY'
import struct, sys, zlib
path, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def chunk(t, d):
    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
raw = b''.join(b'\0' + b'\xff\0\0' * w for _ in range(h))
open(path, 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0))
                       + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))
PY
}

# ---- Markdown injection through data ------------------------------------

# No shipped template inserts a value unescaped: {{{x}}} and {{&x}} (in any
# delimiters) would let a value bring its own Markdown.
if grep -rnE '\{\{\{|\{\{ *&|\{\{=' templates/ >$TMP/raw.txt; then
    not_ok "no shipped template interpolates data unescaped" "$(head -5 $TMP/raw.txt)"
else ok "no shipped template interpolates data unescaped"; fi

# A hostile KPI label through the real sample and template: a code fence,
# a heading, a link to a local file and an image from the build machine.
mkdir -p $TMP/secret
png $TMP/secret/secret.png
python3 - samples/progress-harwood-action-plan.json $TMP/hostile.json "$TMP/secret/secret.png" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding='utf-8'))
d['kpis'][0]['label'] = ('Caseload\nline: A | blue\npoint: May 25 | 1\n```\n# INJECTED HEADING\n\n[click here](file:///etc/passwd)\n\n'
                         '![secret](' + sys.argv[3] + ')\n```chart\ntype: line')
json.dump(d, open(sys.argv[2], 'w', encoding='utf-8'), ensure_ascii=False)
PY
expect "hostile KPI label renders" 0 - $QUIRE render $TMP/hostile.json -t templates/progress-report.md -o $TMP/hostile.pdf
pdfimages -list $TMP/hostile.pdf 2>/dev/null | awk 'NR > 2' >$TMP/hostile.img
[ ! -s $TMP/hostile.img ] && ok "hostile label: no image from the build machine" \
    || not_ok "hostile label: no image from the build machine" "$(cat $TMP/hostile.img)"
qpdf --qdf --object-streams=disable $TMP/hostile.pdf $TMP/hostile.qdf 2>/dev/null
grep -a '/URI' $TMP/hostile.qdf >$TMP/uris.txt
lacks "hostile label: no file: link" $TMP/uris.txt "file:"
# the heading would be an outline entry (and an H1) of its own
python3 - $TMP/hostile.qdf >$TMP/titles.txt <<'PY'
import re, sys
for h in re.findall(rb'/Title <feff([0-9a-f]*)>', open(sys.argv[1], 'rb').read()):
    print(bytes.fromhex(h.decode()).decode('utf-16-be'))
PY
lacks "hostile label: no injected heading in the outline" $TMP/titles.txt "INJECTED"
pdftotext $TMP/hostile.pdf - | tr -d ' \n' >$TMP/hostile.txt
contains "hostile label: shown literally" $TMP/hostile.txt '```#INJECTEDHEADING[clickhere](file:///etc/passwd)'

# A template can mislead the expander's fence tracking (a fence opened in a
# list item, closed by an indented line it takes for an opener): a value it
# would write as code outside any code block is an error at its tag, never
# Markdown from the data.
printf '{"x": "*bold* [l](https://example.org) ![s](s.png)"}\n' >$TMP/fence.json
printf -- '- item\n\n  ```\n  code {{x}}\n  ```\n\nAfter {{x}}\n' >$TMP/fence-ok.md
expect "a value in a fence inside a list item" 0 - $QUIRE render $TMP/fence.json -t $TMP/fence-ok.md -o $TMP/fence.pdf
printf -- '- ```\n  code {{x}}\n  ```\n\nAfter {{x}}\n' >$TMP/fence-bad.md
rm -f $TMP/fence.pdf
expect "a fence the expander cannot follow" 1 "fence-bad.md:5:7: error: this value was written as code" \
    $QUIRE render $TMP/fence.json -t $TMP/fence-bad.md -o $TMP/fence.pdf
[ ! -e $TMP/fence.pdf ] && ok "a fence the expander cannot follow: no PDF" || not_ok "a fence the expander cannot follow: no PDF"

# ---- link schemes -------------------------------------------------------

mkdir -p $TMP/links
bad_link() { # bad_link TARGET MESSAGE
    printf '# Links\n\nSee [the plan](%s) now.\n' "$1" >$TMP/links/paper.md
    rm -f $TMP/links/paper.pdf
    expect "link to $1" 1 "paper.md:3:5: error: link to '$1' $2" \
        $QUIRE render -t $TMP/links/paper.md -o $TMP/links/paper.pdf
    [ ! -e $TMP/links/paper.pdf ] && ok "link to $1: no PDF" || not_ok "link to $1: no PDF"
}
for u in file:///etc/passwd javascript:alert data:text/html,hi ftp://x.org/f smb://host/share FILE:x; do
    bad_link "$u" "uses a scheme that is not allowed"
done
for u in report.pdf /etc/passwd ../secret.txt //host/share; do
    bad_link "$u" "has no scheme"
done
printf '# Links\n\nMail <irc://x.org/chan> here.\n' >$TMP/links/auto.md
expect "an autolink to irc:" 1 "auto.md:3:6: error: link to 'irc://x.org/chan' uses a scheme" \
    $QUIRE render -t $TMP/links/auto.md -o $TMP/links/auto.pdf
printf '{"u": "javascript:alert(1)"}\n' >$TMP/links/u.json
printf '# Links\n\nSee\n[the plan]({{u}}) now.\n' >$TMP/links/data.md
expect "a link target from data" 1 "data.md:4:1: error: link to 'javascript:alert(1)'" \
    $QUIRE render $TMP/links/u.json -t $TMP/links/data.md -o $TMP/links/data.pdf
printf '# Links {#top}\n\n[a](https://a.org/x) [b](HTTP://b.org) [c](mailto:c@d.org) <https://e.org> www.f.org [top](#links)\n' >$TMP/links/good.md
expect "http, https, mailto and #name links render" 0 - $QUIRE render -t $TMP/links/good.md -o $TMP/links/good.pdf
qpdf --qdf --object-streams=disable $TMP/links/good.pdf $TMP/links/good.qdf 2>/dev/null
grep -a '/URI (' $TMP/links/good.qdf | sort >$TMP/links/uris
[ "$(wc -l <$TMP/links/uris)" = 5 ] && ok "five web links in the PDF" || not_ok "five web links in the PDF" "$(cat $TMP/links/uris)"

# ---- images: only from the template's directory tree ---------------------

I=$TMP/imgs
mkdir -p $I/tpl/figs $I/tpl/partials
png $I/tpl/figs/ok.png 4 2
png $I/secret.png
ln -s $I/secret.png $I/tpl/out.png
ln -s figs/ok.png $I/tpl/in.png
fig() { # fig SOURCE: a paper at tpl/paper.md showing SOURCE on line 5
    printf '# Figure\n\nText.\n\nSee ![A figure](%s) here.\n' "$1" >$I/tpl/paper.md
    rm -f $I/out.pdf
}
refused_image() { # refused_image SOURCE MESSAGE
    fig "$1"
    expect "image $1 refused" 1 "paper.md:5:5: error: image '$1' $2" \
        $QUIRE render -t $I/tpl/paper.md -o $I/out.pdf
    [ ! -e $I/out.pdf ] && ok "image $1: no PDF" || not_ok "image $1: no PDF"
}
refused_image $I/secret.png "is an absolute path"
refused_image /etc/hostname "is an absolute path"
refused_image ../secret.png "is outside the directory"
refused_image figs/../../secret.png "is outside the directory"
refused_image out.png "is outside the directory"
refused_image https://example.org/a.png "is a URL"
refused_image file:///etc/hostname "is a URL"
fig figs/ok.png
expect "an image below the template renders" 0 - $QUIRE render -t $I/tpl/paper.md -o $I/out.pdf
fig in.png
expect "a symlink inside the tree renders" 0 - $QUIRE render -t $I/tpl/paper.md -o $I/out.pdf
# an image in a partial resolves against the template's directory, and a
# refused one is located at the partial's line
printf 'Chart:\n\n![Chart](../secret.png)\n' >$I/tpl/partials/chart.md
printf '# Paper\n\n{{>partials/chart}}\n' >$I/tpl/withpart.md
expect "a refused image in a partial" 1 "chart.md:3:1: error: image '../secret.png' is outside the directory" \
    $QUIRE render -t $I/tpl/withpart.md -o $I/out.pdf
# from data: the value is escaped, so no image at all
printf '{"x": "![s](../secret.png)"}\n' >$I/x.json
printf '# Paper\n\n{{x}}\n' >$I/tpl/data.md
expect "an image from data is text" 0 - $QUIRE render $I/x.json -t $I/tpl/data.md -o $I/out.pdf
[ -z "$(pdfimages -list $I/out.pdf 2>/dev/null | awk 'NR > 2')" ] && ok "an image from data: nothing embedded" || not_ok "an image from data: nothing embedded"

# the style's logo: inside the style's directory, and an image
mkdir -p $I/style
png $I/style/crest.png 30 10
printf 'not an image' >$I/style/fake.png
printf '{"logo": "crest.png"}\n' >$I/style/good.json
fig figs/ok.png
expect "a logo beside the style renders" 0 - $QUIRE render -t $I/tpl/paper.md -s $I/style/good.json -o $I/out.pdf
printf '{"logo": "../secret.png"}\n' >$I/style/out.json
expect "a logo outside the style's directory" 1 "logo: image '../secret.png' is outside the directory" \
    $QUIRE render -t $I/tpl/paper.md -s $I/style/out.json -o $I/out.pdf
printf '{"logo": "/etc/hostname"}\n' >$I/style/abs.json
expect "a logo by absolute path" 1 "logo: image '/etc/hostname' is an absolute path" \
    $QUIRE render -t $I/tpl/paper.md -s $I/style/abs.json -o $I/out.pdf
printf '{"logo": "fake.png"}\n' >$I/style/fake.json
rm -f $I/out.pdf
expect "a logo that is not an image" 1 "error: the house style's logo: image" \
    $QUIRE render -t $I/tpl/paper.md -s $I/style/fake.json -o $I/out.pdf
contains "a logo that is not an image: says so" $TMP/last.err "is neither JPEG nor PNG"
[ ! -e $I/out.pdf ] && ok "a logo that is not an image: no PDF" || not_ok "a logo that is not an image: no PDF"

# ---- images: one memory budget per document -----------------------------

# Two 7000 x 5000 PNGs (grey, a few KB each): each is within the per-image
# limit of 50 megapixels, but decoded they hold 105 MB each; together more
# than the 200 MB a document's images may hold. The second is refused at
# its line before it is decoded.
python3 - $I/tpl/big1.png $I/tpl/big2.png <<'PY'
import struct, sys, zlib
w, h = 7000, 5000
raw = zlib.compress(b'\0' * ((w + 1) * h), 1)
def chunk(t, d):
    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
for p in sys.argv[1:]:
    open(p, 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 0, 0, 0, 0))
                        + chunk(b'IDAT', raw) + chunk(b'IEND', b''))
PY
printf '# Big\n\n![One](big1.png)\n\n![Two](big2.png)\n\n![One again](big1.png)\n' >$I/tpl/big.md
rm -f $I/out.pdf
/usr/bin/time -f '%M' -o $TMP/big.rss $QUIRE render -t $I/tpl/big.md -o $I/out.pdf >$TMP/last.out 2>$TMP/last.err
rc=$?
[ $rc = 1 ] && ok "images past the document's budget: exit 1" || not_ok "images past the document's budget: exit 1" "exit $rc"
contains "images past the budget: located message" $TMP/last.err \
    "big.md:5:1: error: image 'big2.png' would hold 101 MB: with the document's other images (100 MB) more than the limit of 200 MB"
[ ! -e $I/out.pdf ] && ok "images past the budget: no PDF" || not_ok "images past the budget: no PDF"
kb=$(tail -1 $TMP/big.rss)
if [ -z "${QUIRE_WRAP:-}" ]; then
    [ "${kb:-0}" -lt 400000 ] && ok "images past the budget: under 400 MB (${kb} KB)" || not_ok "images past the budget: under 400 MB" "max RSS ${kb} KB"
fi
rm -f $I/tpl/big1.png $I/tpl/big2.png

# ---- a directory as an input says so -------------------------------------

mkdir -p $TMP/dirs/d.json $TMP/dirs/d.md $TMP/dirs/s.json $TMP/dirs/img.png $TMP/dirs/part.md
printf '# T\n' >$TMP/dirs/ok.md
expect "data that is a directory" 1 "d.json: error: cannot read '$TMP/dirs/d.json': is a directory" \
    $QUIRE render $TMP/dirs/d.json -t $TMP/dirs/ok.md -o $TMP/dirs/o.pdf
expect "a template that is a directory" 1 "d.md: error: cannot read template: is a directory" \
    $QUIRE render -t $TMP/dirs/d.md -o $TMP/dirs/o.pdf
expect "a style that is a directory" 1 "s.json: error: cannot read style file: is a directory" \
    $QUIRE render -t $TMP/dirs/ok.md -s $TMP/dirs/s.json -o $TMP/dirs/o.pdf
printf '# T\n\n![x](img.png)\n' >$TMP/dirs/img.md
expect "an image that is a directory" 1 "img.md:3:1: error: image '$TMP/dirs/img.png' is a directory" \
    $QUIRE render -t $TMP/dirs/img.md -o $TMP/dirs/o.pdf
printf '{{>part}}\n' >$TMP/dirs/withpart.md
expect "a partial that is a directory" 1 "withpart.md:1:1: error: cannot read partial 'part' ($TMP/dirs/part.md): is a directory" \
    $QUIRE render -t $TMP/dirs/withpart.md -o $TMP/dirs/o.pdf
if grep -q "Input/output error" $TMP/last.err; then not_ok "no Input/output error"; else ok "no Input/output error"; fi

# ---- packs: a refused image or link stops the pack ----------------------

mkdir -p $TMP/pk
png $TMP/pk/secret.png
for what in image link; do
    if [ $what = image ]; then body='![Secret](../secret.png)'; msg="bad.md:3:1: error: image '../secret.png' is outside the directory"
    else body='[Secret](file:///etc/passwd)'; msg="bad.md:3:1: error: link to 'file:///etc/passwd' uses a scheme"; fi
    mkdir -p $TMP/pk/tpl
    printf '# {{paper.title}}\n\n%s\n' "$body" >$TMP/pk/tpl/bad.md
    python3 - samples/meetings/cabinet-2018-06-21.json $TMP/pk/meeting.json $TMP/pk/tpl/bad.md "$PWD/samples" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
for it in m['items']:
    if it['number'] == 9:
        it['paper'] = {'data': sys.argv[4] + '/cabinet-ofsted-working-group.json', 'template': sys.argv[3]}
    elif 'paper' in it:
        # withdrawn papers, with their appendices: a standing item is
        # never published late and has none
        for k in ('paper', 'published', 'supplement', 'late_reason', 'appendices'):
            it.pop(k, None)
        it['standing'] = {'text': 'Withdrawn.'}
json.dump(m, open(sys.argv[2], 'w'))
PY
    rm -f $TMP/pk/pack.pdf
    expect "a pack with a refused $what" 1 "$msg" $QUIRE pack $TMP/pk/meeting.json -o $TMP/pk/pack.pdf
    [ ! -e $TMP/pk/pack.pdf ] && ok "a pack with a refused $what: no PDF" || not_ok "a pack with a refused $what: no PDF"
done

# ---- many links: linear time, and a bound per paragraph ------------------

# Layout gave each piece of link text its Link element by a linear search
# of the paragraph's links: quadratic, a minute and more for 200,000 links
# in one paragraph. A paragraph may now hold at most 5,000 links (each is a
# child of the paragraph's element in the structure tree, and the PDF
# writer's arrays stop at 8,191): 5,001 is a located error at once.
python3 -c "
print('# Links\n')
print(' '.join('[l%d](https://example.org/%d)' % (i, i) for i in range(5001)))
" >$TMP/links1.md
expect_exit "5,001 links in one paragraph: exit 1" 1 timeout 300 $BUILD/quire render -t $TMP/links1.md -o $TMP/links1.pdf
contains "5,001 links: located at the first link over the limit" $TMP/last.err "links1.md:3:"
contains "5,001 links: says what to do" $TMP/last.err "more than 5000 links in one paragraph, heading or table cell: split it"
[ -e $TMP/links1.pdf ] && not_ok "5,001 links: no PDF" || ok "5,001 links: no PDF"

# Linear time is checked as a ratio, not a wall-clock limit (which a slow
# or sanitized machine misses by chance): five times the links in one
# paragraph must cost well under the 25 times a quadratic search costs.
# Each side is the best of three runs of CPU time; the binary runs
# unwrapped, as the time is its own.
links_para() {  # N FILE: one paragraph of N links
    python3 -c "
print('# Links\n')
print(' '.join('[l%d](https://example.org/%d)' % (i, i) for i in range($1)))
" >"$2"
}
best_cpu() {  # FILE: least user+system seconds over three renders
    best=
    for _ in 1 2 3; do
        /usr/bin/time -f '%U %S' -o $TMP/cpu.time timeout 300 $BUILD/quire render -t "$1" -o $TMP/cpu.pdf 2>/dev/null ||
            { echo 999; return; }
        t=$(awk '{ print $1 + $2 }' $TMP/cpu.time)
        best=$(awk -v a="$t" -v b="${best:-$t}" 'BEGIN { print (a < b ? a : b) }')
    done
    echo "$best"
}
links_para 1000 $TMP/links1k.md
links_para 5000 $TMP/links5k.md
t1=$(best_cpu $TMP/links1k.md)
t5=$(best_cpu $TMP/links5k.md)
check "5,000 links in one paragraph: qpdf --check" qpdf --check $TMP/cpu.pdf
awk -v a="$t1" -v b="$t5" 'BEGIN { exit !(b < 12 * (a > 0.01 ? a : 0.01)) }' &&
    ok "links: five times the links cost under twelve times the time (${t1} s, ${t5} s)" ||
    not_ok "links: five times the links cost under twelve times the time" "1,000 links ${t1} s, 5,000 links ${t5} s"
rm -f $TMP/links1k.md $TMP/links5k.md $TMP/cpu.pdf

# 100,000 links over 20 paragraphs make a valid PDF in bounded memory. Under
# a sanitizer this takes a minute and its shadow memory is not Quire's, so
# it runs in the plain build only; the ratio above runs in both.
if [ -n "${ASAN_OPTIONS:-}" ]; then
    skip "100,000 links in 20 paragraphs" "a minute under AddressSanitizer, whose shadow memory is not Quire's; linear time is checked above"
else
    python3 -c "
print('# Links\n')
for p in range(20):
    print(' '.join('[l%d](https://example.org/%d)' % (p * 5000 + i, p * 5000 + i) for i in range(5000)))
    print()
" >$TMP/links.md
    /usr/bin/time -f '%M' -o $TMP/links.time timeout 300 $BUILD/quire render -t $TMP/links.md -o $TMP/links.pdf 2>$TMP/links.err
    rc=$?
    read -r kb <$TMP/links.time 2>/dev/null || kb=0
    [ $rc = 0 ] && ok "100,000 links in 20 paragraphs make a PDF" || not_ok "100,000 links in 20 paragraphs make a PDF" "exit $rc" "$(head -3 $TMP/links.err)"
    check "100,000 links: qpdf --check" qpdf --check $TMP/links.pdf
    [ "${kb:-0}" -gt 0 ] && [ "${kb:-0}" -lt 1500000 ] && ok "100,000 links: under 1.5 GB (${kb} KB)" || not_ok "100,000 links: under 1.5 GB" "max RSS ${kb} KB"
    rm -f $TMP/links.md $TMP/links.pdf
fi

finish
