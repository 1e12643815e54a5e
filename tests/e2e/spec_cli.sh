#!/usr/bin/env bash
# End-to-end: the Mustache spec through the command line. Every required,
# non-lambda case (comments, delimiters, interpolation, inverted, partials,
# sections) runs as `quire expand DATA.json -t TEMPLATE --spec`, partials as
# files beside the template, and stdout must equal "expected" exactly
# (tests/e2e/spec_cli.py does the running).
. "$(dirname "$0")/lib.sh"

SPEC=tests/spec/mustache
# the required files hold 136 cases and none is a lambda
WANT=136

if [ ! -f $SPEC/interpolation.json ]; then
    not_ok "spec files present in $SPEC"
    finish
fi
mkdir -p $TMP/spec
# the driver runs each case in its own folder: quire's path must be absolute
case $BUILD in /*) bin=$BUILD/quire ;; *) bin=$PWD/$BUILD/quire ;; esac
python3 tests/e2e/spec_cli.py "$bin" $SPEC $TMP/spec ${QUIRE_WRAP:-} >$TMP/spec.out 2>&1
grep -v '^cases: ' $TMP/spec.out
n=$(sed -n 's/^cases: //p' $TMP/spec.out)
[ "$n" = $WANT ] && ok "all $WANT required cases ran" || not_ok "all $WANT required cases ran" "ran: ${n:-none}"

# Quire's own mode keeps its rules: a paper's data is an object, and a
# partial that is not there is an error, not an empty string
echo '"world"' >$TMP/str.json
printf 'Hello, {{.}}!\n' >$TMP/hello.md
expect_exit "without --spec a string at the top level is an input error" 1 $QUIRE expand $TMP/str.json -t $TMP/hello.md
contains "  ... naming the top level" $TMP/last.err "the top level must be an object"
expect_exit "with --spec a string at the top level is the context" 0 $QUIRE expand $TMP/str.json -t $TMP/hello.md --spec
contains "  ... and is interpolated" $TMP/last.out "Hello, world!"
printf '"{{>nothere}}"' >$TMP/missing.md
expect_exit "without --spec a missing partial is an input error" 1 $QUIRE expand -t $TMP/missing.md
contains "  ... naming the partial" $TMP/last.err "partial 'nothere' not found"
expect_exit "with --spec a missing partial renders empty" 0 $QUIRE expand -t $TMP/missing.md --spec
[ "$(cat $TMP/last.out)" = '""' ] && ok "  ... as the empty string" || not_ok "  ... as the empty string" "got: $(cat $TMP/last.out)"
finish
