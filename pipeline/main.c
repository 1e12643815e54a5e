/* main.c — the quire command line: parses arguments, calls the orchestrator
 * for the command, prints diagnostics once, and maps the outcome to the exit
 * codes of docs/architecture.md (0 ok, 1 input error, 2 usage, 3 output or
 * system error).
 *
 * Every command and option is described once, in COMMANDS and OPTIONS
 * below: the parsers take their options from there, and `quire --help` and
 * `quire CMD --help` are printed from there, so what is accepted and what
 * is documented cannot drift apart (tests/e2e/cli.sh holds README.md and
 * man/quire.1 to the same list).
 */
#include "quire/derive.h"
#include "quire/diag.h"
#include "quire/expand.h"
#include "quire/fonts.h"
#include "quire/layout.h"
#include "quire/load.h"
#include "quire/pack.h"
#include "quire/proceedings.h"
#include "quire/build.h"
#include "quire/watch.h"
#include "quire/serve.h"
#include "quire/render.h"
#include "quire/util.h"
#include "quire/version.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <malloc.h>
#include <string.h>

#ifndef QUIRE_VERSION
#define QUIRE_VERSION "0.1.0"
#endif

#define QR_STR_(x) #x
#define QR_STR(x) QR_STR_(x)

/* Bounds of the numeric options. More workers than this only queue on the
 * CPUs (and each costs a process and a pipe); more shards than this is no
 * CI system's job matrix. */
#define MAX_JOBS 1024
#define MAX_SHARDS 1000

/* One bit per command: which commands take an option. */
enum {
    C_RENDER = 1u << 0,
    C_CHECK = 1u << 1,
    C_EXPAND = 1u << 2,
    C_PACK = 1u << 3,
    C_BUILD = 1u << 4,
    C_WATCH = 1u << 5,
    C_MINUTES = 1u << 6,
    C_DECISIONS = 1u << 7,
    C_HYPH = 1u << 8,
    C_FONTS = 1u << 9,
    C_ALL = (1u << 10) - 1
};

typedef struct command {
    const char *name;
    unsigned bit;
    const char *synopsis;   /* the arguments after "quire NAME" */
    const char *summary;    /* what it does; '\n' between lines */
} command;

static const command COMMANDS[] = {
    {"render", C_RENDER,
     "[DATA.json] -t TEMPLATE.md [-s STYLE.json] -o OUT.pdf|OUT.html "
     "[--format=pdf|html] [--dump=md|doc|pages] [--no-strict] [--draft] "
     "[--pdfa] [--lang=TAG]",
     "render one paper to PDF, or to an accessible HTML page (DATA is\n"
     "optional: plain Markdown renders too); with --dump and no -o, lay it\n"
     "out and print, write nothing"},
    {"check", C_CHECK,
     "[DATA.json] -t TEMPLATE.md [-s STYLE.json] [--dump=md|doc|pages] "
     "[--no-strict]",
     "validate the data and expand the template; no PDF (--dump=pages\n"
     "lays the paper out to print its display list)"},
    {"expand", C_EXPAND, "[DATA.json] -t TEMPLATE [--spec] [--no-strict]",
     "print the template expansion to stdout; --spec follows the\n"
     "Mustache spec exactly (HTML escaping, missing names empty)"},
    {"pack", C_PACK,
     "MEETING.json -o PACK.pdf|--html DIR [--supplement N] [--public] "
     "[--draft] [--dump=pages]",
     "build a meeting's agenda pack: front sheet, agenda, every paper;\n"
     "--public withholds exempt items (docs/meeting.md); --dump=pages\n"
     "prints the display list (with no -o, writes nothing); --html\n"
     "writes it as HTML pages instead; --supplement N builds\n"
     "supplementary agenda N, the papers published late"},
    {"minutes", C_MINUTES,
     "MEETING.json -o MINUTES.pdf|MINUTES.html [-t TEMPLATE.md] [--public] [--draft]",
     "the minutes of a meeting from its proceedings (docs/meeting.md);\n"
     "--public withholds the text of items taken in private"},
    {"decisions", C_DECISIONS,
     "MEETING.json -o DECISIONS.pdf|DECISIONS.html [-t TEMPLATE.md] [--draft]",
     "an executive meeting's record of decisions, with the call-in\n"
     "deadline in clear working days"},
    {"build", C_BUILD,
     "MANIFEST.json [-j N] [--out DIR] [--shard K/N] [--force]",
     "build every paper and pack of a manifest (docs/build.md):\n"
     "parallel, incremental, one line per job and a summary"},
    {"watch", C_WATCH,
     "[DATA.json] -t TEMPLATE.md [-s STYLE.json] -o OUT.pdf|OUT.html [--open] "
     "[--serve [--port N]] [--draft|--no-draft] [--no-strict]",
     "render, then render again whenever an input is saved;\n"
     "--serve previews the HTML copy on 127.0.0.1, reloading\n"
     "after each render"},
    {"hyphenation", C_HYPH, "--out DIR",
     "compile the system's hyphenation dictionary into the image\n"
     "every run reads, DIR/hyph_en_GB.dic.image; make and make\n"
     "install run it; run it again after the dictionary's\n"
     "package is upgraded"},
    {"fonts", C_FONTS, "--out DIR",
     "resolve the default house style's fonts, shape their\n"
     "kerning pairs and measure their advances into what a first\n"
     "run reads, DIR/fonts, DIR/kern-*, DIR/metrics-* and\n"
     "DIR/harfbuzz; make and make install run it; run it again\n"
     "after fonts, fontconfig or HarfBuzz are upgraded"},
};
#define NCOMMANDS (sizeof COMMANDS / sizeof *COMMANDS)

