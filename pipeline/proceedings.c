/* proceedings.c — minutes and the record of executive decisions.
 *
 * In: a meeting file (docs/meeting.md) whose `proceedings` block says who
 * attended, what was declared and what was resolved on each agenda item.
 * Out: the minutes, or the record of decisions with its call-in deadline,
 * as a PDF made by the one paper pipeline (qr_paper_render) from a
 * template and a view of the meeting.
 *
 * The view is built here, in C, from validated data: it is the only thing
 * the template sees. Public minutes leave a private item's discussion,
 * votes and resolutions out of the view altogether, so no later stage
 * (expansion, layout, bookmarks, metadata) can show them — the same
 * guarantee a public pack gives by never opening an exempt paper.
 *
 * Text in the proceedings is text, not Markdown, like every string in
 * Quire's data: narrative is given as paragraphs and bullet lists (see
 * docs/meeting.md) and the template inserts each piece with {{…}}.
 */
#include "quire/proceedings.h"

#include "quire/build.h"
#include "quire/derive.h"
#include "quire/input.h"
#include "quire/load.h"
#include "quire/render.h"
#include "quire/util.h"
#include "quire/workdays.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAGRAPH 7           /* Schedule 12A, Part 1 */
#define MAX_WORKING_DAYS 30
#define HOLIDAY_TABLE "bank-holidays-england-wales.json"
/* Bounds on the lists, far above any real meeting (a full council has
 * fewer than 150 members), so that the checks that compare list with list
 * stay quick on a hostile or broken file in an unattended build. */
#define MAX_PEOPLE 200            /* each list of names */
#define MAX_DECLARATIONS 500
#define MAX_MINUTES 500

/* Part 1 of Schedule 12A to the Local Government Act 1972, shortened as
 * minutes quote it. */
static const char *const SCHEDULE_12A[MAX_PARAGRAPH + 1] = {
    NULL,
    "information relating to any individual",
    "information which is likely to reveal the identity of an individual",
    "information relating to the financial or business affairs of any "
    "particular person, including the authority holding that information",
    "information relating to any consultations or negotiations in "
    "connection with any labour relations matter",
    "information in respect of which a claim to legal professional "
    "privilege could be maintained in legal proceedings",
    "information which reveals that the authority proposes to give a "
    "notice imposing requirements on a person, or to make an order or "
    "direction under any enactment",
    "information relating to any action taken or to be taken in connection "
    "with the prevention, investigation or prosecution of crime",
};

/* Kinds of interest under the members' code of conduct. */
static const char *const KIND_CODES[] = {"disclosable_pecuniary",
                                         "other_registrable",
                                         "non_registrable", NULL};
static const char *const KIND_LABELS[] = {"Disclosable pecuniary interest",
                                          "Other registrable interest",
                                          "Non-registrable interest"};

typedef struct agenda_item {
    char number[32];            /* "4", "5a" */
    const char *title;
    int exempt;                 /* its Schedule 12A paragraph, or 0 */
} agenda_item;

typedef struct rec {
    const qr_record_req *req;
    qr_diags *d;
    qr_data *data;
    const cJSON *root, *proc;
    char *dir;                  /* the meeting file's folder */
    const char *committee, *date;
    agenda_item *items;
    size_t nitems;
    char **labels;              /* each minute's number, as printed */
    size_t nminutes;
    qr_holidays hols;
} rec;

/* ---- small helpers ---- */

