/* pack.c — the agenda pack orchestrator.
 *
 * In: a meeting file (docs/meeting.md) naming the council, committee, date,
 * membership, contact officer and the items in order; each item is a paper
 * (data + template + style, prepared by render.c's qr_paper_prepare) or a
 * standing item with short text. Out: one PDF — front sheet (the notice of
 * meeting), agenda, then every paper — or diagnostics and no file at all.
 *
 * The front sheet, agenda and exempt notices are templates (templates/pack/,
 * or the council's own) expanded against a view of the meeting, and
 * sent through the same parse and layout stages as any paper: no drawing
 * code here. The agenda prints the page each paper starts on, which depends
 * on the agenda's own length, so the parts are laid out in a bounded fixed
 * point: lay out with the current guesses, count, repeat until
 * every start page and the total stay put. The display lists are then joined
 * (qr_pages_append) under one structure tree with a Sect per part.
 *
 * Public packs (Local Government Act 1972, s.100B and Schedule 12A): an
 * exempt item keeps its agenda line, but its paper is replaced by a notice
 * quoting the Schedule 12A paragraph. The exempt paper's files are never
 * opened — not read, expanded or laid out — so nothing of them can reach the
 * file: the only guarantee that survives future changes to later stages.
 *
 * Supplementary agendas: a paper marked as published late is "to follow"
 * on the pack's agenda and its files are not opened; --supplement N makes
 * a document of the items marked for N alone, its front sheet from
 * supplement.md, its page numbers continuing from the pack's (counted by
 * building the pack without writing it) or running S1, S2 ….
 */
#include "quire/pack.h"
#include "quire/html.h"

#include "quire/derive.h"
#include "quire/expand.h"
#include "quire/fonts.h"
#include "quire/input.h"
#include "quire/layout.h"
#include "quire/load.h"
#include "quire/parse.h"
#include "quire/pdf.h"
#include "quire/render.h"
#include "quire/style.h"
#include "quire/util.h"
#include "pack_templates.h"

#include "pack_appendix.h"   /* appendices: PDFs and papers */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Layout changes the agenda at most a few times (page numbers grow by a
 * digit); more passes than this means the numbers oscillate. */
#define MAX_PASSES 5
#define MAX_ITEM_NUMBER 32          /* bytes of an item number ("12a") */
#define MAX_SCHEDULE_PARAGRAPH 7

/* Names later stages use for the generated Markdown in diagnostics. */
static const char FRONT_NAME[] = "(pack front sheet and agenda)";
static const char NOTICE_NAME[] = "(exempt notice)";

/* Part 1 of Schedule 12A to the Local Government Act 1972, paragraphs 1-7
 * (as substituted by the Local Government (Access to Information)
 * (Variation) Order 2006). */
static const char *const SCHEDULE_12A[MAX_SCHEDULE_PARAGRAPH + 1] = {
    NULL,
    "Information relating to any individual.",
    "Information which is likely to reveal the identity of an individual.",
    "Information relating to the financial or business affairs of any "
    "particular person (including the authority holding that information).",
    "Information relating to any consultations or negotiations, or "
    "contemplated consultations or negotiations, in connection with any "
    "labour relations matter arising between the authority or a Minister of "
    "the Crown and employees of, or office holders under, the authority.",
    "Information in respect of which a claim to legal professional privilege "
    "could be maintained in legal proceedings.",
    "Information which reveals that the authority proposes (a) to give under "
    "any enactment a notice under or by virtue of which requirements are "
    "imposed on a person; or (b) to make an order or direction under any "
    "enactment.",
    "Information relating to any action taken or to be taken in connection "
    "with the prevention, investigation or prosecution of crime.",
};

/* ---- the meeting ---- */

typedef struct item {
    int index;                  /* in /items */
    char number[MAX_ITEM_NUMBER];
    char anchor[MAX_ITEM_NUMBER + 8];  /* "item-5" */
    const char *title, *lead;   /* borrowed from the meeting tree */
    const cJSON *standing;      /* text: string or array of strings */
    char *data_path, *tpl_path, *style_path;   /* resolved; NULL if none */
    int exempt;                 /* Schedule 12A paragraph, 0 = open */
    const char *reason;
    int late;                   /* supplement it is published in; 0 = the
                                   main pack */
    const char *late_date, *late_reason;   /* "published", "late_reason" */
    /* building */
    int withheld;               /* public pack: notice instead of paper */
    qr_paper *paper;
    qr_doc *notice;
    qr_pages *pages;            /* the latest layout */
    qr_diags *warnings;         /* of the latest layout */
    int laid_first, laid_total; /* numbers `pages` was laid out with */
    int first, npages;          /* start page in the pack, page count */
    int npaper;                 /* of which the paper's own (no appendices) */
    char *html;                 /* HTML pack: the item's page */
    size_t html_len;
    qr_pack_appxs appx;         /* its appendices, PDF or paper */
} item;

typedef struct pack {
    const qr_pack_req *req;
    qr_diags *d;
    qr_data *mdata;
    char *dir;                  /* the meeting file's directory, "" = cwd */
    const char *council, *committee, *date, *time, *venue, *published;
    const cJSON *membership, *contact, *issued_by;
    char *style_path;
    char *tpl_dir;              /* the council's pack templates, or NULL */
    char date_long[64], day_date[96], time_text[32];
    char *meeting_line;   /* "Cabinet – 21 June 2018": as long as it needs */
    item *items;
    size_t nitems;
    int has_exempt;             /* of the items this document shows */
    const char *supp_date;      /* a supplement's: its latest "published" */
    int base;                   /* pages before ours: the main pack's for a
                                   supplement, else 0 */
    int total;                  /* our last page number, once settled */
    const char *page_prefix;    /* "S" for a supplement numbered S1, S2 …;
                                   NULL = plain numbers */
    char agenda_title[48];      /* "Supplementary agenda 2" */
    qr_style style;             /* the pack's house style */
    qr_style fm_style;          /* the same, numbering off: our own parts */
    qr_fonts *fonts;
    /* the front sheet and agenda */
    qr_doc *fm_doc;
    qr_pages *fm_pages;
    qr_diags *fm_warnings;
    char **plan_name, **plan_title;   /* per generated heading */
    int *plan_level;
    size_t nplan, cplan;
    /* files read */
    char **files;
    size_t nfiles, cfiles;
    qr_inputs *inputs;          /* every file read, as read (input.h) */
    /* public packs: what open items may not read */
    struct withheld *wh;
    size_t nwh, cwh;
    /* HTML pack: the appendices' own files (pages and PDF copies) */
    struct html_file *appx_files;
    size_t nappx_files, cappx_files;
    long long epoch;            /* the PDFs' dates (pack_meta); LLONG_MIN:
                                   not asked for yet */
} pack;

/* One file of an HTML pack beside the items' pages: a paper appendix's
 * page or a PDF appendix's copy. */
typedef struct html_file {
    char *name;                 /* in the pack's folder */
    char *bytes;
    size_t len;
} html_file;

static void add_file(pack *pk, const char *path)
{
    if (!path) return;
    for (size_t i = 0; i < pk->nfiles; i++)
        if (strcmp(pk->files[i], path) == 0) return;
    QR_GROW(pk->files, pk->nfiles + 1, pk->cfiles, 16);
    pk->files[pk->nfiles++] = qr_xstrdup(path);
    pk->files[pk->nfiles] = NULL;
}

void qr_pack_files_free(char **files)
{
    if (!files) return;
    for (char **f = files; *f; f++) free(*f);
    free(files);
}

/* A path in the meeting file is relative to the meeting file. */
static char *resolve(const pack *pk, const char *rel)
{
    if (rel[0] == '/' || !pk->dir[0]) return qr_xstrdup(rel);
    return qr_xasprintf("%s/%s", pk->dir, rel);
}

/* ---- validation ---- */

static void err(pack *pk, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void err(pack *pk, const char *path, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    qr_data_diag(pk->mdata, pk->d, QR_ERROR, path, "%s", msg);
}

/* Members of obj not in `known` (NULL-terminated) are errors, not warnings:
 * a misspelt key is silently ignored, and a misspelt "exempt" would publish
 * an exempt paper. A near miss is named ("did you mean 'exempt'?"). */
static void unknown_fields(pack *pk, const cJSON *obj, const char *path,
                           const char *const *known)
{
    qr_json_unknown_fields(pk->mdata, obj, path, known, pk->d);
}

/* A string member; NULL (with an error when required) if missing, empty or
 * of the wrong type. */
static const char *str_field(pack *pk, const cJSON *obj, const char *path,
                             const char *key, int required)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char *p = qr_xasprintf("%s/%s", path, key);
    const char *s = NULL;
    if (!v || cJSON_IsNull(v)) {
        if (required) err(pk, path[0] ? path : "", "missing required field '%s'", key);
    } else if (!cJSON_IsString(v)) {
        err(pk, p, "'%s' must be a string, found %s", key, qr_json_type_name(v));
    } else if (!v->valuestring[0] && required) {
        err(pk, p, "'%s' must not be empty", key);
    } else {
        s = v->valuestring;
    }
    free(p);
    return s;
}

/* "HH:MM" 24-hour into GOV.UK style: "6pm", "10:30am", "midday". */
static bool format_time(const char *t, char *out, size_t n)
{
    int h, m;
    char tail;
    if (strlen(t) != 5 || t[2] != ':' || !isdigit((unsigned char)t[0]) ||
        sscanf(t, "%2d:%2d%c", &h, &m, &tail) != 2 || h > 23 || m > 59)
        return false;
    if (h == 12 && m == 0) snprintf(out, n, "midday");
    else if (h == 0 && m == 0) snprintf(out, n, "midnight");
    else if (m == 0) snprintf(out, n, "%d%s", h % 12 ? h % 12 : 12, h < 12 ? "am" : "pm");
    else snprintf(out, n, "%d:%02d%s", h % 12 ? h % 12 : 12, m, h < 12 ? "am" : "pm");
    return true;
}

/* Days from 1970-01-01 of a date already validated, for the weekday and
 * the PDF creation date. */
static long long iso_days(const char *iso)
{
    long long days = 0;
    qr_iso_days(iso, &days);
    return days;
}

static const char *weekday(const char *iso)
{
    static const char *const names[] = {"Thursday", "Friday", "Saturday",
                                        "Sunday", "Monday", "Tuesday",
                                        "Wednesday"};
    long long k = iso_days(iso) % 7;
    return names[k < 0 ? k + 7 : k];
}

/* An ISO date member; NULL after an error. */
static const char *date_field(pack *pk, const cJSON *obj, const char *key,
                              int required, char *long_out, size_t n)
{
    const char *s = str_field(pk, obj, "", key, required);
    if (!s) return NULL;
    if (!qr_format_date_long(s, long_out, n)) {
        char *p = qr_xasprintf("/%s", key);
        err(pk, p, "'%s' is not a valid date (expected YYYY-MM-DD, e.g. "
                   "2025-10-15)", s);
        free(p);
        return NULL;
    }
    return s;
}

static void check_people(pack *pk)
{
    static const char *const mem_known[] = {"chair", "vice_chair", "members",
                                            NULL};
    static const char *const person_known[] = {"name", "role", "phone",
                                               "email", NULL};
    const cJSON *m = pk->membership;
    if (!m) {
        err(pk, "", "missing required field 'membership'");
    } else if (!cJSON_IsObject(m)) {
        err(pk, "/membership", "'membership' must be an object, found %s",
            qr_json_type_name(m));
    } else {
        unknown_fields(pk, m, "/membership", mem_known);
        str_field(pk, m, "/membership", "chair", 0);
        str_field(pk, m, "/membership", "vice_chair", 0);
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(m, "members");
        if (!list) {
            err(pk, "/membership", "missing required field 'members'");
        } else if (!cJSON_IsArray(list)) {
            err(pk, "/membership/members",
                "'members' must be an array of names, found %s",
                qr_json_type_name(list));
        } else {
            int i = 0;
            const cJSON *e;
            cJSON_ArrayForEach(e, list) {
                char p[64];
                snprintf(p, sizeof p, "/membership/members/%d", i++);
                if (cJSON_IsString(e) && e->valuestring[0]) continue;
                if (cJSON_IsObject(e)) {
                    static const char *const member_known[] = {"name",
                                                               "role", NULL};
                    unknown_fields(pk, e, p, member_known);
                    str_field(pk, e, p, "name", 1);
                    str_field(pk, e, p, "role", 0);
                    continue;
                }
                err(pk, p, "a member must be a name or {\"name\", \"role\"}, "
                           "found %s", qr_json_type_name(e));
            }
        }
    }
    const cJSON *c = pk->contact;
    if (!c) {
        err(pk, "", "missing required field 'contact'");
    } else if (!cJSON_IsObject(c)) {
        err(pk, "/contact", "'contact' must be an object, found %s",
            qr_json_type_name(c));
    } else {
        unknown_fields(pk, c, "/contact", person_known);
        str_field(pk, c, "/contact", "name", 1);
        str_field(pk, c, "/contact", "role", 0);
        str_field(pk, c, "/contact", "phone", 0);
        const char *email = str_field(pk, c, "/contact", "email", 0);
        if (email && (strpbrk(email, " <>()[]\\") || !strchr(email, '@')))
            err(pk, "/contact/email", "'%s' is not an email address", email);
    }
    const cJSON *ib = pk->issued_by;
    if (ib && !cJSON_IsObject(ib)) {
        err(pk, "/issued_by", "'issued_by' must be an object, found %s",
            qr_json_type_name(ib));
    } else if (ib) {
        unknown_fields(pk, ib, "/issued_by", person_known);
        str_field(pk, ib, "/issued_by", "name", 1);
        str_field(pk, ib, "/issued_by", "role", 0);
    }
}

/* A paper published after the agenda: "published" (its date), optional
 * "supplement" (which supplementary agenda, 1 when absent) and
 * "late_reason". The main pack prints it "to follow"; --supplement N
 * builds the papers marked for N. */