typedef struct optdef {
    struct option o;        /* o.val is what the parsers switch on */
    const char *spelling;   /* as help shows it: "-t, --template FILE" */
    unsigned cmds;          /* the commands that take it */
    const char *help;       /* '\n' between lines */
} optdef;

static const optdef OPTIONS[] = {
    {{"template", required_argument, NULL, 't'}, "-t, --template FILE",
     C_RENDER | C_CHECK | C_EXPAND | C_WATCH | C_MINUTES | C_DECISIONS,
     "the Markdown (Mustache) template (minutes and\n"
     "decisions: instead of the meeting file's)"},
    {{"style", required_argument, NULL, 's'}, "-s, --style FILE",
     C_RENDER | C_CHECK | C_WATCH,
     "house style JSON (default: the built-in style)"},
    {{"output", required_argument, NULL, 'o'}, "-o, --output FILE",
     C_RENDER | C_PACK | C_WATCH | C_MINUTES | C_DECISIONS,
     "the PDF to write (atomically); render, watch,\n"
     "minutes and decisions write the HTML copy to a\n"
     "name ending in .html"},
    {{"dump", required_argument, NULL, 'D'}, "    --dump=md|doc|pages",
     C_RENDER | C_CHECK | C_PACK,
     "print the expanded Markdown, the document tree\n"
     "or the display list to stdout"},
    {{"no-strict", no_argument, NULL, 'N'}, "    --no-strict",
     C_RENDER | C_CHECK | C_EXPAND | C_WATCH,
     "missing template names render empty"},
    {{"draft", no_argument, NULL, 'R'}, "    --draft",
     C_RENDER | C_PACK | C_WATCH | C_MINUTES | C_DECISIONS,
     "stamp DRAFT on every page (on by default in\n"
     "watch)"},
    {{"format", required_argument, NULL, 'M'}, "    --format=pdf|html",
     C_RENDER,
     "what to write (default: HTML when the output\n"
     "ends in .html or .htm, else PDF)"},
    {{"pdfa", no_argument, NULL, 'A'}, "    --pdfa", C_RENDER,
     "write PDF/A-2b for archiving"},
    {{"lang", required_argument, NULL, 'L'}, "    --lang=TAG", C_RENDER,
     "document language, e.g. cy (default: the\n"
     "style's, en-GB)"},
    {{"spec", no_argument, NULL, 'S'}, "    --spec", C_EXPAND,
     "follow the Mustache spec exactly"},
    {{"html", required_argument, NULL, 'H'}, "    --html DIR", C_PACK,
     "write the pack as HTML pages in DIR (index.html:\n"
     "the agenda; one page per item) instead of a PDF"},
    {{"supplement", required_argument, NULL, 'U'}, "    --supplement N",
     C_PACK,
     "supplementary agenda N (1 to 99): the items\n"
     "the meeting file marks for it, published late"},
    {{"public", no_argument, NULL, 'P'}, "    --public", C_PACK | C_MINUTES,
     "withhold exempt items: a notice page in a pack,\n"
     "number, title and paragraph in minutes"},
    {{"jobs", required_argument, NULL, 'j'}, "-j, --jobs N", C_BUILD,
     "worker processes, 1 to " QR_STR(MAX_JOBS) " (default: the CPUs)"},
    {{"out", required_argument, NULL, 'O'}, "    --out DIR", C_BUILD | C_HYPH | C_FONTS,
     "the output folder (build's default: the\n"
     "manifest's, else out)"},
    {{"shard", required_argument, NULL, 'K'}, "    --shard K/N", C_BUILD,
     "build only shard K of N, 1 <= K <= N <= " QR_STR(MAX_SHARDS)},
    {{"force", no_argument, NULL, 'F'}, "    --force", C_BUILD,
     "rebuild every job, changed or not"},
    {{"open", no_argument, NULL, 'W'}, "    --open", C_WATCH,
     "open the PDF once with xdg-open (with --serve,\n"
     "the preview's URL)"},
    {{"no-draft", no_argument, NULL, 'r'}, "    --no-draft", C_WATCH,
     "no DRAFT mark or build time"},
    {{"serve", no_argument, NULL, 'S'}, "    --serve", C_WATCH,
     "serve the HTML output at http://127.0.0.1:PORT/\n"
     "with live reload (-o must end in .html)"},
    {{"port", required_argument, NULL, 'P'}, "    --port N", C_WATCH,
     "the port for --serve (default 8787; 0 picks\n"
     "a free one)"},
    {{"help", no_argument, NULL, 'h'}, "-h, --help", C_ALL, "this help"},
};
#define NOPTIONS (sizeof OPTIONS / sizeof *OPTIONS)

