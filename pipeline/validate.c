/* validate.c — the validate stage: the data contract (qr_data_validate).
 *
 * In:  a loaded qr_data.
 * Out: diagnostics, each with the JSON pointer of the value and its
 *      file:line:col in the source (via qr_data_diag).
 * Spec: docs/data.md, which documents exactly what is checked here.
 *
 * Every object is described by a table of fields (name, type, required); one
 * walker checks any table, so the documented contract and the code read the
 * same way. Validation never stops at the first problem: people fix data
 * files in batches. Unknown fields are warnings, because templates may use
 * fields the contract does not name yet.
 */
#include "quire/load.h"
#include "quire/derive.h"
#include "quire/util.h"
#include "quire/vocab.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Schedule 12A of the Local Government Act 1972 has paragraphs 1 to 7. */
#define EXEMPT_PARA_MIN 1
#define EXEMPT_PARA_MAX 7
#define PROGRESS_MIN 0
#define PROGRESS_MAX 100
/* Largest magnitude accepted as an integer (exactly representable). */
#define MAX_EXACT_INT 9007199254740992.0

typedef struct vctx {
    const qr_data *data;
    const cJSON *root;
    qr_diags *d;
    int errors;
    qr_buf path; /* the JSON pointer of the value being checked */
} vctx;

/* ---- paths and messages ------------------------------------------------- */

static const char *cur_path(const vctx *v)
{
    return v->path.data ? v->path.data : "";
}

static size_t push_key(vctx *v, const char *k)
{
    return qr_jptr_push_key(&v->path, k);
}

static size_t push_index(vctx *v, int i)
{
    return qr_jptr_push_index(&v->path, i);
}

static void pop(vctx *v, size_t mark)
{
    qr_jptr_pop(&v->path, mark);
}