static void check_late(pack *pk, const cJSON *o, item *it, const char *path,
                       int has_paper)
{
    char p[96], long_date[64];
    const char *date = str_field(pk, o, path, "published", 0);
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, "supplement");
    it->late_reason = str_field(pk, o, path, "late_reason", 0);
    snprintf(p, sizeof p, "%s/supplement", path);
    if (n && !date)
        err(pk, p, "'supplement' needs the date the paper is published "
                   "('published')");
    if (n && (!cJSON_IsNumber(n) || n->valuedouble != (double)n->valueint ||
              n->valueint < 1 || n->valueint > 99)) {
        err(pk, p, "'supplement' must be a whole number from 1 to 99");
        return;
    }
    if (!date) {
        if (it->late_reason)
            err(pk, path, "'late_reason' needs the date the paper is "
                          "published late ('published')");
        return;
    }
    snprintf(p, sizeof p, "%s/published", path);
    if (!qr_format_date_long(date, long_date, sizeof long_date)) {
        err(pk, p, "'%s' is not a valid date (expected YYYY-MM-DD, e.g. "
                   "2018-06-19)", date);
        return;
    }
    if (!has_paper) {
        err(pk, p, "only a paper can be published late: a standing item "
                   "is printed on the agenda");
        return;
    }
    it->late_date = date;
    it->late = n ? n->valueint : 1;
}

/* An item in a supplement for its appendices published late on their
 * own: its paper is in the pack, the supplement shows only them. */
static bool appx_only(const pack *pk, const item *it)
{
    return pk->req->supplement && it->late != pk->req->supplement &&
           qr_pack_appx_late_in(&it->appx, pk->req->supplement);
}

/* Which items this document holds: the main pack lists every item, the
 * papers of those published with the agenda; a supplement lists and
 * holds only its own, and the items whose late appendices it carries. */
static bool shown(const pack *pk, const item *it)
{
    return !pk->req->supplement || it->late == pk->req->supplement ||
           appx_only(pk, it);
}

/* Is the item's paper (with the appendices published with it) here? */
static bool has_pages(const pack *pk, const item *it)
{
    return !it->standing && shown(pk, it) && !appx_only(pk, it) &&
           (pk->req->supplement || !it->late);
}

static void check_item(pack *pk, const cJSON *o, item *it)
{
    static const char *const known[] = {"number", "title", "lead", "paper",
                                        "standing", "exempt", "appendices",
                                        "published", "supplement",
                                        "late_reason", NULL};
    static const char *const paper_known[] = {"data", "template", "style",
                                              NULL};
    char path[64];
    snprintf(path, sizeof path, "/items/%d", it->index);
    if (!cJSON_IsObject(o)) {
        err(pk, path, "an item must be an object, found %s", qr_json_type_name(o));
        return;
    }
    unknown_fields(pk, o, path, known);
    char p[128];
    const cJSON *num = cJSON_GetObjectItemCaseSensitive(o, "number");
    snprintf(p, sizeof p, "%s/number", path);
    if (!num) {
        err(pk, path, "missing required field 'number'");
    } else if (cJSON_IsNumber(num)) {
        if (num->valuedouble < 1 || num->valuedouble != (double)num->valueint)
            err(pk, p, "an item number must be a whole number from 1, or a "
                       "string such as \"5a\"");
        else snprintf(it->number, sizeof it->number, "%d", num->valueint);
    } else if (cJSON_IsString(num)) {
        const char *s = num->valuestring;
        size_t n = strlen(s);
        int ok = n > 0 && n < sizeof it->number;
        for (size_t i = 0; ok && i < n; i++)
            ok = isalnum((unsigned char)s[i]) || s[i] == '.';
        if (ok) memcpy(it->number, s, n + 1);
        else err(pk, p, "item number '%s' must be letters, digits and dots "
                        "(e.g. \"5a\")", s);
    } else {
        err(pk, p, "'number' must be a number or a string, found %s",
            qr_json_type_name(num));
    }
    if (it->number[0]) {
        snprintf(it->anchor, sizeof it->anchor, "item-%s", it->number);
        for (char *c = it->anchor; *c; c++)
            if (*c == '.') *c = '-';
    }
    it->title = str_field(pk, o, path, "title", 1);
    it->lead = str_field(pk, o, path, "lead", 0);

    const cJSON *paper = cJSON_GetObjectItemCaseSensitive(o, "paper");
    const cJSON *standing = cJSON_GetObjectItemCaseSensitive(o, "standing");
    if (paper && standing) {
        err(pk, path, "an item has either 'paper' or 'standing', not both");
    } else if (!paper && !standing) {
        err(pk, path, "an item needs a 'paper' {\"data\", \"template\"} or a "
                      "'standing' {\"text\"}");
    } else if (paper) {
        snprintf(p, sizeof p, "%s/paper", path);
        if (!cJSON_IsObject(paper)) {
            err(pk, p, "'paper' must be an object, found %s",
                qr_json_type_name(paper));
        } else {
            unknown_fields(pk, paper, p, paper_known);
            const char *tpl = str_field(pk, paper, p, "template", 1);
            const char *data = str_field(pk, paper, p, "data", 0);
            const char *style = str_field(pk, paper, p, "style", 0);
            if (tpl) it->tpl_path = resolve(pk, tpl);
            if (data) it->data_path = resolve(pk, data);
            if (style) it->style_path = resolve(pk, style);
        }
    } else {
        snprintf(p, sizeof p, "%s/standing", path);
        if (!cJSON_IsObject(standing)) {
            err(pk, p, "'standing' must be an object, found %s",
                qr_json_type_name(standing));
        } else {
            static const char *const st_known[] = {"text", NULL};
            unknown_fields(pk, standing, p, st_known);
            const cJSON *t = cJSON_GetObjectItemCaseSensitive(standing, "text");
            int ok = cJSON_IsString(t) && t->valuestring[0];
            if (cJSON_IsArray(t)) {
                ok = cJSON_GetArraySize(t) > 0;
                const cJSON *e;
                cJSON_ArrayForEach(e, t) ok = ok && cJSON_IsString(e);
            }
            if (ok) it->standing = t;
            else if (!t) err(pk, p, "missing required field 'text'");
            else {
                snprintf(p, sizeof p, "%s/standing/text", path);
                err(pk, p, "'text' must be a string or an array of strings "
                           "(paragraphs)");
            }
        }
    }

    qr_pack_appx_check(&it->appx,
                       cJSON_GetObjectItemCaseSensitive(o, "appendices"), path,
                       paper != NULL, pk->mdata, pk->dir, pk->d);
    check_late(pk, o, it, path, paper != NULL);

    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(o, "exempt");
    snprintf(p, sizeof p, "%s/exempt", path);
    if (ex && !cJSON_IsNull(ex)) {
        if (!cJSON_IsObject(ex)) {
            err(pk, p, "'exempt' must be null or an object {\"paragraph\", "
                       "\"reason\"}, found %s", qr_json_type_name(ex));
            return;
        }
        static const char *const ex_known[] = {"paragraph", "reason", NULL};
        unknown_fields(pk, ex, p, ex_known);
        const cJSON *para = cJSON_GetObjectItemCaseSensitive(ex, "paragraph");
        char pp[160];
        snprintf(pp, sizeof pp, "%s/paragraph", p);
        if (!para) {
            err(pk, p, "missing required field 'paragraph'");
        } else if (!cJSON_IsNumber(para) ||
                   para->valuedouble != (double)para->valueint) {
            err(pk, pp, "'paragraph' must be a whole number 1 to 7");
        } else if (para->valueint < 1 ||
                   para->valueint > MAX_SCHEDULE_PARAGRAPH) {
            err(pk, pp, "paragraph %d does not exist (Schedule 12A has "
                        "paragraphs 1 to 7)", para->valueint);
        } else {
            it->exempt = para->valueint;
        }
        it->reason = str_field(pk, ex, p, "reason", 1);
        if (!it->reason) it->exempt = 0;
    }
}

/* The folder of the council's own pack templates: it must exist and hold
 * at least one of them, or a misspelt file name would silently leave the
 * built-in one in use. */
static const char *const PART_NAMES[] = {"front-sheet.md", "agenda.md",
                                         "exempt-notice.md", "supplement.md",
                                         NULL};

static void check_templates(pack *pk, const char *rel)
{
    if (!rel) return;
    pk->tpl_dir = resolve(pk, rel);
    struct stat sb;
    if (stat(pk->tpl_dir, &sb) != 0) {
        err(pk, "/templates", "templates folder '%s': %s", pk->tpl_dir,
            strerror(errno));
        return;
    }
    if (!S_ISDIR(sb.st_mode)) {
        err(pk, "/templates", "templates folder '%s' is not a folder",
            pk->tpl_dir);
        return;
    }
    int found = 0;
    for (const char *const *n = PART_NAMES; *n; n++) {
        char *p = qr_xasprintf("%s/%s", pk->tpl_dir, *n);
        found += stat(p, &sb) == 0;
        free(p);
    }
    if (!found)
        err(pk, "/templates", "templates folder '%s' holds none of the "
                              "pack's templates (front-sheet.md, agenda.md, "
                              "exempt-notice.md, supplement.md)", pk->tpl_dir);
}

/* An item's appendices published late on their own: after the agenda,
 * and not of a late item (they are late with it). Counts those of
 * supplement `wanted` in *found and dates the supplement by its latest. */
static void check_late_appendices(pack *pk, item *it, int wanted, int *found)
{
    for (size_t k = 0; k < it->appx.n; k++) {
        const qr_pack_appx *x = &it->appx.v[k];
        if (!x->late) continue;
        char a[64], b[64];
        if (it->late) {
            err(pk, x->late_ptr, "item %s, appendix %s: the item is published "
                                 "late, and its appendices with it; remove "
                                 "the appendix's 'published'",
                it->number, x->letter);
            continue;
        }
        if (pk->published && strcmp(x->late_date, pk->published) < 0) {
            qr_format_date_long(x->late_date, a, sizeof a);
            qr_format_date_long(pk->published, b, sizeof b);
            err(pk, x->late_ptr, "item %s, appendix %s is published late on "
                                 "%s, before the agenda (%s): a late appendix "
                                 "follows the agenda; correct the date, or "
                                 "remove 'published' to put it in the pack",
                it->number, x->letter, a, b);
        }
        if (!wanted || x->late != wanted) continue;
        (*found)++;
        if (!pk->supp_date || strcmp(x->late_date, pk->supp_date) > 0)
            pk->supp_date = x->late_date;
    }
    /* the supplement shows the appendices it publishes, the pack those
     * published with the item */
    it->appx.shows = appx_only(pk, it) ? wanted : 0;
}

/* Late papers follow the agenda, so none is published before it; the
 * supplement asked for must have papers, and is dated by its latest. */
static void check_supplement(pack *pk)
{
    int wanted = pk->req->supplement, found = 0;
    for (size_t i = 0; i < pk->nitems; i++) {
        item *it = &pk->items[i];
        check_late_appendices(pk, it, wanted, &found);
        if (it->late && pk->published &&
            strcmp(it->late_date, pk->published) < 0) {
            char p[64], a[64], b[64];
            snprintf(p, sizeof p, "/items/%d/published", it->index);
            qr_format_date_long(it->late_date, a, sizeof a);
            qr_format_date_long(pk->published, b, sizeof b);
            err(pk, p, "item %s is published late on %s, before the agenda "
                       "(%s): a late paper follows the agenda; correct the "
                       "date, or remove 'published' to put it in the pack",
                it->number, a, b);
        }
        if (shown(pk, it) && it->exempt) pk->has_exempt = 1;
        if (!wanted || it->late != wanted) continue;
        found++;
        if (!pk->supp_date || strcmp(it->late_date, pk->supp_date) > 0)
            pk->supp_date = it->late_date;
    }
    if (wanted && !found)
        err(pk, "/items", "no item or appendix is published late in "
                          "supplement %d: mark its items or appendices with "
                          "\"published\" (and \"supplement\": %d)",
            wanted, wanted);
}

/* How a supplement's pages are numbered: on from the pack's last page
 * ("continue", the default: one run of numbers for the meeting's papers)
 * or S1, S2 … ("separate": the supplement can be printed before the pack
 * is final). */
static void check_numbering(pack *pk, const char *how)
{
    if (!how || strcmp(how, "continue") == 0) return;
    if (strcmp(how, "separate") == 0) {
        if (pk->req->supplement) pk->page_prefix = "S";
        return;
    }
    err(pk, "/supplement_numbering", "'%s' is not a way of numbering a "
                                     "supplement: \"continue\" (on from the "
                                     "pack, the default) or \"separate\" "
                                     "(S1, S2 …)", how);
}

/* Read and check the meeting file; every problem is reported. false
 * after adding errors. */
static bool load_meeting(pack *pk)
{
    static const char *const known[] = {
        "council", "committee", "date", "time", "venue", "membership",
        "contact", "style", "items", "published", "issued_by", "templates",
        "supplement_numbering",
        /* the minutes' (proceedings.c): not the pack's business */
        "proceedings", NULL};
    pk->mdata = qr_data_load(pk->req->meeting_path, pk->d);
    if (!pk->mdata) return false;
    add_file(pk, pk->req->meeting_path);
    size_t before = qr_diags_count(pk->d, QR_ERROR);
    const cJSON *root = qr_data_root(pk->mdata);
    unknown_fields(pk, root, "", known);
    pk->council = str_field(pk, root, "", "council", 1);
    pk->committee = str_field(pk, root, "", "committee", 1);
    pk->date = date_field(pk, root, "date", 1, pk->date_long,
                          sizeof pk->date_long);
    pk->time = str_field(pk, root, "", "time", 1);
    if (pk->time && !format_time(pk->time, pk->time_text, sizeof pk->time_text)) {
        err(pk, "/time", "'%s' is not a time (expected HH:MM, 24-hour, e.g. "
                         "18:00)", pk->time);
        pk->time = NULL;
    }
    pk->venue = str_field(pk, root, "", "venue", 1);
    char pub_long[64];
    pk->published = date_field(pk, root, "published", 0, pub_long,
                               sizeof pub_long);
    pk->membership = cJSON_GetObjectItemCaseSensitive(root, "membership");
    pk->contact = cJSON_GetObjectItemCaseSensitive(root, "contact");
    pk->issued_by = cJSON_GetObjectItemCaseSensitive(root, "issued_by");
    check_people(pk);
    const char *style = str_field(pk, root, "", "style", 0);
    if (style) pk->style_path = resolve(pk, style);
    check_templates(pk, str_field(pk, root, "", "templates", 0));
    check_numbering(pk, str_field(pk, root, "", "supplement_numbering", 0));

    const cJSON *items = cJSON_GetObjectItemCaseSensitive(root, "items");
    if (!items) {
        err(pk, "", "missing required field 'items'");
    } else if (!cJSON_IsArray(items) || cJSON_GetArraySize(items) == 0) {
        err(pk, "/items", "'items' must be a non-empty array of agenda items");
    } else {
        pk->nitems = (size_t)cJSON_GetArraySize(items);
        pk->items = qr_xcalloc(pk->nitems, sizeof *pk->items);
        int i = 0;
        const cJSON *o;
        cJSON_ArrayForEach(o, items) {
            item *it = &pk->items[i];
            it->index = i++;
            check_item(pk, o, it);
            for (int k = 0; k < it->index && it->number[0]; k++) {
                if (strcmp(pk->items[k].anchor, it->anchor) != 0) continue;
                char p[64];
                snprintf(p, sizeof p, "/items/%d/number", it->index);
                err(pk, p, "item number %s is used twice (first at "
                           "/items/%d)", it->number, k);
                break;
            }
        }
    }
    check_supplement(pk);
    if (qr_diags_count(pk->d, QR_ERROR) > before) return false;
    if (pk->date && pk->time) {
        snprintf(pk->day_date, sizeof pk->day_date, "%s %s",
                 weekday(pk->date), pk->date_long);
    }
    pk->meeting_line = qr_xasprintf("%s \xE2\x80\x93 %s", pk->committee,
                                    pk->date_long);
    return true;
}

