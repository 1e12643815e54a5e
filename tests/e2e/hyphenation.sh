#!/usr/bin/env bash
# End-to-end: the hyphenation image made at build and install time
# (`quire hyphenation --out DIR`, make, make install). A first run with an
# empty cache reads it instead of compiling the dictionary; a damaged or
# stale one is ignored and the dictionary compiled as without it; the
# paper's bytes are the same every way.
#
# What shows which way a run went: compiling the dictionary always writes
# its image to the cache (cache.sh), reading a shipped image never does.
. "$(dirname "$0")/lib.sh"

DICT=/usr/share/hyphen/hyph_en_GB.dic
IMG=hyph_en_GB.dic.image
DATA=samples/cabinet-ofsted-working-group.json
TPL=templates/cabinet-report.md

if [ ! -r $DICT ]; then
    skip "the hyphenation image" "no $DICT here (Debian's hyphen-en-gb)"
    finish
fi

# an installed layout of our own: PREFIX/bin/quire beside PREFIX/share/quire
P=$TMP/prefix
mkdir -p $P/bin
cp $BUILD/quire $P/bin/quire
Q="${QUIRE_WRAP:-} $P/bin/quire"

render() { # QUIRE OUT CACHE-DIR [ENV...]
    local q=$1 out=$2 c=$3; shift 3
    env QUIRE_CACHE_DIR=$c "$@" $q render $DATA -t $TPL -o $out 2>$out.err
}

# the reference: the dictionary compiled, nothing read from any image
expect_exit "reference render, cache off" 0 render "$Q" $TMP/ref.pdf $TMP/c0 QUIRE_NO_CACHE=1

expect_exit "hyphenation --out writes the image" 0 $Q hyphenation --out $P/share/quire
check "  ... as PREFIX/share/quire/$IMG" test -s $P/share/quire/$IMG
check "  ... mode 0644 (read by every user)" test "$(stat -c %a $P/share/quire/$IMG)" = 644
expect_exit "hyphenation again: the same bytes" 0 $Q hyphenation --out $TMP/again
check "  ... byte-identical" cmp $P/share/quire/$IMG $TMP/again/$IMG
expect_exit "hyphenation without --out: usage error" 2 $Q hyphenation
expect_exit "hyphenation with an extra argument: usage error" 2 $Q hyphenation --out $TMP/x extra
printf 'a file\n' >$TMP/file
expect_exit "hyphenation into a folder that cannot be made: exit 3" 3 $Q hyphenation --out $TMP/file/sub
contains "  ... says why" $TMP/last.err "cannot make the folder"

# a first run: the shipped image is read, the cache gets no image
expect_exit "empty cache, shipped image: renders" 0 render "$Q" $TMP/ship.pdf $TMP/c1
check "  ... byte-identical to the dictionary compiled" cmp $TMP/ref.pdf $TMP/ship.pdf
check "  ... the shipped image was read (none compiled into the cache)" test ! -e $TMP/c1/$IMG
check "  ... the rest of the cache was written" test -s $TMP/c1/fonts
check "  ... nothing on stderr" test ! -s $TMP/ship.pdf.err

# found through a symbolic link to the executable, as /usr/bin/quire might be
mkdir -p $TMP/link
ln -s $P/bin/quire $TMP/link/quire
expect_exit "through a symlink: renders" 0 render "${QUIRE_WRAP:-} $TMP/link/quire" $TMP/link.pdf $TMP/c2
check "  ... byte-identical" cmp $TMP/ref.pdf $TMP/link.pdf
check "  ... the shipped image was read" test ! -e $TMP/c2/$IMG

# damaged shipped images: each ignored, the dictionary compiled (its image
# written to the cache), the same bytes out
good=$TMP/good.image
cp $P/share/quire/$IMG $good
size=$(stat -c %s $good)
damage() { # NAME PYTHON-EXPRESSION-ON-d
    check "shipped image $1: made" python3 - $good $P/share/quire/$IMG "$2" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
n = bytes(d)
exec(sys.argv[3])
assert bytes(d) != n, "unchanged"
open(sys.argv[2], "wb").write(bytes(d))
PY
    rm -rf $TMP/cd
    expect_exit "  ... renders" 0 render "$Q" $TMP/dmg.pdf $TMP/cd
    check "  ... byte-identical" cmp $TMP/ref.pdf $TMP/dmg.pdf
    check "  ... ignored: the dictionary was compiled into the cache" test -s $TMP/cd/$IMG
    check "  ... nothing on stderr" test ! -s $TMP/dmg.pdf.err
}
damage "with a byte flipped in its machine" "d[len(d) // 2] ^= 0x55"
damage "with its last byte flipped" "d[-1] ^= 0x01"
damage "truncated to half" "del d[len(d) // 2:]"
damage "empty" "del d[:]"
damage "of random bytes" "import os; d[:] = os.urandom(len(d))"
# stale: made from the dictionary as it was before an upgrade (another
# modification time in its key); the checksum is over the machine only, so
# this is the key check alone
damage "made from an older dictionary (another time in its key)" "
i = d.index(b'$DICT\n') + len(b'$DICT\n')
j = d.index(b' ', i)
k = d.index(b'.', j)
d[j + 1:k] = str(int(d[j + 1:k]) - 86400).encode()"
damage "made by another format (its key's first line)" "d[0:5] = b'QUIRE'"