static void report(vctx *v, qr_severity sev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void report(vctx *v, qr_severity sev, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    qr_data_vdiag(v->data, v->d, sev, cur_path(v), fmt, ap);
    va_end(ap);
    if (sev == QR_ERROR) v->errors++;
}

/* ---- value checks ------------------------------------------------------- */

static bool is_integer(const cJSON *x)
{
    return cJSON_IsNumber(x) && x->valuedouble == floor(x->valuedouble) &&
           fabs(x->valuedouble) <= MAX_EXACT_INT;
}

static bool check_string(vctx *v, const cJSON *x)
{
    if (cJSON_IsString(x)) return true;
    report(v, QR_ERROR, "expected a string, found %s", qr_json_type_name(x));
    return false;
}

static bool check_date(vctx *v, const cJSON *x)
{
    if (!check_string(v, x)) return false;
    char tmp[64];
    if (qr_format_date_long(x->valuestring, tmp, sizeof tmp)) return true;
    report(v, QR_ERROR, "'%s' is not a valid date (expected YYYY-MM-DD, e.g. "
                        "2026-11-24)", x->valuestring);
    return false;
}

static bool check_period(vctx *v, const cJSON *x)
{
    if (!check_string(v, x)) return false;
    qr_period p;
    if (qr_period_parse(x->valuestring, 0, &p)) return true;
    report(v, QR_ERROR, "'%s' is not a valid period (expected %s)",
           x->valuestring, QR_PERIOD_FORMS);
    return false;
}

static bool check_time(vctx *v, const cJSON *x)
{
    if (!check_string(v, x)) return false;
    const char *s = x->valuestring;
    int ok = strlen(s) == 5 && s[2] == ':';
    for (int i = 0; ok && i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9')) ok = 0;
    if (ok) {
        int h = (s[0] - '0') * 10 + (s[1] - '0');
        int m = (s[3] - '0') * 10 + (s[4] - '0');
        ok = h <= 23 && m <= 59;
    }
    if (ok) return true;
    report(v, QR_ERROR, "'%s' is not a valid time (expected HH:MM, 24-hour, "
                        "e.g. 18:30)", s);
    return false;
}

static bool check_strings(vctx *v, const cJSON *x, int allow_single)
{
    if (allow_single && cJSON_IsString(x)) return true;
    if (!cJSON_IsArray(x)) {
        report(v, QR_ERROR, "expected %s, found %s",
               allow_single ? "a string or an array of strings"
                            : "an array of strings",
               qr_json_type_name(x));
        return false;
    }
    bool ok = true;
    int i = 0;
    for (const cJSON *e = x->child; e; e = e->next, i++) {
        size_t m = push_index(v, i);
        if (!check_string(v, e)) ok = false;
        pop(v, m);
    }
    return ok;
}

static bool check_enum(vctx *v, const cJSON *x, const qr_vocab *e)
{
    if (!check_string(v, x)) return false;
    if (qr_vocab_find(e, x->valuestring) >= 0) return true;
    char *msg = qr_vocab_unknown(e, x->valuestring);
    report(v, QR_ERROR, "%s", msg);
    free(msg);
    return false;
}

/* ---- the field tables --------------------------------------------------- */

typedef enum kind {
    K_ANY,
    K_STRING,
    K_STRINGS,      /* a string or an array of strings */
    K_STRING_ARRAY, /* an array of strings */
    K_NUMBER,
    K_INTEGER,
    K_BOOL,
    K_OBJECT,
    K_ARRAY,
    K_DATE,
    K_TIME,
    K_PERIOD,
    K_ENUM,
    K_ITEM_NO,      /* a number or a string */
    K_PARAGRAPHS,   /* a string, or an array of strings and paragraph objects */
    K_NULL_OR_OBJECT
} kind;

typedef struct field {
    const char *name;
    kind k;
    int required;
    const qr_vocab *en;                        /* K_ENUM */
    void (*more)(vctx *v, const cJSON *x);     /* after the type check */
} field;

static void check_object(vctx *v, const cJSON *x, const struct field *fields,
                         size_t n);
static bool check_paragraphs(vctx *v, const cJSON *x);

static bool check_kind(vctx *v, const cJSON *x, const field *f)
{
    switch (f->k) {
    case K_ANY: return true;
    case K_STRING: return check_string(v, x);
    case K_STRINGS: return check_strings(v, x, 1);
    case K_STRING_ARRAY: return check_strings(v, x, 0);
    case K_DATE: return check_date(v, x);
    case K_TIME: return check_time(v, x);
    case K_PERIOD: return check_period(v, x);
    case K_ENUM: return check_enum(v, x, f->en);
    case K_NUMBER:
        if (cJSON_IsNumber(x)) return true;
        report(v, QR_ERROR, "expected a number, found %s", qr_json_type_name(x));
        return false;
    case K_INTEGER:
        if (is_integer(x)) return true;
        if (cJSON_IsNumber(x))
            report(v, QR_ERROR, "expected a whole number, found %g",
                   x->valuedouble);
        else
            report(v, QR_ERROR, "expected a whole number, found %s",
                   qr_json_type_name(x));
        return false;
    case K_BOOL:
        if (cJSON_IsBool(x)) return true;
        report(v, QR_ERROR, "expected true or false, found %s",
               qr_json_type_name(x));
        return false;
    case K_OBJECT:
        if (cJSON_IsObject(x)) return true;
        report(v, QR_ERROR, "expected an object, found %s", qr_json_type_name(x));
        return false;
    case K_ARRAY:
        if (cJSON_IsArray(x)) return true;
        report(v, QR_ERROR, "expected an array, found %s", qr_json_type_name(x));
        return false;
    case K_PARAGRAPHS: return check_paragraphs(v, x);
    case K_ITEM_NO:
        if (cJSON_IsNumber(x) || cJSON_IsString(x)) return true;
        report(v, QR_ERROR, "expected a number or a string, found %s",
               qr_json_type_name(x));
        return false;
    case K_NULL_OR_OBJECT:
        if (cJSON_IsNull(x) || cJSON_IsObject(x)) return true;
        report(v, QR_ERROR, "expected null or an object, found %s",
               qr_json_type_name(x));
        return false;
    }
    return false;
}

/* Check object x (already known to be an object, path pushed) against
 * fields[0..n): required fields, types, then unknown names (with a hint
 * when one is a near miss of a known name). */
static void check_object(vctx *v, const cJSON *x, const field *fields,
                         size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(x, fields[i].name);
        if (!m) {
            if (fields[i].required)
                report(v, QR_ERROR, "missing required field '%s'",
                       fields[i].name);
            continue;
        }
        size_t mark = push_key(v, fields[i].name);
        if (check_kind(v, m, &fields[i]) && fields[i].more)
            fields[i].more(v, m);
        pop(v, mark);
    }
    /* Repeated names never get here: the loader refuses them
     * (qr_json_check_duplicates), so each member is checked once above. */
    const char **names = NULL;
    size_t unknown = 0;
    for (const cJSON *m = x->child; m; m = m->next) {
        const char *name = m->string ? m->string : "";
        size_t i = 0;
        while (i < n && strcmp(fields[i].name, name) != 0) i++;
        if (i < n || ++unknown > QR_UNKNOWN_KEYS_SHOWN) continue;
        if (!names) {
            names = qr_xmalloc((n ? n : 1) * sizeof *names);
            for (size_t k = 0; k < n; k++) names[k] = fields[k].name;
        }
        qr_buf known;
        qr_buf_init(&known);
        for (size_t k = 0; k < n; k++) {
            if (k) qr_buf_puts(&known, ", ");
            qr_buf_puts(&known, fields[k].name);
        }
        const char *hint = qr_did_you_mean(name, names, n);
        size_t mark = push_key(v, name);
        /* A near miss of `exempt` fails closed: read as a typo, the paper
         * would be published as open, so it is an error, not a warning. */
        if (hint && strcmp(hint, "exempt") == 0)
            report(v, QR_ERROR, "unknown field '%s': did you mean '%s'? "
                                "(a misspelt exemption could publish exempt "
                                "information: fix the name)", name, hint);
        else if (hint)
            report(v, QR_WARNING, "unknown field '%s': did you mean '%s'? "
                                  "(known: %s)", name, hint,
                   known.data ? known.data : "none");
        else
            report(v, QR_WARNING, "unknown field '%s' (known: %s)", name,
                   known.data ? known.data : "none");
        pop(v, mark);
        qr_buf_free(&known);
    }
    free(names);
    if (unknown > QR_UNKNOWN_KEYS_SHOWN)
        report(v, QR_WARNING, "%zu more unknown fields not shown",
               unknown - QR_UNKNOWN_KEYS_SHOWN);
}

/* Check every element of array x as an object of the given fields. */
static void check_object_array(vctx *v, const cJSON *x, const field *fields,
                               size_t n)
{
    int i = 0;
    for (const cJSON *e = x->child; e; e = e->next, i++) {
        size_t mark = push_index(v, i);
        if (cJSON_IsObject(e))
            check_object(v, e, fields, n);
        else
            report(v, QR_ERROR, "expected an object, found %s",
                   qr_json_type_name(e));
        pop(v, mark);
    }
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A numbered paragraph of a report ("3.2"), with an optional heading, or a
 * quoted recommendation and the council's response to it. */
static const field F_PARAGRAPH[] = {
    {"ref", K_STRING, 0, NULL, NULL},
    {"heading", K_STRING, 0, NULL, NULL},
    {"text", K_STRINGS, 0, NULL, NULL},
    {"quote", K_STRING, 0, NULL, NULL},
    {"response", K_STRINGS, 0, NULL, NULL},
};

static bool check_paragraphs(vctx *v, const cJSON *x)
{
    if (cJSON_IsString(x)) return true;
    if (!cJSON_IsArray(x)) {
        report(v, QR_ERROR, "expected a string or an array of paragraphs, "
                            "found %s", qr_json_type_name(x));
        return false;
    }
    bool ok = true;
    int i = 0;
    for (const cJSON *e = x->child; e; e = e->next, i++) {
        size_t m = push_index(v, i);
        if (cJSON_IsObject(e)) {
            check_object(v, e, F_PARAGRAPH, COUNT(F_PARAGRAPH));
        } else if (!cJSON_IsString(e)) {
            report(v, QR_ERROR, "expected a string or a paragraph object, "
                                "found %s", qr_json_type_name(e));
            ok = false;
        }
        pop(v, m);
    }
    return ok;
}

/* ---- duplicates, in linear-logarithmic time ----------------------------- */

typedef struct keyed {
    const char *key; /* string form of the key */
    int index;       /* position in the array */
} keyed;

static int keyed_cmp(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* For keys k[0..n) (k[i].index == i on entry), return first[i] = index of
 * the first element with the same key, or -1 when i is the first. */
static int *first_dups(keyed *k, size_t n)
{
    int *first = qr_xmalloc((n ? n : 1) * sizeof *first);
    for (size_t i = 0; i < n; i++) first[i] = -1;
    qsort(k, n, sizeof *k, keyed_cmp);
    for (size_t i = 1; i < n; i++) {
        if (k[i].key && k[i - 1].key && strcmp(k[i].key, k[i - 1].key) == 0) {
            int f = first[k[i - 1].index];
            first[k[i].index] = f >= 0 ? f : k[i - 1].index;
        }
    }
    return first;
}


/* ---- paper -------------------------------------------------------------- */

static void more_exempt_paragraph(vctx *v, const cJSON *x)
{
    double p = x->valuedouble; /* compared as a double: no overflowing cast */
    if (p < EXEMPT_PARA_MIN || p > EXEMPT_PARA_MAX)
        report(v, QR_ERROR, "paragraph %g does not exist (Schedule 12A has "
                            "paragraphs %d to %d)", x->valuedouble,
               EXEMPT_PARA_MIN, EXEMPT_PARA_MAX);
}

static const field F_EXEMPT[] = {
    {"paragraph", K_INTEGER, 1, NULL, more_exempt_paragraph},
    {"reason", K_STRING, 1, NULL, NULL},
};

static void more_exempt(vctx *v, const cJSON *x)
{
    if (cJSON_IsObject(x)) check_object(v, x, F_EXEMPT, COUNT(F_EXEMPT));
}

static const field F_MEETING[] = {
    {"body", K_STRING, 1, NULL, NULL},
    {"date", K_DATE, 1, NULL, NULL},
    {"item", K_ITEM_NO, 0, NULL, NULL},
    {"time", K_TIME, 0, NULL, NULL},
    {"venue", K_STRING, 0, NULL, NULL},
};

static void more_meeting(vctx *v, const cJSON *x)
{
    check_object(v, x, F_MEETING, COUNT(F_MEETING));
}

static const field F_AUTHOR[] = {
    {"name", K_STRING, 1, NULL, NULL},
    {"role", K_STRING, 0, NULL, NULL},
    {"phone", K_STRING, 0, NULL, NULL},
    {"email", K_STRING, 0, NULL, NULL},
};

static void more_author(vctx *v, const cJSON *x)
{
    check_object(v, x, F_AUTHOR, COUNT(F_AUTHOR));
}

static const field F_IMPLICATIONS[] = {
    {"financial", K_STRINGS, 0, NULL, NULL},
    {"legal", K_STRINGS, 0, NULL, NULL},
    {"property", K_STRINGS, 0, NULL, NULL},
    {"health_wellbeing", K_STRINGS, 0, NULL, NULL},
    {"staffing", K_STRINGS, 0, NULL, NULL},
    {"equalities", K_STRINGS, 0, NULL, NULL},
    {"climate", K_STRINGS, 0, NULL, NULL},
    {"procurement", K_STRINGS, 0, NULL, NULL},
    {"safeguarding", K_STRINGS, 0, NULL, NULL},
};

static void more_implications(vctx *v, const cJSON *x)
{
    check_object(v, x, F_IMPLICATIONS, COUNT(F_IMPLICATIONS));
}

/* A figure quoted in the paper ("Children looked after: 513"). */
static const field F_FIGURE[] = {
    {"label", K_STRING, 1, NULL, NULL},
    {"value", K_ITEM_NO, 1, NULL, NULL},
    {"as_at", K_DATE, 0, NULL, NULL},
    {"previous", K_ITEM_NO, 0, NULL, NULL},
    {"note", K_STRING, 0, NULL, NULL},
};

static void more_figures(vctx *v, const cJSON *x)
{
    check_object_array(v, x, F_FIGURE, COUNT(F_FIGURE));
}

/* A scrutiny review ("deep dive"): for each Ofsted recommendation examined,
 * the working group's own recommendations and the service's response. */
static const field F_FINDING[] = {
    {"ref", K_STRING, 1, NULL, NULL},
    {"recommendation", K_STRING, 1, NULL, NULL},
    {"response", K_STRINGS, 0, NULL, NULL},
    {"options", K_STRING_ARRAY, 0, NULL, NULL},
};

static void check_unique(vctx *v, const cJSON *arr, const char *key,
                         const char *describe);
static void check_recommendation_ids(vctx *v, const cJSON *items,
                                     const char *what);

static void more_findings(vctx *v, const cJSON *x)
{
    check_object_array(v, x, F_FINDING, COUNT(F_FINDING));
    if (!x->child)
        report(v, QR_ERROR, "expected at least one finding, found an empty "
                            "array");
}

static const field F_REVIEW[] = {
    {"recommendation", K_INTEGER, 1, NULL, NULL},
    {"heading", K_STRING, 0, NULL, NULL},
    {"ref", K_STRING, 0, NULL, NULL},
    {"summary", K_STRINGS, 0, NULL, NULL},
    {"findings", K_ARRAY, 1, NULL, more_findings},
};

/* Finding refs are unique across the whole review, as paragraph numbers
 * of one report are. */
static void check_finding_refs(vctx *v, const cJSON *review)
{
    size_t n = 0;
    for (const cJSON *r = review->child; r; r = r->next)
        n += (size_t)cJSON_GetArraySize(
            cJSON_GetObjectItemCaseSensitive(r, "findings"));
    typedef struct where {
        const char *ref;
        int r, f;
    } where;
    where *w = qr_xcalloc(n ? n : 1, sizeof *w);
    size_t k = 0;
    int ri = 0;
    for (const cJSON *r = review->child; r; r = r->next, ri++) {
        const cJSON *fs = cJSON_GetObjectItemCaseSensitive(r, "findings");
        if (!cJSON_IsArray(fs)) continue;
        int fi = 0;
        for (const cJSON *f = fs->child; f; f = f->next, fi++) {
            const cJSON *ref = cJSON_GetObjectItemCaseSensitive(f, "ref");
            if (!cJSON_IsString(ref) || k == n) continue;
            /* quadratic, but a review holds tens of findings */
            for (size_t j = 0; j < k; j++) {
                if (strcmp(w[j].ref, ref->valuestring) != 0) continue;
                char *base = qr_xstrdup(cur_path(v));
                size_t m1 = push_index(v, ri);
                size_t m2 = push_key(v, "findings");
                size_t m3 = push_index(v, fi);
                size_t m4 = push_key(v, "ref");
                report(v, QR_ERROR, "duplicate finding ref '%s' (first at "
                                    "%s/%d/findings/%d/ref)",
                       ref->valuestring, base, w[j].r, w[j].f);
                pop(v, m4);
                pop(v, m3);
                pop(v, m2);
                pop(v, m1);
                free(base);
                break;
            }
            w[k].ref = ref->valuestring;
            w[k].r = ri;
            w[k].f = fi;
            k++;
        }
    }
    free(w);
}

static void more_review(vctx *v, const cJSON *x)
{
    check_object_array(v, x, F_REVIEW, COUNT(F_REVIEW));
    check_unique(v, x, "recommendation", "review of recommendation");
    check_recommendation_ids(v, x, "review item");
    check_finding_refs(v, x);
}

static const field F_PAPER[] = {
    {"kind", K_ENUM, 1, &qr_vocab_kind, NULL},
    {"council", K_STRING, 1, NULL, NULL},
    {"title", K_STRING, 1, NULL, NULL},
    {"meeting", K_OBJECT, 1, NULL, more_meeting},
    {"portfolio", K_STRING, 0, NULL, NULL},
    {"related_portfolios", K_STRINGS, 0, NULL, NULL},
    {"service", K_STRING, 0, NULL, NULL},
    {"wards", K_STRINGS, 0, NULL, NULL},
    {"key_decision", K_BOOL, 0, NULL, NULL},
    {"forward_plan", K_BOOL, 0, NULL, NULL},
    {"exempt", K_NULL_OR_OBJECT, 0, NULL, more_exempt},
    {"author", K_OBJECT, 0, NULL, more_author},
    {"background_papers", K_STRING_ARRAY, 0, NULL, NULL},
    {"report_date", K_DATE, 0, NULL, NULL},
    {"reference", K_STRING, 0, NULL, NULL},
    {"purpose", K_PARAGRAPHS, 0, NULL, NULL},
    {"summary", K_PARAGRAPHS, 0, NULL, NULL},
    {"recommendations", K_PARAGRAPHS, 0, NULL, NULL},
    {"detail", K_PARAGRAPHS, 0, NULL, NULL},
    {"sections", K_ARRAY, 0, NULL, NULL},
    {"priorities", K_STRINGS, 0, NULL, NULL},
    {"risk", K_STRINGS, 0, NULL, NULL},
    {"implications", K_OBJECT, 0, NULL, more_implications},
    {"reducing_inequalities", K_STRINGS, 0, NULL, NULL},
    {"consultation", K_STRINGS, 0, NULL, NULL},
    {"appendices", K_ARRAY, 0, NULL, NULL},
    {"contact", K_ANY, 0, NULL, NULL},
    {"logo", K_STRING, 0, NULL, NULL},
    {"figures", K_ARRAY, 0, NULL, more_figures},
    {"review", K_ARRAY, 0, NULL, more_review},
    {"methodology", K_STRINGS, 0, NULL, NULL},
    {"next_steps", K_STRING_ARRAY, 0, NULL, NULL},
};

/* ---- inspection --------------------------------------------------------- */

static void more_dates(vctx *v, const cJSON *x)
{
    if (!x->child) {
        report(v, QR_ERROR, "expected at least one date, found an empty "
                            "array");
        return;
    }
    int i = 0;
    const char *prev = NULL;
    for (const cJSON *e = x->child; e; e = e->next, i++) {
        size_t mark = push_index(v, i);
        if (check_date(v, e)) {
            if (prev && strcmp(e->valuestring, prev) == 0)
                report(v, QR_ERROR, "'%s' is listed twice",
                       e->valuestring);
            else if (prev && strcmp(e->valuestring, prev) < 0)
                report(v, QR_ERROR, "'%s' comes before the previous date "
                                    "'%s' (dates must be in ascending order)",
                       e->valuestring, prev);
            prev = e->valuestring;
        }
        pop(v, mark);
    }
}

/* Area and grade are checked against the inspection's framework in
 * check_judged, once the type is known. */
static const field F_JUDGEMENT[] = {
    {"area", K_STRING, 1, NULL, NULL},
    {"grade", K_STRING, 1, NULL, NULL},
};

/* The inspection's type as an index into qr_frameworks, or -1 when it is
 * missing or unknown (its own error is reported at /inspection/type). */
static int inspection_type(const vctx *v)
{
    const cJSON *insp = cJSON_GetObjectItemCaseSensitive(v->root,
                                                         "inspection");
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(insp, "type");
    return cJSON_IsString(t) ? qr_vocab_find(&qr_vocab_inspection,
                                             t->valuestring)
                             : -1;
}

/* The framework of type "other", as the data describes it. */
static const cJSON *other_framework(const vctx *v)
{
    const cJSON *insp = cJSON_GetObjectItemCaseSensitive(v->root,
                                                         "inspection");
    return cJSON_GetObjectItemCaseSensitive(insp, "framework");
}

/* Whether `value` is one of the strings of array `list`; if not, report
 * it with a hint from the list. */
static void check_listed(vctx *v, const char *value, const cJSON *list,
                         const char *what, const char *where)
{
    size_t n = (size_t)cJSON_GetArraySize(list), k = 0;
    const char **codes = qr_xmalloc((n ? n : 1) * sizeof *codes);
    int found = 0;
    for (const cJSON *e = cJSON_IsArray(list) ? list->child : NULL; e;
         e = e->next) {
        if (!cJSON_IsString(e)) continue;
        if (strcmp(e->valuestring, value) == 0) found = 1;
        codes[k++] = e->valuestring;
    }
    if (!found) {
        char *msg = qr_unknown_in(value, what, where, codes, (int)k);
        report(v, QR_ERROR, "%s", msg);
        free(msg);
    }
    free(codes);
}

/* One judgement's area or grade (`key`) against the framework: a code of
 * that framework, any name when its areas are open, or one of the data's
 * own list for a framework of type "other". */
static void check_judged(vctx *v, const cJSON *j, int type, int areas)
{
    const char *key = areas ? "area" : "grade";
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, key);
    if (!cJSON_IsString(x)) return;
    size_t mark = push_key(v, key);
    if (type == QR_INSP_OTHER) {
        const cJSON *fw = other_framework(v);
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(
            fw, areas ? "areas" : "grades");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(fw, "name");
        if (list)
            check_listed(v, x->valuestring, list,
                         areas ? "a judgement area" : "a grade",
                         cJSON_IsString(name) ? name->valuestring : NULL);
    } else if (!(areas && qr_frameworks[type].open_areas)) {
        const qr_vocab *voc = areas ? &qr_vocab_area : &qr_vocab_grade;
        int c = qr_vocab_find(voc, x->valuestring);
        const char *word = c < 0 ? NULL
                           : areas ? qr_frameworks[type].area[c]
                                   : qr_frameworks[type].grade[c];
        if (!word) {
            char *msg = qr_framework_unknown(type, areas, x->valuestring);
            report(v, QR_ERROR, "%s", msg);
            free(msg);
        }
    }
    pop(v, mark);
}

/* An inspection Ofsted does not grade (a visit), or an unknown framework
 * that lists no grades, has no judgements to print. */
static bool framework_grades(const vctx *v, int type)
{
    if (type != QR_INSP_OTHER) return qr_framework_graded(&qr_frameworks[type]);
    return cJSON_GetObjectItemCaseSensitive(other_framework(v), "grades") != NULL;
}

static void more_judgements(vctx *v, const cJSON *x)
{
    check_object_array(v, x, F_JUDGEMENT, COUNT(F_JUDGEMENT));
    int type = inspection_type(v);
    if (type >= 0 && x->child && !framework_grades(v, type)) {
        if (type == QR_INSP_OTHER)
            report(v, QR_ERROR, "the inspection's framework lists no grades: "
                                "add framework.grades, as its report words "
                                "them");
        else
            report(v, QR_ERROR, "an inspection of type '%s' (%s) is not "
                                "graded: remove its judgements",
                   qr_vocab_inspection.terms[type].code,
                   qr_vocab_inspection.terms[type].label);
        type = -1;
    }
    int i = 0;
    for (const cJSON *e = x->child; type >= 0 && e; e = e->next, i++) {
        if (!cJSON_IsObject(e)) continue;
        size_t mark = push_index(v, i);
        check_judged(v, e, type, 1);
        check_judged(v, e, type, 0);
        pop(v, mark);
    }
    check_unique(v, x, "area", "judgement for");
}

/* A framework Quire does not know, named and graded by the data so that
 * it prints in the report's own words. */
static const field F_FRAMEWORK[] = {
    {"name", K_STRING, 1, NULL, NULL},
    {"grades", K_STRING_ARRAY, 0, NULL, NULL},
    {"areas", K_STRING_ARRAY, 0, NULL, NULL},
};

static void more_framework(vctx *v, const cJSON *x)
{
    check_object(v, x, F_FRAMEWORK, COUNT(F_FRAMEWORK));
    int type = inspection_type(v);
    if (type >= 0 && type != QR_INSP_OTHER)
        report(v, QR_ERROR, "a framework is described only for an inspection "
                            "of type 'other' (this one is '%s', which Quire "
                            "knows): remove framework or set type to 'other'",
               qr_vocab_inspection.terms[type].code);
}

/* Type "other" needs the framework that names it. */
static void more_inspection_type(vctx *v, const cJSON *x)
{
    if (qr_vocab_find(&qr_vocab_inspection, x->valuestring) != QR_INSP_OTHER ||
        other_framework(v))
        return;
    report(v, QR_ERROR, "an inspection of type 'other' needs its framework: "
                        "\"framework\": {\"name\": …, \"grades\": […]}");
}

static const field F_RECOMMENDATION[] = {
    {"id", K_INTEGER, 1, NULL, NULL},
    {"text", K_STRING, 1, NULL, NULL},
    {"status", K_ENUM, 0, &qr_vocab_status, NULL},
};

/* Unique-key check over an array of objects: key member `key`. `describe`
 * is used in "duplicate <describe> 'x' (first at <array>/<i>/<key>)". */
static void check_unique(vctx *v, const cJSON *arr, const char *key,
                         const char *describe)
{
    size_t n = (size_t)cJSON_GetArraySize(arr);
    keyed *k = qr_xcalloc(n ? n : 1, sizeof *k);
    char **owned = qr_xcalloc(n ? n : 1, sizeof *owned);
    int i = 0;
    for (const cJSON *e = arr->child; e; e = e->next, i++) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, key);
        k[i].index = i;
        if (cJSON_IsString(m)) {
            owned[i] = qr_xasprintf("s%s", m->valuestring);
        } else if (is_integer(m)) {
            owned[i] = qr_xasprintf("n%.0f", m->valuedouble);
        }
        k[i].key = owned[i] ? owned[i] : NULL;
    }
    /* elements without a usable key never match one another */
    for (size_t j = 0; j < n; j++)
        if (!k[j].key) k[j].key = owned[j] = qr_xasprintf("-%zu", j);
    int *first = first_dups(k, n);
    i = 0;
    for (const cJSON *e = arr->child; e; e = e->next, i++) {
        if (first[i] < 0) continue;
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, key);
        size_t m1 = push_index(v, i);
        size_t m2 = push_key(v, key);
        char where[64];
        snprintf(where, sizeof where, "/%d/%s", first[i], key);
        /* the array's own path is the prefix before /i/key */
        char *arr_path = qr_xstrndup(cur_path(v), m1);
        if (cJSON_IsString(m))
            report(v, QR_ERROR, "duplicate %s '%s' (first at %s%s)", describe,
                   m->valuestring, arr_path, where);
        else
            report(v, QR_ERROR, "duplicate %s %.0f (first at %s%s)", describe,
                   m->valuedouble, arr_path, where);
        free(arr_path);
        pop(v, m2);
        pop(v, m1);
    }
    free(first);
    for (size_t j = 0; j < n; j++) free(owned[j]);
    free(owned);
    free(k);
}