/* A full pack that holds exempt items must not be published as a whole:
 * every page says so, the open ones too (their own text is published in
 * the public pack, not this document). */
static bool any_exempt_appendix(const pack *pk)
{
    for (size_t i = 0; i < pk->nitems; i++) {
        const item *it = &pk->items[i];
        if (!it->appx.any_exempt || !(has_pages(pk, it) || appx_only(pk, it)))
            continue;
        for (size_t k = 0; k < it->appx.n; k++)
            if (it->appx.v[k].exempt && it->appx.v[k].late == it->appx.shows)
                return true;
    }
    return false;
}

static bool members_pack(const pack *pk)
{
    return !pk->req->public_pack && (pk->has_exempt ||
                                     any_exempt_appendix(pk));
}

/* ---- the pack's own parts: templates over a view of the meeting ----
 *
 * The front sheet, the agenda and the notice standing for a withheld paper
 * are Mustache templates (templates/pack/, compiled in; a council's own
 * in the folder the meeting file names as `templates`) expanded in Quire
 * mode — every value escaped, so a title can never start a list or a
 * heading — against a view of the meeting built here: the words and
 * numbers as printed (GOV.UK dates and times, the item list, each paper's
 * pages). The view holds nothing but what the meeting file says and the
 * layout counted: no paper is read for it. */

static int check_file(pack *pk, const struct item *o, const qr_pack_appx *ox,
                      const char *path, qr_input_role role, dev_t dev,
                      ino_t ino, int own);

/* A string of the meeting file as one line: a line end or tab in a title
 * would otherwise end the heading it is printed in. */
static cJSON *line_string(const char *s)
{
    char *t = qr_xstrdup(s);
    for (char *c = t; *c; c++)
        if (*c == '\n' || *c == '\r' || *c == '\t') *c = ' ';
    cJSON *v = cJSON_CreateString(t);
    free(t);
    return v;
}

/* A member set to s, or false when s is NULL: a name missing from an
 * object would be looked up in the enclosing ones (an item's "exempt" in
 * the meeting's), so every optional name is present. */
static void view_str(cJSON *o, const char *key, const char *s)
{
    cJSON_AddItemToObject(o, key, s ? line_string(s) : cJSON_CreateFalse());
}

/* A list as the templates see it: {field: "9 and 10", count: 2, several:
 * true}, or false when text is NULL (none). */
static void list_view(cJSON *v, const char *key, const char *field,
                      const char *text, int count)
{
    if (!text) {
        view_str(v, key, NULL);
        return;
    }
    cJSON *o = cJSON_AddObjectToObject(v, key);
    view_str(o, field, text);
    cJSON_AddNumberToObject(o, "count", count);
    cJSON_AddBoolToObject(o, "several", count > 1);
}

/* A late paper's or appendix's date of publication, GOV.UK style, and the
 * reason for lateness: the same two fields for items and appendices. */
static void view_late(cJSON *o, int late, const char *date,
                      const char *reason)
{
    char when[64];
    view_str(o, "published_long",
             late && qr_format_date_long(date, when, sizeof when) ? when
                                                                 : NULL);
    view_str(o, "late_reason", reason);
}

static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

static cJSON *person_view(const cJSON *p)
{
    cJSON *o = cJSON_CreateObject();
    if (cJSON_IsString(p)) {
        view_str(o, "name", p->valuestring);
        view_str(o, "role", NULL);
    } else {
        view_str(o, "name", jstr(p, "name"));
        view_str(o, "role", jstr(p, "role"));
    }
    view_str(o, "phone", jstr(p, "phone"));
    view_str(o, "email", jstr(p, "email"));
    return o;
}

/* The numbers of the exempt items, "9", "9 and 10", "8, 9 and 10". */
static char *exempt_numbers(const pack *pk, int *count)
{
    qr_buf b;
    qr_buf_init(&b);
    int n = 0, k = 0;
    for (size_t i = 0; i < pk->nitems; i++)
        n += pk->items[i].exempt > 0 && shown(pk, &pk->items[i]);
    for (size_t i = 0; i < pk->nitems; i++) {
        if (!pk->items[i].exempt || !shown(pk, &pk->items[i])) continue;
        if (k++) qr_buf_puts(&b, k == n ? " and " : ", ");
        qr_buf_puts(&b, pk->items[i].number);
    }
    *count = n;
    return qr_buf_detach(&b, NULL);
}

/* An exempt appendix this document shows of an open item: the front
 * sheet names it, as it names the exempt items (an exempt item's
 * appendices are exempt with it, and named by its number). */
static bool exempt_appendix_of_open_item(const pack *pk, const item *it,
                                         size_t k)
{
    return !it->exempt && shown(pk, it) && it->appx.v[k].exempt &&
           it->appx.v[k].late == it->appx.shows &&
           (has_pages(pk, it) || appx_only(pk, it));
}

/* The exempt appendices of open items, "Appendix B to item 8",
 * "Appendix B to item 8 and Appendix A to item 9"; NULL when none. */
static char *exempt_appendix_names(const pack *pk, int *count)
{
    int n = 0, done = 0;
    for (size_t i = 0; i < pk->nitems; i++)
        for (size_t k = 0; k < pk->items[i].appx.n; k++)
            n += exempt_appendix_of_open_item(pk, &pk->items[i], k);
    *count = n;
    if (!n) return NULL;
    qr_buf b;
    qr_buf_init(&b);
    for (size_t i = 0; i < pk->nitems; i++)
        for (size_t k = 0; k < pk->items[i].appx.n; k++) {
            if (!exempt_appendix_of_open_item(pk, &pk->items[i], k)) continue;
            if (done++) qr_buf_puts(&b, done == n ? " and " : ", ");
            qr_buf_printf(&b, "Appendix %s to item %s",
                          pk->items[i].appx.v[k].letter, pk->items[i].number);
        }
    return qr_buf_detach(&b, NULL);
}

/* Does the HTML pack show appendix x of item it: opened (a PDF read, a
 * paper prepared) or, in a public pack, withheld with a notice? An
 * exempt item's appendices in a public pack are neither: its notice
 * stands for them. */
static bool html_shows(const item *it, const qr_pack_appx *x)
{
    return x->late == it->appx.shows && (x->doc || x->paper || x->withheld);
}

/* An appendix's name in the pack: "item-8-appendix-A", the anchor of
 * its first page in a PDF pack and its file's name in an HTML pack
 * (pack_appendix.c names its pages' anchors the same way). */
#define APPX_ANCHOR_MAX (sizeof ((item *)0)->anchor + 16)
static void appx_anchor(const item *it, const qr_pack_appx *x,
                        char out[APPX_ANCHOR_MAX])
{
    snprintf(out, APPX_ANCHOR_MAX, "%s-appendix-%s", it->anchor, x->letter);
}

/* The file an appendix has in an HTML pack, "item-8-appendix-A.pdf";
 * NULL for a withheld one, which has none. Caller frees. */
static char *html_appx_name(const item *it, const qr_pack_appx *x)
{
    if (x->withheld) return NULL;
    char a[APPX_ANCHOR_MAX];
    appx_anchor(it, x, a);
    return qr_xasprintf("%s.%s", a, x->doc ? "pdf" : "html");
}

/* What every PDF the pack writes says of itself (the pack, or an HTML
 * pack's copy of a PDF appendix): its title and subject, the council,
 * the language, and the date, asked for once and only when there is a
 * PDF to date (a bad SOURCE_DATE_EPOCH is a warning); a members' pack is
 * readable by its owner only, whatever the umask. */
static void pack_meta(pack *pk, const char *title, const char *subject,
                      qr_pdf_meta *meta)
{
    if (pk->epoch == LLONG_MIN)
        pk->epoch = qr_source_epoch(iso_days(pk->date) * 86400, pk->d);
    memset(meta, 0, sizeof *meta);
    meta->title = title;
    meta->author = pk->council;
    meta->subject = subject;
    meta->lang = pk->style.lang;
    meta->epoch = pk->epoch;
    meta->exempt = members_pack(pk);
}

/* The appendices the pack shows of an item, each with the pages the
 * latest pass gave it and a link to its first page (in HTML pages, where
 * there are no page numbers, to its own file); false when none (and for a
 * withheld item). */
static cJSON *appendices_view(const pack *pk, const item *it)
{
    cJSON *list = cJSON_CreateArray();
    int html = pk->req->html_dir != NULL;
    for (size_t i = 0; i < it->appx.n; i++) {
        const qr_pack_appx *x = &it->appx.v[i];
        int first = 0, last = 0;
        if (html ? !html_shows(it, x)
                 : !qr_pack_appx_range(&it->appx, i, &first, &last))
            continue;
        cJSON *a = cJSON_CreateObject();
        view_str(a, "letter", x->letter);
        view_str(a, "title", x->title);
        if (html) {
            view_str(a, "first", NULL);
            view_str(a, "last", NULL);
        } else {
            cJSON_AddNumberToObject(a, "first", first);
            cJSON_AddNumberToObject(a, "last", last);
        }
        cJSON_AddBoolToObject(a, "several", last > first);
        cJSON_AddBoolToObject(a, "exempt", x->exempt > 0);
        cJSON_AddBoolToObject(a, "withheld", x->withheld);
        cJSON_AddBoolToObject(a, "html", html);
        if (x->doc) {
            size_t n = qr_appendix_npages(x->doc);
            cJSON *pdf = cJSON_AddObjectToObject(a, "pdf");
            cJSON_AddNumberToObject(pdf, "pages", (double)n);
            cJSON_AddBoolToObject(pdf, "several", n > 1);
        } else {
            view_str(a, "pdf", NULL);
        }
        view_late(a, x->late, x->late_date, x->late_reason);
        char anchor[APPX_ANCHOR_MAX], link[APPX_ANCHOR_MAX + 1];
        appx_anchor(it, x, anchor);
        snprintf(link, sizeof link, "#%s", anchor);
        view_str(a, "link", link);
        cJSON_AddItemToArray(list, a);
    }
    if (cJSON_GetArraySize(list) > 0) return list;
    cJSON_Delete(list);
    return cJSON_CreateFalse();
}

/* The main pack's agenda (in PDF or HTML pages): the appendices of a
 * paper in it published late on their own, "to follow"; false when none
 * (and for a withheld item, whose notice stands for its appendices). */
static cJSON *appendices_to_follow(const pack *pk, const item *it)
{
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; !pk->req->supplement && !it->withheld &&
                       i < it->appx.n; i++) {
        const qr_pack_appx *x = &it->appx.v[i];
        if (!x->late) continue;
        cJSON *a = cJSON_CreateObject();
        view_str(a, "letter", x->letter);
        view_str(a, "title", x->title);
        cJSON_AddBoolToObject(a, "exempt", x->exempt > 0);
        char late_long[64];
        view_str(a, "published_long",
                 qr_format_date_long(x->late_date, late_long, sizeof late_long)
                     ? late_long : NULL);
        cJSON_AddNumberToObject(a, "supplement", x->late);
        cJSON_AddItemToArray(list, a);
    }
    if (cJSON_GetArraySize(list) > 0) return list;
    cJSON_Delete(list);
    return cJSON_CreateFalse();
}

static cJSON *item_view(const pack *pk, const item *it)
{
    cJSON *o = cJSON_CreateObject();
    view_str(o, "number", it->number);
    view_str(o, "title", it->title);
    view_str(o, "anchor", it->anchor);
    view_str(o, "lead", it->lead);
    if (it->exempt) {
        cJSON *ex = cJSON_AddObjectToObject(o, "exempt");
        cJSON_AddNumberToObject(ex, "paragraph", it->exempt);
        view_str(ex, "text", SCHEDULE_12A[it->exempt]);
        view_str(ex, "reason", it->reason);
    } else {
        view_str(o, "exempt", NULL);
    }
    /* a public pack prints no text of an exempt standing item */
    if (it->standing && !(it->exempt && pk->req->public_pack)) {
        cJSON *paras = cJSON_AddArrayToObject(o, "standing");
        if (cJSON_IsString(it->standing)) {
            cJSON_AddItemToArray(paras,
                                 line_string(it->standing->valuestring));
        } else {
            const cJSON *p;
            cJSON_ArrayForEach(p, it->standing)
                cJSON_AddItemToArray(paras, line_string(p->valuestring));
        }
    } else {
        view_str(o, "standing", NULL);
    }
    view_late(o, it->late, it->late_date, it->late_reason);
    /* the main pack's agenda: a late paper is to follow, with no pages */
    cJSON_AddBoolToObject(o, "to_follow", it->late && !pk->req->supplement);
    if (has_pages(pk, it)) {
        cJSON *pp = cJSON_AddObjectToObject(o, "paper");
        cJSON_AddNumberToObject(pp, "first", it->first);
        cJSON_AddNumberToObject(pp, "last", it->first + it->npages - 1);
        cJSON_AddBoolToObject(pp, "several", it->npages > 1);
        /* HTML pages: the paper is a page of its own, not pack pages */
        cJSON_AddBoolToObject(pp, "html", pk->req->html_dir != NULL);
        char link[sizeof it->anchor + 1];
        snprintf(link, sizeof link, "#%s", it->anchor);
        view_str(pp, "link", link);
        cJSON_AddItemToObject(o, "appendices", appendices_view(pk, it));
        cJSON_AddItemToObject(o, "appendices_to_follow",
                              appendices_to_follow(pk, it));
    } else {
        view_str(o, "paper", NULL);
        /* a supplement carrying only the item's late appendices */
        cJSON_AddItemToObject(o, "appendices",
                              appx_only(pk, it) ? appendices_view(pk, it)
                                                : cJSON_CreateFalse());
        view_str(o, "appendices_to_follow", NULL);
    }
    cJSON_AddBoolToObject(o, "appendices_only", appx_only(pk, it));
    return o;
}