static void err(rec *r, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void err(rec *r, const char *path, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    qr_data_diag(r->data, r->d, QR_ERROR, path, "%s", msg);
}

static const cJSON *get(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static const char *sget(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* "path/key" in a buffer owned by the caller. */
static const char *sub(char *buf, size_t n, const char *path, const char *key)
{
    snprintf(buf, n, "%s/%s", path, key);
    return buf;
}

static const char *idx(char *buf, size_t n, const char *path, int i)
{
    snprintf(buf, n, "%s/%d", path, i);
    return buf;
}

/* Every object of the proceedings is closed, as the rest of the meeting
 * file is: a misspelt "private" would otherwise publish a private minute. */
static void closed(rec *r, const cJSON *obj, const char *path,
                   const char *const *known)
{
    qr_json_unknown_fields(r->data, obj, path, known, r->d);
}

/* A string member: NULL (with an error when required) if absent, empty or
 * not a string. */
static const char *need_str(rec *r, const cJSON *o, const char *path,
                            const char *key, int required)
{
    const cJSON *v = get(o, key);
    char p[256];
    if (!v) {
        if (required) err(r, path, "missing required field '%s'", key);
        return NULL;
    }
    if (!cJSON_IsString(v)) {
        err(r, sub(p, sizeof p, path, key), "'%s' must be a string, found "
            "%s", key, qr_json_type_name(v));
        return NULL;
    }
    if (!v->valuestring[0]) {
        err(r, sub(p, sizeof p, path, key), "'%s' must not be empty", key);
        return NULL;
    }
    return v->valuestring;
}

/* An array member, or NULL (with an error when it is something else). */
static const cJSON *need_array(rec *r, const cJSON *o, const char *path,
                               const char *key)
{
    const cJSON *v = get(o, key);
    char p[256];
    if (v && !cJSON_IsArray(v)) {
        err(r, sub(p, sizeof p, path, key), "'%s' must be an array, found %s",
            key, qr_json_type_name(v));
        return NULL;
    }
    return v;
}

/* A list of the proceedings within its bound: NULL (with an error) when
 * it is longer, or not an array. */
static const cJSON *bounded(rec *r, const char *key, int max)
{
    const cJSON *arr = need_array(r, r->proc, "/proceedings", key);
    char p[64];
    if (arr && cJSON_GetArraySize(arr) > max) {
        err(r, sub(p, sizeof p, "/proceedings", key), "'%s' has %d entries: "
            "more than the limit of %d", key, cJSON_GetArraySize(arr), max);
        return NULL;
    }
    return arr;
}

/* "HH:MM" 24-hour into GOV.UK style: "6pm", "10:30am", "midday". */
static bool format_time(const char *t, char *out, size_t n)
{
    int h, m;
    char tail;
    if (!t || strlen(t) != 5 || t[2] != ':' ||
        !isdigit((unsigned char)t[0]) || !isdigit((unsigned char)t[3]) ||
        sscanf(t, "%2d:%2d%c", &h, &m, &tail) != 2 || h > 23 || m > 59)
        return false;
    if (h == 12 && m == 0) snprintf(out, n, "midday");
    else if (h == 0 && m == 0) snprintf(out, n, "midnight");
    else if (m == 0) snprintf(out, n, "%d%s", h % 12 ? h % 12 : 12, h < 12 ? "am" : "pm");
    else snprintf(out, n, "%d:%02d%s", h % 12 ? h % 12 : 12, m, h < 12 ? "am" : "pm");
    return true;
}

static void need_time(rec *r, const cJSON *o, const char *path,
                      const char *key)
{
    const char *t = need_str(r, o, path, key, 1);
    char buf[32], p[256];
    if (t && !format_time(t, buf, sizeof buf))
        err(r, sub(p, sizeof p, path, key), "'%s' is not a time (expected "
            "HH:MM, 24-hour, e.g. 19:30)", t);
}

/* An agenda item number as text: 4 → "4", "5a" → "5a"; "" if neither. */
static void item_key(const cJSON *v, char *out, size_t n)
{
    out[0] = '\0';
    if (cJSON_IsNumber(v) && v->valuedouble == (double)(int)v->valuedouble)
        snprintf(out, n, "%d", v->valueint);
    else if (cJSON_IsString(v))
        snprintf(out, n, "%s", v->valuestring);
}

static const agenda_item *find_item(const rec *r, const char *key)
{
    for (size_t i = 0; i < r->nitems; i++)
        if (strcmp(r->items[i].number, key) == 0) return &r->items[i];
    return NULL;
}

/* ---- the meeting: what the proceedings refer to ---- */

/* The parts of the meeting file the record needs; the rest is `quire
 * pack`'s to check, but a record must not be made from a file that is
 * wrong where it reads it. */
static void read_meeting(rec *r)
{
    r->committee = need_str(r, r->root, "", "committee", 1);
    need_str(r, r->root, "", "council", 1);
    need_str(r, r->root, "", "venue", 1);
    r->date = need_str(r, r->root, "", "date", 1);
    if (r->date && !qr_iso_date(r->date, NULL, NULL, NULL)) {
        err(r, "/date", "'%s' is not a valid date (expected YYYY-MM-DD)",
            r->date);
        r->date = NULL;
    }
    const cJSON *ms = get(r->root, "membership");
    if (!cJSON_IsObject(ms)) err(r, ms ? "/membership" : "",
                                 "'membership' must be an object");
    const cJSON *items = need_array(r, r->root, "", "items");
    r->nitems = items ? (size_t)cJSON_GetArraySize(items) : 0;
    r->items = qr_xcalloc(r->nitems + 1, sizeof *r->items);
    const cJSON *o;
    size_t i = 0;
    cJSON_ArrayForEach(o, items) {
        agenda_item *it = &r->items[i];
        char p[64];
        item_key(get(o, "number"), it->number, sizeof it->number);
        it->title = sget(o, "title");
        if (!it->number[0] || !it->title)
            err(r, idx(p, sizeof p, "/items", (int)i), "an agenda item "
                "needs a 'number' and a 'title'");
        const cJSON *ex = get(o, "exempt");
        const cJSON *para = cJSON_IsObject(ex) ? get(ex, "paragraph") : NULL;
        if (cJSON_IsNumber(para) && para->valueint >= 1 &&
            para->valueint <= MAX_PARAGRAPH)
            it->exempt = para->valueint;
        else if (cJSON_IsObject(ex))
            it->exempt = MAX_PARAGRAPH + 1;   /* pack reports it; private */
        i++;
    }
}

/* Is `name` a member of the committee (chair, vice-chair, members)? */
static bool is_member(const rec *r, const char *name)
{
    const cJSON *ms = get(r->root, "membership");
    const char *c = sget(ms, "chair"), *v = sget(ms, "vice_chair");
    if ((c && strcmp(c, name) == 0) || (v && strcmp(v, name) == 0))
        return true;
    const cJSON *m;
    const cJSON *list = get(ms, "members");
    if (!cJSON_IsArray(list)) return false;
    cJSON_ArrayForEach(m, list) {
        const char *n = cJSON_IsString(m) ? m->valuestring : sget(m, "name");
        if (n && strcmp(n, name) == 0) return true;
    }
    return false;
}

/* ---- attendance ---- */

static bool in_strings(const cJSON *arr, const char *name)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, arr)
        if (cJSON_IsString(m) && strcmp(m->valuestring, name) == 0)
            return true;
    return false;
}

static const cJSON *substitute_for(const cJSON *subs, const char *name)
{
    const cJSON *s;
    cJSON_ArrayForEach(s, subs) {
        const char *n = sget(s, "name");
        if (n && strcmp(n, name) == 0) return s;
    }
    return NULL;
}

/* Present and voting: a member listed as present, or a substitute. */
static bool is_present(const rec *r, const char *name)
{
    return in_strings(get(r->proc, "present"), name) ||
           substitute_for(get(r->proc, "substitutes"), name) != NULL;
}

static size_t count_present(const rec *r)
{
    return (size_t)cJSON_GetArraySize(get(r->proc, "present")) +
           (size_t)cJSON_GetArraySize(get(r->proc, "substitutes"));
}

static void check_names(rec *r, const char *key, int members_only)
{
    const cJSON *arr = bounded(r, key, MAX_PEOPLE);
    const cJSON *m;
    int i = 0;
    char base[64], p[96];
    sub(base, sizeof base, "/proceedings", key);
    cJSON_ArrayForEach(m, arr) {
        idx(p, sizeof p, base, i++);
        if (!cJSON_IsString(m) || !m->valuestring[0])
            err(r, p, "expected a member's name, found %s",
                qr_json_type_name(m));
        else if (members_only && !is_member(r, m->valuestring))
            err(r, p, "'%s' is not a member of the %s (membership lists "
                "the chair, vice-chair and members)", m->valuestring,
                r->committee ? r->committee : "committee");
        else
            /* a name twice would count twice against the votes */
            for (const cJSON *e = arr->child; e != m; e = e->next)
                if (cJSON_IsString(e) &&
                    strcmp(e->valuestring, m->valuestring) == 0) {
                    err(r, p, "'%s' is listed twice", m->valuestring);
                    break;
                }
    }
}

static void check_substitutes(rec *r)
{
    static const char *const known[] = {"name", "for", NULL};
    const cJSON *arr = bounded(r, "substitutes", MAX_PEOPLE);
    const cJSON *s;
    int i = 0;
    char p[96];
    cJSON_ArrayForEach(s, arr) {
        idx(p, sizeof p, "/proceedings/substitutes", i++);
        if (!cJSON_IsObject(s)) {
            err(r, p, "a substitute is {\"name\": …, \"for\": …}");
            continue;
        }
        closed(r, s, p, known);
        const char *who = need_str(r, s, p, "name", 1);
        char np[128];
        if (who && in_strings(get(r->proc, "present"), who))
            err(r, sub(np, sizeof np, p, "name"), "'%s' is listed as present "
                "as a member: a substitute stands in for another member",
                who);
        const char *f = need_str(r, s, p, "for", 1);
        char fp[128];
        sub(fp, sizeof fp, p, "for");
        if (f && !is_member(r, f))
            err(r, fp, "'%s' is not a member of the %s: a substitute "
                "stands in for a member", f, r->committee ? r->committee : "committee");
        else if (f && in_strings(get(r->proc, "present"), f))
            err(r, fp, "'%s' is listed as present: a substitute stands in "
                "for an absent member", f);
    }
}

static void check_people_list(rec *r, const char *key)
{
    static const char *const known[] = {"name", "role", NULL};
    const cJSON *arr = bounded(r, key, MAX_PEOPLE);
    const cJSON *o;
    int i = 0;
    char base[64], p[96];
    sub(base, sizeof base, "/proceedings", key);
    cJSON_ArrayForEach(o, arr) {
        idx(p, sizeof p, base, i++);
        if (cJSON_IsString(o)) continue;
        if (!cJSON_IsObject(o)) {
            err(r, p, "expected a name or {\"name\", \"role\"}, found %s",
                qr_json_type_name(o));
            continue;
        }
        closed(r, o, p, known);
        need_str(r, o, p, "name", 1);
        need_str(r, o, p, "role", 0);
    }
}

static void check_attendance(rec *r)
{
    check_names(r, "present", 1);
    check_substitutes(r);
    check_names(r, "apologies", 1);
    check_people_list(r, "officers");
    check_people_list(r, "also_present");
    if (!get(r->proc, "present"))
        err(r, "/proceedings", "missing required field 'present' (the "
            "members present)");
    const char *chair = need_str(r, r->proc, "/proceedings", "in_the_chair", 0);
    if (chair && !is_present(r, chair))
        err(r, "/proceedings/in_the_chair", "'%s' is not listed as present",
            chair);
    const cJSON *m;
    int i = 0;
    char p[96];
    cJSON_ArrayForEach(m, get(r->proc, "apologies")) {
        idx(p, sizeof p, "/proceedings/apologies", i++);
        if (cJSON_IsString(m) && is_present(r, m->valuestring))
            err(r, p, "'%s' is listed as present and as giving apologies",
                m->valuestring);
    }
}

/* ---- declarations ---- */

static void check_declaration(rec *r, const cJSON *o, const char *p)
{
    static const char *const known[] = {"member", "item", "kind", "interest",
                                        "left_room", "dispensation", NULL};
    char q[128];
    if (!cJSON_IsObject(o)) {
        err(r, p, "a declaration is an object: member, item, kind, interest");
        return;
    }
    closed(r, o, p, known);
    const char *who = need_str(r, o, p, "member", 1);
    if (who && !is_member(r, who) &&
        !substitute_for(get(r->proc, "substitutes"), who))
        err(r, sub(q, sizeof q, p, "member"), "'%s' is not a member of the "
            "%s or a substitute at the meeting: only members declare "
            "interests", who, r->committee ? r->committee : "committee");
    else if (who && !is_present(r, who))
        err(r, sub(q, sizeof q, p, "member"), "'%s' is not listed as "
            "present: a declaration is made at the meeting", who);
    char key[32];
    item_key(get(o, "item"), key, sizeof key);
    if (!get(o, "item"))
        err(r, p, "missing required field 'item' (the agenda item)");
    else if (!find_item(r, key))
        err(r, sub(q, sizeof q, p, "item"), "there is no agenda item '%s'",
            key);
    const char *kind = need_str(r, o, p, "kind", 1);
    int k = 0;
    while (kind && KIND_CODES[k] && strcmp(KIND_CODES[k], kind) != 0) k++;
    if (kind && !KIND_CODES[k]) {
        const char *hint = qr_did_you_mean(kind, KIND_CODES, SIZE_MAX);
        err(r, sub(q, sizeof q, p, "kind"), "'%s' is not a kind of "
            "interest%s%s%s (expected disclosable_pecuniary, "
            "other_registrable or non_registrable)", kind,
            hint ? ": did you mean '" : "", hint ? hint : "", hint ? "'?" : "");
    }
    need_str(r, o, p, "interest", 1);
    need_str(r, o, p, "dispensation", 0);
    const cJSON *left = get(o, "left_room");
    if (left && !cJSON_IsBool(left))
        err(r, sub(q, sizeof q, p, "left_room"), "'left_room' must be true "
            "or false");
}

static void check_declarations(rec *r)
{
    const cJSON *arr = bounded(r, "declarations", MAX_DECLARATIONS);
    const cJSON *o;
    int i = 0;
    char p[96];
    cJSON_ArrayForEach(o, arr)
        check_declaration(r, o, idx(p, sizeof p, "/proceedings/declarations",
                                    i++));
}

/* ---- minutes ---- */

/* Narrative: a string, or an array of strings (paragraphs) and
 * {"bullets": [strings]} (a bulleted list). */
static void check_blocks(rec *r, const cJSON *o, const char *path,
                         const char *key)
{
    static const char *const known[] = {"bullets", NULL};
    const cJSON *v = get(o, key);
    char p[160], q[192];
    if (!v || cJSON_IsString(v)) return;
    sub(p, sizeof p, path, key);
    if (!cJSON_IsArray(v)) {
        err(r, p, "'%s' must be a string or an array of paragraphs and "
            "{\"bullets\": […]} lists, found %s", key, qr_json_type_name(v));
        return;
    }
    const cJSON *b;
    int i = 0;
    cJSON_ArrayForEach(b, v) {
        idx(q, sizeof q, p, i++);
        if (cJSON_IsString(b)) continue;
        const cJSON *list = cJSON_IsObject(b) ? get(b, "bullets") : NULL;
        if (cJSON_IsObject(b)) closed(r, b, q, known);
        int ok = cJSON_IsArray(list);
        const cJSON *s;
        if (ok) cJSON_ArrayForEach(s, list) ok = ok && cJSON_IsString(s);
        if (!ok)
            err(r, q, "expected a paragraph (a string) or {\"bullets\": "
                "[strings]}");
    }
}

static void check_strings(rec *r, const cJSON *o, const char *path,
                          const char *key)
{
    const cJSON *v = get(o, key);
    char p[160];
    if (!v || cJSON_IsString(v)) return;
    int ok = cJSON_IsArray(v) && cJSON_GetArraySize(v) > 0;
    const cJSON *s;
    if (ok) cJSON_ArrayForEach(s, v) ok = ok && cJSON_IsString(s);
    if (!ok)
        err(r, sub(p, sizeof p, path, key), "'%s' must be a string or an "
            "array of strings (one per numbered resolution)", key);
}

/* Did `name` declare an interest in agenda item `key` and leave the room? */
static bool left_for(const rec *r, const char *name, const char *key)
{
    const cJSON *o;
    cJSON_ArrayForEach(o, get(r->proc, "declarations")) {
        char k[32];
        item_key(get(o, "item"), k, sizeof k);
        const char *who = sget(o, "member");
        if (who && strcmp(who, name) == 0 && strcmp(k, key) == 0 &&
            cJSON_IsTrue(get(o, "left_room")))
            return true;
    }
    return false;
}

/* A count or the names of those voting one way; returns the count. */
static int vote_side(rec *r, const cJSON *vote, const char *path,
                     const char *key, const char *item)
{
    const cJSON *v = get(vote, key);
    char p[160], q[192];
    if (!v) return 0;
    sub(p, sizeof p, path, key);
    if (cJSON_IsNumber(v) && v->valuedouble >= 0 &&
        v->valuedouble == (double)(int)v->valuedouble)
        return v->valueint;
    if (!cJSON_IsArray(v)) {
        err(r, p, "'%s' must be a number of votes or an array of the "
            "members' names (a recorded vote)", key);
        return 0;
    }
    /* more names than people present: the total says so, without a
     * search of the attendance for each name */
    if ((size_t)cJSON_GetArraySize(v) > count_present(r))
        return cJSON_GetArraySize(v);
    const cJSON *n;
    int i = 0;
    cJSON_ArrayForEach(n, v) {
        idx(q, sizeof q, p, i++);
        if (!cJSON_IsString(n))
            err(r, q, "expected a member's name");
        else if (!is_present(r, n->valuestring))
            err(r, q, "'%s' voted but is not listed as present (members "
                "present and substitutes)", n->valuestring);
        else if (left_for(r, n->valuestring, item))
            err(r, q, "'%s' voted, but declared an interest in agenda item "
                "%s and left the room for it", n->valuestring, item);
    }
    return i;
}

static void check_vote(rec *r, const cJSON *o, const char *path)
{
    static const char *const known[] = {"for", "against", "abstained", NULL};
    const cJSON *vote = get(o, "vote");
    char p[160];
    if (!vote) return;
    sub(p, sizeof p, path, "vote");
    if (!cJSON_IsObject(vote)) {
        err(r, p, "'vote' must be an object: for, against, abstained");
        return;
    }
    closed(r, vote, p, known);
    char item[32];
    item_key(get(o, "item"), item, sizeof item);
    int total = vote_side(r, vote, p, "for", item) +
                vote_side(r, vote, p, "against", item) +
                vote_side(r, vote, p, "abstained", item);
    size_t present = count_present(r);
    if ((size_t)total > present)
        err(r, p, "%d votes (for, against and abstentions) but only %zu "
            "members were present", total, present);
}

static int check_paragraph(rec *r, const cJSON *o, const char *path)
{
    static const char *const known[] = {"paragraph", NULL};
    const cJSON *pv = get(o, "private");
    char p[160], q[192];
    if (!pv) return 0;
    sub(p, sizeof p, path, "private");
    if (!cJSON_IsObject(pv)) {
        err(r, p, "'private' must be {\"paragraph\": N}: the paragraph of "
            "Schedule 12A under which the item was taken in private");
        return 0;
    }
    closed(r, pv, p, known);
    const cJSON *n = get(pv, "paragraph");
    if (!cJSON_IsNumber(n) || n->valuedouble != (double)(int)n->valuedouble ||
        n->valueint < 1 || n->valueint > MAX_PARAGRAPH) {
        err(r, n ? sub(q, sizeof q, p, "paragraph") : p, "paragraph must "
            "be a whole number from 1 to 7 (Part 1 of Schedule 12A to the "
            "Local Government Act 1972)");
        return 0;
    }
    return n->valueint;
}

static void check_decision(rec *r, const cJSON *o, const char *path)
{
    static const char *const known[] = {"key", "urgent", NULL};
    const cJSON *dv = get(o, "decision");
    char p[160], q[192];
    if (!dv) return;
    sub(p, sizeof p, path, "decision");
    if (!cJSON_IsObject(dv)) {
        err(r, p, "'decision' must be an object: key, urgent");
        return;
    }
    closed(r, dv, p, known);
    const cJSON *key = get(dv, "key");
    if (key && !cJSON_IsBool(key))
        err(r, sub(q, sizeof q, p, "key"), "'key' must be true or false");
    need_str(r, dv, p, "urgent", 0);
    if (!get(o, "resolved"))
        err(r, path, "an executive decision needs 'resolved': what was "
            "decided");
}

static char *minute_label(const rec *r, const cJSON *o, size_t i)
{
    const cJSON *n = get(o, "number");
    char key[32];
    item_key(n, key, sizeof key);
    if (key[0]) return qr_xstrdup(key);
    const cJSON *num = get(r->proc, "numbering");
    const cJSON *first = get(num, "first");
    const char *fmt = sget(num, "format");
    long v = (cJSON_IsNumber(first) ? first->valueint : 1) + (long)i;
    qr_buf b;
    qr_buf_init(&b);
    const char *at = fmt ? strstr(fmt, "{n}") : NULL;
    if (at) {
        qr_buf_printf(&b, "%.*s%ld%s", (int)(at - fmt), fmt, v, at + 3);
    } else {
        qr_buf_printf(&b, "%ld", v);
    }
    return qr_buf_detach(&b, NULL);
}

static void check_numbering(rec *r)
{
    static const char *const known[] = {"first", "format", NULL};
    const cJSON *num = get(r->proc, "numbering");
    if (!num) return;
    if (!cJSON_IsObject(num)) {
        err(r, "/proceedings/numbering", "'numbering' must be an object: "
            "first, format");
        return;
    }
    closed(r, num, "/proceedings/numbering", known);
    const cJSON *first = get(num, "first");
    if (first && (!cJSON_IsNumber(first) || first->valueint < 1 ||
                  first->valuedouble != (double)first->valueint))
        err(r, "/proceedings/numbering/first", "'first' must be a whole "
            "number from 1: the number of the meeting's first minute");
    const char *fmt = need_str(r, num, "/proceedings/numbering", "format", 0);
    if (fmt && !strstr(fmt, "{n}"))
        err(r, "/proceedings/numbering/format", "'format' must hold {n} "
            "where the number goes, e.g. \"{n}/21\" or \"22/{n}\"");
}

static void check_minute(rec *r, const cJSON *o, const char *p)
{
    static const char *const known[] = {
        "item", "number", "title", "discussion", "resolved", "vote",
        "reasons", "alternatives", "private", "decision", NULL};
    char q[160];
    closed(r, o, p, known);
    char key[32];
    item_key(get(o, "item"), key, sizeof key);
    if (!get(o, "item"))
        err(r, p, "missing required field 'item' (the agenda item this "
            "minute records)");
    else if (!find_item(r, key))
        err(r, sub(q, sizeof q, p, "item"), "there is no agenda item '%s': "
            "a minute records an item on the agenda", key);
    const cJSON *n = get(o, "number");
    char nk[32];
    item_key(n, nk, sizeof nk);
    if (n && !nk[0])
        err(r, sub(q, sizeof q, p, "number"), "'number' must be a whole "
            "number or a string such as \"77/21\"");
    need_str(r, o, p, "title", 0);
    check_blocks(r, o, p, "discussion");
    check_blocks(r, o, p, "reasons");
    check_blocks(r, o, p, "alternatives");
    check_strings(r, o, p, "resolved");
    check_vote(r, o, p);
    check_paragraph(r, o, p);
    check_decision(r, o, p);
}

static void check_minutes(rec *r)
{
    const cJSON *arr = bounded(r, "minutes", MAX_MINUTES);
    if (!arr) {
        if (!get(r->proc, "minutes"))
            err(r, "/proceedings", "missing required field 'minutes'");
        return;
    }
    r->nminutes = (size_t)cJSON_GetArraySize(arr);
    r->labels = qr_xcalloc(r->nminutes + 1, sizeof *r->labels);
    const cJSON *o;
    size_t i = 0;
    char p[96];
    cJSON_ArrayForEach(o, arr) {
        idx(p, sizeof p, "/proceedings/minutes", (int)i);
        if (!cJSON_IsObject(o)) {
            err(r, p, "a minute is an object: item, discussion, resolved …");
            r->labels[i++] = qr_xstrdup("");
            continue;
        }
        check_minute(r, o, p);
        r->labels[i] = minute_label(r, o, i);
        for (size_t k = 0; k < i; k++)
            if (r->labels[i][0] && strcmp(r->labels[k], r->labels[i]) == 0) {
                err(r, p, "minute number %s is used twice (first at "
                    "/proceedings/minutes/%zu)", r->labels[i], k);
                break;
            }
        i++;
    }
}

static void check_call_in(rec *r)
{
    static const char *const known[] = {"published", "working_days",
                                        "holidays", "extra_holidays", NULL};
    const char *base = "/proceedings/call_in";
    const cJSON *c = get(r->proc, "call_in");
    char p[96];
    if (!c) {
        if (r->req->kind == QR_RECORD_DECISIONS)
            err(r, "/proceedings", "missing required field 'call_in' (when "
                "the decisions are published, for the call-in deadline)");
        return;
    }
    if (!cJSON_IsObject(c)) {
        err(r, base, "'call_in' must be an object: published, "
            "working_days, extra_holidays");
        return;
    }
    closed(r, c, base, known);
    const char *pub = need_str(r, c, base, "published", 1);
    long long pday, mday;
    if (pub && !qr_iso_days(pub, &pday))
        err(r, "/proceedings/call_in/published", "'%s' is not a valid date "
            "(expected YYYY-MM-DD)", pub);
    else if (pub && r->date && qr_iso_days(r->date, &mday) && pday < mday)
        err(r, "/proceedings/call_in/published", "decisions cannot be "
            "published (%s) before the meeting that took them (%s)", pub,
            r->date);
    const cJSON *wd = get(c, "working_days");
    if (wd && (!cJSON_IsNumber(wd) || wd->valueint < 1 ||
               wd->valueint > MAX_WORKING_DAYS ||
               wd->valuedouble != (double)wd->valueint))
        err(r, "/proceedings/call_in/working_days", "'working_days' must be "
            "a whole number from 1 to %d", MAX_WORKING_DAYS);
    need_str(r, c, base, "holidays", 0);
    const cJSON *ex = need_array(r, c, base, "extra_holidays");
    const cJSON *h;
    int i = 0;
    cJSON_ArrayForEach(h, ex) {
        idx(p, sizeof p, "/proceedings/call_in/extra_holidays", i++);
        if (!cJSON_IsString(h) || !qr_iso_date(h->valuestring, NULL, NULL, NULL))
            err(r, p, "an extra holiday is a date YYYY-MM-DD");
    }
}

static void check_proceedings(rec *r)
{
    static const char *const known[] = {
        "start", "end", "in_the_chair", "present", "substitutes",
        "apologies", "officers", "also_present", "declarations", "minutes",
        "numbering", "resolution_style", "minutes_template",
        "decisions_template", "call_in", NULL};
    closed(r, r->proc, "/proceedings", known);
    need_time(r, r->proc, "/proceedings", "start");
    need_time(r, r->proc, "/proceedings", "end");
    const char *rs = need_str(r, r->proc, "/proceedings", "resolution_style", 0);
    if (rs && strcmp(rs, "resolved") != 0 && strcmp(rs, "agreed") != 0)
        err(r, "/proceedings/resolution_style", "'%s' is not a house style "
            "of resolution (expected resolved: \"RESOLVED – That …\", or "
            "agreed: \"AGREED that …\")", rs);
    need_str(r, r->proc, "/proceedings", "minutes_template", 0);
    need_str(r, r->proc, "/proceedings", "decisions_template", 0);
    check_attendance(r);
    check_declarations(r);
    check_numbering(r);
    check_minutes(r);
    check_call_in(r);
}

/* ---- the view ---- */

static cJSON *add_str(cJSON *o, const char *key, const char *s)
{
    return cJSON_AddStringToObject(o, key, s ? s : "");
}

static char *person_text(const cJSON *p)
{
    if (cJSON_IsString(p)) return qr_xstrdup(p->valuestring);
    const char *role = sget(p, "role");
    return role ? qr_xasprintf("%s (%s)", sget(p, "name"), role)
                : qr_xstrdup(sget(p, "name"));
}

/* "A, B and C" from a list of strings. */
static void join_and(qr_buf *b, char **parts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        qr_buf_printf(b, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ",
                      parts[i]);
}

/* A line of names, or "" when the list is empty. */
static char *people_line(const cJSON *arr)
{
    size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
    char **parts = qr_xcalloc(n + 1, sizeof *parts);
    const cJSON *p;
    cJSON_ArrayForEach(p, arr) parts[i++] = person_text(p);
    qr_buf b;
    qr_buf_init(&b);
    qr_buf_puts(&b, "");
    join_and(&b, parts, n);
    for (i = 0; i < n; i++) free(parts[i]);
    free(parts);
    return qr_buf_detach(&b, NULL);
}

static void view_present(const rec *r, cJSON *v)
{
    const cJSON *ms = get(r->root, "membership");
    const char *chair = sget(ms, "chair"), *vice = sget(ms, "vice_chair");
    const char *presiding = sget(r->proc, "in_the_chair");
    cJSON *list = cJSON_AddArrayToObject(v, "present");
    const cJSON *m;
    cJSON_ArrayForEach(m, get(r->proc, "present")) {
        const char *n = m->valuestring;
        int is_chair = chair && strcmp(n, chair) == 0;
        int is_vice = vice && strcmp(n, vice) == 0;
        /* "(Vice-Chair, in the Chair)" when another member presided */
        int in_chair = presiding && strcmp(n, presiding) == 0 && !is_chair;
        const char *role = is_chair ? "Chair" : is_vice ? "Vice-Chair" : NULL;
        char *t = role && in_chair ? qr_xasprintf("%s (%s, in the Chair)", n, role)
                  : role           ? qr_xasprintf("%s (%s)", n, role)
                  : in_chair       ? qr_xasprintf("%s (in the Chair)", n)
                                   : qr_xstrdup(n);
        cJSON_AddItemToArray(list, cJSON_CreateString(t));
        free(t);
    }
    cJSON_ArrayForEach(m, get(r->proc, "substitutes")) {
        char *t = qr_xasprintf("%s (substitute for %s)", sget(m, "name"),
                               sget(m, "for"));
        cJSON_AddItemToArray(list, cJSON_CreateString(t));
        free(t);
    }
    char *line = people_line(list);
    add_str(v, "present_line", line);
    free(line);
    static const char *const others[][2] = {{"apologies", "apologies_line"},
                                            {"officers", "officers_line"},
                                            {"also_present", "also_present_line"}};
    for (size_t i = 0; i < 3; i++) {
        char *l = people_line(get(r->proc, others[i][0]));
        if (l[0]) add_str(v, others[i][1], l);
        free(l);
    }
}

static const char *kind_label(const char *code)
{
    for (int k = 0; KIND_CODES[k]; k++)
        if (strcmp(KIND_CODES[k], code) == 0) return KIND_LABELS[k];
    return code;
}

/* One sentence for a declaration, as minutes record it. */
static char *declaration_sentence(const cJSON *o, int with_item)
{
    char key[32];
    item_key(get(o, "item"), key, sizeof key);
    const char *kind = kind_label(sget(o, "kind"));
    qr_buf b;
    qr_buf_init(&b);
    /* "an other registrable interest", "a non-registrable interest" */
    qr_buf_printf(&b, "%s declared %s %c%s", sget(o, "member"),
                  strchr("AEIOU", kind[0]) ? "an" : "a",
                  tolower((unsigned char)kind[0]), kind + 1);
    if (with_item) qr_buf_printf(&b, " in agenda item %s", key);
    qr_buf_printf(&b, ": %s", sget(o, "interest"));
    size_t n = strlen(sget(o, "interest"));
    if (n && strchr(".!?", sget(o, "interest")[n - 1]) == NULL)
        qr_buf_puts(&b, ".");
    if (cJSON_IsTrue(get(o, "left_room")))
        qr_buf_puts(&b, " They left the room during consideration of the "
                        "item and did not take part in the vote.");
    if (sget(o, "dispensation"))
        qr_buf_printf(&b, " Dispensation: %s", sget(o, "dispensation"));
    return qr_buf_detach(&b, NULL);
}

static void view_declarations(const rec *r, cJSON *v)
{
    cJSON *list = cJSON_AddArrayToObject(v, "declarations");
    const cJSON *o;
    cJSON_ArrayForEach(o, get(r->proc, "declarations")) {
        cJSON *e = cJSON_CreateObject();
        char key[32];
        item_key(get(o, "item"), key, sizeof key);
        add_str(e, "member", sget(o, "member"));
        add_str(e, "kind", kind_label(sget(o, "kind")));
        char *t = qr_xasprintf("Agenda item %s: %s%s", key,
                               sget(o, "interest"),
                               cJSON_IsTrue(get(o, "left_room"))
                                   ? " (left the room for the item)" : "");
        add_str(e, "item", t);
        free(t);
        cJSON_AddItemToArray(list, e);
    }
    cJSON_AddBoolToObject(v, "no_declarations", cJSON_GetArraySize(list) == 0);
}

/* Paragraphs and bullet lists, as the template walks them. */
static void view_blocks(cJSON *m, const char *key, const cJSON *src)
{
    if (!src) return;
    cJSON *list = cJSON_AddArrayToObject(m, key);
    if (cJSON_IsString(src)) {
        cJSON *e = cJSON_CreateObject();
        add_str(e, "text", src->valuestring);
        cJSON_AddItemToArray(list, e);
        return;
    }
    const cJSON *b;
    cJSON_ArrayForEach(b, src) {
        cJSON *e = cJSON_CreateObject();
        if (cJSON_IsString(b))
            add_str(e, "text", b->valuestring);
        else
            cJSON_AddItemToObject(e, "bullets",
                                  cJSON_Duplicate(get(b, "bullets"), 1));
        cJSON_AddItemToArray(list, e);
    }
}

/* "RESOLVED – That …", or numbered "(1) …" under "RESOLVED –". */
static void view_resolution(const rec *r, cJSON *m, const cJSON *src)
{
    if (!src) return;
    const char *style = sget(r->proc, "resolution_style");
    int agreed = style && strcmp(style, "agreed") == 0;
    cJSON *res = cJSON_AddObjectToObject(m, "resolution");
    add_str(res, "lead", agreed ? "AGREED" : "RESOLVED \xE2\x80\x93");
    if (cJSON_IsString(src) || cJSON_GetArraySize(src) == 1) {
        const cJSON *one = cJSON_IsString(src) ? src : src->child;
        add_str(res, "single", one->valuestring);
        return;
    }
    cJSON *list = cJSON_AddArrayToObject(res, "numbered");
    const cJSON *s;
    int i = 0;
    cJSON_ArrayForEach(s, src) {
        cJSON *e = cJSON_CreateObject();
        char label[16];
        snprintf(label, sizeof label, "(%d)", ++i);
        add_str(e, "label", label);
        add_str(e, "text", s->valuestring);
        cJSON_AddItemToArray(list, e);
    }
}

static void view_vote(cJSON *m, const cJSON *vote)
{
    if (!vote) return;
    static const char *const sides[][2] = {{"for", "For"},
                                           {"against", "Against"},
                                           {"abstained", "Abstentions"}};
    cJSON *v = cJSON_AddObjectToObject(m, "vote");
    cJSON *lines = cJSON_AddArrayToObject(v, "lines");
    int named = 0;
    for (size_t i = 0; i < 3; i++) {
        const cJSON *s = get(vote, sides[i][0]);
        qr_buf b;
        qr_buf_init(&b);
        if (cJSON_IsArray(s)) {
            named = 1;
            size_t n = (size_t)cJSON_GetArraySize(s), k = 0;
            char **names = qr_xcalloc(n + 1, sizeof *names);
            const cJSON *x;
            cJSON_ArrayForEach(x, s) names[k++] = x->valuestring;
            qr_buf_printf(&b, "%s (%zu): ", sides[i][1], n);
            if (n) join_and(&b, names, n);
            else qr_buf_puts(&b, "none");
            free(names);
        } else {
            qr_buf_printf(&b, "%s: %d", sides[i][1],
                          cJSON_IsNumber(s) ? s->valueint : 0);
        }
        cJSON_AddItemToArray(lines, cJSON_CreateString(b.data));
        qr_buf_free(&b);
    }
    add_str(v, "intro", named ? "A recorded vote was taken:"
                              : "The votes were:");
}

static void view_item_declarations(const rec *r, cJSON *m, const char *key)
{
    cJSON *list = cJSON_CreateArray();
    const cJSON *o;
    cJSON_ArrayForEach(o, get(r->proc, "declarations")) {
        char k[32];
        item_key(get(o, "item"), k, sizeof k);
        if (strcmp(k, key) != 0) continue;
        char *s = declaration_sentence(o, 0);
        cJSON_AddItemToArray(list, cJSON_CreateString(s));
        free(s);
    }
    if (cJSON_GetArraySize(list) > 0)
        cJSON_AddItemToObject(m, "declared", list);
    else
        cJSON_Delete(list);
}

static int private_paragraph(const cJSON *o, const agenda_item *it)
{
    const cJSON *n = get(get(o, "private"), "paragraph");
    if (cJSON_IsNumber(n)) return n->valueint;
    return it ? it->exempt : 0;
}

/* Withheld: the number, title and paragraph of a private minute, which a
 * public record may show. */
static void view_private(cJSON *m, int para, int withheld)
{
    cJSON *pv = cJSON_AddObjectToObject(m, "private");
    cJSON_AddNumberToObject(pv, "paragraph", para);
    add_str(pv, "information", para <= MAX_PARAGRAPH ? SCHEDULE_12A[para] : "");
    cJSON_AddBoolToObject(pv, "withheld", withheld);
}

/* One minute in the view. In public output a private minute carries only
 * its number, title and paragraph: its text is never copied. */
static cJSON *view_minute(const rec *r, const cJSON *o, size_t i,
                          int withhold)
{
    char key[32];
    item_key(get(o, "item"), key, sizeof key);
    const agenda_item *it = find_item(r, key);
    cJSON *m = cJSON_CreateObject();
    add_str(m, "number", r->labels[i]);
    int para = private_paragraph(o, it);
    const char *title = sget(o, "title");
    add_str(m, "title", title && !(para && withhold) ? title : it->title);
    if (strcmp(r->labels[i], key) != 0) {
        char *note = qr_xasprintf("Agenda item %s", key);
        add_str(m, "item_note", note);
        free(note);
    }
    if (para) view_private(m, para, withhold);
    if (para && withhold) return m;
    view_item_declarations(r, m, key);
    view_blocks(m, "discussion", get(o, "discussion"));
    view_vote(m, get(o, "vote"));
    view_resolution(r, m, get(o, "resolved"));
    view_blocks(m, "reasons", get(o, "reasons"));
    view_blocks(m, "alternatives", get(o, "alternatives"));
    return m;
}

static void view_heading(const rec *r, cJSON *v)
{
    char day[64], start[32], end[32];
    long long days;
    qr_iso_days(r->date, &days);
    qr_days_long(days, day, sizeof day);
    format_time(sget(r->proc, "start"), start, sizeof start);
    format_time(sget(r->proc, "end"), end, sizeof end);
    add_str(v, "council", sget(r->root, "council"));
    add_str(v, "committee", r->committee);
    add_str(v, "day_date", day);
    add_str(v, "venue", sget(r->root, "venue"));
    add_str(v, "start_text", start);
    add_str(v, "end_text", end);
}

static cJSON *minutes_view(const rec *r, int *has_private)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *v = cJSON_AddObjectToObject(root, "minutes");
    view_heading(r, v);
    int withhold = r->req->public_record;
    cJSON_AddBoolToObject(v, "public", withhold);
    view_present(r, v);
    view_declarations(r, v);
    cJSON *list = cJSON_AddArrayToObject(v, "items");
    const cJSON *o;
    size_t i = 0;
    *has_private = 0;
    cJSON_ArrayForEach(o, get(r->proc, "minutes")) {
        cJSON *m = view_minute(r, o, i++, withhold);
        if (get(m, "private") && !withhold) *has_private = 1;
        cJSON_AddItemToArray(list, m);
    }
    return root;
}

