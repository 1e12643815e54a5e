#!/usr/bin/env bash
# End-to-end: the command line itself — --version, check --dump=pages, the
# range of every numeric option, and README, --help, CMD --help and the man
# page naming the same commands and options.
. "$(dirname "$0")/lib.sh"

SAMPLE=samples/cabinet-ofsted-working-group.json
TPL=templates/cabinet-report.md

# ---- --version: quire and every library, built with and running with ----
for v in --version version; do
    expect_exit "quire $v exits 0" 0 $QUIRE $v
    cp $TMP/last.out $TMP/version.$v
    [ "$(head -1 $TMP/last.out)" = "quire 0.1.0" ] && ok "  ... first line is quire's version" \
        || not_ok "  ... first line is quire's version" "$(head -1 $TMP/last.out)"
done
cmp -s $TMP/version.--version $TMP/version.version && ok "quire version prints what --version does" \
    || not_ok "quire version prints what --version does"
V=$TMP/version.--version
# NAME PKG-CONFIG-MODULE RUNTIME: the built-with column must be the version
# pkg-config reports for the installed headers; RUNTIME 1 when the library
# reports its own at run time (then it must be a version too)
while read -r name pc runtime; do
    line=$(grep "^$name " $V)
    if [ -z "$line" ]; then not_ok "--version names $name" "$(cat $V)"; continue; fi
    built=$(echo "$line" | awk '{print $2}')
    want=$([ "$pc" = - ] && echo "" || pkg-config --modversion "$pc" 2>/dev/null)
    if [ -n "$want" ] && [ "$built" != "$want" ]; then
        not_ok "--version: $name built with $want" "line: $line"
    elif ! echo "$built" | grep -qE '^[0-9]+\.[0-9]'; then
        not_ok "--version: $name built with a version" "line: $line"
    else
        ok "--version: $name built with $built"
    fi
    running=$(echo "$line" | sed 's/^[^ ]* *[^ ]*\( ([^)]*)\)\? *//')
    if [ "$runtime" = 1 ]; then
        echo "$running" | grep -qE '^[0-9]+\.[0-9]' && ok "  ... and running with $running" \
            || not_ok "  ... and running with a version" "line: $line"
    else
        [ "$running" = "(no run-time query)" ] && ok "  ... which has no run-time query" \
            || not_ok "  ... which has no run-time query" "line: $line"
    fi
done <<'LIBS'
libharu - 1
cJSON libcjson 1
cmark-gfm libcmark-gfm 1
HarfBuzz harfbuzz 1
fontconfig fontconfig 1
libpng libpng 1
libunibreak libunibreak 0
libhyphen - 0
libdeflate libdeflate 0
libmicrohttpd libmicrohttpd 1
LIBS
hyph=$(dpkg-query -W -f='${Version}' libhyphen0 2>/dev/null)
contains "--version: libhyphen from its Debian package" $V "libhyphen     $hyph (Debian package)"

# ---- check --dump=pages: the display list, as render prints it ----
expect_exit "check --dump=pages exits 0" 0 $QUIRE check $SAMPLE -t $TPL --dump=pages
cp $TMP/last.out $TMP/check.pages
expect_exit "render --dump=pages exits 0" 0 $QUIRE render $SAMPLE -t $TPL --dump=pages
if [ -s $TMP/check.pages ] && cmp -s $TMP/check.pages $TMP/last.out; then
    ok "check --dump=pages prints the display list render prints"
else
    not_ok "check --dump=pages prints the display list render prints" "check: $(wc -l <$TMP/check.pages) lines, render: $(wc -l <$TMP/last.out) lines"
fi
contains "  ... starting with page 1" $TMP/check.pages "page 1 "
expect_exit "check --dump=md still stops after expansion" 0 $QUIRE check $SAMPLE -t $TPL --dump=md
contains "  ... printing the Markdown" $TMP/last.out "Ofsted Working Group"

# ---- numeric options: out of range is a usage error naming the option ----
# numeric_bad NAME MESSAGE ARG...: exit 2 with MESSAGE on stderr, and no
# work done (not even the output folder made)
numeric_bad() {
    local name=$1 msg=$2; shift 2
    rm -rf $TMP/never
    expect_exit "$name" 2 $QUIRE build samples/monthly.json --out $TMP/never "$@"
    contains "  ... names the option and its range" $TMP/last.err "$msg"
    [ -e $TMP/never ] && not_ok "  ... builds nothing" || ok "  ... builds nothing"
}
JMSG="-j/--jobs takes a number of workers from 1 to 1024"
SMSG="--shard takes K/N with 1 <= K <= N <= 1000"
numeric_bad "-j 99999999999 is a usage error" "$JMSG, not '99999999999'" -j 99999999999
numeric_bad "-j 2147483648 is a usage error" "$JMSG" -j 2147483648
numeric_bad "-j 1025 is a usage error" "$JMSG" -j 1025
numeric_bad "-j 0 is a usage error" "$JMSG" -j 0
numeric_bad "-j -3 is a usage error" "$JMSG" -j -3
numeric_bad "-j 4x is a usage error" "$JMSG" -j 4x
numeric_bad "--jobs=99999999999999999999 is a usage error" "$JMSG" --jobs=99999999999999999999
numeric_bad "--shard 1/99999999999 is a usage error" "$SMSG, not '1/99999999999'" --shard 1/99999999999
numeric_bad "--shard 99999999999/1 is a usage error" "$SMSG" --shard 99999999999/1
numeric_bad "--shard 1/1001 is a usage error" "$SMSG" --shard 1/1001
numeric_bad "--shard 0/2 is a usage error" "$SMSG" --shard 0/2
numeric_bad "--shard 3/2 is a usage error" "$SMSG" --shard 3/2
numeric_bad "--shard 1/2/3 is a usage error" "$SMSG" --shard 1/2/3
numeric_bad "--shard 2 is a usage error" "$SMSG" --shard 2
# the bounds themselves are accepted: a one-job manifest builds
mkdir -p $TMP/m
printf '# One\n\nA paper.\n' >$TMP/m/one.md
printf '{"papers": [{"template": "one.md", "output": "one.pdf"}]}\n' >$TMP/m/manifest.json
expect_exit "-j 1024 --shard 1/1 is accepted" 0 $QUIRE build $TMP/m/manifest.json --out $TMP/m/out -j 1024 --shard 1/1
expect_exit "--jobs=1 --shard 1000/1000 is accepted" 0 $QUIRE build $TMP/m/manifest.json --out $TMP/m/out2 --jobs=1 --shard 1000/1000

# ---- README, --help, CMD --help and the man page agree, and the parser
# takes exactly the options they list (tests/e2e/cli_docs.py) ----
# run from a folder of its own: a probe such as "hyphenation --out=x" is a
# whole command, and writes x where it runs
mkdir -p $TMP/probe
here=$PWD
(cd $TMP/probe && python3 $here/tests/e2e/cli_docs.py $here/README.md $here/man/quire.1 \
    ${QUIRE_WRAP:-} "$(realpath $here/$BUILD/quire 2>/dev/null || realpath $BUILD/quire)") >$TMP/docs.out 2>&1
rc=$?
cat $TMP/docs.out
grep -q '^not ok' $TMP/docs.out && FAILS=$((FAILS + 1))
[ $rc = 0 ] || grep -q '^not ok' $TMP/docs.out || not_ok "cli_docs.py ran" "exit $rc"

finish