/* The meeting as the templates see it (docs/meeting.md lists the names),
 * with each paper's pages as the current pass has them. */
static cJSON *meeting_view(const pack *pk)
{
    cJSON *v = cJSON_CreateObject();
    view_str(v, "council", pk->council);
    view_str(v, "committee", pk->committee);
    view_str(v, "date", pk->date);
    view_str(v, "date_long", pk->date_long);
    view_str(v, "weekday", weekday(pk->date));
    view_str(v, "day_date", pk->day_date);
    view_str(v, "time", pk->time);
    view_str(v, "time_text", pk->time_text);
    view_str(v, "meeting", pk->meeting_line);
    view_str(v, "venue", pk->venue);
    char pub[64];
    view_str(v, "published_long",
             pk->published && qr_format_date_long(pk->published, pub,
                                                  sizeof pub)
                 ? pub : NULL);
    cJSON *mem = cJSON_AddObjectToObject(v, "membership");
    view_str(mem, "chair", jstr(pk->membership, "chair"));
    view_str(mem, "vice_chair", jstr(pk->membership, "vice_chair"));
    cJSON *list = cJSON_AddArrayToObject(mem, "members");
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(pk->membership,
                                                           "members"))
        cJSON_AddItemToArray(list, person_view(m));
    cJSON_AddItemToObject(v, "contact", person_view(pk->contact));
    if (pk->issued_by)
        cJSON_AddItemToObject(v, "issued_by", person_view(pk->issued_by));
    else
        view_str(v, "issued_by", NULL);
    cJSON_AddBoolToObject(v, "public", pk->req->public_pack);
    cJSON_AddStringToObject(v, "page_prefix",
                            pk->page_prefix ? pk->page_prefix : "");
    cJSON_AddBoolToObject(v, "members_pack", members_pack(pk));
    /* What makes it a members' pack, named once for the front sheet:
     * "item 10; Appendix B to item 8" in its marking, "Item 10 and
     * Appendix B to item 8" as the subject of its notice to the public. */
    int ni = 0, nx = 0;
    char *numbers = pk->has_exempt ? exempt_numbers(pk, &ni) : NULL;
    char *names = exempt_appendix_names(pk, &nx);
    list_view(v, "exempt_items", "numbers", numbers, ni);
    list_view(v, "exempt_appendices", "names", names, nx);
    if (numbers || names) {
        const char *items = ni > 1 ? "items" : "item";
        cJSON *ex = cJSON_AddObjectToObject(v, "exempt_parts");
        char *m = numbers && names
                      ? qr_xasprintf("%s %s; %s", items, numbers, names)
                  : numbers ? qr_xasprintf("%s %s", items, numbers)
                            : qr_xstrdup(names);
        char *t = numbers && names
                      ? qr_xasprintf("%s %s%s and %s",
                                     ni > 1 ? "Items" : "Item", numbers,
                                     ni > 1 || nx > 1 ? "," : "", names)
                  : numbers ? qr_xasprintf("%s %s", ni > 1 ? "Items" : "Item",
                                           numbers)
                            : qr_xstrdup(names);
        view_str(ex, "members", m);
        view_str(ex, "sentence", t);
        cJSON_AddBoolToObject(ex, "several", ni + nx > 1);
        cJSON_AddBoolToObject(ex, "appendices", nx > 0);
        free(m);
        free(t);
    } else {
        view_str(v, "exempt_parts", NULL);
    }
    free(numbers);
    free(names);
    cJSON *items = cJSON_AddArrayToObject(v, "items");
    int late = 0, appx = 0;
    for (size_t i = 0; i < pk->nitems; i++) {
        const item *it = &pk->items[i];
        if (!shown(pk, it)) continue;
        cJSON_AddItemToArray(items, item_view(pk, it));
        if (!appx_only(pk, it)) {
            late++;
            continue;
        }
        /* the supplement's papers: its late appendices count one each */
        for (size_t k = 0; k < it->appx.n; k++)
            appx += it->appx.v[k].late == pk->req->supplement;
    }
    late += appx;
    char supp[64];
    if (pk->req->supplement &&
        qr_format_date_long(pk->supp_date, supp, sizeof supp)) {
        cJSON *s = cJSON_AddObjectToObject(v, "supplement");
        cJSON_AddNumberToObject(s, "number", pk->req->supplement);
        view_str(s, "published_long", supp);
        cJSON_AddBoolToObject(s, "several", late > 1);
        cJSON_AddBoolToObject(s, "appendices", appx > 0);
    } else {
        view_str(v, "supplement", NULL);
    }
    return v;
}

/* Expand the part `name` (e.g. "agenda.md") against view: the council's
 * template when its templates folder has one, else the built-in. Returns
 * the Markdown (caller frees) or NULL after adding errors. Files read are
 * inputs of the pack. */
static char *expand_part(pack *pk, const char *name, const cJSON *view,
                         size_t *len)
{
    qr_expand_opts eo = {.spec = 0, .strict = 1, .partials = NULL};
    qr_expansion *e = NULL;
    char *path = pk->tpl_dir ? qr_xasprintf("%s/%s", pk->tpl_dir, name)
                              : NULL;
    struct stat sb;
    if (path && stat(path, &sb) == 0) {
        e = qr_expand_file(path, view, &eo, pk->d);
    } else {
        /* built in: no partial may be read from anywhere */
        cJSON *none = cJSON_CreateObject();
        eo.partials = none;
        char *label = qr_xasprintf("templates/pack/%s (built in)", name);
        const char *tpl = qr_pack_builtin(name);
        e = qr_expand_string(tpl, strlen(tpl), label, view, &eo, pk->d);
        free(label);
        cJSON_Delete(none);
    }
    free(path);
    if (!e) return NULL;
    int withheld = 0;
    for (size_t i = 0; pk->tpl_dir && i < qr_expansion_nfiles(e); i++) {
        const char *f = qr_expansion_file(e, i);
        add_file(pk, f);
        /* a public pack publishes its own templates as it does an open
         * item's: none may be an exempt item's file */
        if (pk->nwh && stat(f, &sb) == 0)
            withheld += check_file(pk, NULL, NULL, f, i ? QR_IN_PARTIAL
                                                  : QR_IN_TEMPLATE,
                                   sb.st_dev, sb.st_ino, 0);
    }
    if (withheld) {
        qr_expansion_free(e);
        return NULL;
    }
    size_t n;
    const char *md = qr_expansion_text(e, &n);
    char *out = qr_xstrndup(md, n);
    qr_expansion_free(e);
    if (len) *len = n;
    return out;
}

/* The names and outline levels of the front matter's headings, which
 * layout calls h1, h2 … in document order: the front sheet's first
 * level-1 heading is the "Front sheet" bookmark, the agenda's the
 * "Agenda" one, and the agenda's level-2 headings, in order, the items'
 * (nested under it). Others get no bookmark. */
typedef struct plan_walk {
    pack *pk;
    int front_lines;            /* lines of the front sheet's Markdown */
    int front_h1, agenda_h1;
    size_t agenda_h2;
} plan_walk;

static void plan_add(pack *pk, const char *name, const char *title, int level)
{
    if (pk->nplan == pk->cplan) {
        pk->cplan = pk->cplan ? pk->cplan * 2 : 32;
        pk->plan_name = qr_xrealloc(pk->plan_name, pk->cplan * sizeof(char *));
        pk->plan_title = qr_xrealloc(pk->plan_title, pk->cplan * sizeof(char *));
        pk->plan_level = qr_xrealloc(pk->plan_level, pk->cplan * sizeof(int));
    }
    pk->plan_name[pk->nplan] = name ? qr_xstrdup(name) : NULL;
    pk->plan_title[pk->nplan] = title ? qr_xstrdup(title) : NULL;
    pk->plan_level[pk->nplan] = level;
    pk->nplan++;
}

static void clear_plan(pack *pk)
{
    for (size_t i = 0; i < pk->nplan; i++) {
        free(pk->plan_name[i]);
        free(pk->plan_title[i]);
    }
    pk->nplan = 0;
}

/* The agenda's bookmark: a supplement's names it. */
static const char *agenda_title(pack *pk)
{
    if (!pk->req->supplement) return "Agenda";
    snprintf(pk->agenda_title, sizeof pk->agenda_title,
             "Supplementary agenda %d", pk->req->supplement);
    return pk->agenda_title;
}

/* Moves the walk to the next item the agenda lists; false when none. */
static bool next_shown(plan_walk *w)
{
    while (w->agenda_h2 < w->pk->nitems &&
           !shown(w->pk, &w->pk->items[w->agenda_h2]))
        w->agenda_h2++;
    return w->agenda_h2 < w->pk->nitems;
}

static void plan_blocks(plan_walk *w, const qr_block *b)
{
    pack *pk = w->pk;
    for (; b; b = b->next) {
        if (b->kind == QR_BLK_HEADING) {
            int front = b->line <= w->front_lines;
            if (b->level == 1 && front && !w->front_h1++) {
                plan_add(pk, "front-sheet", "Front sheet", 1);
            } else if (b->level == 1 && !front && !w->agenda_h1++) {
                plan_add(pk, "agenda", agenda_title(pk), 1);
            } else if (b->level == 2 && !front && w->agenda_h1 &&
                       next_shown(w)) {
                const item *it = &pk->items[w->agenda_h2++];
                char *name = qr_xasprintf("agenda-%s", it->anchor);
                char *title = qr_xasprintf("%s. %s", it->number, it->title);
                plan_add(pk, name, title, 2);
                free(name);
                free(title);
            } else {
                plan_add(pk, NULL, NULL, 0);
            }
        }
        plan_blocks(w, b->first_child);
    }
}

/* The front sheet and the agenda, on a new page, as one Markdown text with
 * the current guesses of each item's pages; *front_lines: the lines that
 * are the front sheet's. */
static char *front_matter(pack *pk, size_t *len, int *front_lines)
{
    cJSON *view = meeting_view(pk);
    if (pk->req->supplement) {
        /* one part: the supplement's front sheet lists its items */
        char *md = expand_part(pk, "supplement.md", view, len);
        cJSON_Delete(view);
        *front_lines = 0;
        return md;
    }
    char *front = expand_part(pk, "front-sheet.md", view, NULL);
    char *agenda = front ? expand_part(pk, "agenda.md", view, NULL) : NULL;
    cJSON_Delete(view);
    if (!agenda) {
        free(front);
        return NULL;
    }
    int lines = 1;
    for (const char *c = front; *c; c++) lines += *c == '\n';
    *front_lines = lines;
    char *md = qr_xasprintf("%s\n\n<!-- pagebreak -->\n\n%s", front, agenda);
    free(front);
    free(agenda);
    *len = strlen(md);
    return md;
}

/* The notice that replaces an exempt paper in the public pack: everything
 * in it comes from the meeting file. */
static char *notice_markdown(pack *pk, const item *it, size_t *len)
{
    cJSON *view = meeting_view(pk);
    cJSON_AddItemToObject(view, "item", item_view(pk, it));
    char *md = expand_part(pk, "exempt-notice.md", view, len);
    cJSON_Delete(view);
    return md;
}

/* ---- public packs: files an exempt item may read ---- */

/* An open item must not publish a file that an exempt item's paper reads:
 * a template including the exempt template as a partial, the exempt data
 * read as the open item's data, an image only the exempt paper shows. But
 * a public pack never opens an exempt item's files (top of this file), so
 * the exempt paper's partials and images cannot be known — only the paths
 * the meeting file names. The rule is therefore built from those paths:
 *
 * - Withheld files: each exempt item's data file; its template, unless an
 *   open item names the same file as its own template (a house template
 *   shared by every paper, whose text the open item publishes anyway); its
 *   own style, unless it is the pack's or an open item's. An open item may
 *   read none of them, in any role: compared by device and inode (hard
 *   links, symlinks, "a/../b" spellings all match).
 * - Withheld folders: the folder of each exempt item's data file, and of
 *   its template when that is not shared, with everything below them. An
 *   exempt paper's partials must lie under its template's folder (expand
 *   refuses any other), and its images belong beside its data: this is
 *   where whatever else it reads lives. An open item may read nothing from
 *   there except the data file and template the meeting file names for it
 *   and the pack's style: files the clerk chose for the open item by name.
 *
 * Every file an open item read is checked — data, template, each partial,
 * style and logo, each image (after layout) — by its real path, so a
 * symlink out of an open folder into a withheld one is caught. Fonts are
 * not: they are system files that hold no paper's text. What the rule
 * cannot see is an exempt image kept elsewhere and shown by an open item
 * too; README "Security and confidentiality" asks councils to keep an
 * exempt paper's files in its own folder. */

typedef struct withheld {
    const item *it;             /* the exempt item, or the item of */
    const qr_pack_appx *x;      /* a withheld paper appendix (else NULL) */
    const char *what;           /* "data file", "template", "style" */
    const char *path;           /* as the meeting file names it (resolved) */
    int is_dir;                 /* a folder: refuse everything below it */
    struct stat st;             /* files: identity (have_st) */
    int have_st;
    char *real;                 /* realpath, or NULL if it does not exist */
} withheld;

static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return a && b && stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
           sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The folder holding `path`, resolved; NULL if it does not exist. */