static void more_recommendations(vctx *v, const cJSON *x)
{
    check_object_array(v, x, F_RECOMMENDATION, COUNT(F_RECOMMENDATION));
    check_unique(v, x, "id", "recommendation id");
}

static const field F_INSPECTION[] = {
    {"type", K_ENUM, 1, &qr_vocab_inspection, more_inspection_type},
    {"framework", K_OBJECT, 0, NULL, more_framework},
    {"dates", K_ARRAY, 1, NULL, more_dates},
    {"published", K_DATE, 0, NULL, NULL},
    {"judgements", K_ARRAY, 0, NULL, more_judgements},
    {"focus", K_STRING_ARRAY, 0, NULL, NULL},
    {"strengths", K_STRING_ARRAY, 0, NULL, NULL},
    {"areas_for_improvement", K_STRING_ARRAY, 0, NULL, NULL},
    {"recommendations", K_ARRAY, 0, NULL, more_recommendations},
    {"summary", K_STRINGS, 0, NULL, NULL},
    {"lead_inspector", K_STRING, 0, NULL, NULL},
    {"report_url", K_STRING, 0, NULL, NULL},
};

/* ---- action plan -------------------------------------------------------- */

static void more_progress(vctx *v, const cJSON *x)
{
    if (x->valuedouble < PROGRESS_MIN || x->valuedouble > PROGRESS_MAX)
        report(v, QR_ERROR, "progress %g is out of range (expected %d to %d)",
               x->valuedouble, PROGRESS_MIN, PROGRESS_MAX);
}

