#!/usr/bin/env bash
# End-to-end: Quire's cache (the compiled hyphenation dictionary and the
# font resolution) changes how fast a paper renders, never what
# it renders: cold, warm, off, damaged and unwritable caches all give the
# same bytes.
. "$(dirname "$0")/lib.sh"

DATA=samples/cabinet-ofsted-working-group.json
TPL=templates/cabinet-report.md
C=$TMP/cache
# a quire with no hyphenation image shipped beside it (make writes one
# beside build/quire): here the first run compiles the dictionary into the
# cache, as it does when no image was made (hyphenation.sh tests those)
mkdir -p $TMP/bin
cp $BUILD/quire $TMP/bin/quire
QUIRE="${QUIRE_WRAP:-} $TMP/bin/quire"

render() { # OUT [ENV...]
    local out=$1; shift
    env QUIRE_CACHE_DIR=$C "$@" $QUIRE render $DATA -t $TPL -o $out 2>$out.err
}

expect_exit "cold cache: renders" 0 render $TMP/cold.pdf
check "cold cache: the dictionary image is written" test -s $C/hyph_en_GB.dic.image
check "cold cache: the font resolution is written" test -s $C/fonts
contains "the font entry stamps fontconfig's configuration" $C/fonts "/etc/fonts/fonts.conf"
expect_exit "warm cache: renders" 0 render $TMP/warm.pdf
check "warm cache: byte-identical to cold" cmp $TMP/cold.pdf $TMP/warm.pdf
check "warm cache: nothing on stderr" test ! -s $TMP/warm.pdf.err
expect_exit "cache off (QUIRE_NO_CACHE=1): renders" 0 render $TMP/off.pdf QUIRE_NO_CACHE=1
check "cache off: byte-identical" cmp $TMP/cold.pdf $TMP/off.pdf
check "qpdf --check on the warm render" qpdf --check $TMP/warm.pdf
pdftotext $TMP/warm.pdf $TMP/warm.txt
contains "warm render has the paper's text" $TMP/warm.txt "Ofsted Working Group"

# damaged entries: half of each file, then garbage; the hyphenation memo
# removed each time, or the image would not be read (a warm render whose
# words are all in the memo never opens it; hyphenation.sh)
for f in hyph_en_GB.dic.image fonts; do
    head -c $(( $(stat -c %s $C/$f) / 2 )) $C/$f >$TMP/half && cp $TMP/half $C/$f
done
rm -f $C/hyph-memo
expect_exit "truncated cache entries: renders" 0 render $TMP/half.pdf
check "truncated cache entries: byte-identical" cmp $TMP/cold.pdf $TMP/half.pdf
check "the truncated image is replaced by a good one" test "$(stat -c %s $C/hyph_en_GB.dic.image)" -gt 500000
head -c 200000 /dev/urandom >$C/hyph_en_GB.dic.image
printf 'quire font resolution 1\nnonsense\n' >$C/fonts
rm -f $C/hyph-memo
expect_exit "garbage cache entries: renders" 0 render $TMP/junk.pdf
check "garbage cache entries: byte-identical" cmp $TMP/cold.pdf $TMP/junk.pdf
check "garbage entries are replaced by good ones" grep -q "^0	1	/" $C/fonts
check "  ... the image too" test "$(stat -c %s $C/hyph_en_GB.dic.image)" != 200000