static char *real_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash == path ? qr_xstrdup("/")
              : slash         ? qr_xstrndup(path, (size_t)(slash - path))
                              : qr_xstrdup(".");
    char *real = realpath(dir, NULL);
    free(dir);
    return real;
}

static bool under(const char *real, const char *dir)
{
    size_t n = strlen(dir);
    if (strcmp(dir, "/") == 0) return true;
    return strncmp(real, dir, n) == 0 && (real[n] == '/' || real[n] == 0);
}

static void withhold(pack *pk, const item *it, const qr_pack_appx *x,
                     const char *what, const char *path, int is_dir)
{
    QR_GROW(pk->wh, pk->nwh, pk->cwh, 8);
    withheld *w = &pk->wh[pk->nwh++];
    memset(w, 0, sizeof *w);
    w->it = it;
    w->x = x;
    w->what = what;
    w->path = path;
    w->is_dir = is_dir;
    if (is_dir) {
        w->real = real_dir(path);
    } else {
        w->have_st = stat(path, &w->st) == 0;
        w->real = realpath(path, NULL);
    }
}

/* Is `path` (an exempt paper's template or style) also named by an open
 * paper — an open item's, or an open appendix's of an open item — or
 * (styles) the pack's own style? */
static bool shared_with_open(const pack *pk, const char *path, int style)
{
    if (style && same_file(path, pk->style_path)) return true;
    for (size_t i = 0; i < pk->nitems; i++) {
        const item *o = &pk->items[i];
        if (o->exempt || o->standing) continue;
        if (same_file(path, style ? o->style_path : o->tpl_path)) return true;
        for (size_t k = 0; k < o->appx.n; k++) {
            const qr_pack_appx *x = &o->appx.v[k];
            if (!x->exempt && x->tpl_path &&
                same_file(path, style ? x->style_path : x->tpl_path))
                return true;
        }
    }
    return false;
}

/* An input the meeting file names for the open paper itself (its data or
 * template: the item's, or its appendix x's) or the pack's style. */
static bool named_for(const pack *pk, const item *o, const qr_pack_appx *x,
                      const qr_input *in)
{
    const char *own[] = {x ? x->data_path : o->data_path,
                         x ? x->tpl_path : o->tpl_path, pk->style_path};
    for (size_t k = 0; k < sizeof own / sizeof *own; k++) {
        struct stat sb;
        if (own[k] && stat(own[k], &sb) == 0 && sb.st_dev == in->dev &&
            sb.st_ino == in->ino)
            return true;
    }
    return false;
}

/* One withheld paper's files: its data file and template with their
 * folders, unless an open paper names the template; its style unless
 * shared. */
static void withhold_paper(pack *pk, const item *e, const qr_pack_appx *x,
                           const char *data, const char *tpl,
                           const char *style)
{
    if (data) {
        withhold(pk, e, x, "data file", data, 0);
        withhold(pk, e, x, "data file", data, 1);
    }
    if (tpl && !shared_with_open(pk, tpl, 0)) {
        withhold(pk, e, x, "template", tpl, 0);
        withhold(pk, e, x, "template", tpl, 1);
    }
    if (style && !shared_with_open(pk, style, 1))
        withhold(pk, e, x, "style", style, 0);
}

/* The withheld files and folders of a public pack, from the meeting file's
 * paths alone (nothing exempt is opened): those of exempt items' papers,
 * and of every paper appendix the public pack withholds (an exempt one,
 * or any of an exempt item). */
static void build_withheld(pack *pk)
{
    for (size_t i = 0; i < pk->nitems; i++) {
        const item *e = &pk->items[i];
        if (e->standing) continue;
        if (e->exempt)
            withhold_paper(pk, e, NULL, e->data_path, e->tpl_path,
                           e->style_path);
        for (size_t k = 0; k < e->appx.n; k++) {
            const qr_pack_appx *x = &e->appx.v[k];
            if (x->tpl_path && (e->exempt || x->exempt))
                withhold_paper(pk, e, x, x->data_path, x->tpl_path,
                               x->style_path);
        }
    }
}

static void free_withheld(pack *pk)
{
    for (size_t j = 0; j < pk->nwh; j++) free(pk->wh[j].real);
    free(pk->wh);
}

/* Report open item o reading `path` (identity dev/ino) if it is withheld;
 * `own`: a file the meeting file names for o, exempt from the folder rule.
 * Returns 1 on a hit. */
static int check_file(pack *pk, const item *o, const qr_pack_appx *ox,
                      const char *path, qr_input_role role, dev_t dev,
                      ino_t ino, int own)
{
    char *real = realpath(path, NULL);
    /* files first: "it is the exempt template" says more than "it is in
     * the exempt folder" */
    const withheld *x = NULL;
    for (size_t j = 0; j < 2 * pk->nwh && !x; j++) {
        const withheld *c = &pk->wh[j % pk->nwh];
        if (c->is_dir != (j >= pk->nwh)) continue;
        int hit = c->is_dir
                      ? !own && real && c->real && under(real, c->real)
                      : (c->have_st && c->st.st_dev == dev &&
                         c->st.st_ino == ino) ||
                            (real && c->real && strcmp(real, c->real) == 0);
        if (hit) x = c;
    }
    if (x) {
        /* o NULL: the pack's own templates, which it publishes too */
        char p[96];
        char *who, *owner = x->x
            ? qr_xasprintf("withheld appendix %s of item %s", x->x->letter,
                           x->it->number)
            : qr_xasprintf("exempt item %s", x->it->number);
        if (o) {
            snprintf(p, sizeof p, "/items/%d/paper", o->index);
            if (ox) snprintf(p, sizeof p, "%s", ox->ptr);
            who = ox ? qr_xasprintf("item %s \xE2\x80\x98%s\xE2\x80\x99, "
                                    "appendix %s", o->number, o->title,
                                    ox->letter)
                     : qr_xasprintf("item %s \xE2\x80\x98%s\xE2\x80\x99",
                                    o->number, o->title);
        } else {
            snprintf(p, sizeof p, "/templates");
            who = qr_xstrdup("the pack's templates folder");
        }
        if (!x->is_dir)
            err(pk, p, "%s reads %s as its "
                       "%s, and it is the %s of %s "
                       "\xE2\x80\x98%s\xE2\x80\x99: a public pack must not "
                       "show what an exempt paper is made of; give the open "
                       "item its own file",
                who, path, qr_input_role_name(role), x->what,
                owner, x->it->title);
        else
            err(pk, p, "%s reads %s (its %s) "
                       "from %s, the folder of the %s of %s "
                       "\xE2\x80\x98%s\xE2\x80\x99 (%s): a public pack cannot "
                       "tell whether the exempt paper uses it; keep the open "
                       "item's files outside the exempt item's folder",
                who, path, qr_input_role_name(role), x->real,
                x->what, owner, x->it->title, x->path);
        free(who);
        free(owner);
    }
    free(real);
    return x != NULL;
}

/* Check every file in an open paper's record (fonts aside): item o's, or
 * its appendix x's; the number of withheld files it read. */
static int check_record(pack *pk, const item *o, const qr_pack_appx *x,
                        const qr_inputs *rec)
{
    int hits = 0;
    for (size_t k = 0; k < qr_inputs_count(rec); k++) {
        const qr_input *in = qr_inputs_get(rec, k);
        if (in->role == QR_IN_FONT) continue;
        hits += check_file(pk, o, x, in->path, in->role, in->dev, in->ino,
                           named_for(pk, o, x, in));
    }
    return hits;
}

/* The data file and template the meeting file names for an open paper
 * (item o's, or its appendix x's), checked before they are opened: naming
 * an exempt paper's data must not even read it. */
static int check_named(pack *pk, const item *o, const qr_pack_appx *x)
{
    int hits = 0;
    struct stat sb;
    const char *data = x ? x->data_path : o->data_path;
    const char *tpl = x ? x->tpl_path : o->tpl_path;
    if (data && stat(data, &sb) == 0)
        hits += check_file(pk, o, x, data, QR_IN_DATA, sb.st_dev, sb.st_ino,
                           1);
    if (tpl && stat(tpl, &sb) == 0)
        hits += check_file(pk, o, x, tpl, QR_IN_TEMPLATE, sb.st_dev,
                           sb.st_ino, 1);
    return hits;
}

/* After layout, with every image read: refuse the public pack (false) if
 * any open paper, an item's or an appendix's, read a withheld file; every
 * such read is reported. */
static bool check_shared_files(pack *pk)
{
    int hits = 0;
    for (size_t i = 0; pk->nwh && i < pk->nitems; i++) {
        item *it = &pk->items[i];
        if (it->paper)
            hits += check_record(pk, it, NULL, qr_paper_inputs(it->paper));
        for (size_t k = 0; k < it->appx.n; k++)
            if (it->appx.v[k].paper)
                hits += check_record(pk, it, &it->appx.v[k],
                                     qr_paper_inputs(it->appx.v[k].paper));
    }
    return hits == 0;
}

/* ---- preparing the items ---- */

/* The paper's own data marks it exempt: the meeting file must agree, or
 * the public pack would publish it. */
static bool paper_says_exempt(const char *data_path)
{
    qr_diags *scratch = qr_diags_new();
    qr_data *data = qr_data_load(data_path, scratch);
    bool exempt = false;
    if (data) {
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(qr_data_root(data),
                                                          "paper");
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(p, "exempt");
        exempt = cJSON_IsObject(e);
    }
    qr_data_free(data);
    qr_diags_free(scratch);
    return exempt;
}

/* What a paper is printed under in this pack: its template's `pack`
 * (docs/meeting.md), which the house partials print in place of the
 * paper's own meeting. */
static cJSON *pack_context(const pack *pk, const item *it,
                           const qr_pack_appx *x)
{
    cJSON *c = cJSON_CreateObject();
    /* an appendix knows what it is appended to: "Appendix C" above its
     * title, as the agenda names it */
    if (x) {
        cJSON *a = cJSON_AddObjectToObject(c, "appendix");
        view_str(a, "letter", x->letter);
        view_str(a, "title", x->title);
    }
    view_str(c, "item", it->number);
    view_str(c, "title", it->title);
    view_str(c, "council", pk->council);
    view_str(c, "committee", pk->committee);
    view_str(c, "meeting", pk->meeting_line);
    view_str(c, "date", pk->date_long);
    view_str(c, "day_date", pk->day_date);
    view_str(c, "time", pk->time_text);
    view_str(c, "venue", pk->venue);
    return c;
}

static void differs(qr_buf *b, const char *what, const char *paper,
                    const char *pack)
{
    qr_buf_printf(b, "%s%s %s differs from the pack's %s",
                  b->len ? "; " : "", what, paper, pack);
}

/* A paper's own data may name another meeting, date, time or item than
 * the pack prints it under (a paper carried over to a later meeting, a
 * renumbered agenda): the pack's is printed — the paper's would send a
 * reader to the wrong meeting — and one warning says what differs. */
static void check_paper_meeting(pack *pk, const item *it, qr_paper *pp,
                                const char *path, const char *file)
{
    const cJSON *paper = cJSON_GetObjectItemCaseSensitive(
        qr_paper_root(pp), "paper");
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(paper, "meeting");
    if (!cJSON_IsObject(m)) return;
    qr_buf b;
    qr_buf_init(&b);
    const char *body = jstr(m, "body");
    if (body && strcmp(body, pk->committee) != 0)
        differs(&b, "committee", body, pk->committee);
    const char *date = jstr(m, "date");
    char text[64];
    if (date && strcmp(date, pk->date) != 0 &&
        qr_format_date_long(date, text, sizeof text))
        differs(&b, "meeting", text, pk->date_long);
    const char *time = jstr(m, "time");
    if (time && strcmp(time, pk->time) != 0 &&
        format_time(time, text, sizeof text))
        differs(&b, "time", text, pk->time_text);
    const char *number = qr_paper_item(pp);
    if (number[0] && strcmp(number, it->number) != 0)
        differs(&b, "item", number, it->number);
    if (b.len)
        qr_data_diag(pk->mdata, pk->d, QR_WARNING, path,
                     "item %s: the paper's %s (%s): the pack's is printed",
                     it->number, b.data, file);
    qr_buf_free(&b);
}

/* Prepares one paper of the pack through the one paper pipeline
 * (qr_paper_prepare): item it's (x NULL) or its appendix x's. In a public
 * pack every file it reads is checked against the withheld ones before
 * any message of it is shown. NULL after adding errors. */
static qr_paper *open_paper(pack *pk, const item *it, const qr_pack_appx *x)
{
    const char *data = x ? x->data_path : it->data_path;
    const char *tpl = x ? x->tpl_path : it->tpl_path;
    const char *style = x ? x->style_path : it->style_path;
    char path[96], who[160];
    if (x) {
        snprintf(path, sizeof path, "%s", x->ptr);
        snprintf(who, sizeof who, "item %s, appendix %s", it->number,
                 x->letter);
    } else {
        snprintf(path, sizeof path, "/items/%d/paper", it->index);
        snprintf(who, sizeof who, "item %s", it->number);
    }
    const char *file = data ? data : tpl;
    if (pk->nwh && check_named(pk, it, x)) return NULL;
    /* an appendix of an exempt item is exempt with it */
    if (!it->exempt && !(x && x->exempt) && data && paper_says_exempt(data)) {
        err(pk, path, "%s: the paper's data (%s) marks it exempt "
                      "(paper.exempt) but the meeting file does not; "
                      "add an 'exempt' block to the %s so the public "
                      "pack withholds it",
            who, data, x ? "appendix" : "item");
        return NULL;
    }
    cJSON *context = pack_context(pk, it, x);
    qr_render_req rr = {
        .data_path = data,
        .template_path = tpl,
        .style_path = style ? style : pk->style_path,
        .strict = 1,
        .pack = context,
    };
    qr_diags *sub = qr_diags_new();
    /* the paper's own record, on failure too: what it read is checked
     * before any of its messages is shown, since a message quotes
     * source lines and a public pack's log must not quote an exempt
     * partial */
    qr_inputs *rec = qr_inputs_new();
    qr_inputs *outer = qr_inputs_activate(rec);
    qr_paper *paper = qr_paper_prepare(&rr, sub);
    cJSON_Delete(context);
    qr_inputs_activate(outer);
    qr_inputs_merge(outer, rec);
    int shared = pk->nwh ? check_record(pk, it, x, rec) : 0;
    qr_inputs_free(rec);
    if (shared) {
        qr_paper_free(paper);
        qr_diags_free(sub);
        return NULL;
    }
    if (!paper) {
        err(pk, path, "item %s \xE2\x80\x98%s\xE2\x80\x99%s%s cannot be "
                      "built: its paper %s has errors",
            it->number, it->title, x ? ", appendix " : "",
            x ? x->letter : "", file);
    } else {
        for (size_t k = 0; k < qr_paper_nfiles(paper); k++)
            add_file(pk, qr_paper_file(paper, k));
        check_paper_meeting(pk, it, paper, path, file);
    }
    qr_diags_move(pk->d, sub);
    qr_diags_free(sub);
    return paper;
}