/* Print text, '\n'-separated lines, the first after `col` characters
 * already written, every line starting at column `indent`. */
static void put_lines(FILE *f, int col, int indent, const char *text)
{
    fprintf(f, "%*s", col < indent ? indent - col : 0, "");
    for (const char *p = text; *p; p++) {
        fputc(*p, f);
        if (*p == '\n') fprintf(f, "%*s", indent, "");
    }
    fputc('\n', f);
}

/* "LEAD NAME SYNOPSIS" wrapped at word boundaries before column 78, the
 * continuation lines indented under the arguments; the name padded to
 * `pad` characters. */
static void put_synopsis(FILE *f, const char *lead, int pad, const command *c)
{
    int col = fprintf(f, "%s%-*s", lead, pad, c->name);
    int indent = col + 1;
    const char *p = c->synopsis;
    while (*p) {
        size_t n = strcspn(p, " ");
        if (col + 1 + (int)n > 78 && col > indent) {
            fprintf(f, "\n%*s", indent - 1, "");
            col = indent - 1;
        }
        col += fprintf(f, " %.*s", (int)n, p);
        p += n;
        while (*p == ' ') p++;
    }
    fputc('\n', f);
}

static void put_option(FILE *f, const optdef *o)
{
    int col = fprintf(f, "  %s", o->spelling);
    if (col >= 27) {
        fputc('\n', f);
        col = 0;
    }
    put_lines(f, col, 27, o->help);
}

