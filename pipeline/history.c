/* history.c — changes since the last report, computed from the last
 * report's data file (history.h).
 *
 * In:  a paper's data whose top level names the earlier report it follows.
 * Out: members added to the data before derivation, as if the officer had
 *      typed them (previous_status, new, previous_due, previous_action,
 *      previous_as_at, merged KPI series); after derivation, the flags and
 *      lists in docs/data.md, "History".
 *
 * The earlier file goes through the same load, validation and derivation as
 * any paper's data, so an earlier file with errors fails this paper with
 * those errors (its warnings were the earlier paper's business and are not
 * repeated), and its derived fields (status_label, overdue, due_long) are
 * the ones its own paper printed. Every check that the two files belong
 * together is an error at this file's JSON pointer: a paper compared with
 * the wrong file would print a false account of progress.
 */
#include "quire/history.h"

#include "quire/build.h"
#include "quire/derive.h"
#include "quire/util.h"
#include "quire/vocab.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATE_TEXT 64

/* One action of a plan, for matching by ref. */
typedef struct ref_entry {
    const char *ref;
    cJSON *action;
    int index;   /* in the plan's actions array */
    int matched; /* the other report has this ref */
} ref_entry;

struct qr_history {
    qr_data *earlier;
    char *follows;  /* as the data writes it */
    char *as_at;    /* the earlier report's as_at */
    ref_entry *refs; /* the earlier report's actions, sorted by ref */
    size_t nrefs;
};

/* Depth of the chain of earlier reports being derived on this thread. */
static _Thread_local int chain_depth;

/* ---- small helpers ------------------------------------------------------ */

static cJSON *get(const cJSON *obj, const char *key)
{
    return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key)
                               : NULL;
}