/* A target measure on an action ("timely assessments: 51% to 82%, target
 * 90%"): how far the outcome has moved, kept apart from `progress`, which
 * is how much of the action is done. */
static const field F_MEASURE[] = {
    {"label", K_STRING, 0, NULL, NULL},
    {"baseline", K_NUMBER, 0, NULL, NULL},
    {"latest", K_NUMBER, 1, NULL, NULL},
    {"target", K_NUMBER, 0, NULL, NULL},
    {"unit", K_STRING, 0, NULL, NULL},
    {"period", K_STRING, 0, NULL, NULL},
    {"polarity", K_ENUM, 0, &qr_vocab_polarity, NULL},
};

static void more_measure(vctx *v, const cJSON *x)
{
    check_object(v, x, F_MEASURE, COUNT(F_MEASURE));
}

/* Owner and due date are optional: councils' plans often give neither,
 * and an invented owner is worse than a visible "Not set". */
static const field F_ACTION[] = {
    {"ref", K_STRING, 1, NULL, NULL},
    {"recommendation", K_INTEGER, 0, NULL, NULL},
    {"action", K_STRING, 1, NULL, NULL},
    {"owner", K_STRING, 0, NULL, NULL},
    {"due", K_DATE, 0, NULL, NULL},
    {"status", K_ENUM, 1, &qr_vocab_status, NULL},
    {"previous_status", K_ENUM, 0, &qr_vocab_status, NULL},
    {"new", K_BOOL, 0, NULL, NULL},
    {"measure", K_OBJECT, 0, NULL, more_measure},
    {"progress", K_NUMBER, 0, NULL, more_progress},
    {"update", K_STRING, 0, NULL, NULL},
    {"theme", K_STRING, 0, NULL, NULL},
    {"evidence", K_STRINGS, 0, NULL, NULL},
};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* "1-10" or "1-3, 5, 7-9" */
static void format_ids(const double *ids, size_t n, qr_buf *out)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j + 1 < n && ids[j + 1] == ids[j] + 1) j++;
        if (i) qr_buf_puts(out, ", ");
        if (j > i)
            qr_buf_printf(out, "%.0f-%.0f", ids[i], ids[j]);
        else
            qr_buf_printf(out, "%.0f", ids[i]);
        i = j + 1;
    }
}