static void usage_all(FILE *f)
{
    fputs("usage: quire COMMAND [options]\n"
          "       quire COMMAND --help    that command's options\n"
          "       quire --version         quire's version and its libraries'\n"
          "\n"
          "commands:\n", f);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        /* "  NAME" at the start of a line: scripts look commands up so */
        put_synopsis(f, "  ", 6, &COMMANDS[i]);
        put_lines(f, 0, 6, COMMANDS[i].summary);
    }
    fputs("\noptions (the commands that take each in brackets):\n", f);
    for (size_t i = 0; i < NOPTIONS; i++) {
        const optdef *o = &OPTIONS[i];
        put_option(f, o);
        fprintf(f, "%27s[", "");
        if (o->cmds == C_ALL) {
            fputs("every command", f);
        } else {
            const char *sep = "";
            for (size_t k = 0; k < NCOMMANDS; k++)
                if (o->cmds & COMMANDS[k].bit) {
                    fprintf(f, "%s%s", sep, COMMANDS[k].name);
                    sep = " ";
                }
        }
        fputs("]\n", f);
    }
    fputs("      --version            print the versions (no command)\n"
          "\n"
          "exit status: 0 ok, 1 input error, 2 usage error, 3 output or "
          "system error\n", f);
}

static void usage_cmd(FILE *f, const command *c)
{
    put_synopsis(f, "usage: quire ", 0, c);
    fputc('\n', f);
    put_lines(f, 0, 0, c->summary);
    fputs("\noptions:\n", f);
    for (size_t i = 0; i < NOPTIONS; i++)
        if (OPTIONS[i].cmds & c->bit) put_option(f, &OPTIONS[i]);
    fputs("\nexit status: 0 ok, 1 input error, 2 usage error, 3 output or "
          "system error\n", f);
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "quire: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'quire --help'.\n");
    return QR_EUSAGE;
}

/* The decimal number s[0..n) (n = -1: all of s) when it is digits only and
 * within lo..hi: 1 and *out; else 0. No sign, no spaces: "-j ' 4'" and
 * "-j 4x" are typos to report, not to guess at. */
static int bounded_int(const char *s, long n, long lo, long hi, int *out)
{
    size_t len = n < 0 ? strlen(s) : (size_t)n;
    if (len == 0) return 0;
    long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        v = v * 10 + (s[i] - '0');
        if (v > hi) return 0;   /* stops long before overflow */
    }
    if (v < lo) return 0;
    *out = (int)v;
    return 1;
}

/* The option table of one command, for getopt_long. */
typedef struct optset {
    const command *cmd;
    struct option longopts[NOPTIONS + 1];
    char shortopts[2 * NOPTIONS + 2];
} optset;

static void optset_init(optset *s, const command *c)
{
    size_t n = 0, k = 0;
    s->cmd = c;
    s->shortopts[k++] = ':';   /* a missing value is ':', not '?' */
    for (size_t i = 0; i < NOPTIONS; i++) {
        const optdef *o = &OPTIONS[i];
        if (!(o->cmds & c->bit)) continue;
        s->longopts[n++] = o->o;
        if (o->spelling[0] == '-' && o->spelling[1] != '-' &&
            o->spelling[1] != ' ') {
            s->shortopts[k++] = o->spelling[1];
            if (o->o.has_arg == required_argument) s->shortopts[k++] = ':';
        }
    }
    memset(&s->longopts[n], 0, sizeof s->longopts[n]);
    s->shortopts[k] = '\0';
    optind = 1;
    opterr = 0;
}

/* getopt_long accepts any unambiguous prefix of a long option, so "pack
 * --out DIR" would quietly mean --output. Only whole names are taken: the
 * arguments are checked before getopt sees them. Returns 0, or the usage
 * error's status. */
static int exact_names(const optset *s, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) break;
        if (a[0] != '-' || a[1] == '\0') continue;
        const struct option *o = NULL;
        if (a[1] == '-') {
            size_t n = strcspn(a + 2, "=");
            for (o = s->longopts; o->name; o++)
                if (strlen(o->name) == n && strncmp(o->name, a + 2, n) == 0)
                    break;
            if (!o->name) {
                fprintf(stderr, "quire: %s: unknown option '%.*s'\n"
                        "Try 'quire %s --help'.\n", s->cmd->name,
                        (int)(n + 2), a, s->cmd->name);
                return QR_EUSAGE;
            }
            /* its value is the next argument, whatever it looks like */
            if (o->has_arg == required_argument && !a[2 + n]) i++;
        } else {
            const char *p = strchr(s->shortopts + 1, a[1]);
            /* "-t FILE": skip the value; "-tFILE" holds it */
            if (p && p[1] == ':' && !a[2]) i++;
        }
    }
    return 0;
}

