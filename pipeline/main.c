/* main.c — the quire command line: parses arguments, calls the orchestrator
 * for the command, prints diagnostics once, and maps the outcome to the exit
 * codes of DESIGN.md (0 ok, 1 input error, 2 usage, 3 output/system error).
 */
#include "quire/derive.h"
#include "quire/diag.h"
#include "quire/expand.h"
#include "quire/load.h"
#include "quire/pack.h"
#include "quire/build.h"
#include "quire/watch.h"
#include "quire/render.h"
#include "quire/util.h"
#include "quire/version.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <malloc.h>
#include <string.h>

#ifndef QUIRE_VERSION
#define QUIRE_VERSION "0.1.0"
#endif

static const char USAGE[] =
    "usage: quire COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  render [DATA.json] -t TEMPLATE.md [-s STYLE.json] -o OUT.pdf\n"
    "         render one paper to PDF (DATA is optional: plain Markdown\n"
    "         renders too)\n"
    "  check  [DATA.json] -t TEMPLATE.md [-s STYLE.json] [--dump=md]\n"
    "         validate the data and expand the template; no PDF\n"
    "  pack   MEETING.json -o PACK.pdf [--public] [--draft]\n"
    "         build a meeting's agenda pack: front sheet, agenda, every\n"
    "         paper; --public withholds exempt items (docs/meeting.md)\n"
    "  build  MANIFEST.json [-j N] [--out DIR] [--shard K/N] [--force]\n"
    "         build every paper and pack of a manifest (docs/build.md):\n"
    "         parallel, incremental, one line per job and a summary\n"
    "  watch  [DATA.json] -t TEMPLATE.md [-s STYLE.json] -o OUT.pdf [--open]\n"
    "         [--no-draft]  render, then re-render whenever an input is saved\n"
    "  expand [DATA.json] -t TEMPLATE [--spec]\n"
    "         print the template expansion to stdout; --spec follows the\n"
    "         Mustache spec exactly (HTML escaping, missing names empty)\n"
    "\n"
    "options:\n"
    "  -t, --template FILE   the Markdown (Mustache) template\n"
    "  -s, --style FILE      house style JSON (default: built-in council style)\n"
    "  -o, --output FILE     the PDF to write (atomically)\n"
    "      --dump=md|doc|pages  print the expanded Markdown, the document\n"
    "                        tree or the display list to stdout\n"
    "      --no-strict       missing template names render empty\n"
    "      --draft           (render, pack) stamp DRAFT on every page\n"
    "      --pdfa            (render) write PDF/A-2b for archiving\n"
    "      --lang=TAG        (render) document language, e.g. cy (default\n"
    "                        the style's, en-GB)\n"
    "      --spec            (expand) follow the Mustache spec exactly\n"
    "  -h, --help            this help\n"
    "      --version         print the version\n"
    "\n"
    "exit status: 0 ok, 1 input error, 2 usage error, 3 output or system error\n";

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "quire: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'quire --help'.\n");
    return QR_EUSAGE;
}

#define QR_STR_(x) #x
#define QR_STR(x) QR_STR_(x)

/* Bounds of the numeric options. More workers than this only queue on the
 * CPUs (and each costs a process and a pipe); more shards than this is no
 * CI system's job matrix. */
#define MAX_JOBS 1024
#define MAX_SHARDS 1000

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

typedef struct args {
    const char *data, *tpl, *style, *out;
    qr_dump dump;
    int strict, spec;
    int pdfa;
    const char *lang;
    int draft;
} args;