static bool prepare_items(pack *pk)
{
    int bad = 0;
    for (size_t i = 0; i < pk->nitems; i++) {
        item *it = &pk->items[i];
        /* a paper to follow, or another document's: never opened */
        int only = appx_only(pk, it);
        if (!has_pages(pk, it) && !only) continue;
        /* an exempt item's appendices shown without it have each a notice
         * in a public supplement: there is no item notice to stand for
         * them */
        it->appx.item_reason = it->reason;
        if (!qr_pack_appx_prepare(&it->appx, it->number, it->title,
                                  it->exempt,
                                  it->exempt && pk->req->public_pack && !only,
                                  pk->req->public_pack, pk->meeting_line,
                                  pk->d))
            bad = 1;
        for (size_t k = 0; k < qr_pack_appx_nfiles(&it->appx); k++)
            add_file(pk, qr_pack_appx_file(&it->appx, k));
        /* paper appendices, the item's own paper aside: the same pipeline */
        for (size_t k = 0; k < it->appx.n; k++) {
            if (!qr_pack_appx_wants_paper(&it->appx, k)) continue;
            it->appx.v[k].paper = open_paper(pk, it, &it->appx.v[k]);
            if (!it->appx.v[k].paper) bad = 1;
        }
        /* its paper is in the pack: never opened here */
        if (only) continue;
        if (it->exempt && pk->req->public_pack) {
            /* never opened: see the comment at the top */
            it->withheld = 1;
            size_t len;
            char *md = notice_markdown(pk, it, &len);
            it->notice = md ? qr_parse_markdown(md, len, NOTICE_NAME, pk->d)
                            : NULL;
            free(md);
            if (!it->notice) bad = 1;
            continue;
        }
        it->paper = open_paper(pk, it, NULL);
        if (!it->paper) bad = 1;
    }
    return !bad;
}

/* ---- layout ---- */

/* The paper's faces must be the pack's: the PDF embeds one font set, and a
 * paper measured with other faces would be drawn with the wrong ones. */
static bool same_fonts(const qr_fonts *a, const qr_fonts *b)
{
    for (int s = 0; s < QR_FONT_COUNT; s++) {
        const char *fa = qr_fonts_file(a, (qr_font_slot)s);
        const char *fb = qr_fonts_file(b, (qr_font_slot)s);
        if (!fa != !fb) return false;
        if (fa && (strcmp(fa, fb) != 0 ||
                   qr_fonts_index(a, (qr_font_slot)s) !=
                       qr_fonts_index(b, (qr_font_slot)s)))
            return false;
    }
    return true;
}

/* The mark on an item's pages: an exempt paper's are not for publication
 * (a paper whose own data says exempt is marked by render.c as well), an
 * open one's in a members' pack say so; the notice standing for a withheld
 * paper is public. */
static const char *item_mark(const pack *pk, const item *it)
{
    if (it->withheld) return NULL;
    if (it->exempt) return QR_MARK_EXEMPT;
    return members_pack(pk) ? QR_MARK_MEMBERS : NULL;
}

/* Lays out one paper of the pack, an item's or an appendix's, with the
 * pack's options `o` (its title, unless set, the paper's own); its faces
 * must be the pack's. NULL after adding errors: the layout's to
 * `warnings`, or (*fonts set) the fonts' to the pack's (`where`: its
 * location in the meeting file, `who`: "item 8" or "item 8, appendix C"). */
static qr_pages *lay_paper(pack *pk, qr_paper *paper, qr_layout_opts *o,
                           const char *where, const char *who,
                           qr_diags *warnings, bool *fonts)
{
    *fonts = false;
    if (!o->title) o->title = qr_paper_title(paper);
    /* images resolve against the paper's template, as in render, not
     * against wherever quire was started */
    o->base_dir = qr_paper_base_dir(paper);
    qr_pages *pages = qr_paper_layout(paper, o, warnings);
    if (pages && !same_fonts(qr_paper_fonts(paper), pk->fonts)) {
        err(pk, where, "%s: the paper's style uses the font "
                       "\xE2\x80\x98%s\xE2\x80\x99 but the pack uses "
                       "\xE2\x80\x98%s\xE2\x80\x99; a pack has one set of "
                       "fonts (give the %s the pack's style, or none)",
            who, qr_fonts_family(qr_paper_fonts(paper), QR_FONT_REGULAR),
            qr_fonts_family(pk->fonts, QR_FONT_REGULAR),
            strchr(who, ',') ? "appendix" : "item");
        qr_pages_free(pages);
        *fonts = true;
        return NULL;
    }
    return pages;
}

/* a->lay_paper: a paper appendix, laid out with the options
 * pack_appendix.c gives it (its pages, its "Appendix C: Title" for the
 * footer's {title}, its mark). Its warnings are kept for one report. */
static qr_pages *lay_appendix_paper(void *ctx, const qr_pack_appxs *a,
                                    qr_pack_appx *x, const qr_layout_opts *o,
                                    qr_diags *d)
{
    (void)d;
    pack *pk = ctx;
    qr_layout_opts opts = *o;
    char who[64];
    snprintf(who, sizeof who, "item %s, appendix %s", a->item_number,
             x->letter);
    qr_diags_free(x->warnings);
    x->warnings = qr_diags_new();
    bool fonts;
    qr_pages *pages = lay_paper(pk, x->paper, &opts, x->ptr, who, x->warnings,
                                &fonts);
    if (!pages) qr_diags_move(pk->d, x->warnings);
    return pages;
}

/* Lay an item out starting at pack page `first` of `total`; keeps the
 * previous layout when those numbers have not changed. false after adding
 * errors. */
static bool lay_item(pack *pk, item *it, int first, int total)
{
    if (it->pages && it->laid_first == first && it->laid_total == total)
        return true;
    qr_pages_free(it->pages);
    it->pages = NULL;
    qr_diags_free(it->warnings);
    it->warnings = qr_diags_new();
    qr_layout_opts o = {.meeting = pk->meeting_line,
                        .item = it->number,
                        .first_page = first,
                        .total_pages = total,
                        .mark = item_mark(pk, it),
                        .draft = pk->req->draft,
                        .page_prefix = pk->page_prefix};
    char path[64];
    snprintf(path, sizeof path, "/items/%d", it->index);
    if (it->paper) {
        char who[64];
        snprintf(who, sizeof who, "item %s", it->number);
        bool fonts;
        it->pages = lay_paper(pk, it->paper, &o, path, who, it->warnings,
                              &fonts);
        if (fonts) return false;
    } else {
        o.title = it->title;
        it->pages = qr_layout_run(it->notice, &pk->fm_style,
                                  qr_fonts_metrics(pk->fonts), &o,
                                  NOTICE_NAME, it->warnings);
    }
    if (!it->pages) {
        err(pk, path, "item %s \xE2\x80\x98%s\xE2\x80\x99 cannot be laid out%s%s",
            it->number, it->title, it->paper ? ": its paper " : "",
            it->paper ? (it->data_path ? it->data_path : it->tpl_path) : "");
        qr_diags_move(pk->d, it->warnings);
        return false;
    }
    it->laid_first = first;
    it->laid_total = total;
    return true;
}

static bool lay_front(pack *pk, int total)
{
    size_t len = 0;
    int front_lines = 0;
    char *md = front_matter(pk, &len, &front_lines);
    qr_doc_free(pk->fm_doc);
    qr_pages_free(pk->fm_pages);
    qr_diags_free(pk->fm_warnings);
    pk->fm_warnings = qr_diags_new();
    pk->fm_pages = NULL;
    pk->fm_doc = md ? qr_parse_markdown(md, len, FRONT_NAME, pk->fm_warnings)
                    : NULL;
    free(md);
    clear_plan(pk);
    if (pk->fm_doc) {
        plan_walk w = {.pk = pk, .front_lines = front_lines};
        plan_blocks(&w, qr_doc_root(pk->fm_doc)->first_child);
        qr_layout_opts o = {.title = agenda_title(pk),
                            .meeting = pk->meeting_line,
                            .item = "",
                            .first_page = pk->base + 1,
                            .total_pages = total,
                            .mark = members_pack(pk) ? QR_MARK_MEMBERS
                                                     : NULL,
                            .draft = pk->req->draft,
                            .page_prefix = pk->page_prefix};
        pk->fm_pages = qr_layout_run(pk->fm_doc, &pk->fm_style,
                                     qr_fonts_metrics(pk->fonts), &o,
                                     FRONT_NAME, pk->fm_warnings);
    }
    if (!pk->fm_pages) {
        qr_diags_move(pk->d, pk->fm_warnings);
        qr_diag_add(pk->d, QR_ERROR, pk->req->meeting_path, 0, 0, NULL, NULL,
                    "the front sheet and agenda cannot be laid out");
        return false;
    }
    return true;
}

/* The bounded fixed point: lay out with the current guesses of each item's
 * pages and the total, count, and repeat until nothing moves. false after
 * adding errors. */
static bool settle(pack *pk)
{
    int total = 0;
    for (int pass = 0; pass < MAX_PASSES; pass++) {
        if (!lay_front(pk, total)) return false;
        int page = pk->base + (int)qr_pages_count(pk->fm_pages) + 1;
        int moved = 0;
        for (size_t i = 0; i < pk->nitems; i++) {
            item *it = &pk->items[i];
            int paper = has_pages(pk, it);
            if (!paper && !appx_only(pk, it)) continue;
            if (paper && !lay_item(pk, it, page, total)) return false;
            it->appx.page_prefix = pk->page_prefix;
            it->appx.draft = pk->req->draft;
            it->appx.lay_paper = lay_appendix_paper;
            it->appx.lay_ctx = pk;
            int n = paper ? (int)qr_pages_count(it->pages) : 0;
            int na;
            if (!qr_pack_appx_layout(&it->appx, &pk->fm_style,
                                     qr_fonts_metrics(pk->fonts),
                                     pk->meeting_line, it->number,
                                     item_mark(pk, it), page + n, total, &na,
                                     pk->d))
                return false;
            n += na;
            /* the agenda prints each appendix's pages too, which move
             * with the paper's own count */
            if (it->first != page || it->npages != n ||
                it->npaper != n - na)
                moved = 1;
            it->first = page;
            it->npages = n;
            it->npaper = n - na;
            page += n;
        }
        if (page - 1 - pk->base > QR_MAX_PAGES) {
            qr_diag_add(pk->d, QR_ERROR, pk->req->meeting_path, 0, 0, NULL,
                        NULL, "the pack has %d pages (at most %d)",
                        page - 1 - pk->base, QR_MAX_PAGES);
            return false;
        }
        if (!moved && total == page - 1) {
            pk->total = total;
            return true;
        }
        total = page - 1;
    }
    qr_diag_add(pk->d, QR_ERROR, pk->req->meeting_path, 0, 0, NULL, NULL,
                "the agenda's page numbers did not settle after %d passes",
                MAX_PASSES);
    return false;
}

/* ---- joining ---- */

typedef struct join_ctx {
    pack *pk;
    item *it;          /* NULL: the front matter */
    int sect;
    int started;       /* the item's own anchor has been placed */
    char buf[2][256];
} join_ctx;

/* Heading anchors are "h<K>", K counting headings from 1. */
static int heading_index(const char *name)
{
    if (!name || name[0] != 'h') return -1;
    char *end;
    long k = strtol(name + 1, &end, 10);
    return *end || k < 1 ? -1 : (int)k - 1;
}

static void add_item_anchor(join_ctx *j, qr_pages *dst, size_t page)
{
    qr_item an;
    memset(&an, 0, sizeof an);
    an.kind = QR_ITEM_ANCHOR;
    an.role = QR_ROLE_SECT;
    an.elem = j->sect;
    an.name = j->it->anchor;
    an.level = 1;
    snprintf(j->buf[1], sizeof j->buf[1], "Item %s: %s", j->it->number,
             j->it->title);
    an.text = j->buf[1];
    an.len = strlen(an.text);
    qr_pages_add_item(dst, page, &an);
    j->started = 1;
}

static bool edit_item(void *ctx, qr_pages *dst, size_t dst_page,
                      size_t src_page, qr_item *it)
{
    (void)src_page;
    join_ctx *j = ctx;
    if (!j->started) add_item_anchor(j, dst, dst_page);
    if (it->kind == QR_ITEM_ANCHOR) {
        /* the paper's headings nest under the item; names made unique */
        snprintf(j->buf[0], sizeof j->buf[0], "%s-%s", j->it->anchor,
                 it->name ? it->name : "");
        it->name = j->buf[0];
        if (j->it->withheld) it->level = 0;
        else if (it->level > 0) it->level++;
    } else if (it->kind == QR_ITEM_LINK && it->uri && it->uri[0] == '#') {
        snprintf(j->buf[0], sizeof j->buf[0], "#%s-%s", j->it->anchor,
                 it->uri + 1);
        it->uri = j->buf[0];
    }
    return true;
}

static bool edit_front(void *ctx, qr_pages *dst, size_t dst_page,
                       size_t src_page, qr_item *it)
{
    (void)dst, (void)dst_page, (void)src_page;
    join_ctx *j = ctx;
    if (it->kind != QR_ITEM_ANCHOR) return true;
    int k = heading_index(it->name);
    if (k >= 0 && (size_t)k < j->pk->nplan && j->pk->plan_name[k]) {
        it->name = j->pk->plan_name[k];
        it->text = j->pk->plan_title[k];
        it->len = strlen(it->text);
        it->level = j->pk->plan_level[k];
    } else {
        snprintf(j->buf[0], sizeof j->buf[0], "front-%s",
                 it->name ? it->name : "");
        it->name = j->buf[0];
        it->level = 0;
    }
    return true;
}