/* The message for getopt's '?' or ':' */
static int bad_option(const optset *s, int c, char **argv)
{
    const char *a = argv[optind - 1];
    if (c == ':')
        fprintf(stderr, "quire: %s: option '%s' needs a value\n", s->cmd->name,
                a);
    else if (a[0] == '-' && a[1] == '-')   /* exact_names passed its name */
        fprintf(stderr, "quire: %s: option '%.*s' takes no value\n",
                s->cmd->name, (int)strcspn(a, "="), a);
    else if (optopt)
        fprintf(stderr, "quire: %s: unknown option '-%c'\n", s->cmd->name,
                optopt);
    else
        fprintf(stderr, "quire: %s: unknown option '%s'\n", s->cmd->name, a);
    fprintf(stderr, "Try 'quire %s --help'.\n", s->cmd->name);
    return QR_EUSAGE;
}

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(COMMANDS[i].name, name) == 0) return &COMMANDS[i];
    return NULL;
}

typedef struct args {
    const char *data, *tpl, *style, *out;
    qr_dump dump;
    int strict, spec;
    int pdfa;
    const char *lang;
    int draft;
    int format;   /* -1: from the output's extension */
} args;

/* render, check and expand */
static int parse_args(int argc, char **argv, args *a, const command *cmd)
{
    optset s;
    optset_init(&s, cmd);
    int bad = exact_names(&s, argc, argv);
    if (bad) return bad;
    memset(a, 0, sizeof *a);
    a->strict = 1;
    a->format = -1;
    int c;
    while ((c = getopt_long(argc, argv, s.shortopts, s.longopts, NULL)) != -1) {
        switch (c) {
        case 't': a->tpl = optarg; break;
        case 's': a->style = optarg; break;
        case 'o': a->out = optarg; break;
        case 'N': a->strict = 0; break;
        case 'S': a->spec = 1; break;
        case 'A': a->pdfa = 1; break;
        case 'L': a->lang = optarg; break;
        case 'M':
            if (strcmp(optarg, "pdf") == 0) a->format = QR_FORMAT_PDF;
            else if (strcmp(optarg, "html") == 0) a->format = QR_FORMAT_HTML;
            else return usage_error("--format takes pdf or html, not '%s'", optarg);
            break;
        case 'R': a->draft = 1; break;
        case 'D':
            if (strcmp(optarg, "md") == 0) a->dump = QR_DUMP_MD;
            else if (strcmp(optarg, "doc") == 0) a->dump = QR_DUMP_DOC;
            else if (strcmp(optarg, "pages") == 0) a->dump = QR_DUMP_PAGES;
            else return usage_error("--dump takes md, doc or pages, not '%s'", optarg);
            break;
        case 'h': usage_cmd(stdout, cmd); exit(0);
        default: return bad_option(&s, c, argv);
        }
    }
    if (optind < argc) a->data = argv[optind++];
    if (optind < argc) return usage_error("unexpected argument '%s'", argv[optind]);
    if (!a->tpl) return usage_error("%s needs a template: -t TEMPLATE.md", cmd->name);
    return 0;
}

static int finish(qr_diags *d, int status)
{
    qr_diags_print(d, stderr);
    qr_diags_free(d);
    return status;
}

static int cmd_expand(const args *a)
{
    qr_diags *d = qr_diags_new();
    qr_data *data = NULL;
    if (a->data) {
        /* the spec's context may be any JSON value ("world", 85, [...]);
         * Quire's own mode validates a paper, which is an object */
        data = a->spec ? qr_data_load_value(a->data, d) : qr_data_load(a->data, d);
        if (!data) return finish(d, QR_EINPUT);
        if (!a->spec && (!qr_data_validate(data, d) || !qr_derive_run(data, d))) {
            qr_data_free(data);
            return finish(d, QR_EINPUT);
        }
    } else {
        data = qr_data_empty();
    }
    qr_expand_opts o = {.spec = a->spec, .strict = a->spec ? 0 : a->strict};
    qr_expansion *e = qr_expand_file(a->tpl, qr_data_root(data), &o, d);
    int status = QR_EINPUT;
    if (e) {
        size_t len;
        const char *t = qr_expansion_text(e, &len);
        fwrite(t, 1, len, stdout);
        status = fflush(stdout) == 0 ? QR_OK : QR_EOUTPUT;
    }
    qr_expansion_free(e);
    qr_data_free(data);
    return finish(d, status);
}