/* ---- decisions ---- */

/* The bank holidays: the meeting file's table, or the one shipped beside
 * the template, and its extra days. false after adding errors. */
static bool load_holidays(rec *r, const char *template_path)
{
    const cJSON *c = get(r->proc, "call_in");
    const char *h = sget(c, "holidays");
    char *path;
    if (h) {
        path = qr_path_join(r->dir, h);
    } else {
        /* the shipped table lives beside the shipped templates */
        char *tdir = qr_path_dir(template_path);
        path = qr_path_join(tdir, HOLIDAY_TABLE);
        free(tdir);
    }
    bool ok = qr_holidays_load(&r->hols, path, r->d);
    free(path);
    const cJSON *e;
    cJSON_ArrayForEach(e, get(c, "extra_holidays")) {
        long long day;
        if (qr_iso_days(e->valuestring, &day)) qr_holidays_add(&r->hols, day);
    }
    return ok;
}

/* The deadline in *deadline; false after an error: a date past the
 * table's years would silently count a bank holiday as a working day. */
static bool call_in_deadline(rec *r, long long *published, int *n,
                             long long *deadline)
{
    const cJSON *c = get(r->proc, "call_in");
    const cJSON *wd = get(c, "working_days");
    *n = cJSON_IsNumber(wd) ? wd->valueint : 5;
    qr_iso_days(sget(c, "published"), published);
    *deadline = qr_working_days_after(&r->hols, *published, *n);
    int y0 = qr_days_year(*published), y1 = qr_days_year(*deadline);
    if (y0 < r->hols.from_year || y1 > r->hols.to_year) {
        err(r, "/proceedings/call_in/published", "the bank holiday table "
            "covers %d to %d, not %d: extend it (call_in.holidays) before "
            "counting working days", r->hols.from_year, r->hols.to_year,
            y0 < r->hols.from_year ? y0 : y1);
        return false;
    }
    return true;
}