static qr_pages *join(pack *pk)
{
    qr_pages *all = qr_pages_new();
    int root = qr_pages_add_elem(all, QR_ROLE_DOCUMENT, -1, NULL, NULL);
    join_ctx j = {.pk = pk};
    j.sect = qr_pages_add_elem(all, QR_ROLE_SECT, root, NULL, NULL);
    qr_pages_append(all, pk->fm_pages, j.sect, edit_front, &j);
    for (size_t i = 0; i < pk->nitems; i++) {
        item *it = &pk->items[i];
        int only = appx_only(pk, it);
        if (!has_pages(pk, it) && !only) continue;
        join_ctx ji = {.pk = pk, .it = it};
        ji.sect = qr_pages_add_elem(all, QR_ROLE_SECT, root, NULL, NULL);
        if (only) {
            /* the item's late appendices alone: its bookmark leads them */
            snprintf(ji.buf[1], sizeof ji.buf[1], "Item %s: %s", it->number,
                     it->title);
            qr_pack_appx_join(&it->appx, all, ji.sect, it->anchor, ji.buf[1]);
            continue;
        }
        size_t first = qr_pages_append(all, it->pages, ji.sect, edit_item, &ji);
        if (!ji.started && qr_pages_count(it->pages) > 0)
            add_item_anchor(&ji, all, first);
        qr_pack_appx_join(&it->appx, all, ji.sect, it->anchor, NULL);
    }
    return all;
}

/* The output must not be an input (qr_output_check), nor — in a public
 * pack, where they are never opened and so are in no record — one of the
 * exempt items' files. */
static bool check_output_path(pack *pk, const char *out)
{
    if (!qr_output_check(out, pk->inputs, pk->d)) return false;
    for (size_t i = 0; i < pk->nitems; i++) {
        const item *it = &pk->items[i];
        const char *named[] = {it->data_path, it->tpl_path, it->style_path};
        for (size_t k = 0; k < sizeof named / sizeof *named; k++) {
            if (!same_file(out, named[k])) continue;
            qr_diag_add(pk->d, QR_ERROR, out, 0, 0, NULL, NULL,
                        "output '%s' is %s, a file of item %s: refusing to "
                        "overwrite an input; name another output",
                        out, named[k], it->number);
            return false;
        }
        /* an appendix this document does not open (late, or another
         * supplement's) is in no record of inputs either */
        for (size_t k = 0; k < it->appx.n; k++) {
            const qr_pack_appx *x = &it->appx.v[k];
            const char *files[] = {x->pdf_path, x->data_path, x->tpl_path,
                                   x->style_path};
            for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
                if (!same_file(out, files[f])) continue;
                qr_diag_add(pk->d, QR_ERROR, out, 0, 0, NULL, NULL,
                            "output '%s' is %s, appendix %s of item %s: "
                            "refusing to overwrite an input; name another "
                            "output", out, files[f], x->letter, it->number);
                return false;
            }
        }
    }
    return true;
}

static bool check_output(pack *pk)
{
    return check_output_path(pk, pk->req->out_path);
}

/* ---- the pack as HTML pages ---- */

/* Names later stages use for the generated Markdown in diagnostics. */
static const char APPX_LIST_NAME[] = "(list of appendices)";

/* What every page of the HTML pack is marked with: as the PDF marks its
 * pages, a full pack holding exempt items or appendices is the members'
 * on every page, and an exempt item's page (or an exempt appendix's) is
 * not for publication. */
static void html_marks(const pack *pk, const item *it, int exempt,
                       qr_html_meta *m)
{
    m->draft = pk->req->draft;
    if (!members_pack(pk)) return;
    m->exempt = 1;
    m->mark = exempt || (it && it->exempt) ? "NOT FOR PUBLICATION"
                                           : QR_MARK_MEMBERS;
}

/* The links of an item's pages to its appendices' files and back:
 * "#item-8-appendix-A" (the anchor the PDF pack gives the appendix) to
 * "item-8-appendix-A.pdf", "#item-8" to "item-8.html". Parse allows only
 * "#name" targets in the pack's own Markdown, so the files are reached
 * through html.h's link table, as the agenda reaches the items' pages. */
typedef struct html_links {
    char **from, **to;
    size_t n, cap;
} html_links;

static void html_links_add(html_links *l, char *from, char *to)
{
    if (l->n == l->cap) {        /* the two arrays grow together */
        l->cap = l->cap ? 2 * l->cap : 16;
        l->from = qr_xrealloc(l->from, l->cap * sizeof *l->from);
        l->to = qr_xrealloc(l->to, l->cap * sizeof *l->to);
    }
    l->from[l->n] = from;
    l->to[l->n++] = to;
}

static void html_links_free(html_links *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->from[i]);
        free(l->to[i]);
    }
    free(l->from);
    free(l->to);
    memset(l, 0, sizeof *l);
}

static void html_links_set(const html_links *l, qr_html_meta *m)
{
    m->links_from = (const char *const *)l->from;
    m->links_to = (const char *const *)l->to;
    m->nlinks = l->n;
}

/* An item's links: "#item-8" to its page and each appendix's anchor to
 * its file, for the item's page, its paper appendices' pages (the way
 * back) and the agenda. */
static void html_appx_links(const item *it, html_links *l)
{
    html_links_add(l, qr_xasprintf("#%s", it->anchor),
                   qr_xasprintf("%s.html", it->anchor));
    for (size_t k = 0; k < it->appx.n; k++) {
        const qr_pack_appx *x = &it->appx.v[k];
        char *name = html_shows(it, x) ? html_appx_name(it, x) : NULL;
        char anchor[APPX_ANCHOR_MAX];
        appx_anchor(it, x, anchor);
        if (name) html_links_add(l, qr_xasprintf("#%s", anchor), name);
    }
}

static qr_doc *parse_list(pack *pk, qr_buf *md)
{
    size_t len;
    char *text = qr_buf_detach(md, &len);
    qr_doc *doc = qr_parse_markdown(text, len, APPX_LIST_NAME, pk->d);
    free(text);
    return doc;
}

/* Below an item's paper on its page: its appendices in order, each
 * linked to its file ("Appendix A – Title (PDF, 3 pages)"), an exempt one
 * in a public pack named with the words of the PDF pack's notice and no
 * link, since its file is never opened, and one published later on its
 * own "to follow", as the agenda says. NULL when it has none to list. */
static qr_doc *html_appx_list(pack *pk, const item *it)
{
    qr_buf md;
    qr_buf_init(&md);
    qr_buf_puts(&md, "## Appendices\n\n");
    int any = 0;
    for (size_t k = 0; k < it->appx.n; k++) {
        const qr_pack_appx *x = &it->appx.v[k];
        int to_follow = x->late && !it->withheld;
        if (!html_shows(it, x) && !to_follow) continue;
        any = 1;
        int linked = !x->withheld && !to_follow;
        qr_buf_printf(&md, "- %sAppendix %s \xE2\x80\x93 ",
                      linked ? "[" : "", x->letter);
        qr_pack_appx_md_text(&md, x->title);
        if (x->exempt) qr_buf_puts(&md, " \\(exempt\\)");
        if (to_follow) {
            qr_buf_puts(&md, ": *to follow*");
        } else if (x->withheld) {
            /* an appendix of an exempt item shown without it is exempt
             * with its item */
            qr_buf_puts(&md, ": not for publication  \n");
            qr_pack_appx_notice_md(&md, x->exempt ? x->exempt : it->exempt,
                                   x->exempt ? x->reason : it->reason,
                                   "  \n");
        } else {
            char anchor[APPX_ANCHOR_MAX];
            appx_anchor(it, x, anchor);
            qr_buf_printf(&md, "](#%s)", anchor);
        }
        if (x->doc) {
            size_t n = qr_appendix_npages(x->doc);
            qr_buf_printf(&md, " \\(PDF, %zu page%s\\)", n, n > 1 ? "s" : "");
        }
        qr_buf_puts(&md, "\n");
    }
    if (!any) {
        qr_buf_free(&md);
        return NULL;
    }
    return parse_list(pk, &md);
}

/* Below a paper appendix on its page: the way back to its item. */
static qr_doc *html_appx_back(pack *pk, const item *it, const qr_pack_appx *x)
{
    qr_buf md;
    qr_buf_init(&md);
    qr_buf_printf(&md, "Appendix %s to [item %s: ", x->letter, it->number);
    qr_pack_appx_md_text(&md, it->title);
    qr_buf_printf(&md, "](#%s)\n", it->anchor);
    return parse_list(pk, &md);
}

static void add_appx_file(pack *pk, char *name, char *bytes, size_t len)
{
    QR_GROW(pk->appx_files, pk->nappx_files + 1, pk->cappx_files, 8);
    pk->appx_files[pk->nappx_files++] = (html_file){name, bytes, len};
}

/* A paper appendix's page: its paper's HTML copy (qr_paper_html, as the
 * items' pages), marked as the PDF marks its pages, with the way back. */
static bool html_appx_paper(pack *pk, const item *it, const qr_pack_appx *x,
                            const html_links *links)
{
    qr_html_meta m;
    qr_paper_html_meta(x->paper, &m);
    char *title = qr_xasprintf("Appendix %s: %s", x->letter, x->title);
    m.title = title;
    html_marks(pk, it, x->exempt, &m);
    html_links_set(links, &m);
    qr_doc *back = html_appx_back(pk, it, x);
    m.after = back;
    char *out = NULL;
    size_t len = 0;
    bool ok = back && qr_paper_html(x->paper, &m, &out, &len, pk->d);
    qr_doc_free(back);
    free(title);
    if (ok) add_appx_file(pk, html_appx_name(it, x), out, len);
    else free(out);
    return ok;
}

/* A PDF appendix's copy: made by the pack's own import and writer
 * (qr_pack_appx_pdf_copy), never the file's bytes, which could carry
 * JavaScript, actions or embedded files the pack leaves out. */
static bool html_appx_pdf(pack *pk, item *it, size_t k)
{
    const qr_pack_appx *x = &it->appx.v[k];
    char *name = html_appx_name(it, x);
    char *path = qr_xasprintf("%s/%s", pk->req->html_dir, name);
    char *title = qr_xasprintf("Appendix %s: %s", x->letter, x->title);
    qr_pdf_meta meta;
    pack_meta(pk, title, pk->meeting_line, &meta);
    it->appx.draft = pk->req->draft;
    char *out;
    size_t len;
    bool ok = qr_pack_appx_pdf_copy(&it->appx, k, &pk->fm_style, pk->fonts,
                                    pk->meeting_line, it->anchor,
                                    item_mark(pk, it), &meta, path, &out,
                                    &len, pk->d);
    free(title);
    free(path);
    if (ok) add_appx_file(pk, name, out, len);
    else free(name);
    return ok;
}

/* An item's appendices in the HTML pack: a page for each paper, a copy
 * of each PDF, and (for the item's page) their list. */
static bool html_appendices(pack *pk, item *it, const html_links *links,
                            qr_doc **list)
{
    int bad = 0;
    *list = NULL;
    for (size_t k = 0; k < it->appx.n; k++) {
        const qr_pack_appx *x = &it->appx.v[k];
        if (x->paper) bad |= !html_appx_paper(pk, it, x, links);
        else if (x->doc) bad |= !html_appx_pdf(pk, it, k);
    }
    if (bad) return false;
    *list = html_appx_list(pk, it);
    return true;
}

/* Each item's page: its paper (read as render reads it, images into the
 * paper's record, so the public pack's shared-file check sees them) with
 * the list of its appendices, or in a public pack the notice that
 * replaces an exempt paper; and its appendices' files. */
static bool html_items(pack *pk)
{
    int bad = 0;
    for (size_t i = 0; i < pk->nitems; i++) {
        item *it = &pk->items[i];
        qr_html_meta m;
        memset(&m, 0, sizeof m);
        html_links links = {0};
        qr_doc *list = NULL;
        if (it->paper) {
            html_appx_links(it, &links);
            if (!html_appendices(pk, it, &links, &list)) {
                bad = 1;
                html_links_free(&links);
                continue;
            }
            qr_paper_html_meta(it->paper, &m);
            html_marks(pk, it, 0, &m);
            html_links_set(&links, &m);
            m.after = list;
            bad |= !qr_paper_html(it->paper, &m, &it->html, &it->html_len,
                                  pk->d);
        } else if (it->notice) {
            m.title = it->title;
            m.lang = pk->style.lang;
            m.subject = pk->meeting_line;
            html_marks(pk, it, 0, &m);
            bad |= !qr_html_render(it->notice, &pk->fm_style, &m,
                                   NOTICE_NAME, pk->d, &it->html,
                                   &it->html_len);
        }
        qr_doc_free(list);
        html_links_free(&links);
    }
    return !bad;
}

/* index.html: the front sheet and agenda, each item's "#item-N" link
 * going to its page and each appendix's to its file. */
static char *html_index(pack *pk, size_t *len)
{
    size_t mdlen;
    int front_lines = 0;
    char *md = front_matter(pk, &mdlen, &front_lines);
    qr_doc *doc = qr_parse_markdown(md, mdlen, FRONT_NAME, pk->d);
    free(md);
    if (!doc) return NULL;
    html_links links = {0};
    for (size_t i = 0; i < pk->nitems; i++)
        if (pk->items[i].html) html_appx_links(&pk->items[i], &links);
    char *title = qr_xasprintf("%s: agenda", pk->meeting_line);
    qr_html_meta m = {.title = title, .lang = pk->style.lang,
                      .subject = pk->meeting_line, .author = pk->council};
    html_links_set(&links, &m);
    html_marks(pk, NULL, 0, &m);
    char *out = NULL;
    if (!qr_html_render(doc, &pk->fm_style, &m, FRONT_NAME, pk->d, &out,
                        len)) {
        free(out);
        out = NULL;
    }
    html_links_free(&links);
    free(title);
    qr_doc_free(doc);
    return out;
}

/* ---- the HTML folder's own files ---- */