/* quire pack MEETING.json -o PACK.pdf|--html DIR [--supplement N]
 *            [--public] [--draft] [--dump=pages] */
static int cmd_pack(int argc, char **argv, const command *cmd)
{
    optset s;
    optset_init(&s, cmd);
    int bad = exact_names(&s, argc, argv);
    if (bad) return bad;
    qr_pack_req req = {0};
    int c;
    while ((c = getopt_long(argc, argv, s.shortopts, s.longopts, NULL)) != -1) {
        switch (c) {
        case 'o': req.out_path = optarg; break;
        case 'P': req.public_pack = 1; break;
        case 'H': req.html_dir = optarg; break;
        case 'R': req.draft = 1; break;
        case 'U': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || end == optarg || n < 1 || n > 99)
                return usage_error("pack --supplement takes a number from 1 "
                                   "to 99, not '%s'", optarg);
            req.supplement = (int)n;
            break;
        }
        case 'D':
            /* a pack has no one template or document tree to show */
            if (strcmp(optarg, "pages") != 0)
                return usage_error("pack --dump takes pages, not '%s'", optarg);
            req.dump_pages = stdout;
            break;
        case 'h': usage_cmd(stdout, cmd); exit(0);
        default: return bad_option(&s, c, argv);
        }
    }
    if (optind < argc) req.meeting_path = argv[optind++];
    if (optind < argc) return usage_error("unexpected argument '%s'", argv[optind]);
    if (!req.meeting_path) return usage_error("%s needs a meeting file: pack MEETING.json -o PACK.pdf", "pack");
    if (!req.out_path && !req.html_dir && !req.dump_pages)
        return usage_error("%s needs an output: -o PACK.pdf or --html DIR", "pack");
    if (req.out_path && req.html_dir)
        return usage_error("%s writes a PDF (-o) or HTML pages (--html), not both", "pack");
    if (req.supplement && req.html_dir)
        return usage_error("%s --supplement writes a PDF (-o), not HTML pages", "pack");
    qr_diags *d = qr_diags_new();
    int status = qr_pack_build(&req, d, NULL);
    return finish(d, status);
}

/* quire minutes|decisions MEETING.json -o OUT.pdf [-t T] [--public] */
static int cmd_record(int argc, char **argv, const command *cmd)
{
    optset s;
    optset_init(&s, cmd);
    int bad = exact_names(&s, argc, argv);
    if (bad) return bad;
    qr_record_req req = {.kind = cmd->bit == C_MINUTES ? QR_RECORD_MINUTES
                                                       : QR_RECORD_DECISIONS};
    int c;
    while ((c = getopt_long(argc, argv, s.shortopts, s.longopts, NULL)) != -1) {
        switch (c) {
        case 'o': req.out_path = optarg; break;
        case 't': req.template_path = optarg; break;
        case 'P': req.public_record = 1; break;
        case 'R': req.draft = 1; break;
        case 'h': usage_cmd(stdout, cmd); exit(0);
        default: return bad_option(&s, c, argv);
        }
    }
    if (optind < argc) req.meeting_path = argv[optind++];
    if (optind < argc) return usage_error("unexpected argument '%s'", argv[optind]);
    if (!req.meeting_path)
        return usage_error("%s needs a meeting file: MEETING.json -o OUT.pdf",
                           cmd->name);
    if (!req.out_path) return usage_error("%s needs an output: -o OUT.pdf", cmd->name);
    qr_diags *d = qr_diags_new();
    int status = qr_record_build(&req, d, NULL);
    return finish(d, status);
}