/* Each item's "recommendation" (an action, a review item) must be an id
 * in /inspection/recommendations. `what` names the item in messages, with
 * its "ref" when it has one, else its index. */
static void check_recommendation_ids(vctx *v, const cJSON *actions,
                                     const char *what)
{
    const cJSON *insp = cJSON_GetObjectItemCaseSensitive(v->root,
                                                         "inspection");
    const cJSON *recs = cJSON_GetObjectItemCaseSensitive(insp,
                                                         "recommendations");
    size_t n = 0;
    double *ids = qr_xmalloc(((size_t)cJSON_GetArraySize(recs) + 1) *
                             sizeof *ids);
    if (cJSON_IsArray(recs)) {
        for (const cJSON *r = recs->child; r; r = r->next) {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "id");
            if (is_integer(id)) ids[n++] = id->valuedouble;
        }
    }
    qsort(ids, n, sizeof *ids, cmp_double);
    size_t u = 0; /* drop repeats so the list reads cleanly */
    for (size_t i = 0; i < n; i++)
        if (u == 0 || ids[i] != ids[u - 1]) ids[u++] = ids[i];
    n = u;
    qr_buf list;
    qr_buf_init(&list);
    int i = 0;
    for (const cJSON *a = actions->child; a; a = a->next, i++) {
        const cJSON *rec = cJSON_GetObjectItemCaseSensitive(a, "recommendation");
        if (!is_integer(rec)) continue;
        double key = rec->valuedouble;
        if (bsearch(&key, ids, n, sizeof *ids, cmp_double)) continue;
        const cJSON *ref = cJSON_GetObjectItemCaseSensitive(a, "ref");
        char who[96];
        if (cJSON_IsString(ref))
            snprintf(who, sizeof who, "%s %s", what, ref->valuestring);
        else
            snprintf(who, sizeof who, "%s %d", what, i);
        if (!list.len) {
            if (n)
                format_ids(ids, n, &list);
        }
        size_t m1 = push_index(v, i);
        size_t m2 = push_key(v, "recommendation");
        if (n)
            report(v, QR_ERROR, "%s points at recommendation %.0f, which does "
                                "not exist (ids: %s)", who, key, list.data);
        else
            report(v, QR_ERROR, "%s points at recommendation %.0f, which does "
                                "not exist (/inspection/recommendations lists "
                                "none)", who, key);
        pop(v, m2);
        pop(v, m1);
    }
    qr_buf_free(&list);
    free(ids);
}

