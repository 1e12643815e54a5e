#!/usr/bin/env python3
"""Runs the Mustache spec through the command line.

Usage: spec_cli.py QUIRE SPEC_DIR WORK_DIR [WRAP...]

For every required spec file in SPEC_DIR (the names without a leading '~':
comments, delimiters, interpolation, inverted, partials, sections) and every
case in it that holds no lambda, writes the case's data to data.json, its
template to template.mustache and each partial to NAME.mustache beside it
(a partial is its name plus the including template's extension), runs

    QUIRE expand data.json -t template.mustache --spec

and compares standard output with "expected" byte for byte. Prints
"ok - FILE: NAME" or "not ok - FILE: NAME" with what differed, then
"cases: N" so the caller can check that none were lost.
"""
import json
import os
import subprocess
import sys


def has_lambda(v):
    if isinstance(v, dict):
        if v.get("__tag__") == "code":
            return True
        return any(has_lambda(x) for x in v.values())
    if isinstance(v, list):
        return any(has_lambda(x) for x in v)
    return False


def main():
    if len(sys.argv) < 4:
        print("usage: spec_cli.py QUIRE SPEC_DIR WORK_DIR [WRAP...]", file=sys.stderr)
        return 2
    quire, spec_dir, work = sys.argv[1], sys.argv[2], sys.argv[3]
    wrap = sys.argv[4:]
    files = sorted(f for f in os.listdir(spec_dir)
                   if f.endswith(".json") and not f.startswith("~"))
    cases = 0
    for name in files:
        with open(os.path.join(spec_dir, name), encoding="utf-8") as f:
            spec = json.load(f)
        for i, t in enumerate(spec["tests"]):
            if has_lambda(t.get("data")):
                continue
            cases += 1
            label = "%s: %s" % (name[:-5], t["name"])
            d = os.path.join(work, "%s-%d" % (name[:-5], i))
            os.makedirs(d)
            # newline="" keeps "\r\n" in templates exactly as the spec has it
            with open(os.path.join(d, "data.json"), "w", encoding="utf-8", newline="") as f:
                json.dump(t["data"], f)
            with open(os.path.join(d, "template.mustache"), "w", encoding="utf-8", newline="") as f:
                f.write(t["template"])
            for pname, ptext in t.get("partials", {}).items():
                with open(os.path.join(d, pname + ".mustache"), "w", encoding="utf-8", newline="") as f:
                    f.write(ptext)
            r = subprocess.run(wrap + [quire, "expand", "data.json", "-t", "template.mustache", "--spec"],
                               cwd=d, capture_output=True)
            want = t["expected"].encode("utf-8")
            if r.returncode == 0 and r.stdout == want:
                print("ok - " + label)
            else:
                print("not ok - " + label)
                print("    exit status: %d" % r.returncode)
                print("    template: %r" % t["template"])
                print("    expected: %r" % t["expected"])
                print("    got:      %r" % r.stdout.decode("utf-8", "replace"))
                for line in r.stderr.decode("utf-8", "replace").splitlines()[:5]:
                    print("    stderr: " + line)
    print("cases: %d" % cases)
    return 0


if __name__ == "__main__":
    sys.exit(main())