# the font subsets (pdf.c): one entry per face, reused when the same code
# points are asked for again; damaged or another paper's, never used as is
ls $C/subset-* >/dev/null 2>&1
check "the font subsets are kept" test $? = 0
# each entry keeps its program deflated as the PDF has it, so a warm render
# does not deflate it again; damaged there, it is not used
progs() { # MODE PDF ENTRY...: each font program as PDF has it (its
          # FontFile2 stream), found whole in an entry (MODE find), or
          # found and a byte in its middle changed (MODE damage)
    python3 - "$@" <<'EOF'
import re, sys
mode, pdf, names = sys.argv[1], open(sys.argv[2], 'rb').read(), sys.argv[3:]
entries = [bytearray(open(p, 'rb').read()) for p in names]
n = 0
for m in re.finditer(rb'\n/Length1 \d+\n/Filter /FlateDecode\n/Length (\d+)\n>>\nstream\n', pdf):
    z = pdf[m.end():m.end() + int(m.group(1))]
    n += 1
    hits = [(e, e.find(z)) for e in entries if e.find(z) >= 0]
    if not hits:
        sys.exit('font program %d (%d bytes deflated) is in no entry' % (n, len(z)))
    for e, at in hits:
        e[at + len(z) // 2] ^= 0x55
if n == 0:
    sys.exit('no font program in ' + sys.argv[2])
if mode == 'damage':
    for p, e in zip(names, entries):
        open(p, 'wb').write(e)
EOF
}
check "the subset entries keep the programs deflated, as the PDF has them" \
    progs find $TMP/warm.pdf $C/subset-*
# the subsets leave out the layout tables, which no PDF viewer reads (the
# text is addressed by CID, kerning is in the content), and keep the outlines
tables() { # PDF: every font program's table tags, one program a line
    python3 - "$1" <<'EOF'
import re, struct, sys, zlib
pdf = open(sys.argv[1], 'rb').read()
n = 0
for m in re.finditer(rb'\n/Length1 \d+\n/Filter /FlateDecode\n/Length (\d+)\n>>\nstream\n', pdf):
    f = zlib.decompress(pdf[m.end():m.end() + int(m.group(1))])
    count = struct.unpack('>H', f[4:6])[0]
    print(' '.join(f[12 + 16 * i:16 + 16 * i].decode('latin-1') for i in range(count)))
    n += 1
if n == 0:
    sys.exit('no font program in ' + sys.argv[1])
EOF
}
tables $TMP/warm.pdf >$TMP/tables.txt
check "font programs: their table directories read" test -s $TMP/tables.txt
check "font programs: no GSUB, GPOS or GDEF" \
    sh -c "! grep -E 'GSUB|GPOS|GDEF' $TMP/tables.txt"
for t in glyf loca hmtx; do
    check "font programs: each keeps $t" sh -c "! grep -v $t $TMP/tables.txt"
done
check "damaging the deflated program in each entry" \
    progs damage $TMP/warm.pdf $C/subset-*
expect_exit "damaged deflated programs: renders" 0 render $TMP/sub-z.pdf
check "damaged deflated programs: byte-identical" cmp $TMP/cold.pdf $TMP/sub-z.pdf
check "damaged deflated programs: qpdf --check" qpdf --check $TMP/sub-z.pdf
pdftotext $TMP/sub-z.pdf $TMP/sub-z.txt
contains "damaged deflated programs: the paper's text" $TMP/sub-z.txt "Ofsted Working Group"
check "damaged deflated programs: the entries are made again" \
    progs find $TMP/sub-z.pdf $C/subset-*
for f in $C/subset-*; do
    head -c $(( $(stat -c %s $f) * 2 / 3 )) $f >$TMP/part && cp $TMP/part $f
done
expect_exit "truncated subset entries: renders" 0 render $TMP/sub-half.pdf
check "truncated subset entries: byte-identical" cmp $TMP/cold.pdf $TMP/sub-half.pdf
for f in $C/subset-*; do
    python3 -c 'import sys; p = sys.argv[1]; d = bytearray(open(p, "rb").read()); d[-64] ^= 0x55; open(p, "wb").write(d)' $f
done
expect_exit "flipped byte in subset entries: renders" 0 render $TMP/sub-flip.pdf
check "flipped byte in subset entries: byte-identical" cmp $TMP/cold.pdf $TMP/sub-flip.pdf
expect_exit "another paper's subsets in the cache: renders" 0 \
    env QUIRE_CACHE_DIR=$C $QUIRE render -t tests/data/bench/report.md -o $TMP/other.pdf
expect_exit "after another paper: renders" 0 render $TMP/sub-other.pdf
check "after another paper: byte-identical" cmp $TMP/cold.pdf $TMP/sub-other.pdf

# each entry keeps, beside the program, all the font dictionaries take from
# HarfBuzz (the face's facts, each code point's glyph), and its key names
# HarfBuzz by its libraries, known without loading them: a warm render
# never loads HarfBuzz. Either part damaged, the entry is not used.
keys_ok() { # ENTRY...: each key names the format and HarfBuzz's libraries
    python3 - "$@" <<'EOF'
import re, struct, sys
for p in sys.argv[1:]:
    d = open(p, 'rb').read()
    key = d[8:8 + struct.unpack('=Q', d[:8])[0]]
    if not re.match(rb'quire font subset 5\nharfbuzz [0-9a-f]{16}\nface \d+\n', key):
        sys.exit('%s: key %r' % (p, key[:80]))
EOF
}
flip() { # PART ENTRY...: a byte of each entry's facts (PART facts) or of
         # its first glyph record (PART glyphs) changed
    python3 - "$@" <<'EOF'
import struct, sys
part = sys.argv[1]
for p in sys.argv[2:]:
    d = bytearray(open(p, 'rb').read())
    facts = 8 + struct.unpack('=Q', d[:8])[0] + 8
    # the facts: a 112-byte record and .notdef's advance; then the count
    d[facts + 4 if part == 'facts' else facts + 116 + 8 + 4] ^= 0x55
    open(p, 'wb').write(d)
EOF
}
check "the subset keys name HarfBuzz by its libraries" keys_ok $C/subset-*
mkdir -p $TMP/good && cp $C/subset-* $TMP/good/
for part in facts glyphs; do
    flip $part $C/subset-*
    expect_exit "a byte of the subsets' $part changed: renders" 0 \
        render $TMP/sub-$part.pdf
    check "  ... byte-identical to the cache off" cmp $TMP/off.pdf $TMP/sub-$part.pdf
    check "  ... the entries are made again" \
        sh -c "for f in $TMP/good/*; do cmp -s \$f $C/\${f##*/} || exit 1; done"
done
expect_exit "warm subsets: renders" 0 render $TMP/sub-warm.pdf
check "warm subsets: byte-identical to the cache off" cmp $TMP/off.pdf $TMP/sub-warm.pdf

# A first run lays the paper out with fonts guessed from fontconfig's own
# caches and metric aliases while fontconfig starts, and keeps that layout
# only when fontconfig's full answer is the same (QUIRE_TIMING names the
# stages: "guess" for fonts guessed, "misguess" for a layout thrown away)
expect_exit "a first run: renders" 0 \
    env QUIRE_TIMING=1 QUIRE_CACHE_DIR=$TMP/gc $QUIRE render $DATA -t $TPL -o $TMP/guess.pdf
cp $TMP/last.err $TMP/guess.err
contains "a first run guesses its fonts" $TMP/guess.err "timing: guess "
lacks "a first run: the guess holds" $TMP/guess.err "misguess"
check "a first run with a guess: byte-identical" cmp $TMP/cold.pdf $TMP/guess.pdf
contains "a first run with a guess stores fontconfig's answer" $TMP/gc/fonts "LiberationSans-Regular.ttf"
expect_exit "a configuration named by FONTCONFIG_FILE: renders" 0 \
    env QUIRE_TIMING=1 QUIRE_CACHE_DIR=$TMP/gc2 FONTCONFIG_FILE=/etc/fonts/fonts.conf \
    $QUIRE render $DATA -t $TPL -o $TMP/fcfile.pdf
contains "a configuration named by FONTCONFIG_FILE is not guessed at" $TMP/last.err "timing: fonts "
check "a configuration named by FONTCONFIG_FILE: byte-identical" cmp $TMP/cold.pdf $TMP/fcfile.pdf

# a user's own configuration the guess does not read: Arial is DejaVu Sans
# for this user, so the guess (Liberation Sans) is wrong, the layout is
# made again with DejaVu Sans, and the paper is the one a warm run makes
H=$TMP/fchome
mkdir -p $H/.config/fontconfig
cat >$H/.config/fontconfig/fonts.conf <<'EOF'
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <match target="pattern">
    <test name="family"><string>Arial</string></test>
    <edit name="family" mode="prepend" binding="strong"><string>DejaVu Sans</string></edit>
  </match>
</fontconfig>
EOF
user_render() { # OUT [ENV...]
    local out=$1; shift
    env -u XDG_CONFIG_HOME -u XDG_DATA_HOME -u XDG_CACHE_HOME HOME=$H \
        QUIRE_CACHE_DIR=$TMP/uc QUIRE_TIMING=1 "$@" $QUIRE render $DATA -t $TPL -o $out
}
expect_exit "a wrong guess: renders" 0 user_render $TMP/user-cold.pdf
cp $TMP/last.err $TMP/user-cold.err
contains "a wrong guess: the layout is thrown away" $TMP/user-cold.err "timing: misguess"
lacks "a wrong guess: no warning" $TMP/user-cold.err "warning"
pdffonts $TMP/user-cold.pdf >$TMP/user-fonts.txt 2>&1
contains "a wrong guess: the paper has the user's font" $TMP/user-fonts.txt "DejaVuSans"
lacks "a wrong guess: nothing of the guessed font" $TMP/user-fonts.txt "LiberationSans"
expect_exit "the user's warm run: renders" 0 user_render $TMP/user-warm.pdf
lacks "the user's warm run: nothing guessed" $TMP/last.err "guess"
check "a wrong guess: byte-identical to the user's warm run" cmp $TMP/user-cold.pdf $TMP/user-warm.pdf
expect_exit "the user's run with the cache off: renders" 0 user_render $TMP/user-off.pdf QUIRE_NO_CACHE=1
check "a wrong guess, cache off: byte-identical" cmp $TMP/user-cold.pdf $TMP/user-off.pdf
check "qpdf --check after a wrong guess" qpdf --check $TMP/user-cold.pdf

# The resolution `quire fonts` ships beside the executable (make, make
# install): a first run in the environment it was made in (HOME and
# fontconfig's variables the same, every stamp holding) takes it as a
# warm run takes the cache's, so it neither guesses nor loads fontconfig,
# and the paper is the same; any other environment reads past it.
mkdir -p $TMP/sbin
cp $BUILD/quire $TMP/sbin/quire
SQ="${QUIRE_WRAP:-} $TMP/sbin/quire"
expect_exit "quire fonts ships the resolution" 0 env QUIRE_NO_CACHE=1 $SQ fonts --out $TMP/sbin
contains "  ... fontconfig's answer for the house style" $TMP/sbin/fonts "LiberationSans-Regular.ttf"
expect_exit "a first run with the shipped resolution: renders" 0 \
    env QUIRE_TIMING=1 LD_DEBUG=files QUIRE_CACHE_DIR=$TMP/sc $SQ render $DATA -t $TPL -o $TMP/shipped.pdf
lacks "  ... guesses nothing" $TMP/last.err "timing: guess"
lacks "  ... never loads fontconfig" $TMP/last.err "file=libfontconfig"
check "  ... byte-identical" cmp $TMP/cold.pdf $TMP/shipped.pdf
check "  ... writes no resolution of its own" test ! -e $TMP/sc/fonts
# the user above, whose own configuration makes Arial DejaVu Sans: their
# HOME is not the one the resolution was made under, so it is not theirs
shipped_user() { # OUT
    env -u XDG_CONFIG_HOME -u XDG_DATA_HOME -u XDG_CACHE_HOME HOME=$H \
        QUIRE_CACHE_DIR=$TMP/suc QUIRE_TIMING=1 $SQ render $DATA -t $TPL -o $1
}
expect_exit "another HOME with the shipped resolution: renders" 0 shipped_user $TMP/shipped-user.pdf
contains "  ... reads past it (guesses, and the guess is wrong)" $TMP/last.err "timing: misguess"
check "  ... byte-identical to that user's own warm run" cmp $TMP/user-warm.pdf $TMP/shipped-user.pdf
# made under a HOME of its own, then that user adds a configuration file
# of their own (~/.fonts.conf, stamped absent when it was made): its stamp
# no longer holds, and a first run reads past it to fontconfig's answer
H2=$TMP/h2
mkdir -p $H2 $TMP/sbin2
cp $BUILD/quire $TMP/sbin2/quire
h2() { env -u XDG_CONFIG_HOME -u XDG_DATA_HOME -u XDG_CACHE_HOME HOME=$H2 "$@"; }
expect_exit "quire fonts under another HOME" 0 h2 QUIRE_NO_CACHE=1 $TMP/sbin2/quire fonts --out $TMP/sbin2
expect_exit "  ... a first run there: renders" 0 \
    h2 QUIRE_TIMING=1 QUIRE_CACHE_DIR=$TMP/sc2 $TMP/sbin2/quire render $DATA -t $TPL -o $TMP/h2.pdf
lacks "  ... takes the shipped resolution" $TMP/last.err "timing: guess"
# fontconfig writes its own cache folders for any fonts it meets: that
# says nothing of this resolution (each font folder's own stamp does)
mkdir -p $H2/.cache/fontconfig
printf 'x' >$H2/.cache/fontconfig/another-folder.cache
expect_exit "  ... after fontconfig writes its cache folder: renders" 0 \
    h2 QUIRE_TIMING=1 QUIRE_CACHE_DIR=$TMP/sc2b $TMP/sbin2/quire render $DATA -t $TPL -o $TMP/h2b.pdf
lacks "  ... still takes the shipped resolution" $TMP/last.err "timing: guess"
printf '<?xml version="1.0"?>\n<fontconfig></fontconfig>\n' >$H2/.fonts.conf
expect_exit "  ... after the user adds ~/.fonts.conf: renders" 0 \
    h2 QUIRE_TIMING=1 QUIRE_CACHE_DIR=$TMP/sc3 $TMP/sbin2/quire render $DATA -t $TPL -o $TMP/h2-stale.pdf
contains "  ... reads past it (its stamp no longer holds) and guesses" $TMP/last.err "timing: guess"
contains "  ... stores fontconfig's own answer" $TMP/sc3/fonts "$H2/.fonts.conf"
check "  ... byte-identical" cmp $TMP/cold.pdf $TMP/h2-stale.pdf
# and removes it again: the shipped resolution holds once more, and takes
# the place of the cache's own, which no longer does (else every run
# would check both)
rm $H2/.fonts.conf
mkdir -p $TMP/sc4
cp $TMP/sc3/fonts $TMP/sc4/fonts
expect_exit "  ... after the user removes it: renders" 0 \
    h2 QUIRE_TIMING=1 QUIRE_CACHE_DIR=$TMP/sc4 $TMP/sbin2/quire render $DATA -t $TPL -o $TMP/h2-back.pdf
lacks "  ... takes the shipped resolution again" $TMP/last.err "timing: guess"
check "  ... which replaces the cache's stale entry" cmp $TMP/sbin2/fonts $TMP/sc4/fonts
check "  ... byte-identical" cmp $TMP/cold.pdf $TMP/h2-back.pdf

# a cache that cannot be written costs speed only
printf 'not a directory\n' >$TMP/file
expect_exit "unwritable cache: renders" 0 env QUIRE_CACHE_DIR=$TMP/file/sub $QUIRE render $DATA -t $TPL -o $TMP/ro.pdf
check "unwritable cache: byte-identical" cmp $TMP/cold.pdf $TMP/ro.pdf

finish