/* An action marked new since the last report cannot also have a status at
 * the last report. */
static void check_new_actions(vctx *v, const cJSON *actions)
{
    int i = 0;
    for (const cJSON *a = actions->child; a; a = a->next, i++) {
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "new")) ||
            !cJSON_GetObjectItemCaseSensitive(a, "previous_status"))
            continue;
        size_t m1 = push_index(v, i);
        size_t m2 = push_key(v, "new");
        report(v, QR_ERROR, "an action new since the last report has no "
                            "previous_status: remove one of them");
        pop(v, m2);
        pop(v, m1);
    }
}

static void more_actions(vctx *v, const cJSON *x)
{
    check_object_array(v, x, F_ACTION, COUNT(F_ACTION));
    check_new_actions(v, x);
    check_unique(v, x, "ref", "action ref");
    check_recommendation_ids(v, x, "action");
}

/* The date of the last report must come before this one's. */
static void more_previous_as_at(vctx *v, const cJSON *x)
{
    const cJSON *plan = cJSON_GetObjectItemCaseSensitive(v->root,
                                                         "action_plan");
    const cJSON *as_at = cJSON_GetObjectItemCaseSensitive(plan, "as_at");
    char tmp[64];
    if (!cJSON_IsString(as_at) ||
        !qr_format_date_long(as_at->valuestring, tmp, sizeof tmp))
        return;
    if (strcmp(x->valuestring, as_at->valuestring) >= 0)
        report(v, QR_ERROR, "previous_as_at '%s' is not before as_at '%s' "
                            "(the last report must come before this one)",
               x->valuestring, as_at->valuestring);
}

