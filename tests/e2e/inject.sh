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

# ---- many links in one paragraph: linear time ---------------------------

# 200,000 links (all different) in one paragraph. Layout gave each piece of
# link text its Link element by a linear search of the paragraph's links:
# quadratic, a minute and more. The bound is generous (a few seconds here);
# the binary runs unwrapped, as the time is its own.
python3 -c "
print('# Links\n')
print(' '.join('[l%d](https://example.org/%d)' % (i, i) for i in range(200000)))
" >$TMP/links.md
/usr/bin/time -f '%e %M' -o $TMP/links.time timeout 60 $BUILD/quire render -t $TMP/links.md --dump=pages >/dev/null 2>$TMP/links.err
rc=$?
read -r secs kb <$TMP/links.time 2>/dev/null || { secs=999; kb=0; }
[ $rc = 0 ] && ok "200,000 links in a paragraph lay out" || not_ok "200,000 links in a paragraph lay out" "exit $rc" "$(head -3 $TMP/links.err)"
awk -v s="$secs" 'BEGIN { exit !(s < 30) }' && ok "200,000 links: under 30 s (${secs} s)" || not_ok "200,000 links: under 30 s" "took ${secs} s"
[ "${kb:-0}" -lt 1500000 ] && ok "200,000 links: under 1.5 GB (${kb} KB)" || not_ok "200,000 links: under 1.5 GB" "max RSS ${kb} KB"
rm -f $TMP/links.md

finish