/* quire build MANIFEST.json [-j N] [--out DIR] [--shard K/N] [--force] */
static int cmd_build(int argc, char **argv, const command *cmd)
{
    optset s;
    optset_init(&s, cmd);
    int bad = exact_names(&s, argc, argv);
    if (bad) return bad;
    qr_build_opts o = {.log = stderr, .version = QUIRE_VERSION};
    int c;
    const char *slash;
    while ((c = getopt_long(argc, argv, s.shortopts, s.longopts, NULL)) != -1) {
        switch (c) {
        case 'j':
            if (!bounded_int(optarg, -1, 1, MAX_JOBS, &o.jobs))
                return usage_error("-j/--jobs takes a number of workers from 1 "
                                   "to " QR_STR(MAX_JOBS) ", not '%s'", optarg);
            break;
        case 'O': o.out_dir = optarg; break;
        case 'K':
            slash = strchr(optarg, '/');
            if (!slash ||
                !bounded_int(optarg, slash - optarg, 1, MAX_SHARDS, &o.shard_k) ||
                !bounded_int(slash + 1, -1, 1, MAX_SHARDS, &o.shard_n) ||
                o.shard_k > o.shard_n)
                return usage_error("--shard takes K/N with 1 <= K <= N <= "
                                   QR_STR(MAX_SHARDS) ", not '%s'", optarg);
            break;
        case 'F': o.force = 1; break;
        case 'h': usage_cmd(stdout, cmd); exit(0);
        default: return bad_option(&s, c, argv);
        }
    }
    if (optind < argc) o.manifest_path = argv[optind++];
    if (optind < argc) return usage_error("unexpected argument '%s'", argv[optind]);
    if (!o.manifest_path) return usage_error("%s needs a manifest: build MANIFEST.json", "build");
    qr_diags *d = qr_diags_new();
    int status = qr_build_run(&o, d, NULL);
    return finish(d, status);
}

/* quire hyphenation --out DIR, quire fonts --out DIR */
static int cmd_shipped(int argc, char **argv, const command *cmd)
{
    optset s;
    optset_init(&s, cmd);
    int bad = exact_names(&s, argc, argv);
    if (bad) return bad;
    const char *dir = NULL;
    int c;
    while ((c = getopt_long(argc, argv, s.shortopts, s.longopts, NULL)) != -1) {
        switch (c) {
        case 'O': dir = optarg; break;
        case 'h': usage_cmd(stdout, cmd); exit(0);
        default: return bad_option(&s, c, argv);
        }
    }
    if (optind < argc) return usage_error("unexpected argument '%s'", argv[optind]);
    if (!dir) return usage_error("%s needs a folder: --out DIR", cmd->name);
    qr_diags *d = qr_diags_new();
    return finish(d, cmd->bit == C_HYPH ? qr_layout_hyph_image(dir, d)
                                        : qr_fonts_write_shipped(dir, d));
}

/* A TCP port number, 0 to 65535, all digits. */
static bool parse_port(const char *s, unsigned *port)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || errno || v > 65535 || !isdigit((unsigned char)*s)) return false;
    *port = (unsigned)v;
    return true;
}

/* quire watch [DATA.json] -t TEMPLATE.md [-s STYLE] -o OUT.pdf [--open] */
static int cmd_watch(int argc, char **argv, const command *cmd)
{
    optset s;
    optset_init(&s, cmd);
    int bad = exact_names(&s, argc, argv);
    if (bad) return bad;
    qr_watch_opts o = {.strict = 1, .draft = 1, .log = stderr, .port = QR_SERVE_PORT};
    int c, port_set = 0;
    while ((c = getopt_long(argc, argv, s.shortopts, s.longopts, NULL)) != -1) {
        switch (c) {
        case 't': o.template_path = optarg; break;
        case 's': o.style_path = optarg; break;
        case 'o': o.out_path = optarg; break;
        case 'W': o.open = 1; break;
        case 'R': o.draft = 1; break;
        case 'r': o.draft = 0; break;
        case 'N': o.strict = 0; break;
        case 'S': o.serve = 1; break;
        case 'P':
            if (!parse_port(optarg, &o.port))
                return usage_error("--port needs a number from 0 to 65535, not '%s'", optarg);
            port_set = 1;
            break;
        case 'h': usage_cmd(stdout, cmd); exit(0);
        default: return bad_option(&s, c, argv);
        }
    }
    if (port_set && !o.serve) return usage_error("%s goes with --serve", "--port");
    if (optind < argc) o.data_path = argv[optind++];
    if (optind < argc) return usage_error("unexpected argument '%s'", argv[optind]);
    if (!o.template_path) return usage_error("%s needs a template: -t TEMPLATE.md", "watch");
    if (!o.out_path) return usage_error("%s needs an output: -o OUT.pdf", "watch");
    if (o.serve && qr_format_of(o.out_path) != QR_FORMAT_HTML)
        return usage_error("--serve previews HTML: -o must end in .html or .htm, not %s", o.out_path);
    /* tests stop the loop after a known number of renders */
    const char *max = getenv("QUIRE_WATCH_MAX_RENDERS");
    if (max && *max) o.max_renders = atoi(max);
    return qr_watch_run(&o);
}