static void more_colours(vctx *v, const cJSON *x)
{
    if (x->valuedouble != 3 && x->valuedouble != 5)
        report(v, QR_ERROR, "colours %g is not a RAG scheme (expected 3: red, "
                            "amber, green; or 5: with complete and not "
                            "started)", x->valuedouble);
}

static const field F_RAG_POLICY[] = {
    {"colours", K_INTEGER, 0, NULL, more_colours},
    {"count", K_ENUM, 0, &qr_vocab_rag_count, NULL},
};

/* Under a three-colour policy every status is red, amber or green, with
 * complete counted as green; not started has no colour to count as. */
static void more_rag_policy(vctx *v, const cJSON *x)
{
    check_object(v, x, F_RAG_POLICY, COUNT(F_RAG_POLICY));
    const cJSON *col = cJSON_GetObjectItemCaseSensitive(x, "colours");
    if (!cJSON_IsNumber(col) || col->valuedouble != 3) return;
    const cJSON *plan = cJSON_GetObjectItemCaseSensitive(v->root,
                                                         "action_plan");
    const cJSON *acts = cJSON_GetObjectItemCaseSensitive(plan, "actions");
    char *saved = qr_xstrdup(cur_path(v));
    qr_jptr_pop(&v->path, 0);
    size_t m0 = push_key(v, "action_plan");
    size_t m1 = push_key(v, "actions");
    int i = 0;
    for (const cJSON *a = cJSON_IsArray(acts) ? acts->child : NULL; a;
         a = a->next, i++) {
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(a, "status");
        if (!cJSON_IsString(st) ||
            qr_vocab_find(&qr_vocab_status, st->valuestring) !=
                QR_RAG_NOT_STARTED)
            continue;
        size_t m2 = push_index(v, i);
        size_t m3 = push_key(v, "status");
        report(v, QR_ERROR, "'not_started' is not one of this plan's three "
                            "colours (rag_policy.colours is 3): use red, "
                            "amber or green");
        pop(v, m3);
        pop(v, m2);
    }
    pop(v, m1);
    pop(v, m0);
    qr_buf_puts(&v->path, saved);
    free(saved);
}

