# Shared helpers for end-to-end tests: each check prints "ok - name" or
# "not ok - name" with the reason, or "ok - name # SKIP reason" for a check
# that cannot run here; the runner counts them.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
QUIRE="${QUIRE_WRAP:-} $BUILD/quire"
# the binary by an absolute path, for scripts that change folder
case $BUILD in /*) BIN=$BUILD/quire ;; *) BIN=$PWD/$BUILD/quire ;; esac
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# Quire's cache (hyphenation image, font resolution) lives in the test's
# own directory, never the user's home.
export QUIRE_CACHE_DIR=${QUIRE_CACHE_DIR:-$TMP/cache}
FAILS=0

ok()     { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; shift; for l in "$@"; do echo "    $l"; done; FAILS=$((FAILS + 1)); }
# skip NAME REASON: a check that cannot run here; tests/run.sh counts it as
# skipped. Without a reason it is a failure.
skip() {
    if [ -n "${2:-}" ]; then echo "ok - $1 # SKIP $2"
    else not_ok "$1" "skipped without a reason"; fi
}

# find_pikepdf: sets PY to a Python that imports pikepdf (Debian's
# python3-pikepdf, installed for Debian's python3, which may not be the
# first on PATH), or to "" when there is none.
find_pikepdf() {
    PY=""
    local p
    for p in python3 /usr/bin/python3; do
        if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import pikepdf' 2>/dev/null; then
            PY=$p
            return
        fi
    done
}

# need_pikepdf: find_pikepdf, or end the script with a failure saying what
# to install
need_pikepdf() {
    find_pikepdf
    if [ -z "$PY" ]; then
        not_ok "pikepdf available (Debian package python3-pikepdf; make deps)"
        exit 1
    fi
}

# check NAME COMMAND...: passes when the command exits 0
check() {
    local name=$1; shift
    local out
    if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "command: $*" "$(echo "$out" | head -15)"; fi
}

# expect_exit NAME CODE COMMAND...: passes when the command exits with CODE;
# its stderr is kept in $TMP/last.err
expect_exit() {
    local name=$1 code=$2; shift 2
    "$@" >"$TMP/last.out" 2>"$TMP/last.err"
    local rc=$?
    if [ "$rc" = "$code" ]; then ok "$name"; else not_ok "$name" "expected exit $code, got $rc: $*" "$(head -10 "$TMP/last.err")"; fi
}

# contains NAME FILE PATTERN (fixed string)
contains() {
    if grep -qF -- "$3" "$2"; then ok "$1"; else not_ok "$1" "'$3' not found in $2" "$(head -5 "$2")"; fi
}
# lacks NAME FILE PATTERN (fixed string): FILE must exist (a missing file
# lacks everything, which proves nothing)
lacks() {
    if [ ! -f "$2" ] || [ ! -r "$2" ]; then not_ok "$1" "$2 does not exist: nothing to search"
    elif grep -qF -- "$3" "$2"; then not_ok "$1" "'$3' unexpectedly found in $2"
    else ok "$1"; fi
}

# raw_has FILE WORD: the word in the file as ASCII, UTF-16BE, or either as
# a hex string (the forms a PDF string can take)
raw_has() {
    python3 - "$1" "$2" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
w = sys.argv[2]
forms = [w.encode(), w.encode("utf-16-be")]
forms += [f.hex().encode() for f in forms] + [f.hex().upper().encode() for f in forms]
sys.exit(0 if any(f in data for f in forms) else 1)
PY
}

# strace_can NAME: true when strace can watch quire here; else NAME is
# skipped, saying why (a wrapper such as valgrind hides quire from it, or
# strace is missing or not permitted)
strace_can() {
    if [ -n "${QUIRE_WRAP:-}" ]; then
        skip "$1" "strace cannot see through $QUIRE_WRAP"
        return 1
    fi
    if ! strace -f -qq -o /dev/null true 2>/dev/null; then
        skip "$1" "strace cannot run here"
        return 1
    fi
}

finish() { exit $((FAILS > 0)); }