static int parse_args(int argc, char **argv, args *a, const char *cmd)
{
    static const struct option longopts[] = {
        {"template", required_argument, NULL, 't'},
        {"style", required_argument, NULL, 's'},
        {"output", required_argument, NULL, 'o'},
        {"dump", required_argument, NULL, 'D'},
        {"no-strict", no_argument, NULL, 'N'},
        {"spec", no_argument, NULL, 'S'},
        {"pdfa", no_argument, NULL, 'A'},
        {"lang", required_argument, NULL, 'L'},
        {"draft", no_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    memset(a, 0, sizeof *a);
    a->strict = 1;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "t:s:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 't': a->tpl = optarg; break;
        case 's': a->style = optarg; break;
        case 'o': a->out = optarg; break;
        case 'N': a->strict = 0; break;
        case 'S': a->spec = 1; break;
        case 'A': a->pdfa = 1; break;
        case 'L': a->lang = optarg; break;
        case 'R': a->draft = 1; break;
        case 'D':
            if (strcmp(optarg, "md") == 0) a->dump = QR_DUMP_MD;
            else if (strcmp(optarg, "doc") == 0) a->dump = QR_DUMP_DOC;
            else if (strcmp(optarg, "pages") == 0) a->dump = QR_DUMP_PAGES;
            else return usage_error("--dump takes md, doc or pages, not '%s'", optarg);
            break;
        case 'h': fputs(USAGE, stdout); exit(0);
        case '?':
            if (optopt) {
                char o[2] = {(char)optopt, 0};
                return usage_error("option -%s needs a value or is unknown", o);
            }
            return usage_error("unknown option '%s'", argv[optind - 1]);
        default: return usage_error("bad option %s", argv[optind - 1]);
        }
    }
    if (optind < argc) a->data = argv[optind++];
    if (optind < argc) return usage_error("unexpected argument '%s'", argv[optind]);
    if (!a->tpl) return usage_error("%s needs a template: -t TEMPLATE.md", cmd);
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
        if (!a->spec && (qr_data_validate(data, d) > 0 || qr_derive_run(data, d) > 0)) {
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

/* quire pack MEETING.json -o PACK.pdf [--public] */
static int cmd_pack(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"public", no_argument, NULL, 'P'},
        {"draft", no_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    qr_pack_req req = {0};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': req.out_path = optarg; break;
        case 'P': req.public_pack = 1; break;
        case 'R': req.draft = 1; break;
        case 'h': fputs(USAGE, stdout); exit(0);
        default: return usage_error("pack: bad option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) req.meeting_path = argv[optind++];
    if (optind < argc) return usage_error("unexpected argument '%s'", argv[optind]);
    if (!req.meeting_path) return usage_error("%s needs a meeting file: pack MEETING.json -o PACK.pdf", "pack");
    if (!req.out_path) return usage_error("%s needs an output: -o PACK.pdf", "pack");
    qr_diags *d = qr_diags_new();
    int status = qr_pack_build(&req, d, NULL);
    return finish(d, status);
}

/* quire build MANIFEST.json [-j N] [--out DIR] [--shard K/N] [--force] */
static int cmd_build(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"jobs", required_argument, NULL, 'j'},
        {"out", required_argument, NULL, 'O'},
        {"shard", required_argument, NULL, 'K'},
        {"force", no_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    qr_build_opts o = {.log = stderr, .version = QUIRE_VERSION};
    optind = 1;
    opterr = 0;
    int c;
    const char *slash;
    while ((c = getopt_long(argc, argv, "j:h", longopts, NULL)) != -1) {
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
        case 'h': fputs(USAGE, stdout); exit(0);
        default: return usage_error("build: bad option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) o.manifest_path = argv[optind++];
    if (optind < argc) return usage_error("unexpected argument '%s'", argv[optind]);
    if (!o.manifest_path) return usage_error("%s needs a manifest: build MANIFEST.json", "build");
    qr_diags *d = qr_diags_new();
    int status = qr_build_run(&o, d, NULL);
    return finish(d, status);
}

/* quire watch [DATA.json] -t TEMPLATE.md [-s STYLE] -o OUT.pdf [--open] */
static int cmd_watch(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"template", required_argument, NULL, 't'},
        {"style", required_argument, NULL, 's'},
        {"output", required_argument, NULL, 'o'},
        {"open", no_argument, NULL, 'P'},
        {"draft", no_argument, NULL, 'R'},
        {"no-draft", no_argument, NULL, 'r'},
        {"no-strict", no_argument, NULL, 'N'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    qr_watch_opts o = {.strict = 1, .draft = 1, .log = stderr};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "t:s:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 't': o.template_path = optarg; break;
        case 's': o.style_path = optarg; break;
        case 'o': o.out_path = optarg; break;
        case 'P': o.open = 1; break;
        case 'R': o.draft = 1; break;
        case 'r': o.draft = 0; break;
        case 'N': o.strict = 0; break;
        case 'h': fputs(USAGE, stdout); exit(0);
        default: return usage_error("watch: bad option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) o.data_path = argv[optind++];
    if (optind < argc) return usage_error("unexpected argument '%s'", argv[optind]);
    if (!o.template_path) return usage_error("%s needs a template: -t TEMPLATE.md", "watch");
    if (!o.out_path) return usage_error("%s needs an output: -o OUT.pdf", "watch");
    /* tests stop the loop after a known number of renders */
    const char *max = getenv("QUIRE_WATCH_MAX_RENDERS");
    if (max && *max) o.max_renders = atoi(max);
    return qr_watch_run(&o);
}

/* A run allocates and frees buffers of hundreds of kilobytes (page
 * content, font subsets, deflate output, the hyphenation image). By default
 * glibc hands each one over 128 KB a fresh mapping and returns it to the
 * kernel when freed, so every such buffer costs its pages' faults again;
 * faults were a fifth of a short paper's time (issue 10). Serving them from
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
        fputs(USAGE, stderr);
        return QR_EUSAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
        strcmp(cmd, "help") == 0) {
        fputs(USAGE, stdout);
        return QR_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        qr_version_print(stdout, QUIRE_VERSION);
        return fflush(stdout) == 0 ? QR_OK : QR_EOUTPUT;
    }
    args a;
    int bad;
    if (strcmp(cmd, "render") == 0 || strcmp(cmd, "check") == 0) {
        if ((bad = parse_args(argc - 1, argv + 1, &a, cmd))) return bad;
        int render = strcmp(cmd, "render") == 0;
        if (render && !a.out && a.dump == QR_DUMP_NONE)
            return usage_error("%s needs an output: -o OUT.pdf", cmd);
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
        };
        qr_diags *d = qr_diags_new();
        int status = qr_render(&req, d);
        return finish(d, status);
    }
    if (strcmp(cmd, "pack") == 0) return cmd_pack(argc - 1, argv + 1);
    if (strcmp(cmd, "build") == 0) return cmd_build(argc - 1, argv + 1);
    if (strcmp(cmd, "watch") == 0) return cmd_watch(argc - 1, argv + 1);
    if (strcmp(cmd, "expand") == 0) {
        if ((bad = parse_args(argc - 1, argv + 1, &a, cmd))) return bad;
        return cmd_expand(&a);
    }
    return usage_error("unknown command '%s' (expected render, check, expand, pack, build or watch)", cmd);
}