static const field F_ACTION_PLAN[] = {
    {"rag_policy", K_OBJECT, 0, NULL, more_rag_policy},
    {"as_at", K_DATE, 1, NULL, NULL},
    {"previous_as_at", K_DATE, 0, NULL, more_previous_as_at},
    {"actions", K_ARRAY, 1, NULL, more_actions},
    {"title", K_STRING, 0, NULL, NULL},
    {"summary", K_STRINGS, 0, NULL, NULL},
};

/* ---- KPIs --------------------------------------------------------------- */

static const field F_POINT[] = {
    {"period", K_PERIOD, 1, NULL, NULL},
    {"value", K_NUMBER, 1, NULL, NULL},
};

static void more_series(vctx *v, const cJSON *x)
{
    check_object_array(v, x, F_POINT, COUNT(F_POINT));
    const char *prev = NULL;
    qr_period last = {0};
    int i = 0;
    for (const cJSON *e = x->child; e; e = e->next, i++) {
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "period");
        qr_period cur;
        if (!cJSON_IsString(p) || !qr_period_parse(p->valuestring, 0, &cur))
            continue;
        size_t m1 = push_index(v, i);
        size_t m2 = push_key(v, "period");
        if (prev && cur.kind != last.kind)
            report(v, QR_ERROR, "period '%s' is not the same kind as '%s' "
                                "(one series is all months, all quarters or "
                                "all years)", p->valuestring, prev);
        else if (prev && qr_period_index(&cur) == qr_period_index(&last))
            report(v, QR_ERROR, "period '%s' is listed twice",
                   p->valuestring);
        else if (prev && qr_period_index(&cur) < qr_period_index(&last))
            report(v, QR_ERROR, "period '%s' comes before the previous "
                                "period '%s' (periods must be in "
                                "ascending order)", p->valuestring, prev);
        pop(v, m2);
        pop(v, m1);
        prev = p->valuestring;
        last = cur;
    }
}

static const field F_KPI[] = {
    {"id", K_STRING, 1, NULL, NULL},
    {"label", K_STRING, 1, NULL, NULL},
    {"unit", K_STRING, 0, NULL, NULL},
    {"target", K_NUMBER, 0, NULL, NULL},
    {"polarity", K_ENUM, 1, &qr_vocab_polarity, NULL},
    {"series", K_ARRAY, 1, NULL, more_series},
    {"year", K_ENUM, 0, &qr_vocab_year, NULL},
    {"description", K_STRING, 0, NULL, NULL},
    {"source", K_STRING, 0, NULL, NULL},
};

static void more_kpis(vctx *v, const cJSON *x)
{
    check_object_array(v, x, F_KPI, COUNT(F_KPI));
    check_unique(v, x, "id", "KPI id");
}

/* ---- the document ------------------------------------------------------- */

static void more_paper(vctx *v, const cJSON *x)
{
    check_object(v, x, F_PAPER, COUNT(F_PAPER));
}

static void more_inspection(vctx *v, const cJSON *x)
{
    check_object(v, x, F_INSPECTION, COUNT(F_INSPECTION));
}

static void more_action_plan(vctx *v, const cJSON *x)
{
    check_object(v, x, F_ACTION_PLAN, COUNT(F_ACTION_PLAN));
}

static const field F_TOP[] = {
    {"paper", K_OBJECT, 1, NULL, more_paper},
    {"inspection", K_OBJECT, 0, NULL, more_inspection},
    {"action_plan", K_OBJECT, 0, NULL, more_action_plan},
    {"kpis", K_ARRAY, 0, NULL, more_kpis},
    /* the earlier report's data file (history.h) */
    {"follows", K_STRING, 0, NULL, NULL},
};

bool qr_data_validate(const qr_data *data, qr_diags *d)
{
    const cJSON *root = qr_data_root(data);
    if (!cJSON_IsObject(root)) return true;
    /* No "paper": a plain data file for an ad-hoc template. */
    if (!cJSON_GetObjectItemCaseSensitive(root, "paper")) return true;
    vctx v = {.data = data, .root = root, .d = d};
    qr_buf_init(&v.path);
    check_object(&v, root, F_TOP, COUNT(F_TOP));
    qr_buf_free(&v.path);
    return v.errors == 0;
}