# a good image again after the damaged ones: read, as before
cp $good $P/share/quire/$IMG
rm -rf $TMP/c3
expect_exit "the good image restored: renders" 0 render "$Q" $TMP/again.pdf $TMP/c3
check "  ... read again" test ! -e $TMP/c3/$IMG
check "  ... byte-identical" cmp $TMP/ref.pdf $TMP/again.pdf

# a quire with no image shipped beside it or in ../share/quire compiles
mkdir -p $TMP/bare && cp $BUILD/quire $TMP/bare/quire
expect_exit "bare binary (no shipped image): renders" 0 render "${QUIRE_WRAP:-} $TMP/bare/quire" $TMP/bare.pdf $TMP/c4
check "  ... byte-identical" cmp $TMP/ref.pdf $TMP/bare.pdf
check "  ... the dictionary was compiled into the cache" test -s $TMP/c4/$IMG

# make's image beside build/quire: the build tree's own first run
if [ -e $BUILD/$IMG ]; then
    check "make's $BUILD/$IMG is what hyphenation writes" cmp $BUILD/$IMG $good
    rm -rf $TMP/c5
    expect_exit "$BUILD/quire, empty cache: renders" 0 render "$QUIRE" $TMP/build.pdf $TMP/c5
    check "  ... byte-identical" cmp $TMP/ref.pdf $TMP/build.pdf
    check "  ... make's image was read" test ! -e $TMP/c5/$IMG
else
    skip "make's $BUILD/$IMG" "make did not write it (see its message)"
fi

# The words already hyphenated are remembered in the cache (hyph-memo):
# a warm render whose words are all there never opens the image (900 KB
# read, checked and relocated for nothing); a word missing from it has the
# image read then, and a missing or damaged memo has it read at once. The
# bytes are those of the cache off every way. strace shows what was opened.
opened() { # LOG: the image was opened
    grep -q '\.dic\.image"' "$1"
}
not_opened() { # LOG: the image was never opened, and the memo was read
    ! opened "$1" && grep -q '/hyph-memo"' "$1"
}
traced() { # LOG OUT CACHE-DIR RENDER-ARGS...: $P/bin/quire renders, its opens in LOG
    local log=$1 out=$2 c=$3; shift 3
    # LeakSanitizer cannot run under ptrace: leaks are looked for in the
    # renders that are not traced (cache.sh renders with a warm memo)
    env QUIRE_CACHE_DIR=$c ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
        strace -f -qq -e trace=openat -o $log $P/bin/quire render "$@" -o $out 2>$out.err
}
# a paper of long words not in the sample, one of which ends a line
NEW=$TMP/new.md
cat >$NEW <<'EOF'
# Notes

The establishment's characteristically uncompromising representatives acknowledged extraordinarily comprehensive recommendations, notwithstanding considerable administrative discontinuities, misunderstandings and disproportionately bureaucratic procedures, unquestionably demonstrating institutional accountability and transparency throughout the reorganisation.
EOF
if strace_can "a warm memo spares the image"; then
    M=$TMP/cm
    expect_exit "memo: a first render" 0 render "$Q" $TMP/m1.pdf $M
    check "  ... the memo was written" test -s $M/hyph-memo
    expect_exit "warm memo: renders" 0 traced $TMP/m2.log $TMP/m2.pdf $M $DATA -t $TPL
    check "  ... byte-identical" cmp $TMP/ref.pdf $TMP/m2.pdf
    check "  ... the image was never opened" not_opened $TMP/m2.log
    rm $M/hyph-memo
    expect_exit "memo removed: renders" 0 traced $TMP/m3.log $TMP/m3.pdf $M $DATA -t $TPL
    check "  ... byte-identical" cmp $TMP/ref.pdf $TMP/m3.pdf
    check "  ... the image was read" opened $TMP/m3.log
    check "  ... the memo was written again" test -s $M/hyph-memo
    head -c 100 /dev/urandom >$M/hyph-memo
    expect_exit "damaged memo: renders" 0 traced $TMP/m4.log $TMP/m4.pdf $M $DATA -t $TPL
    check "  ... byte-identical" cmp $TMP/ref.pdf $TMP/m4.pdf
    check "  ... the image was read" opened $TMP/m4.log
    expect_exit "a paper of new words, cache off: renders" 0 \
        env QUIRE_NO_CACHE=1 $Q render -t $NEW -o $TMP/new0.pdf
    check "  ... a word is hyphenated at a line's end" python3 -c '
import subprocess, sys
t = subprocess.run(["pdftotext", sys.argv[1], "-"], capture_output=True, text=True).stdout
sys.exit(0 if any(l.endswith(("\u00ad", "-")) for l in t.splitlines()) else 1)' $TMP/new0.pdf
    expect_exit "new words, warm memo without them: renders" 0 traced $TMP/m5.log $TMP/new1.pdf $M -t $NEW
    check "  ... byte-identical to the cache off" cmp $TMP/new0.pdf $TMP/new1.pdf
    check "  ... the image was read for them" opened $TMP/m5.log
    expect_exit "new words again, now remembered: renders" 0 traced $TMP/m6.log $TMP/new2.pdf $M -t $NEW
    check "  ... byte-identical to the cache off" cmp $TMP/new0.pdf $TMP/new2.pdf
    check "  ... the image was never opened" not_opened $TMP/m6.log
fi

finish
