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

# damaged entries: half of each file, then garbage
for f in hyph_en_GB.dic.image fonts; do
    head -c $(( $(stat -c %s $C/$f) / 2 )) $C/$f >$TMP/half && cp $TMP/half $C/$f
done
expect_exit "truncated cache entries: renders" 0 render $TMP/half.pdf
check "truncated cache entries: byte-identical" cmp $TMP/cold.pdf $TMP/half.pdf
head -c 200000 /dev/urandom >$C/hyph_en_GB.dic.image
printf 'quire font resolution 1\nnonsense\n' >$C/fonts
expect_exit "garbage cache entries: renders" 0 render $TMP/junk.pdf
check "garbage cache entries: byte-identical" cmp $TMP/cold.pdf $TMP/junk.pdf
check "garbage entries are replaced by good ones" grep -q "^0	1	/" $C/fonts

# the font subsets (pdf.c): one entry per face, reused when the same code
# points are asked for again; damaged or another paper's, never used as is
ls $C/subset-* >/dev/null 2>&1
check "the font subsets are kept" test $? = 0
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

# a cache that cannot be written costs speed only
printf 'not a directory\n' >$TMP/file
expect_exit "unwritable cache: renders" 0 env QUIRE_CACHE_DIR=$TMP/file/sub $QUIRE render $DATA -t $TPL -o $TMP/ro.pdf
check "unwritable cache: byte-identical" cmp $TMP/cold.pdf $TMP/ro.pdf

finish