bool qr_pack_html_file(const char *name)
{
    /* index.html, item-8.html, item-8-appendix-C.html,
     * item-8-appendix-A.pdf: the folder may be one a user also keeps
     * other pages and PDFs in (the pack's own PDF beside its pages) */
    size_t n = strlen(name);
    if (strcmp(name, "index.html") == 0) return true;
    if (strncmp(name, "item-", 5) != 0) return false;
    if (n > 5 && strcmp(name + n - 5, ".html") == 0) return true;
    return n > 4 && strcmp(name + n - 4, ".pdf") == 0 &&
           strstr(name, "-appendix-") != NULL;
}

/* A file of the folder as it was before the pack wrote it. */
typedef struct file_id {
    char *name;
    dev_t dev;
    ino_t ino;
} file_id;

/* The files of dir the pack manages (qr_pack_html_file), regular ones
 * only, each with its device and inode. */
static file_id *files_before(const char *dir, size_t *n)
{
    *n = 0;
    DIR *dh = opendir(dir);
    if (!dh) return NULL;
    file_id *v = NULL;
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(dh)) != NULL) {
        struct stat sb;
        if (!qr_pack_html_file(e->d_name) ||
            fstatat(dirfd(dh), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(sb.st_mode))
            continue;
        QR_GROW(v, *n, cap, 16);
        v[(*n)++] = (file_id){qr_xstrdup(e->d_name), sb.st_dev, sb.st_ino};
    }
    closedir(dh);
    return v;
}

/* After the pack wrote its files (each by a rename, so a new inode), or
 * (remove false) when it could not: with remove, unlink every file of
 * before that is still the same file — one the pack no longer makes. Frees
 * before. */
static void files_after(const char *dir, file_id *before, size_t n,
                        bool remove)
{
    for (size_t i = 0; i < n; i++) {
        char *p = qr_path_join(dir, before[i].name);
        struct stat sb;
        if (remove && lstat(p, &sb) == 0 && sb.st_dev == before[i].dev &&
            sb.st_ino == before[i].ino)
            (void)unlink(p);
        free(p);
        free(before[i].name);
    }
    free(before);
}

static bool html_write(pack *pk, const char *name, const char *bytes,
                       size_t len)
{
    char *path = qr_xasprintf("%s/%s", pk->req->html_dir, name);
    bool ok = true;
    /* a full pack holding exempt items is its owner's only, every page */
    if (!qr_write_atomic_mode(path, bytes, len, members_pack(pk))) {
        qr_diag_add(pk->d, QR_ERROR, path, 0, 0, NULL, NULL,
                    "cannot write '%s': %s", path, strerror(errno));
        ok = false;
    }
    free(path);
    return ok;
}

/* Is every file the HTML pack writes (`name` in its folder) not one of its
 * inputs? */
static bool html_name_ok(pack *pk, const char *name)
{
    char *p = qr_xasprintf("%s/%s", pk->req->html_dir, name);
    bool ok = check_output_path(pk, p);
    free(p);
    return ok;
}

/* The pack as HTML: every page made, the public pack's checks passed and
 * every output name checked before the first file is written. Its
 * qr_status is qr_pack_build's, passed on unchanged: a page refused (1)
 * or not written (3). */
static qr_status pack_html(pack *pk)
{
    if (!html_items(pk)) return QR_EINPUT;
    if (pk->req->public_pack && !check_shared_files(pk)) return QR_EINPUT;
    size_t ilen = 0;
    char *index = html_index(pk, &ilen);
    if (!index) return QR_EINPUT;
    const char *dir = pk->req->html_dir;
    struct stat sb;
    /* a folder made for a members' pack with exempt items is private too */
    int private = members_pack(pk);
    if (stat(dir, &sb) != 0 && mkdir(dir, private ? 0700 : 0777) != 0) {
        qr_diag_add(pk->d, QR_ERROR, dir, 0, 0, NULL, NULL,
                    "cannot make the folder '%s': %s", dir, strerror(errno));
        free(index);
        return QR_EOUTPUT;
    }
    qr_status status = html_name_ok(pk, "index.html") ? QR_OK : QR_EINPUT;
    for (size_t i = 0; i < pk->nitems && status == QR_OK; i++) {
        if (!pk->items[i].html) continue;
        char *name = qr_xasprintf("%s.html", pk->items[i].anchor);
        if (!html_name_ok(pk, name)) status = QR_EINPUT;
        free(name);
    }
    for (size_t i = 0; i < pk->nappx_files && status == QR_OK; i++)
        if (!html_name_ok(pk, pk->appx_files[i].name)) status = QR_EINPUT;
    size_t nbefore = 0;
    file_id *before = status == QR_OK ? files_before(dir, &nbefore) : NULL;
    /* the appendices first, then the items' pages that link them */
    for (size_t i = 0; i < pk->nappx_files && status == QR_OK; i++) {
        const html_file *f = &pk->appx_files[i];
        if (!html_write(pk, f->name, f->bytes, f->len)) status = QR_EOUTPUT;
    }
    for (size_t i = 0; i < pk->nitems && status == QR_OK; i++) {
        if (!pk->items[i].html) continue;
        char *name = qr_xasprintf("%s.html", pk->items[i].anchor);
        if (!html_write(pk, name, pk->items[i].html, pk->items[i].html_len))
            status = QR_EOUTPUT;
        free(name);
    }
    /* the agenda last: it links pages that are there */
    if (status == QR_OK && !html_write(pk, "index.html", index, ilen))
        status = QR_EOUTPUT;
    files_after(dir, before, nbefore, status == QR_OK);
    free(index);
    return status;
}

/* A public pack shows no withheld appendix's file under another name, and
 * an open appendix read from a withheld folder is refused as any file an
 * open item reads from there (check_file). */
static bool public_appendices(pack *pk)
{
    const qr_pack_appxs **appx = qr_xcalloc(pk->nitems, sizeof *appx);
    int bad = 0;
    for (size_t i = 0; i < pk->nitems; i++) {
        appx[i] = &pk->items[i].appx;
        for (size_t k = 0; pk->nwh && k < qr_pack_appx_nfiles(appx[i]); k++) {
            const char *f = qr_pack_appx_file(appx[i], k);
            struct stat sb;
            if (f && stat(f, &sb) == 0)
                bad |= check_file(pk, &pk->items[i], NULL, f, QR_IN_OTHER,
                                  sb.st_dev, sb.st_ino, 0);
        }
    }
    bad |= !qr_pack_appx_public_check(appx, pk->nitems, pk->req->out_path,
                                      pk->mdata, pk->d);
    free(appx);
    return !bad;
}

/* ---- the whole ---- */

static void pack_free(pack *pk)
{
    free(pk->meeting_line);
    for (size_t i = 0; i < pk->nitems; i++) {
        item *it = &pk->items[i];
        free(it->data_path);
        free(it->tpl_path);
        free(it->style_path);
        qr_paper_free(it->paper);
        qr_doc_free(it->notice);
        qr_pages_free(it->pages);
        qr_diags_free(it->warnings);
        free(it->html);
        qr_pack_appx_free(&it->appx);
    }
    free(pk->items);
    clear_plan(pk);
    free(pk->plan_name);
    free(pk->plan_title);
    free(pk->plan_level);
    qr_doc_free(pk->fm_doc);
    qr_pages_free(pk->fm_pages);
    qr_diags_free(pk->fm_warnings);
    qr_fonts_free(pk->fonts);
    free(pk->style_path);
    free(pk->tpl_dir);
    free(pk->dir);
    qr_data_free(pk->mdata);
    qr_inputs_free(pk->inputs);
    free_withheld(pk);
    for (size_t i = 0; i < pk->nappx_files; i++) {
        free(pk->appx_files[i].name);
        free(pk->appx_files[i].bytes);
    }
    free(pk->appx_files);
}

static qr_status build(const qr_pack_req *req, qr_diags *d, char ***files,
                       int *pages);

/* A supplement numbered on from the pack (the same kind: public or full,
 * whose exempt items can differ in length) counts the pack's pages by
 * laying it out, writing nothing. The pack's files are the supplement's
 * inputs too: change one and the numbers move. */
static bool count_main_pack(pack *pk)
{
    qr_pack_req main = *pk->req;
    main.supplement = 0;
    main.out_path = NULL;
    main.dump_pages = NULL;
    main.html_dir = NULL;
    char **files = NULL;
    /* the pack's warnings are the pack's build's to report, not ours */
    qr_diags *sub = qr_diags_new();
    qr_status st = build(&main, sub, &files, &pk->base);
    for (size_t i = 0; files && files[i]; i++) add_file(pk, files[i]);
    qr_pack_files_free(files);
    if (st != QR_OK) qr_diags_move(pk->d, sub);
    qr_diags_free(sub);
    if (st == QR_OK) return true;
    qr_diag_add(pk->d, QR_ERROR, pk->req->meeting_path, 0, 0, NULL, NULL,
                "supplement %d cannot be numbered on from the agenda pack, "
                "which has errors", pk->req->supplement);
    return false;
}

qr_status qr_pack_build(const qr_pack_req *req, qr_diags *d, char ***files)
{
    return build(req, d, files, NULL);
}

static qr_status build(const qr_pack_req *req, qr_diags *d, char ***files,
                       int *pages)
{
    pack pk;
    memset(&pk, 0, sizeof pk);
    pk.req = req;
    pk.d = d;
    pk.epoch = LLONG_MIN;
    if (files) *files = NULL;
    const char *slash = strrchr(req->meeting_path, '/');
    pk.dir = slash ? qr_xstrndup(req->meeting_path,
                                 (size_t)(slash - req->meeting_path))
                   : qr_xstrdup("");
    if (slash == req->meeting_path) {
        free(pk.dir);
        pk.dir = qr_xstrdup("/");
    }
    qr_status status = QR_EINPUT;
    qr_pages *all = NULL;
    /* everything the pack reads is recorded: the output may be none of it */
    pk.inputs = qr_inputs_new();
    qr_inputs *outer = qr_inputs_activate(pk.inputs);
    /* noted first so the record names it a meeting file; the load below
     * reports any error reading it */
    (void)qr_input_note(req->meeting_path, QR_IN_MEETING);

    if (!load_meeting(&pk)) goto done;
    if (req->supplement && !pk.page_prefix && !count_main_pack(&pk))
        goto done;
    if (req->public_pack) build_withheld(&pk);
    qr_style_default(&pk.style);
    if (pk.style_path) {
        add_file(&pk, pk.style_path);
        if (!qr_style_load(pk.style_path, &pk.style, d)) goto done;
    }
    pk.fm_style = pk.style;
    pk.fm_style.number_sections = 0;
    pk.fm_style.number_paragraphs = 0;
    /* names, venues and titles read better unbroken */
    pk.fm_style.hyphenate = 0;
    pk.fonts = qr_fonts_load(&pk.style, d);
    if (!pk.fonts) goto done;
    /* the embedded faces are inputs too: build rebuilds when one changes */
    for (int s = 0; s < QR_FONT_COUNT; s++) {
        const char *ff = qr_fonts_file(pk.fonts, (qr_font_slot)s);
        if (ff) add_file(&pk, ff);
    }
    if (!prepare_items(&pk)) goto done;
    if (req->public_pack && !public_appendices(&pk)) goto done;
    if (req->html_dir) {
        status = pack_html(&pk);
        goto done;
    }
    if (!settle(&pk)) goto done;
    if (pages) *pages = pk.total;
    /* images are read at layout: they are the pack's inputs too, the
     * appendix papers' as the items' */
    for (size_t i = 0; i < pk.nitems; i++) {
        const item *it = &pk.items[i];
        for (size_t j = 0; j <= it->appx.n; j++) {
            const qr_paper *pp = j == 0 ? it->paper : it->appx.v[j - 1].paper;
            const qr_inputs *rec = pp ? qr_paper_inputs(pp) : NULL;
            for (size_t k = 0; k < qr_inputs_count(rec); k++)
                if (qr_inputs_get(rec, k)->role == QR_IN_IMAGE)
                    add_file(&pk, qr_inputs_get(rec, k)->path);
        }
    }
    if (req->public_pack && !check_shared_files(&pk)) goto done;
    if (req->out_path && !check_output(&pk)) goto done;

    qr_diags_move(d, pk.fm_warnings);
    for (size_t i = 0; i < pk.nitems; i++) {
        if (pk.items[i].warnings) qr_diags_move(d, pk.items[i].warnings);
        for (size_t k = 0; k < pk.items[i].appx.n; k++)
            if (pk.items[i].appx.v[k].warnings)
                qr_diags_move(d, pk.items[i].appx.v[k].warnings);
    }
    all = join(&pk);
    if (req->dump_pages) qr_pages_dump(all, req->dump_pages);
    if (!req->out_path) {
        status = QR_OK;
        goto done;
    }

    char *title = req->supplement
        ? qr_xasprintf("%s: supplementary agenda %d", pk.meeting_line,
                       req->supplement)
        : qr_xasprintf("%s: agenda pack", pk.meeting_line);
    char subject[128];
    snprintf(subject, sizeof subject, "%s",
             req->public_pack ? "Agenda and reports (public)"
             : pk.has_exempt  ? "Agenda and reports, including exempt "
                                "information not for publication"
                              : "Agenda and reports");
    qr_pdf_meta meta;
    pack_meta(&pk, title, subject, &meta);
    /* the front sheet is page 1: labels match the printed numbers */
    meta.page_label_start = pk.base + 1;
    meta.page_label_prefix = pk.page_prefix;
    const qr_pack_appxs **appx = qr_xcalloc(pk.nitems, sizeof *appx);
    for (size_t i = 0; i < pk.nitems; i++) appx[i] = &pk.items[i].appx;
    bool refused;
    status = qr_pack_appx_write(appx, pk.nitems, all, pk.fonts, &meta,
                                req->out_path, &refused, d) ? QR_OK
             : refused ? QR_EINPUT : QR_EOUTPUT;
    free(appx);
    free(title);

done:
    qr_inputs_activate(outer);
    qr_inputs_merge(outer, pk.inputs);
    qr_pages_free(all);
    if (files) {
        if (!pk.files) pk.files = qr_xcalloc(1, sizeof *pk.files);
        *files = pk.files;
        pk.files = NULL;
    }
    qr_pack_files_free(pk.files);
    pack_free(&pk);
    return status;
}