static void view_conflicts(const rec *r, cJSON *m, const char *key)
{
    cJSON *list = cJSON_AddArrayToObject(m, "conflicts");
    const cJSON *o;
    cJSON_ArrayForEach(o, get(r->proc, "declarations")) {
        char k[32];
        item_key(get(o, "item"), k, sizeof k);
        if (strcmp(k, key) != 0) continue;
        char *s = declaration_sentence(o, 0);
        cJSON_AddItemToArray(list, cJSON_CreateString(s));
        free(s);
    }
    cJSON_AddBoolToObject(m, "no_conflicts", cJSON_GetArraySize(list) == 0);
}

static cJSON *decision_entry(const rec *r, const cJSON *o, size_t i)
{
    const cJSON *dv = get(o, "decision");
    char key[32];
    item_key(get(o, "item"), key, sizeof key);
    const agenda_item *it = find_item(r, key);
    /* a decision record is published: a private item shows only what
     * public minutes would */
    cJSON *m = view_minute(r, o, i, 1);
    cJSON_AddBoolToObject(m, "key", cJSON_IsTrue(get(dv, "key")));
    /* the reason for urgency is published even for a private decision,
     * as the reason for exemption is on the agenda */
    const char *urgent = sget(dv, "urgent");
    if (urgent) {
        cJSON *u = cJSON_AddObjectToObject(m, "urgent");
        add_str(u, "reason", urgent);
    }
    if (!private_paragraph(o, it)) view_conflicts(r, m, key);
    return m;
}