/* A run allocates and frees buffers of hundreds of kilobytes (page
 * content, font subsets, deflate output, the hyphenation image). By default
 * glibc hands each one over 128 KB a fresh mapping and returns it to the
 * kernel when freed, so every such buffer costs its pages' faults again;
 * faults were a fifth of a short paper's time (perf stat). Serving them from
 * the heap, and keeping the heap, lets freed pages be reused. */
static void memory_policy(void)
{
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
}

int main(int argc, char **argv)
{
    memory_policy();
    if (argc < 2) {
        usage_all(stderr);
        return QR_EUSAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 ||
        strcmp(name, "help") == 0) {
        usage_all(stdout);
        return QR_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        qr_version_print(stdout, QUIRE_VERSION);
        return fflush(stdout) == 0 ? QR_OK : QR_EOUTPUT;
    }
    const command *cmd = find_command(name);
    if (!cmd)
        return usage_error("unknown command '%s' (expected render, check, "
                           "expand, pack, minutes, decisions, build, watch, "
                           "hyphenation or fonts)", name);
    args a;
    int bad;
    if (cmd->bit == C_RENDER || cmd->bit == C_CHECK) {
        if ((bad = parse_args(argc - 1, argv + 1, &a, cmd))) return bad;
        int render = cmd->bit == C_RENDER;
        if (render && !a.out && a.dump == QR_DUMP_NONE)
            return usage_error("%s needs an output: -o OUT.pdf", name);
        int format = a.format >= 0 ? a.format : (int)qr_format_of(a.out);
        if (format == QR_FORMAT_HTML && a.pdfa)
            return usage_error("%s: --pdfa is for PDF output, not HTML", name);
        if (format == QR_FORMAT_HTML && a.out && a.dump == QR_DUMP_PAGES)
            return usage_error("%s: --dump=pages prints the PDF's pages; HTML "
                               "output has none", name);
        qr_render_req req = {
            .data_path = a.data,
            .template_path = a.tpl,
            .style_path = a.style,
            .out_path = a.out,
            .strict = a.strict,
            /* check stops after expansion, except that the display list
             * exists only once the paper is laid out */
            .stop = !render ? (a.dump == QR_DUMP_PAGES ? QR_STOP_LAYOUT
                                                       : QR_STOP_EXPAND)
                    : a.out ? QR_STOP_PDF
                            : QR_STOP_LAYOUT,
            .dump = a.dump,
            .dump_to = stdout,
            .pdfa = a.pdfa,
            .draft = a.draft,
            .lang = a.lang,
            .format = (qr_format)format,
            .exiting = 1,
        };
        qr_diags *d = qr_diags_new();
        int status = qr_render(&req, d);
        return finish(d, status);
    }
    if (cmd->bit == C_EXPAND) {
        if ((bad = parse_args(argc - 1, argv + 1, &a, cmd))) return bad;
        return cmd_expand(&a);
    }
    if (cmd->bit == C_PACK) return cmd_pack(argc - 1, argv + 1, cmd);
    if (cmd->bit & (C_MINUTES | C_DECISIONS))
        return cmd_record(argc - 1, argv + 1, cmd);
    if (cmd->bit == C_BUILD) return cmd_build(argc - 1, argv + 1, cmd);
    if (cmd->bit & (C_HYPH | C_FONTS)) return cmd_shipped(argc - 1, argv + 1, cmd);
    return cmd_watch(argc - 1, argv + 1, cmd);
}
