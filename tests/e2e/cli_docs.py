#!/usr/bin/env python3
"""README.md, `quire --help`, `quire CMD --help` and man/quire.1 name the
same commands, and each command the same options — and the parser takes
exactly those.

Usage: cli_docs.py README MANPAGE QUIRE [WRAP...]

From each source it extracts, for every command, the set of long option
names (short ones mapped to long through the "-t, --template" spellings of
`quire --help`):
  --help       the commands section (one synopsis per command) and the
               options section, where each option lists its commands in
               brackets;
  CMD --help   the usage line and the options section;
  man page     SYNOPSIS (one block per command), COMMANDS, and OPTIONS,
               where each entry starts with its commands in parentheses;
  README       the command table (one row per command, the full synopsis).
Prints "ok - ..." or "not ok - ..." with the differences.
"""
import re
import subprocess
import sys

OPT = re.compile(r"(?<![\w-])(--?[a-z][a-z-]*)")
fails = 0


def ok(name):
    print("ok - " + name)


def not_ok(name, *why):
    global fails
    fails += 1
    print("not ok - " + name)
    for w in why:
        print("    " + w)


def run(cmd, args):
    r = subprocess.run(cmd + args, capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def section(text, start, end):
    """Lines after the line matching start, up to the line matching end."""
    lines = text.split("\n")
    out, inside = [], False
    for line in lines:
        if inside and re.match(end, line):
            break
        if inside:
            out.append(line)
        elif re.match(start, line):
            inside = True
    return out


def names(text, alias):
    """Long option names in a synopsis or option line."""
    found = set()
    for o in OPT.findall(text):
        if o.startswith("--"):
            found.add(o[2:])
        elif len(o) == 2 and o in alias:
            found.add(alias[o])
        elif len(o) == 2:
            found.add("?" + o)   # a short option help never spelt out
    return found


def compare(what, sets):
    """sets: {source: set}; all must be equal."""
    first = next(iter(sets))
    bad = [s for s in sets if sets[s] != sets[first]]
    if not bad:
        ok("%s: %s" % (what, ", ".join(sorted(sets[first])) or "(none)"))
        return
    why = ["%-22s %s" % (s, " ".join(sorted(v))) for s, v in sets.items()]
    not_ok(what + ": the sources disagree", *why)


def main():
    readme_path, man_path, quire = sys.argv[1], sys.argv[2], sys.argv[3:]
    readme = open(readme_path, encoding="utf-8").read()
    man = open(man_path, encoding="utf-8").read()

    # ---- quire --help ----
    rc, help_all, _ = run(quire, ["--help"])
    if rc != 0:
        not_ok("quire --help exits 0", "exit %d" % rc)
    cmd_lines = section(help_all, r"^commands:", r"^$")
    commands = [m.group(1) for m in (re.match(r"^  (\w+) ", l) for l in cmd_lines) if m]
    alias, takes_value, by_help = {}, {}, {c: set() for c in commands}
    synopsis_help = {}
    cur = None
    for l in cmd_lines:
        m = re.match(r"^  (\w+) (.*)", l)
        if m:
            cur = m.group(1)
            synopsis_help[cur] = m.group(2)
        elif cur and re.match(r"^ {8,}\S", l) and not l.startswith("      " + l.strip()):
            synopsis_help[cur] += l
        else:
            cur = None
    opt_lines = section(help_all, r"^options", r"^$")
    cur = None
    global_only = set()
    for l in opt_lines:
        m = re.match(r"^  (?:(-\w), )?\s*--([a-z][a-z-]*)(\S*)( ?[A-Z/|a-z=]*)", l)
        if m:
            short, cur, tail = m.group(1), m.group(2), m.group(3) + m.group(4)
            if short:
                alias[short] = cur
            takes_value[cur] = bool(re.match(r"^(=| [A-Z])", tail))
            if "(no command)" in l:
                global_only.add(cur)
            continue
        m = re.match(r"^\s+\[(.*)\]$", l)
        if m and cur:
            cs = commands if m.group(1) == "every command" else m.group(1).split()
            for c in cs:
                by_help.setdefault(c, set()).add(cur)
    options = set(takes_value) - global_only
    if "version" in global_only:
        ok("--help: --version is an option of no command")
    else:
        not_ok("--help: --version is an option of no command", *opt_lines[-3:])

    # ---- man page ----
    def unman(t):
        t = re.sub(r"\\f[BIRP]", "", t)
        return t.replace("\\-", "-").replace("\\(<=", "<=")
    syn = "\n".join(section(man, r"^\.SH SYNOPSIS", r"^\.SH "))
    by_man_syn = {}
    for chunk in syn.split(".br"):
        m = re.match(r"\s*\.B quire (\w+)", chunk)
        if m and m.group(1) != "\\":
            by_man_syn[m.group(1)] = names(unman(chunk[m.end():]), alias)
    man_cmds = []
    for chunk in "\n".join(section(man, r"^\.SH COMMANDS", r"^\.SH ")).split(".TP")[1:]:
        m = re.match(r"\s*\.B (\w+)", chunk)
        if m:
            man_cmds.append(m.group(1))
    by_man_opt = {c: set() for c in man_cmds}
    man_global = set()
    for chunk in "\n".join(section(man, r"^\.SH OPTIONS", r"^\.SH ")).split(".TP")[1:]:
        lines = chunk.strip().split("\n")
        opts = names(unman(lines[0]), alias)
        m = re.match(r"^\(([^);]*)", unman(lines[1]) if len(lines) > 1 else "")
        if not m:
            not_ok("man OPTIONS: %s names its commands" % " ".join(sorted(opts)), *lines[:2])
            continue
        ann = m.group(1)
        if ann.startswith("no command"):
            man_global |= opts
            continue
        cs = man_cmds if ann == "every command" else [c.strip() for c in ann.split(",")]
        for c in cs:
            for o in opts:
                by_man_opt.setdefault(c, set()).add(o)

    # ---- README ----
    by_readme = {}
    for m in re.finditer(r"^\| `quire (\w+) ([^`]*)` \|", readme, re.M):
        by_readme[m.group(1)] = names(m.group(2).replace("\\|", "|"), alias)

    # ---- commands ----
    if "render" in commands and len(commands) >= 6:
        ok("quire --help lists the commands")
    else:
        not_ok("quire --help lists the commands", *cmd_lines[:5])
    accepted = [c for c in commands if run(quire, [c, "--help"])[0] == 0]
    compare("commands", {
        "quire --help": set(commands),
        "quire CMD --help": set(accepted),
        "man SYNOPSIS": set(by_man_syn),
        "man COMMANDS": set(man_cmds),
        "man OPTIONS": set(by_man_opt),
        "README table": set(by_readme),
    })
    rc, _, err = run(quire, ["nosuchcommand"])
    if rc == 2 and all(c in err for c in commands):
        ok("an unknown command is a usage error listing the commands")
    else:
        not_ok("an unknown command is a usage error listing the commands", "exit %d: %s" % (rc, err.strip()))

    # ---- each command's options ----
    for c in commands:
        rc, out, _ = run(quire, [c, "--help"])
        usage = "\n".join(section("\n" + out, r"^$", r"^$"))
        own = set()
        for l in section(out, r"^options:", r"^$"):
            m = re.match(r"^  (?:-\w, )?\s*--([a-z][a-z-]*)", l)
            if m:
                own.add(m.group(1))
        if out.startswith("usage: quire %s " % c):
            ok("quire %s --help starts with its usage" % c)
        else:
            not_ok("quire %s --help starts with its usage" % c, out.split("\n")[0])
        if "help" in own and "help" in by_help.get(c, set()) and "help" in by_man_opt.get(c, set()):
            ok("%s: -h/--help everywhere" % c)
        else:
            not_ok("%s: -h/--help everywhere" % c)
        compare(c + " options", {
            "quire --help options": by_help.get(c, set()) - {"help"},
            "quire --help synopsis": names(synopsis_help.get(c, ""), alias),
            "quire %s --help" % c: own - {"help"},
            "%s --help usage" % c: names(usage.replace("usage: quire " + c, ""), alias),
            "man SYNOPSIS": by_man_syn.get(c, set()),
            "man OPTIONS": by_man_opt.get(c, set()) - {"help"},
            "README table": by_readme.get(c, set()),
        })
        # the parser takes exactly these: every other option is unknown
        for o in sorted(options - {"help"}):
            arg = "--%s=x" % o if takes_value[o] else "--" + o
            rc, _, err = run(quire, [c, arg])
            unknown = "unknown option '--%s'" % o in err
            if o in by_help.get(c, set()):
                if not unknown:
                    ok("quire %s takes %s" % (c, arg))
                else:
                    not_ok("quire %s takes %s" % (c, arg), err.strip())
            elif rc == 2 and unknown:
                ok("quire %s refuses %s" % (c, arg))
            else:
                not_ok("quire %s refuses %s" % (c, arg), "exit %d: %s" % (rc, err.strip()))
        for short, o in sorted(alias.items()):
            if o == "help" or o in by_help.get(c, set()):
                continue
            rc, _, err = run(quire, [c, short, "x"])
            if rc == 2 and "unknown option '%s'" % short in err:
                ok("quire %s refuses %s" % (c, short))
            else:
                not_ok("quire %s refuses %s" % (c, short), "exit %d: %s" % (rc, err.strip()))

    # ---- --help and --version: every source names them ----
    # the man page's words with the font macros taken out
    man_flat = re.sub(r"\n\.(?:B|I|BI|IB|RB|BR|IR|RI) ", " ", unman(man))
    for src, text in (("README", readme), ("man page", man_flat), ("quire --help", help_all)):
        for s in ("--version", "COMMAND --help"):
            if s in text:
                ok("%s mentions %s" % (src, s))
            else:
                not_ok("%s mentions %s" % (src, s))
    if man_global == {"version"}:
        ok("man OPTIONS: --version belongs to no command")
    else:
        not_ok("man OPTIONS: --version belongs to no command", str(man_global))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