static const char *str(const cJSON *obj, const char *key)
{
    const cJSON *v = get(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Both absent, or both the same string. */
static bool same(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

typedef struct hctx {
    qr_data *data;
    qr_diags *d;
    int errors;
    const char *follows; /* for messages */
} hctx;

static void say(hctx *c, qr_severity sev, const char *path, const char *fmt,
                ...) __attribute__((format(printf, 4, 5)));

static void say(hctx *c, qr_severity sev, const char *path, const char *fmt,
                ...)
{
    va_list ap;
    va_start(ap, fmt);
    qr_data_vdiag(c->data, c->d, sev, path, fmt, ap);
    va_end(ap);
    if (sev == QR_ERROR) c->errors++;
}

/* ---- matching actions by ref ---------------------------------------- */

static int entry_cmp(const void *a, const void *b)
{
    const ref_entry *x = a, *y = b;
    int r = strcmp(x->ref, y->ref);
    return r ? r : (x->index > y->index) - (x->index < y->index);
}

static int ref_cmp(const void *key, const void *e)
{
    return strcmp(key, ((const ref_entry *)e)->ref);
}

/* The actions of `plan` sorted by ref. A ref given twice cannot be
 * matched: an error at the second, in the file that repeats it (validation
 * reports it first for a paper; a plain data file is not validated). */
static ref_entry *index_actions(qr_data *data, const cJSON *plan,
                                size_t *n, qr_diags *d, int *errors)
{
    const cJSON *actions = get(plan, "actions");
    size_t cap = 0;
    ref_entry *v = NULL;
    *n = 0;
    int i = 0;
    for (cJSON *a = cJSON_IsArray(actions) ? actions->child : NULL; a;
         a = a->next, i++) {
        const char *ref = str(a, "ref");
        if (!ref) continue;
        QR_GROW(v, *n, cap, 16);
        v[(*n)++] = (ref_entry){ref, a, i, 0};
    }
    if (*n > 1) qsort(v, *n, sizeof *v, entry_cmp);
    for (size_t k = 1; k < *n; k++) {
        if (strcmp(v[k].ref, v[k - 1].ref) != 0) continue;
        size_t first = k - 1;
        while (first > 0 && strcmp(v[first - 1].ref, v[k].ref) == 0) first--;
        char *path = qr_xasprintf("/action_plan/actions/%d/ref", v[k].index);
        qr_data_diag(data, d, QR_ERROR, path,
                     "duplicate action ref '%s' (first at "
                     "/action_plan/actions/%d/ref): the reports are compared "
                     "action by action, by ref",
                     v[k].ref, v[first].index);
        free(path);
        (*errors)++;
    }
    return v;
}

static ref_entry *find(const qr_history *h, const char *ref)
{
    return ref && h->nrefs ? bsearch(ref, h->refs, h->nrefs, sizeof *h->refs,
                                     ref_cmp)
                           : NULL;
}

/* ---- loading the earlier report ------------------------------------- */

/* Copy the errors of the earlier file's diagnostics to d; its warnings
 * were reported when its own paper was made. Returns how many. */
static int pass_errors(const qr_diags *from, qr_diags *to)
{
    int n = 0;
    for (size_t i = 0; i < qr_diags_len(from); i++) {
        const qr_diag *g = qr_diags_get(from, i);
        if (g->severity != QR_ERROR) continue;
        qr_diag_add(to, g->severity, g->file, g->line, g->col, g->path,
                    g->source, "%s", g->message);
        n++;
    }
    return n;
}

/* Load the earlier file. On failure, its errors and one at /follows. */
static qr_data *load_earlier(hctx *c, const char *path)
{
    qr_diags *ed = qr_diags_new();
    qr_data *e = qr_data_load_as(path, QR_IN_EARLIER, ed);
    if (!e) {
        /* an unreadable file is one unlocated error: say it at /follows */
        const qr_diag *g = qr_diags_len(ed) ? qr_diags_get(ed, 0) : NULL;
        if (g && g->line == 0 && qr_diags_len(ed) == 1) {
            say(c, QR_ERROR, "/follows",
                "the earlier report this paper follows cannot be read: %s "
                "(a first report has no follows)", g->message);
        } else {
            c->errors += pass_errors(ed, c->d);
            say(c, QR_ERROR, "/follows",
                "the earlier report '%s' is not valid JSON (above)", path);
        }
    }
    qr_diags_free(ed);
    return e;
}

/* Validate and derive the earlier file, with its own history. Only after
 * its date is known to come first: so a chain of reports, each earlier
 * than the last, always ends (a file cannot follow itself). Returns false
 * after its errors and one at /follows. */
static bool derive_earlier(hctx *c, qr_data *e, const char *path)
{
    qr_diags *ed = qr_diags_new();
    chain_depth++;
    bool bad = !qr_data_validate(e, ed) || !qr_derive_run(e, ed);
    chain_depth--;
    if (bad) {
        c->errors += pass_errors(ed, c->d);
        /* said once, by the paper being made: down a chain of reports the
         * errors of the file at fault are enough */
        if (chain_depth == 0)
            say(c, QR_ERROR, "/follows",
                "the earlier report '%s' has errors (above): this paper "
                "cannot be compared with it until they are fixed", path);
    }
    qr_diags_free(ed);
    return !bad;
}

/* ---- the two reports belong together ------------------------------- */

static const cJSON *member2(const cJSON *root, const char *a, const char *b)
{
    return get(get(root, a), b);
}

/* The same plan: the members that name it agree wherever both reports
 * give them. A different council, inspection or plan title means the
 * paper names the wrong file. */
static void check_same_plan(hctx *c, const cJSON *cur, const cJSON *old)
{
    static const struct { const char *a, *b; } ident[] = {
        {"paper", "council"},
        {"inspection", "type"},
        {"inspection", "dates"},
        {"action_plan", "title"},
    };
    for (size_t i = 0; i < sizeof ident / sizeof ident[0]; i++) {
        const cJSON *x = member2(cur, ident[i].a, ident[i].b);
        const cJSON *y = member2(old, ident[i].a, ident[i].b);
        if (!x || !y || cJSON_Compare(x, y, 1)) continue;
        char *xs = cJSON_PrintUnformatted(x), *ys = cJSON_PrintUnformatted(y);
        char *path = qr_xasprintf("/%s/%s", ident[i].a, ident[i].b);
        say(c, QR_ERROR, path,
            "this report is not about the plan of the earlier report it "
            "follows ('%s'): its %s.%s is %s, this report's is %s; check "
            "follows",
            c->follows, ident[i].a, ident[i].b, ys ? ys : "?",
            xs ? xs : "?");
        free(path);
        free(xs);
        free(ys);
    }
    const cJSON *old_exempt = member2(old, "paper", "exempt");
    const cJSON *cur_exempt = member2(cur, "paper", "exempt");
    if (cJSON_IsObject(old_exempt) && !cJSON_IsObject(cur_exempt))
        say(c, QR_ERROR, "/follows",
            "the earlier report '%s' is exempt (paper.exempt) but this one "
            "is not: its actions and figures would be published here",
            c->follows);
}

/* Both reports have an as_at, and the earlier one's comes first. Returns
 * the earlier as_at, or NULL after an error. */
static const char *check_dates(hctx *c, cJSON *plan, const cJSON *old)
{
    const char *now = str(plan, "as_at");
    const char *then = str(get(old, "action_plan"), "as_at");
    if (!now || !then || !qr_iso_date(now, NULL, NULL, NULL) ||
        !qr_iso_date(then, NULL, NULL, NULL)) {
        say(c, QR_ERROR, "/follows",
            "a report that follows another compares their action plans: "
            "both need a valid action_plan.as_at, and %s has none",
            now ? c->follows : "this report");
        return NULL;
    }
    if (strcmp(then, now) >= 0) {
        say(c, QR_ERROR, "/action_plan/as_at",
            "this report is at %s but the earlier report it follows ('%s') "
            "is at %s: the report it follows must come before it",
            now, c->follows, then);
        return NULL;
    }
    const char *given = str(plan, "previous_as_at");
    if (given && strcmp(given, then) != 0)
        say(c, QR_WARNING, "/action_plan/previous_as_at",
            "previous_as_at %s is not the date of the earlier report ('%s', "
            "at %s): the data wins; remove it to take the date from the "
            "earlier report", given, c->follows, then);
    else
        qr_json_add_new(plan, "previous_as_at", cJSON_CreateString(then));
    return then;
}

/* ---- actions ------------------------------------------------------------ */

/* What an officer used to type, taken from the earlier report: the
 * earlier status, whether the action is new, and the earlier due date and
 * wording when they have changed. What the data gives wins. */
static void match_action(hctx *c, qr_history *h, cJSON *a, int i)
{
    const char *ref = str(a, "ref");
    if (!ref) return;
    ref_entry *e = find(h, ref);
    char path[96];
    if (!e) {
        if (get(a, "previous_status")) {
            snprintf(path, sizeof path,
                     "/action_plan/actions/%d/previous_status", i);
            say(c, QR_WARNING, path,
                "action %s has a previous_status but the earlier report "
                "('%s') has no action %s: the data wins", ref, c->follows,
                ref);
        } else {
            qr_json_add_new(a, "new", cJSON_CreateTrue());
        }
        return;
    }
    e->matched = 1;
    const char *then = str(e->action, "status");
    const char *given = str(a, "previous_status");
    if (given && then && strcmp(given, then) != 0) {
        snprintf(path, sizeof path, "/action_plan/actions/%d/previous_status",
                 i);
        say(c, QR_WARNING, path,
            "previous_status '%s' contradicts the earlier report ('%s'), "
            "where action %s was '%s': the data wins; remove previous_status "
            "to take it from the earlier report", given, c->follows, ref,
            then);
    } else if (!given && then) {
        qr_json_add_new(a, "previous_status", cJSON_CreateString(then));
    }
    if (cJSON_IsTrue(get(a, "new"))) {
        snprintf(path, sizeof path, "/action_plan/actions/%d/new", i);
        say(c, QR_WARNING, path,
            "action %s is marked new but the earlier report ('%s') has it: "
            "the data wins", ref, c->follows);
    }
    const char *old_due = str(e->action, "due");
    if (old_due && !same(old_due, str(a, "due")))
        qr_json_add_new(a, "previous_due", cJSON_CreateString(old_due));
    const char *old_text = str(e->action, "action");
    if (old_text && !same(old_text, str(a, "action")))
        qr_json_add_new(a, "previous_action", cJSON_CreateString(old_text));
}

static void match_actions(hctx *c, qr_history *h, cJSON *plan)
{
    cJSON *actions = get(plan, "actions");
    int i = 0;
    for (cJSON *a = cJSON_IsArray(actions) ? actions->child : NULL; a;
         a = a->next, i++)
        if (cJSON_IsObject(a)) match_action(c, h, a, i);
}

/* Each recommendation rated in both reports gets the earlier rating; a
 * changed wording is worth a look, since Ofsted's does not change. */
static void match_recommendations(hctx *c, cJSON *cur, const cJSON *old)
{
    cJSON *recs = get(get(cur, "inspection"), "recommendations");
    const cJSON *olds = member2(old, "inspection", "recommendations");
    if (!cJSON_IsArray(recs) || !cJSON_IsArray(olds)) return;
    int i = 0;
    for (cJSON *r = recs->child; r; r = r->next, i++) {
        const cJSON *id = get(r, "id");
        if (!cJSON_IsNumber(id)) continue;
        const cJSON *o = NULL;
        for (const cJSON *x = olds->child; x && !o; x = x->next) {
            const cJSON *xid = get(x, "id");
            if (cJSON_IsNumber(xid) && xid->valuedouble == id->valuedouble)
                o = x;
        }
        if (!o) continue;
        if (!same(str(r, "text"), str(o, "text"))) {
            char path[96];
            snprintf(path, sizeof path, "/inspection/recommendations/%d/text",
                     i);
            say(c, QR_WARNING, path,
                "recommendation %d is worded differently in the earlier "
                "report ('%s'): Ofsted's wording does not change between "
                "reports; check which is right", id->valueint, c->follows);
        }
        const char *then = str(o, "status");
        if (then && str(r, "status"))
            qr_json_add_new(r, "previous_status", cJSON_CreateString(then));
    }
}

/* ---- KPIs ---------------------------------------------------------------- */

typedef struct point {
    long index;   /* months from year 0: the order of periods */
    const cJSON *src;
    int current;  /* from this report */
    int pos;      /* its index in this report's series */
} point;

static int point_cmp(const void *a, const void *b)
{
    const point *x = a, *y = b;
    if (x->index != y->index) return (x->index > y->index) - (x->index < y->index);
    return x->current - y->current; /* the earlier report's first */
}

static const char *const kind_name[] = {"months", "quarters", "years"};

/* Add the points of series to v; false when a point is not a period and a
 * number (left to validation: no error is added). *kind is the series'
 * kind, or -1. */
static bool collect(const cJSON *series, int academic, int current, point **v,
                   size_t *n, size_t *cap, int *kind)
{
    int i = 0;
    for (const cJSON *p = cJSON_IsArray(series) ? series->child : NULL; p;
         p = p->next, i++) {
        const char *per = str(p, "period");
        qr_period q;
        if (!per || !cJSON_IsNumber(get(p, "value")) ||
            !qr_period_parse(per, academic, &q))
            return false;
        if (*kind < 0) *kind = (int)q.kind;
        else if (*kind != (int)q.kind) return false;
        QR_GROW(*v, *n, *cap, 16);
        (*v)[(*n)++] = (point){qr_period_index(&q), p, current, i};
    }
    return true;
}

static bool is_academic(const cJSON *k)
{
    const char *y = str(k, "year");
    return y && qr_vocab_find(&qr_vocab_year, y) == QR_YEAR_ACADEMIC;
}

/* One KPI's series: the earlier report's points and this one's, in period
 * order; where both give a period this report's value is used. */
static void merge_kpi(hctx *c, cJSON *k, int i, const cJSON *old)
{
    const char *id = str(k, "id");
    const char *unit = str(k, "unit"), *old_unit = str(old, "unit");
    char path[128];
    if (!same(unit, old_unit)) {
        snprintf(path, sizeof path, unit ? "/kpis/%d/unit" : "/kpis/%d", i);
        say(c, QR_ERROR, path,
            "KPI '%s' is measured in %s%s%s here but in %s%s%s in the earlier "
            "report ('%s'): one series cannot mix units; correct the unit or "
            "give the new measure a new id",
            id, unit ? "'" : "", unit ? unit : "no unit", unit ? "'" : "",
            old_unit ? "'" : "", old_unit ? old_unit : "no unit",
            old_unit ? "'" : "", c->follows);
        return;
    }
    if (is_academic(k) != is_academic(old)) {
        snprintf(path, sizeof path, "/kpis/%d", i);
        say(c, QR_ERROR, path,
            "KPI '%s' counts years differently from the earlier report "
            "('%s'): give both the same \"year\"", id, c->follows);
        return;
    }
    cJSON *series = get(k, "series");
    point *v = NULL;
    size_t n = 0, cap = 0;
    int kind = -1, old_kind = -1, academic = is_academic(k);
    if (!collect(series, academic, 1, &v, &n, &cap, &kind) ||
        !collect(get(old, "series"), academic, 0, &v, &n, &cap, &old_kind)) {
        free(v);
        return; /* a bad period: validation's to report */
    }
    if (kind >= 0 && old_kind >= 0 && kind != old_kind) {
        snprintf(path, sizeof path, "/kpis/%d/series", i);
        say(c, QR_ERROR, path,
            "KPI '%s' is reported in %s here but in %s in the earlier report "
            "('%s'): one series is all months, all quarters or all years",
            id, kind_name[kind], kind_name[old_kind], c->follows);
        free(v);
        return;
    }
    qsort(v, n, sizeof *v, point_cmp);
    cJSON *merged = cJSON_CreateArray();
    int from_earlier = 0;
    for (size_t j = 0; j < n; j++) {
        if (!v[j].current && j + 1 < n && v[j + 1].index == v[j].index) {
            /* both give the period: this report's wins */
            double was = get(v[j].src, "value")->valuedouble;
            double now = get(v[j + 1].src, "value")->valuedouble;
            if (was != now) {
                char a[64], b[64];
                qr_format_number(was, a, sizeof a);
                qr_format_number(now, b, sizeof b);
                snprintf(path, sizeof path, "/kpis/%d/series/%d/value", i,
                         v[j + 1].pos);
                say(c, QR_WARNING, path,
                    "KPI '%s' for %s is %s here but %s in the earlier report "
                    "('%s'): this report's figure is used", id,
                    str(v[j + 1].src, "period"), b, a, c->follows);
            }
            continue;
        }
        if (v[j].current) {
            cJSON_AddItemToArray(merged, cJSON_Duplicate(v[j].src, 1));
        } else {
            cJSON *p = cJSON_CreateObject();
            cJSON_AddStringToObject(p, "period", str(v[j].src, "period"));
            cJSON_AddNumberToObject(p, "value",
                                    get(v[j].src, "value")->valuedouble);
            cJSON_AddItemToArray(merged, p);
            from_earlier = 1;
        }
    }
    free(v);
    if (from_earlier && series)
        cJSON_ReplaceItemInObjectCaseSensitive(k, "series", merged);
    else
        cJSON_Delete(merged);
}

static void merge_kpis(hctx *c, cJSON *root, const cJSON *old)
{
    cJSON *kpis = get(root, "kpis");
    const cJSON *olds = get(old, "kpis");
    if (!cJSON_IsArray(kpis) || !cJSON_IsArray(olds)) return;
    int i = 0;
    for (cJSON *k = kpis->child; k; k = k->next, i++) {
        const char *id = str(k, "id");
        if (!id) continue;
        for (const cJSON *o = olds->child; o; o = o->next)
            if (same(id, str(o, "id"))) {
                merge_kpi(c, k, i, o);
                break;
            }
    }
}

/* ---- entry: before derivation ------------------------------------------ */

/* The follows member, when it can name an earlier report of this plan:
 * a relative path, within the depth limit, from a report with a plan.
 * NULL when there is none or after an error. */
static const char *follows_member(hctx *c, const cJSON *root)
{
    const cJSON *f = get(root, "follows");
    if (!f) return NULL;
    if (!cJSON_IsString(f) || !f->valuestring[0] ||
        f->valuestring[0] == '/') {
        say(c, QR_ERROR, "/follows",
            "follows must name the earlier report's data file, relative to "
            "this file (e.g. \"progress-2026-09.json\")");
        return NULL;
    }
    if (chain_depth >= QR_MAX_HISTORY_DEPTH) {
        say(c, QR_ERROR, "/follows",
            "reports follow each other more than %d deep: start the chain "
            "again with a first report (no follows)", QR_MAX_HISTORY_DEPTH);
        return NULL;
    }
    if (!cJSON_IsObject(get(root, "action_plan"))) {
        say(c, QR_ERROR, "/follows",
            "a report that follows another compares their action plans: this "
            "one has no action_plan");
        return NULL;
    }
    return f->valuestring;
}

/* The earlier report, loaded, checked against this one and derived; NULL
 * after errors. *then is its as_at. */
static qr_data *earlier_report(hctx *c, cJSON *root, const char **then)
{
    char *dir = qr_path_dir(qr_data_name(c->data));
    char *path = qr_path_join(dir, c->follows);
    free(dir);
    qr_data *old = load_earlier(c, path);
    if (old) {
        check_same_plan(c, root, qr_data_root(old));
        *then = check_dates(c, get(root, "action_plan"), qr_data_root(old));
    }
    if (old && (c->errors || !derive_earlier(c, old, path))) {
        qr_data_free(old);
        old = NULL;
    }
    free(path);
    return old;
}

bool qr_history_load(qr_data *data, qr_diags *d, qr_history **out)
{
    cJSON *root = qr_data_root_mut(data);
    hctx c = {.data = data, .d = d};
    c.follows = follows_member(&c, root);
    const char *then = NULL;
    qr_data *old = c.follows ? earlier_report(&c, root, &then) : NULL;
    *out = NULL;
    if (!old) return c.errors == 0;
    const cJSON *oroot = qr_data_root(old);
    cJSON *plan = get(root, "action_plan");
    qr_history *h = qr_xcalloc(1, sizeof *h);
    h->earlier = old;
    h->follows = qr_xstrdup(c.follows);
    h->as_at = then ? qr_xstrdup(then) : NULL;
    h->refs = index_actions(old, get(oroot, "action_plan"), &h->nrefs, d,
                            &c.errors);
    size_t ncur = 0;
    free(index_actions(data, plan, &ncur, d, &c.errors));
    /* actions are matched only between two dated reports of one plan with
     * unique refs; anything else would be a false account of progress */
    if (c.errors == 0) {
        match_actions(&c, h, plan);
        match_recommendations(&c, root, oroot);
    }
    merge_kpis(&c, root, oroot);
    if (c.errors) {
        qr_history_free(h);
        return false;
    }
    *out = h;
    return true;
}

void qr_history_free(qr_history *h)
{
    if (!h) return;
    qr_data_free(h->earlier);
    free(h->follows);
    free(h->as_at);
    free(h->refs);
    free(h);
}

/* ---- entry: after derivation -------------------------------------------- */

/* A due date as the redated list prints it: "30 April 2027", or "Not set". */
static cJSON *due_words(const char *iso)
{
    char text[DATE_TEXT];
    if (!iso || !qr_format_date_long(iso, text, sizeof text))
        snprintf(text, sizeof text, "%s", QR_NOT_SET);
    return cJSON_CreateString(text);
}

/* The lists of changes, in the order a template prints them. */
enum { L_STATUS, L_ADDED, L_CLOSED, L_REDATED, L_REWORDED, L_OVERDUE, L_N };
static const char *const list_name[L_N] = {
    "status_changes", "added", "closed", "redated", "reworded",
    "newly_overdue"};

/* Flag one action and add a copy of it to each list it belongs on. */
static void flag_action(const qr_history *h, cJSON *a, cJSON *lists[L_N])
{
    const ref_entry *e = find(h, str(a, "ref"));
    const cJSON *old = e ? e->action : NULL;
    int in[L_N] = {0};
    in[L_ADDED] = !old;
    in[L_STATUS] = old && !same(str(a, "status"), str(old, "status"));
    in[L_REDATED] = old && !same(str(a, "due"), str(old, "due"));
    in[L_REWORDED] = old && !same(str(a, "action"), str(old, "action"));
    in[L_OVERDUE] = cJSON_IsTrue(get(a, "overdue")) &&
                    !(old && cJSON_IsTrue(get(old, "overdue")));
    qr_json_add_new(a, "added", cJSON_CreateBool(in[L_ADDED]));
    qr_json_add_new(a, "status_changed", cJSON_CreateBool(in[L_STATUS]));
    qr_json_add_new(a, "redated", cJSON_CreateBool(in[L_REDATED]));
    qr_json_add_new(a, "reworded", cJSON_CreateBool(in[L_REWORDED]));
    qr_json_add_new(a, "newly_overdue", cJSON_CreateBool(in[L_OVERDUE]));
    if (in[L_REDATED]) {
        qr_json_add_new(a, "redated_from", due_words(str(old, "due")));
        qr_json_add_new(a, "redated_to", due_words(str(a, "due")));
    }
    for (int l = 0; l < L_N; l++)
        if (in[l]) cJSON_AddItemToArray(lists[l], cJSON_Duplicate(a, 1));
}

/* The earlier report's actions this one no longer has, in its order. */
static void add_closed(const qr_history *h, cJSON *list)
{
    const cJSON *actions = member2(qr_data_root(h->earlier), "action_plan",
                                   "actions");
    for (const cJSON *a = cJSON_IsArray(actions) ? actions->child : NULL; a;
         a = a->next) {
        const ref_entry *e = find(h, str(a, "ref"));
        if (e && !e->matched) cJSON_AddItemToArray(list, cJSON_Duplicate(a, 1));
    }
}

static void add_recommendation_labels(cJSON *root)
{
    cJSON *recs = get(get(root, "inspection"), "recommendations");
    for (cJSON *r = cJSON_IsArray(recs) ? recs->child : NULL; r; r = r->next) {
        const char *then = str(r, "previous_status");
        int k = then ? qr_vocab_find(&qr_vocab_status, then) : -1;
        if (k < 0) continue;
        qr_json_add_new(r, "previous_status_label",
                   cJSON_CreateString(qr_vocab_status.terms[k].label));
        qr_json_add_new(r, "status_changed",
                   cJSON_CreateBool(!same(then, str(r, "status"))));
    }
}

void qr_history_apply(const qr_history *h, cJSON *root)
{
    /* always a boolean where there is a plan to report on */
    if (!h && !cJSON_IsObject(get(root, "action_plan"))) return;
    qr_json_add_new(root, "has_history", cJSON_CreateBool(h != NULL));
    if (!h) return;
    cJSON *lists[L_N];
    for (int l = 0; l < L_N; l++) lists[l] = cJSON_CreateArray();
    cJSON *actions = get(get(root, "action_plan"), "actions");
    for (cJSON *a = cJSON_IsArray(actions) ? actions->child : NULL; a;
         a = a->next)
        if (cJSON_IsObject(a)) flag_action(h, a, lists);
    add_closed(h, lists[L_CLOSED]);
    add_recommendation_labels(root);

    cJSON *hist = cJSON_CreateObject();
    cJSON_AddStringToObject(hist, "follows", h->follows);
    char text[DATE_TEXT], since[DATE_TEXT + 8];
    if (h->as_at && qr_format_date_long(h->as_at, text, sizeof text)) {
        cJSON_AddStringToObject(hist, "previous_as_at", h->as_at);
        cJSON_AddStringToObject(hist, "previous_as_at_long", text);
        snprintf(since, sizeof since, "since %s", text);
        cJSON_AddStringToObject(hist, "since", since);
    }
    int total = 0;
    char key[64];
    for (int l = 0; l < L_N; l++) {
        int n = cJSON_GetArraySize(lists[l]);
        total += n;
        cJSON_AddItemToObject(hist, list_name[l], lists[l]);
        snprintf(key, sizeof key, "%s_count", list_name[l]);
        cJSON_AddNumberToObject(hist, key, n);
        /* Mustache treats 0 as true: a section needs the boolean */
        snprintf(key, sizeof key, "has_%s", list_name[l]);
        cJSON_AddBoolToObject(hist, key, n > 0);
    }
    cJSON_AddNumberToObject(hist, "change_count", total);
    cJSON_AddBoolToObject(hist, "has_changes", total > 0);
    qr_json_add_new(root, "history", hist);
}