/* The record of decisions' view; NULL after adding errors. */
static cJSON *decisions_view(rec *r)
{
    long long published, deadline;
    int n;
    if (!call_in_deadline(r, &published, &n, &deadline)) return NULL;
    cJSON *root = cJSON_CreateObject();
    cJSON *v = cJSON_AddObjectToObject(root, "decisions");
    view_heading(r, v);
    char buf[64];
    qr_days_long(published, buf, sizeof buf);
    add_str(v, "published", buf);
    qr_days_long(deadline, buf, sizeof buf);
    add_str(v, "call_in_deadline", buf);
    snprintf(buf, sizeof buf, "%d", n);
    add_str(v, "working_days", buf);
    cJSON *list = cJSON_AddArrayToObject(v, "items");
    const cJSON *o;
    size_t i = 0;
    cJSON_ArrayForEach(o, get(r->proc, "minutes")) {
        if (get(o, "decision"))
            cJSON_AddItemToArray(list, decision_entry(r, o, i));
        i++;
    }
    if (cJSON_GetArraySize(list) == 0) {
        err(r, "/proceedings/minutes", "no minute has a 'decision' block: "
            "there are no executive decisions to record");
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

/* ---- orchestration ---- */

static char *template_for(rec *r)
{
    if (r->req->template_path) return qr_xstrdup(r->req->template_path);
    const char *key = r->req->kind == QR_RECORD_MINUTES ? "minutes_template"
                                                        : "decisions_template";
    const char *t = sget(r->proc, key);
    if (t) return qr_path_join(r->dir, t);
    err(r, "/proceedings", "no template for the %s: name one with '%s' "
        "(e.g. \"templates/%s.md\") or give -t TEMPLATE.md",
        r->req->kind == QR_RECORD_MINUTES ? "minutes" : "decisions", key,
        r->req->kind == QR_RECORD_MINUTES ? "minutes" : "decisions");
    return NULL;
}

/* Read and check the meeting file and its proceedings; every problem is
 * reported. false after adding errors. */
static bool load(rec *r)
{
    r->data = qr_data_load(r->req->meeting_path, r->d);
    if (!r->data) return false;
    r->dir = qr_path_dir(r->req->meeting_path);
    r->root = qr_data_root(r->data);
    size_t before = qr_diags_count(r->d, QR_ERROR);
    read_meeting(r);
    r->proc = get(r->root, "proceedings");
    if (!cJSON_IsObject(r->proc)) {
        err(r, r->proc ? "/proceedings" : "", "%s: the meeting file needs a "
            "'proceedings' object (docs/meeting.md, \"Minutes and "
            "decisions\")", r->proc ? "'proceedings' must be an object"
                                    : "no proceedings");
        return false;
    }
    if (qr_diags_count(r->d, QR_ERROR) > before) return false;
    check_proceedings(r);
    return qr_diags_count(r->d, QR_ERROR) == before;
}

/* Render the view through the template: the one paper pipeline. Its
 * qr_status is qr_record_build's, passed on unchanged. */
static qr_status render_view(rec *r, cJSON *view, const char *tpl,
                             int exempt, char ***files)
{
    char *json = cJSON_PrintUnformatted(view);
    const char *what = r->req->kind == QR_RECORD_MINUTES ? "minutes"
                                                          : "decisions";
    char *meeting = qr_xasprintf("%s \xE2\x80\x93 %s", r->committee,
                                 cJSON_GetStringValue(get(get(view, what),
                                                          "day_date")));
    char *title = qr_xasprintf("%s: %s%s", meeting,
                               r->req->kind == QR_RECORD_MINUTES
                                   ? "minutes" : "record of decisions",
                               r->req->public_record ? " (public)" : "");
    const char *style = sget(r->root, "style");
    char *style_path = style ? qr_path_join(r->dir, style) : NULL;
    qr_render_view rv = {.json = json, .len = strlen(json),
                         .name = r->req->meeting_path, .title = title,
                         .meeting = meeting,
                         .author = sget(r->root, "council"),
                         .date = r->date, .exempt = exempt};
    qr_render_req req = {.view = &rv, .template_path = tpl,
                         .style_path = style_path,
                         .out_path = r->req->out_path, .strict = 1,
                         .stop = QR_STOP_PDF, .draft = r->req->draft,
                         .self_numbered = 1,
                         /* the HTML copy from the same view, so a public
                          * record withholds the same text in both */
                         .format = qr_format_of(r->req->out_path)};
    qr_status status = qr_paper_render(&req, r->d, files);
    free(style_path);
    free(title);
    free(meeting);
    free(json);
    return status;
}

static void rec_free(rec *r)
{
    for (size_t i = 0; r->labels && i < r->nminutes; i++) free(r->labels[i]);
    free(r->labels);
    free(r->items);
    free(r->dir);
    qr_holidays_free(&r->hols);
    qr_data_free(r->data);
}

qr_status qr_record_build(const qr_record_req *req, qr_diags *d,
                          char ***files)
{
    rec r;
    memset(&r, 0, sizeof r);
    r.req = req;
    r.d = d;
    qr_holidays_init(&r.hols);
    if (files) *files = NULL;
    /* what the meeting file (and holiday table) make is an input too: the
     * output may not overwrite them */
    qr_inputs *seen = qr_inputs_new();
    qr_inputs *outer = qr_inputs_activate(seen);
    qr_status status = QR_EINPUT;
    char *tpl = NULL;
    cJSON *view = NULL;
    int exempt = 0;
    if (!load(&r) || !(tpl = template_for(&r))) goto done;
    if (req->kind == QR_RECORD_DECISIONS) {
        if (!load_holidays(&r, tpl)) goto done;
        view = decisions_view(&r);
    } else {
        view = minutes_view(&r, &exempt);
    }
    if (!view) goto done;
    status = qr_output_check(req->out_path, seen, d) ? QR_OK : QR_EINPUT;
    if (status == QR_OK) status = render_view(&r, view, tpl, exempt, files);
done:
    cJSON_Delete(view);
    free(tpl);
    qr_inputs_activate(outer);
    qr_inputs_merge(outer, seen);
    qr_inputs_free(seen);
    if (files && !*files) {
        *files = qr_xcalloc(2, sizeof **files);
        (*files)[0] = qr_xstrdup(req->meeting_path);
    }
    rec_free(&r);
    return status;
}
