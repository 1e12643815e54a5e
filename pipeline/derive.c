/* derive.c — the derive stage.
 *
 * In:  a loaded (ideally validated) qr_data.
 * Out: the same tree with computed members added in place, so that templates
 *      stay logic-less; diagnostics for invalid dates and unknown enum values.
 * Spec: the field names are listed in docs/data.md
 *      ("Derived fields") and templates depend on them.
 *
 * Two passes. The specific pass adds the Ofsted, action-plan and KPI fields
 * (labels, RAG counts, overdue, direction, trends). The generic pass then adds
 * K_long for ISO dates and K_text for numbers everywhere. Rules:
 *   - the data wins: a derived key is never added when the object already
 *     has a member of that name (and the specific pass runs first, so its
 *     "progress_text" = "60%" wins over the generic "60");
 *   - nothing is derived from a derived member: the generic pass only looks
 *     at each object's original members. cJSON appends new members at the
 *     end, so "original" is "the first N children", and N is recorded for
 *     every object the specific pass touched.
 * The tree may not have been validated, so every value's type is checked
 * before use. Numbers and dates are formatted by hand: only the C locale
 * exists.
 */
#include "quire/derive.h"
#include "quire/history.h"
#include "quire/util.h"
#include "quire/vocab.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PERCENT 100
/* Decimal places tried when printing a fractional number. */
#define MAX_DECIMALS 15
#define DATE_BUF 64

static const char *const month_names[12] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};
/* GOV.UK style guide abbreviations, for charts and tables. */
static const char *const month_short[12] = {
    "Jan", "Feb", "Mar", "Apr", "May", "June",
    "July", "Aug", "Sept", "Oct", "Nov", "Dec"};

/* ---- dates ------------------------------------------------------------- */

typedef struct ymd {
    int y, m, d;
} ymd;

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* "DDDD-DD-DD": the shape of an ISO date, valid or not. */
static bool date_shaped(const char *s)
{
    int t;
    return s && strlen(s) == 10 && s[4] == '-' && s[7] == '-' &&
           digits(s, 4, &t) && digits(s + 5, 2, &t) && digits(s + 8, 2, &t);
}

static bool parse_iso(const char *s, ymd *out)
{
    if (!date_shaped(s)) return false;
    ymd v;
    digits(s, 4, &v.y);
    digits(s + 5, 2, &v.m);
    digits(s + 8, 2, &v.d);
    if (v.y < 1 || v.m < 1 || v.m > 12 || v.d < 1 ||
        v.d > days_in_month(v.y, v.m))
        return false;
    *out = v;
    return true;
}

bool qr_iso_date(const char *iso, int *y, int *m, int *d)
{
    ymd v;
    if (!parse_iso(iso, &v)) return false;
    if (y) *y = v.y;
    if (m) *m = v.m;
    if (d) *d = v.d;
    return true;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static long long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool qr_iso_days(const char *iso, long long *days)
{
    ymd v;
    if (!parse_iso(iso, &v)) return false;
    *days = days_from_civil(v.y, v.m, v.d);
    return true;
}

/* "YYYY-MM" */
bool qr_period_parse(const char *s, int academic, qr_period *out)
{
    size_t n = s ? strlen(s) : 0;
    qr_period p = {0};
    if (n == 7 && s[4] == '-' && s[5] == 'Q') {
        /* "2025-Q2": a calendar quarter */
        int q;
        if (!digits(s, 4, &p.y) || !digits(s + 6, 1, &q) || q < 1 || q > 4)
            return false;
        p.kind = QR_PERIOD_QUARTER;
        p.m = (q - 1) * 3 + 1;
        p.months = 3;
    } else if (n == 7 && s[4] == '-') {
        /* "2025-06": a month */
        if (!digits(s, 4, &p.y) || !digits(s + 5, 2, &p.m) || p.m < 1 ||
            p.m > 12)
            return false;
        p.kind = QR_PERIOD_MONTH;
        p.months = 1;
    } else if (n == 7 && s[4] == '/') {
        /* "2024/25": a financial year from April, or an academic year
         * from September; the second year must follow the first */
        int y2;
        if (!digits(s, 4, &p.y) || !digits(s + 5, 2, &y2) ||
            y2 != (p.y + 1) % 100)
            return false;
        p.kind = QR_PERIOD_YEAR;
        p.m = academic ? 9 : 4;
        p.months = 12;
    } else {
        return false;
    }
    if (p.y < 1) return false;
    *out = p;
    return true;
}

long qr_period_index(const qr_period *p)
{
    return (long)p->y * 12 + (p->m - 1);
}

void qr_period_labels(const qr_period *p, int academic, char *lng, size_t nl,
                      char *shrt, size_t ns)
{
    switch (p->kind) {
    case QR_PERIOD_MONTH:
        snprintf(lng, nl, "%s %d", month_names[p->m - 1], p->y);
        snprintf(shrt, ns, "%s %02d", month_short[p->m - 1], p->y % 100);
        break;
    case QR_PERIOD_QUARTER:
        /* GOV.UK writes ranges with "to": "April to June 2025" */
        snprintf(lng, nl, "%s to %s %d", month_names[p->m - 1],
                 month_names[p->m + 1], p->y);
        snprintf(shrt, ns, "Q%d %d", (p->m - 1) / 3 + 1, p->y);
        break;
    case QR_PERIOD_YEAR:
        snprintf(lng, nl, "%s year %d to %d",
                 academic ? "academic" : "financial", p->y, p->y + 1);
        snprintf(shrt, ns, "%d/%02d", p->y, (p->y + 1) % 100);
        break;
    }
}

bool qr_format_date_long(const char *iso, char *out, size_t n)
{
    ymd v;
    if (!parse_iso(iso, &v)) {
        if (n) out[0] = '\0';
        return false;
    }
    snprintf(out, n, "%d %s %d", v.d, month_names[v.m - 1], v.y);
    return true;
}

bool qr_format_date_range(const char *first, const char *last, char *out,
                          size_t n)
{
    ymd a, b;
    if (!parse_iso(first, &a) || !parse_iso(last, &b)) {
        if (n) out[0] = '\0';
        return false;
    }
    if (strcmp(first, last) > 0) { /* unsorted input: still a range */
        ymd t = a;
        a = b;
        b = t;
    }
    if (a.y == b.y && a.m == b.m && a.d == b.d)
        snprintf(out, n, "%d %s %d", a.d, month_names[a.m - 1], a.y);
    else if (a.y == b.y && a.m == b.m)
        snprintf(out, n, "%d to %d %s %d", a.d, b.d, month_names[a.m - 1],
                 a.y);
    else if (a.y == b.y)
        snprintf(out, n, "%d %s to %d %s %d", a.d, month_names[a.m - 1], b.d,
                 month_names[b.m - 1], b.y);
    else
        snprintf(out, n, "%d %s %d to %d %s %d", a.d, month_names[a.m - 1],
                 a.y, b.d, month_names[b.m - 1], b.y);
    return true;
}

/* ---- numbers ----------------------------------------------------------- */

void qr_format_number(double v, char *out, size_t n)
{
    if (!n) return;
    if (isnan(v)) {
        snprintf(out, n, "NaN");
        return;
    }
    if (isinf(v)) {
        snprintf(out, n, v < 0 ? "-Infinity" : "Infinity");
        return;
    }
    /* a double has at most 309 integer digits */
    char num[400];
    double a = fabs(v);
    if (a == floor(a)) {
        snprintf(num, sizeof num, "%.0f", a);
    } else {
        /* the fewest decimals that read back as the same double */
        int d;
        for (d = 1; d <= MAX_DECIMALS; d++) {
            snprintf(num, sizeof num, "%.*f", d, a);
            if (strtod(num, NULL) == a) break;
        }
        if (d > MAX_DECIMALS) {
            snprintf(num, sizeof num, "%.*f", MAX_DECIMALS, a);
            size_t k = strlen(num);
            while (k > 0 && num[k - 1] == '0') num[--k] = '\0';
            if (k > 0 && num[k - 1] == '.') num[--k] = '\0';
        }
    }
    int zero = 1;
    for (const char *p = num; *p; p++)
        if (*p >= '1' && *p <= '9') zero = 0;
    qr_buf b;
    qr_buf_init(&b);
    if (v < 0 && !zero) qr_buf_putc(&b, '-');
    const char *dot = strchr(num, '.');
    size_t int_len = dot ? (size_t)(dot - num) : strlen(num);
    for (size_t i = 0; i < int_len; i++) {
        if (i > 0 && (int_len - i) % 3 == 0) qr_buf_putc(&b, ',');
        qr_buf_putc(&b, num[i]);
    }
    if (dot) qr_buf_puts(&b, dot);
    snprintf(out, n, "%s", b.data);
    qr_buf_free(&b);
}

/* ---- context ----------------------------------------------------------- */

typedef struct touched {
    const cJSON *obj;
    int count; /* original members */
} touched;

typedef struct dctx {
    qr_data *data;
    qr_diags *d;
    int errors;
    qr_buf path;
    touched *t;
    size_t nt, capt;
} dctx;

static const char *cur_path(const dctx *c)
{
    return c->path.data ? c->path.data : "";
}

static size_t push_key(dctx *c, const char *k)
{
    return qr_jptr_push_key(&c->path, k);
}

static size_t push_index(dctx *c, int i)
{
    return qr_jptr_push_index(&c->path, i);
}

static void pop(dctx *c, size_t mark)
{
    qr_jptr_pop(&c->path, mark);
}

static void error(dctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void error(dctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    qr_data_vdiag(c->data, c->d, QR_ERROR, cur_path(c), fmt, ap);
    va_end(ap);
    c->errors++;
}

static void warning(dctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void warning(dctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    qr_data_vdiag(c->data, c->d, QR_WARNING, cur_path(c), fmt, ap);
    va_end(ap);
}

static void bad_date(dctx *c, const char *s)
{
    error(c, "'%s' is not a valid date (expected YYYY-MM-DD, e.g. 2026-11-24)",
          s);
}

static int child_count(const cJSON *obj)
{
    int n = 0;
    for (const cJSON *m = obj->child; m; m = m->next) n++;
    return n;
}

/* Record obj's original member count before the specific pass adds to it.
 * Callers touch each object exactly once, before its first addition. */
static void touch(dctx *c, const cJSON *obj)
{
    QR_GROW(c->t, c->nt, c->capt, 16);
    c->t[c->nt].obj = obj;
    c->t[c->nt].count = child_count(obj);
    c->nt++;
}

static void add_str(cJSON *obj, const char *key, const char *s)
{
    if (cJSON_GetObjectItemCaseSensitive(obj, key)) return;
    qr_json_add_new(obj, key, cJSON_CreateString(s));
}

static void add_num(cJSON *obj, const char *key, double v)
{
    qr_json_add_new(obj, key, cJSON_CreateNumber(v));
}

static void add_bool(cJSON *obj, const char *key, int v)
{
    qr_json_add_new(obj, key, cJSON_CreateBool(v));
}

static const cJSON *get(const cJSON *obj, const char *key)
{
    return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key)
                               : NULL;
}

/* ---- enums and labels: the vocabulary's tables (vocab.h) ------------- */

/* Index of member `key` of obj in e, or -1: absent, not a string (left to
 * validation) or unknown (an error at the member's path). */
static int lookup(dctx *c, const cJSON *obj, const char *key,
                  const qr_vocab *e)
{
    const cJSON *v = get(obj, key);
    if (!cJSON_IsString(v)) return -1;
    int i = qr_vocab_find(e, v->valuestring);
    if (i >= 0) return i;
    char *msg = qr_vocab_unknown(e, v->valuestring);
    size_t mark = push_key(c, key);
    error(c, "%s", msg);
    pop(c, mark);
    free(msg);
    return -1;
}

/* ---- inspection -------------------------------------------------------- */

/* A judgement's printed words under framework type `t`: a known
 * framework's own wording of the area and grade codes; the data's words
 * as written where the framework's areas are open or the framework is one
 * the data describes ("other"). A code the framework does not use gets no
 * label (validation reports it). */
static void derive_judgement(dctx *c, cJSON *insp, cJSON *j, int t)
{
    if (t < 0) { /* no framework to word them: report unknown codes only */
        lookup(c, j, "area", &qr_vocab_area);
        lookup(c, j, "grade", &qr_vocab_grade);
        return;
    }
    const qr_framework *fw = &qr_frameworks[t];
    const cJSON *area = get(j, "area"), *grade = get(j, "grade");
    if (t == QR_INSP_OTHER || fw->open_areas) {
        if (cJSON_IsString(area)) add_str(j, "area_label", area->valuestring);
    } else {
        int a = lookup(c, j, "area", &qr_vocab_area);
        if (a >= 0 && fw->area[a]) add_str(j, "area_label", fw->area[a]);
        if (a == QR_AREA_OVERALL && cJSON_IsString(grade))
            add_str(insp, "overall_grade", grade->valuestring);
    }
    if (t == QR_INSP_OTHER) {
        if (cJSON_IsString(grade)) add_str(j, "grade_label", grade->valuestring);
        return;
    }
    int g = lookup(c, j, "grade", &qr_vocab_grade);
    if (g < 0 || !fw->grade[g]) return;
    add_str(j, "grade_label", fw->grade[g]);
    if (!fw->open_areas && qr_vocab_find(&qr_vocab_area, cJSON_IsString(area)
                                             ? area->valuestring : NULL) ==
                               QR_AREA_OVERALL)
        add_str(insp, "overall_grade_label", fw->grade[g]);
}

/* The framework's name: Ofsted's, or the one the data gives for a
 * framework Quire does not know. */
static void derive_framework_name(cJSON *insp, int t)
{
    const char *name = qr_vocab_inspection.terms[t].label;
    const cJSON *given = get(get(insp, "framework"), "name");
    if (t == QR_INSP_OTHER && cJSON_IsString(given)) name = given->valuestring;
    add_str(insp, "type_label", name);
    if (qr_frameworks[t].years)
        add_str(insp, "framework_years", qr_frameworks[t].years);
}

static void derive_inspection(dctx *c, cJSON *insp)
{
    size_t mark = push_key(c, "inspection");
    touch(c, insp);
    int t = lookup(c, insp, "type", &qr_vocab_inspection);
    if (t >= 0) derive_framework_name(insp, t);

    cJSON *js = cJSON_GetObjectItemCaseSensitive(insp, "judgements");
    if (cJSON_IsArray(js)) {
        size_t m1 = push_key(c, "judgements");
        int i = 0;
        for (cJSON *j = js->child; j; j = j->next, i++) {
            if (!cJSON_IsObject(j)) continue;
            size_t m2 = push_index(c, i);
            touch(c, j);
            derive_judgement(c, insp, j, t);
            pop(c, m2);
        }
        pop(c, m1);
    }
    pop(c, mark);
}

/* ---- action plan ------------------------------------------------------- */

enum { N_STATUS = QR_RAG_COUNT, N_DIRECTION = QR_DIR_COUNT };

/* The RAG table: counts, and percentages by largest remainder so that
 * they add up to 100 whenever there is at least one action. */
/* How a council counts RAG (action_plan.rag_policy): five statuses, or
 * three colours with complete counted as green; shares of actions, or of
 * Ofsted recommendations (each rated by its own status, else by the worst
 * status among its actions). Every count, chart and sentence reads the
 * one `rag` object made under this policy, so they always agree. */
typedef struct rag_policy {
    int colours;          /* 3 or 5 */
    int by_recommendation;
} rag_policy;

static rag_policy read_policy(const cJSON *plan)
{
    rag_policy p = {5, 0};
    const cJSON *pol = get(plan, "rag_policy");
    const cJSON *col = get(pol, "colours");
    if (cJSON_IsNumber(col) && col->valuedouble == 3) p.colours = 3;
    const cJSON *by = get(pol, "count");
    p.by_recommendation = cJSON_IsString(by) &&
                          qr_vocab_find(&qr_vocab_rag_count, by->valuestring) ==
                              QR_COUNT_RECOMMENDATIONS;
    return p;
}

/* A status as the policy counts it. */
static int policy_status(const rag_policy *p, int s)
{
    return p->colours == 3 && s == QR_RAG_COMPLETE ? QR_RAG_GREEN : s;
}

/* Each recommendation's status under the policy: its own `status`, else
 * the worst of its actions'; a recommendation with neither is not
 * counted. */
static void count_recommendations(const rag_policy *p, const cJSON *actions,
                                  const cJSON *insp, int units[N_STATUS])
{
    const cJSON *recs = get(insp, "recommendations");
    for (const cJSON *r = cJSON_IsArray(recs) ? recs->child : NULL; r;
         r = r->next) {
        const cJSON *id = get(r, "id");
        int s = -1;
        const cJSON *own = get(r, "status");
        if (cJSON_IsString(own)) {
            s = qr_vocab_find(&qr_vocab_status, own->valuestring);
        } else if (cJSON_IsNumber(id)) {
            for (const cJSON *a = actions ? actions->child : NULL; a;
                 a = a->next) {
                const cJSON *ar = get(a, "recommendation");
                const cJSON *as = get(a, "status");
                if (!cJSON_IsNumber(ar) || ar->valuedouble != id->valuedouble ||
                    !cJSON_IsString(as))
                    continue;
                int k = qr_vocab_find(&qr_vocab_status, as->valuestring);
                if (k >= 0 && (s < 0 || policy_status(p, k) < s))
                    s = policy_status(p, k);
            }
        }
        if (s >= 0) units[policy_status(p, s)]++;
    }
}

static void add_rag(cJSON *plan, const int count[N_STATUS],
                    const rag_policy *pol)
{
    if (cJSON_GetObjectItemCaseSensitive(plan, "rag")) return;
    /* report order: red, amber, green, complete, not_started */
    static const int order[N_STATUS] = {QR_RAG_RED, QR_RAG_AMBER, QR_RAG_GREEN,
                                        QR_RAG_COMPLETE, QR_RAG_NOT_STARTED};
    int total = 0;
    for (int i = 0; i < N_STATUS; i++) total += count[i];
    int pct[N_STATUS] = {0}, rem[N_STATUS] = {0}, sum = 0;
    if (total > 0) {
        for (int i = 0; i < N_STATUS; i++) {
            pct[i] = count[i] * PERCENT / total;
            rem[i] = count[i] * PERCENT % total;
            sum += pct[i];
        }
        while (sum < PERCENT) {
            int best = -1;
            for (int k = 0; k < N_STATUS; k++) {
                int i = order[k];
                if (rem[i] > 0 && (best < 0 || rem[i] > rem[best])) best = i;
            }
            if (best < 0) break;
            pct[best]++;
            rem[best] = 0;
            sum++;
        }
    }
    cJSON *rag = cJSON_CreateObject();
    if (!rag) return;
    char key[64], text[64];
    for (int k = 0; k < N_STATUS; k++) {
        int i = order[k];
        const char *name = qr_vocab_status.terms[i].code;
        cJSON_AddNumberToObject(rag, name, count[i]);
        snprintf(key, sizeof key, "%s_text", name);
        qr_format_number(count[i], text, sizeof text);
        cJSON_AddStringToObject(rag, key, text);
        snprintf(key, sizeof key, "%s_pct", name);
        cJSON_AddNumberToObject(rag, key, pct[i]);
        snprintf(key, sizeof key, "%s_pct_text", name);
        snprintf(text, sizeof text, "%d%%", pct[i]);
        cJSON_AddStringToObject(rag, key, text);
    }
    cJSON_AddNumberToObject(rag, "total", total);
    qr_format_number(total, text, sizeof text);
    cJSON_AddStringToObject(rag, "total_text", text);
    /* what a template needs to follow the policy without logic */
    cJSON_AddNumberToObject(rag, "colours", pol->colours);
    cJSON_AddBoolToObject(rag, "five_statuses", pol->colours == 5);
    const qr_term *unit = &qr_vocab_rag_count.terms[
        pol->by_recommendation ? QR_COUNT_RECOMMENDATIONS : QR_COUNT_ACTIONS];
    cJSON_AddStringToObject(rag, "unit", unit->code);
    cJSON_AddStringToObject(rag, "unit_label", unit->label);
    cJSON_AddItemToObject(plan, "rag", rag);
}

/* A valid ISO date string member, or NULL. A string that is not a date is
 * an error here unless it has the date shape, which the generic pass
 * reports (so each bad date is reported once). */
static const char *date_member(dctx *c, const cJSON *obj, const char *key)
{
    const cJSON *v = get(obj, key);
    if (!cJSON_IsString(v)) return NULL;
    ymd t;
    if (parse_iso(v->valuestring, &t)) return v->valuestring;
    if (!date_shaped(v->valuestring)) {
        size_t mark = push_key(c, key);
        bad_date(c, v->valuestring);
        pop(c, mark);
    }
    return NULL;
}

#define NOT_SET QR_NOT_SET

/* "82%", "£2.4m", "14 days": a number with its unit as GOV.UK writes it —
 * % and k/m/bn suffixes close up, £ goes before, words after a space. */
#define POUND "\xC2\xA3"

void qr_format_with_unit(qr_buf *b, const char *number, const char *unit)
{
    if (unit && strncmp(unit, POUND, 2) == 0) {
        /* "£", "£m", "£k": the sign before, the rest after */
        qr_buf_puts(b, POUND);
        qr_buf_puts(b, number);
        qr_buf_puts(b, unit + 2);
        return;
    }
    qr_buf_puts(b, number);
    if (!unit || !*unit) return;
    /* an ASCII symbol ("%") closes up; a word follows a space */
    if (isalnum((unsigned char)unit[0]) || (unsigned char)unit[0] >= 0x80)
        qr_buf_putc(b, ' ');
    qr_buf_puts(b, unit);
}

static void with_unit(double v, const char *unit, char *out, size_t n)
{
    char num[64];
    qr_format_number(v, num, sizeof num);
    qr_buf b;
    qr_buf_init(&b);
    qr_format_with_unit(&b, num, unit);
    snprintf(out, n, "%s", b.data);
    qr_buf_free(&b);
}

/* An action's target measure: texts for each figure, whether the target
 * is met, and a warning when a Green or Complete action has missed it. */
static void derive_measure(dctx *c, cJSON *a, int status)
{
    cJSON *m = cJSON_GetObjectItemCaseSensitive(a, "measure");
    if (!cJSON_IsObject(m)) return;
    touch(c, m);
    const cJSON *unit = get(m, "unit");
    const char *u = cJSON_IsString(unit) ? unit->valuestring : NULL;
    const cJSON *base = get(m, "baseline"), *latest = get(m, "latest"),
                *target = get(m, "target");
    char b[96] = "", l[96] = "", t[96] = "", text[400];
    if (cJSON_IsNumber(base)) {
        with_unit(base->valuedouble, u, b, sizeof b);
        add_str(m, "baseline_text", b);
    }
    if (!cJSON_IsNumber(latest)) return;
    with_unit(latest->valuedouble, u, l, sizeof l);
    add_str(m, "latest_text", l);
    if (cJSON_IsNumber(target)) {
        with_unit(target->valuedouble, u, t, sizeof t);
        add_str(m, "target_text", t);
    }
    /* "51% to 82% (target 90%)" */
    snprintf(text, sizeof text, "%s%s%s%s%s%s", b, *b ? " to " : "", l,
             *t ? " (target " : "", t, *t ? ")" : "");
    add_str(m, "text", text);
    if (!cJSON_IsNumber(target)) return;
    const cJSON *pol = get(m, "polarity");
    int lower = cJSON_IsString(pol) &&
                qr_vocab_find(&qr_vocab_polarity, pol->valuestring) ==
                    QR_LOWER_IS_BETTER;
    int met = lower ? latest->valuedouble <= target->valuedouble
                    : latest->valuedouble >= target->valuedouble;
    add_bool(m, "target_met", met);
    if (!met && (status == QR_RAG_GREEN || status == QR_RAG_COMPLETE)) {
        size_t mk = push_key(c, "status");
        warning(c, "action is %s but its measure (%s) has not reached its "
                   "target (%s); check the status or the measure",
                qr_vocab_status.terms[status].label, l, t);
        pop(c, mk);
    }
}

static void derive_action(dctx *c, cJSON *a, const char *as_at,
                          int count[N_STATUS], int *overdue_count,
                          int dirs[N_DIRECTION])
{
    touch(c, a);
    const qr_term *st = qr_vocab_status.terms;
    int s = lookup(c, a, "status", &qr_vocab_status);
    int p = lookup(c, a, "previous_status", &qr_vocab_status);
    const char *due = date_member(c, a, "due");
    if (s >= 0) {
        count[s]++;
        add_str(a, "status_label", st[s].label);
    }
    if (p >= 0) add_str(a, "previous_status_label", st[p].label);
    /* what the data does not say, the paper shows as not set: never an
     * invented owner or date, never a blank cell */
    const cJSON *owner = get(a, "owner");
    add_str(a, "owner_text", cJSON_IsString(owner) && owner->valuestring[0]
                                 ? owner->valuestring : NOT_SET);
    /* "31 Dec 2025": GOV.UK allows abbreviated months where space is
     * short, as in an action table's due column */
    ymd dd;
    if (due && parse_iso(due, &dd)) {
        char text[DATE_BUF];
        snprintf(text, sizeof text, "%d %s %d", dd.d, month_short[dd.m - 1],
                 dd.y);
        add_str(a, "due_short", text);
        add_str(a, "due_text", text);
    } else if (!get(a, "due")) {
        add_str(a, "due_text", NOT_SET);
    }
    int overdue = due && as_at && strcmp(due, as_at) < 0 &&
                  s != QR_RAG_COMPLETE;
    if (overdue) (*overdue_count)++;
    add_bool(a, "overdue", overdue);
    if (overdue && s == QR_RAG_GREEN) {
        size_t m = push_key(c, "status");
        warning(c, "action is Green but its due date (%s) is before the "
                   "report date (%s): it prints as Overdue beside a green "
                   "status; check the status or the date", due, as_at);
        pop(c, m);
    }
    derive_measure(c, a, s);

    /* the status table is in rank order: a higher index is better */
    int dir = -1;
    if (cJSON_IsTrue(get(a, "new")))
        dir = QR_DIR_NEW;
    else if (!get(a, "previous_status"))
        dir = QR_DIR_NOT_REPORTED;
    else if (s >= 0 && p >= 0)
        dir = s > p ? QR_DIR_IMPROVED
            : s < p ? QR_DIR_DETERIORATED
                    : QR_DIR_UNCHANGED;
    if (dir >= 0) {
        add_str(a, "direction", qr_vocab_direction.terms[dir].code);
        add_str(a, "direction_label", qr_vocab_direction.terms[dir].label);
        dirs[dir]++;
    }
    /* "changes since the last report" lists these; a template cannot test
     * a string, so the flag is derived */
    add_bool(a, "changed", dir == QR_DIR_IMPROVED ||
                               dir == QR_DIR_DETERIORATED || dir == QR_DIR_NEW);
    const cJSON *prog = get(a, "progress");
    if (cJSON_IsNumber(prog)) {
        char num[64], text[80];
        qr_format_number(prog->valuedouble, num, sizeof num);
        snprintf(text, sizeof text, "%s%%", num);
        add_str(a, "progress_text", text);
    }
}

/* A copy of every action for which keep() holds, for grouped views. */
static cJSON *actions_where(const cJSON *actions,
                            bool (*keep)(const cJSON *a, const void *arg),
                            const void *arg)
{
    cJSON *out = cJSON_CreateArray();
    for (const cJSON *a = actions ? actions->child : NULL; a && out;
         a = a->next)
        if (cJSON_IsObject(a) && keep(a, arg))
            cJSON_AddItemToArray(out, cJSON_Duplicate(a, 1));
    return out;
}

static bool has_status(const cJSON *a, const void *code)
{
    const cJSON *s = get(a, "status");
    return cJSON_IsString(s) && strcmp(s->valuestring, code) == 0;
}

static bool flag_set(const cJSON *a, const void *key)
{
    return cJSON_IsTrue(get(a, key));
}

static bool for_recommendation(const cJSON *a, const void *id)
{
    const cJSON *r = get(a, "recommendation");
    return cJSON_IsNumber(r) && r->valuedouble == *(const double *)id;
}

/* Views a template can iterate without logic: the actions of each status,
 * the overdue ones, the changed ones, and the actions of each Ofsted
 * recommendation. Each is a copy, so a template may also use the full
 * list; each array is empty (false in a section) when nothing qualifies. */
static void add_views(cJSON *plan, const cJSON *actions, const cJSON *insp)
{
    if (!cJSON_IsArray(actions)) return;
    cJSON *by = cJSON_CreateObject();
    for (int i = 0; by && i < qr_vocab_status.n; i++)
        cJSON_AddItemToObject(by, qr_vocab_status.terms[i].code,
                              actions_where(actions, has_status,
                                            qr_vocab_status.terms[i].code));
    qr_json_add_new(plan, "actions_by_status", by);
    qr_json_add_new(plan, "overdue_actions",
                    actions_where(actions, flag_set, "overdue"));
    qr_json_add_new(plan, "changed_actions",
                    actions_where(actions, flag_set, "changed"));
    const cJSON *recs = get(insp, "recommendations");
    if (!cJSON_IsArray(recs)) return;
    cJSON *groups = cJSON_CreateArray();
    for (const cJSON *r = recs->child; r && groups; r = r->next) {
        const cJSON *id = get(r, "id");
        if (!cJSON_IsNumber(id)) continue;
        cJSON *g = cJSON_Duplicate(r, 1);
        if (!g) continue;
        cJSON *list = actions_where(actions, for_recommendation,
                                    &id->valuedouble);
        int n = cJSON_GetArraySize(list);
        cJSON_AddItemToObject(g, "actions", list);
        cJSON_AddNumberToObject(g, "action_count", n);
        cJSON_AddItemToArray(groups, g);
    }
    qr_json_add_new(plan, "by_recommendation", groups);
}

static void derive_action_plan(dctx *c, cJSON *plan, const cJSON *insp)
{
    size_t mark = push_key(c, "action_plan");
    const char *as_at = date_member(c, plan, "as_at");
    int count[N_STATUS] = {0}, overdue = 0, dirs[N_DIRECTION] = {0};
    cJSON *actions = cJSON_GetObjectItemCaseSensitive(plan, "actions");
    if (cJSON_IsArray(actions)) {
        size_t m1 = push_key(c, "actions");
        int i = 0;
        for (cJSON *a = actions->child; a; a = a->next, i++) {
            if (!cJSON_IsObject(a)) continue;
            size_t m2 = push_index(c, i);
            derive_action(c, a, as_at, count, &overdue, dirs);
            pop(c, m2);
        }
        pop(c, m1);
    }
    touch(c, plan);
    rag_policy pol = read_policy(plan);
    int units[N_STATUS] = {0};
    if (pol.by_recommendation)
        count_recommendations(&pol, actions, insp, units);
    else
        for (int i = 0; i < N_STATUS; i++) units[policy_status(&pol, i)] += count[i];
    add_rag(plan, units, &pol);
    /* the number of actions whatever the policy counts */
    int nact = 0;
    for (int i = 0; i < N_STATUS; i++) nact += count[i];
    add_num(plan, "action_count", nact);
    char ntext[32];
    qr_format_number(nact, ntext, sizeof ntext);
    add_str(plan, "action_count_text", ntext);
    add_num(plan, "overdue_count", overdue);
    /* Mustache treats 0 as true: sections need booleans */
    add_bool(plan, "has_overdue", overdue > 0);
    int changed = dirs[QR_DIR_IMPROVED] + dirs[QR_DIR_DETERIORATED] +
                  dirs[QR_DIR_NEW];
    add_num(plan, "changed_count", changed);
    add_bool(plan, "has_changes", changed > 0);
    cJSON *dj = cJSON_CreateObject();
    char key[48];
    for (int i = 0; dj && i < N_DIRECTION; i++) {
        const char *code = qr_vocab_direction.terms[i].code;
        cJSON_AddNumberToObject(dj, code, dirs[i]);
        /* Mustache treats 0 as true: a section needs the boolean */
        snprintf(key, sizeof key, "has_%s", code);
        cJSON_AddBoolToObject(dj, key, dirs[i] > 0);
    }
    qr_json_add_new(plan, "directions", dj);
    pop(c, mark);
}

/* ---- KPIs -------------------------------------------------------------- */


static void derive_kpi(dctx *c, cJSON *k)
{
    touch(c, k);
    int pol = lookup(c, k, "polarity", &qr_vocab_polarity);
    cJSON *series = cJSON_GetObjectItemCaseSensitive(k, "series");
    const cJSON *latest = NULL, *previous = NULL;
    const char *latest_period = NULL, *previous_period = NULL;
    char lng[DATE_BUF * 2], shrt[DATE_BUF];
    const cJSON *year = get(k, "year");
    int academic = cJSON_IsString(year) &&
                   qr_vocab_find(&qr_vocab_year, year->valuestring) ==
                       QR_YEAR_ACADEMIC;
    if (cJSON_IsArray(series)) {
        size_t m1 = push_key(c, "series");
        int i = 0;
        for (cJSON *pt = series->child; pt; pt = pt->next, i++) {
            if (!cJSON_IsObject(pt)) continue;
            size_t m2 = push_index(c, i);
            touch(c, pt);
            const cJSON *per = get(pt, "period");
            const cJSON *val = get(pt, "value");
            qr_period p;
            const char *ps = NULL;
            if (cJSON_IsString(per)) {
                if (qr_period_parse(per->valuestring, academic, &p)) {
                    qr_period_labels(&p, academic, lng, sizeof lng, shrt,
                                     sizeof shrt);
                    add_str(pt, "period_long", lng);
                    add_str(pt, "period_short", shrt);
                    /* months from year 0: charts space points by it */
                    add_num(pt, "position", (double)qr_period_index(&p));
                    ps = per->valuestring;
                } else {
                    size_t m3 = push_key(c, "period");
                    error(c, "'%s' is not a valid period (expected %s)",
                          per->valuestring, QR_PERIOD_FORMS);
                    pop(c, m3);
                }
            }
            if (cJSON_IsNumber(val)) {
                previous = latest;
                previous_period = latest_period;
                latest = val;
                latest_period = ps;
            }
            pop(c, m2);
        }
        pop(c, m1);
    }
    char text[DATE_BUF * 2];
    if (latest) {
        add_num(k, "latest", latest->valuedouble);
        qr_format_number(latest->valuedouble, text, sizeof text);
        add_str(k, "latest_text", text);
        qr_period p;
        if (latest_period && qr_period_parse(latest_period, academic, &p)) {
            qr_period_labels(&p, academic, lng, sizeof lng, shrt, sizeof shrt);
            add_str(k, "latest_period", latest_period);
            add_str(k, "latest_period_long", lng);
        }
    }
    add_bool(k, "has_previous", previous != NULL);
    if (previous) {
        add_num(k, "previous", previous->valuedouble);
        qr_format_number(previous->valuedouble, text, sizeof text);
        add_str(k, "previous_text", text);
        qr_period p;
        if (previous_period &&
            qr_period_parse(previous_period, academic, &p)) {
            qr_period_labels(&p, academic, lng, sizeof lng, shrt, sizeof shrt);
            add_str(k, "previous_period", previous_period);
            add_str(k, "previous_period_long", lng);
        }
        if (pol >= 0) {
            double diff = latest->valuedouble - previous->valuedouble;
            int higher_better = pol == QR_HIGHER_IS_BETTER;
            int t = diff == 0 ? QR_TREND_STABLE
                  : (diff > 0) == higher_better ? QR_TREND_IMPROVING
                                                : QR_TREND_WORSENING;
            add_str(k, "trend", qr_vocab_trend.terms[t].code);
            add_str(k, "trend_label", qr_vocab_trend.terms[t].label);
        }
    }
    /* always a boolean: inside a section over one KPI (`{{#kpis.0}}`), a
     * test of `description` alone would find the first KPI's */
    const cJSON *desc = get(k, "description");
    add_bool(k, "has_description", cJSON_IsString(desc) && desc->valuestring[0]);
    /* each figure with its unit as GOV.UK writes it: "90%", "21.5 cases" */
    const cJSON *unit = get(k, "unit");
    const char *u = cJSON_IsString(unit) ? unit->valuestring : NULL;
    const cJSON *target = get(k, "target");
    char with[DATE_BUF * 2];
    if (latest) {
        with_unit(latest->valuedouble, u, with, sizeof with);
        add_str(k, "latest_unit_text", with);
    }
    if (previous) {
        with_unit(previous->valuedouble, u, with, sizeof with);
        add_str(k, "previous_unit_text", with);
    }
    if (cJSON_IsNumber(target)) {
        with_unit(target->valuedouble, u, with, sizeof with);
        add_str(k, "target_unit_text", with);
    }
    if (latest && pol >= 0 && cJSON_IsNumber(target)) {
        int met = pol == QR_HIGHER_IS_BETTER ? latest->valuedouble >= target->valuedouble
                           : latest->valuedouble <= target->valuedouble;
        add_bool(k, "target_met", met);
        add_str(k, "target_met_label", met ? "Met" : "Not met");
    }
}

static void derive_kpis(dctx *c, cJSON *kpis)
{
    size_t mark = push_key(c, "kpis");
    int i = 0;
    for (cJSON *k = kpis->child; k; k = k->next, i++) {
        if (!cJSON_IsObject(k)) continue;
        size_t m = push_index(c, i);
        derive_kpi(c, k);
        pop(c, m);
    }
    pop(c, mark);
}

/* ---- scrutiny review -------------------------------------------------- */

/* Each /paper/review item names an Ofsted recommendation by id; the
 * template prints its wording, so copy it in as recommendation_wording (not
 * recommendation_text, which the generic pass gives the id itself). */
static void derive_review(dctx *c, cJSON *review, const cJSON *insp)
{
    const cJSON *recs = get(insp, "recommendations");
    for (cJSON *r = review->child; r; r = r->next) {
        if (!cJSON_IsObject(r)) continue;
        const cJSON *id = get(r, "recommendation");
        if (!cJSON_IsNumber(id) || !cJSON_IsArray(recs)) continue;
        for (const cJSON *x = recs->child; x; x = x->next) {
            const cJSON *xid = get(x, "id");
            const cJSON *text = get(x, "text");
            if (cJSON_IsNumber(xid) && xid->valuedouble == id->valuedouble &&
                cJSON_IsString(text)) {
                touch(c, r);
                add_str(r, "recommendation_wording", text->valuestring);
                break;
            }
        }
    }
}

/* A figure's value and previous value may be numbers or strings ("35%");
 * give the template one name to print either way: numbers get K_text from
 * the generic pass, strings are copied here. */
/* Front-sheet fields that may be one string or several ("wards": "All" or
 * ["Birchills", "Leamore"]) get K_list, always one string: the string, or
 * the strings joined as GOV.UK writes a list ("Birchills, Leamore and
 * Pelsall"), so a template never prints an array. */
static void derive_lists(dctx *c, cJSON *paper, int *touched)
{
    static const char *const keys[] = {"wards", "related_portfolios"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        const cJSON *v = get(paper, keys[k]);
        qr_buf b;
        qr_buf_init(&b);
        if (cJSON_IsString(v)) {
            qr_buf_puts(&b, v->valuestring);
        } else if (cJSON_IsArray(v)) {
            int n = cJSON_GetArraySize(v), i = 0;
            for (const cJSON *e = v->child; e; e = e->next, i++) {
                if (!cJSON_IsString(e)) continue;
                if (b.len) qr_buf_puts(&b, i == n - 1 ? " and " : ", ");
                qr_buf_puts(&b, e->valuestring);
            }
        }
        if (b.len) {
            if (!*touched) touch(c, paper), *touched = 1;
            char key[64];
            snprintf(key, sizeof key, "%s_list", keys[k]);
            add_str(paper, key, b.data);
        }
        qr_buf_free(&b);
    }
}

/* Report sections given as "paragraphs" (docs/data.md) may be one string,
 * an array of strings, or an array of paragraph objects. K_paragraphs is
 * always an array of paragraph objects, so one partial prints all three
 * shapes, and `{{#paper.K_paragraphs.0}}` tests whether there is any. */
static void derive_paragraphs(dctx *c, cJSON *paper, int *touched_paper)
{
    static const char *const keys[] = {"purpose", "summary",
                                       "recommendations", "detail"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        const cJSON *v = get(paper, keys[k]);
        if (!cJSON_IsString(v) && !cJSON_IsArray(v)) continue;
        cJSON *out = cJSON_CreateArray();
        const cJSON *one = cJSON_IsString(v) ? v : v->child;
        for (; one && out; one = cJSON_IsString(v) ? NULL : one->next) {
            cJSON *p = NULL;
            if (cJSON_IsString(one)) {
                p = cJSON_CreateObject();
                if (p) cJSON_AddStringToObject(p, "text", one->valuestring);
            } else if (cJSON_IsObject(one)) {
                p = cJSON_Duplicate(one, 1);
            }
            if (p) cJSON_AddItemToArray(out, p);
        }
        if (!*touched_paper) touch(c, paper), *touched_paper = 1;
        char key[64];
        snprintf(key, sizeof key, "%s_paragraphs", keys[k]);
        qr_json_add_new(paper, key, out);
    }
}

static void derive_figures(dctx *c, cJSON *figs)
{
    for (cJSON *f = figs->child; f; f = f->next) {
        if (!cJSON_IsObject(f)) continue;
        touch(c, f);
        const cJSON *v = get(f, "value");
        const cJSON *p = get(f, "previous");
        if (cJSON_IsString(v)) add_str(f, "value_text", v->valuestring);
        if (cJSON_IsString(p)) add_str(f, "previous_text", p->valuestring);
    }
}

/* ---- the generic pass -------------------------------------------------- */

static int touched_cmp(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const touched *)a)->obj;
    uintptr_t y = (uintptr_t)((const touched *)b)->obj;
    return (x > y) - (x < y);
}

static int original_count(const dctx *c, const cJSON *obj)
{
    touched key = {obj, 0};
    const touched *t = c->nt ? bsearch(&key, c->t, c->nt, sizeof *c->t,
                                       touched_cmp)
                             : NULL;
    return t ? t->count : -1; /* -1: every member is original */
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A derived member waiting to be attached once its object has been read. */
typedef struct pending {
    char *key;
    cJSON *item;
} pending;

typedef struct pendings {
    pending *v;
    size_t n, cap;
} pendings;

static void queue(pendings *q, const char *base, const char *suffix,
                  cJSON *item)
{
    if (!item) return;
    QR_GROW(q->v, q->n, q->cap, 8);
    q->v[q->n].key = qr_xasprintf("%s%s", base, suffix);
    q->v[q->n].item = item;
    q->n++;
}

static void generic(dctx *c, cJSON *node);

/* An array member "K": recurse into it, and when it holds only date-shaped
 * strings add the range fields. */
static void generic_array(dctx *c, cJSON *arr, const char *key, pendings *q)
{
    int i = 0, all_dates = arr->child != NULL, all_valid = 1;
    const char *lo = NULL, *hi = NULL, *first = NULL, *last = NULL;
    for (cJSON *e = arr->child; e; e = e->next, i++) {
        if (cJSON_IsObject(e) || cJSON_IsArray(e)) {
            size_t m = push_index(c, i);
            generic(c, e);
            pop(c, m);
        }
        if (!cJSON_IsString(e) || !date_shaped(e->valuestring)) {
            all_dates = 0;
            continue;
        }
        ymd t;
        if (!parse_iso(e->valuestring, &t)) {
            all_valid = 0;
            continue;
        }
        if (!first) first = e->valuestring;
        last = e->valuestring;
        if (!lo || strcmp(e->valuestring, lo) < 0) lo = e->valuestring;
        if (!hi || strcmp(e->valuestring, hi) > 0) hi = e->valuestring;
    }
    if (!all_dates || !key) return;
    if (!all_valid) {
        i = 0;
        for (cJSON *e = arr->child; e; e = e->next, i++) {
            ymd t;
            if (parse_iso(e->valuestring, &t)) continue;
            size_t m = push_index(c, i);
            bad_date(c, e->valuestring);
            pop(c, m);
        }
        return;
    }
    char text[DATE_BUF * 2];
    qr_format_date_range(lo, hi, text, sizeof text);
    queue(q, key, "_long", cJSON_CreateString(text));
    qr_format_date_long(first, text, sizeof text);
    queue(q, key, "_first_long", cJSON_CreateString(text));
    qr_format_date_long(last, text, sizeof text);
    queue(q, key, "_last_long", cJSON_CreateString(text));
}

static void generic(dctx *c, cJSON *node)
{
    if (cJSON_IsArray(node)) {
        generic_array(c, node, NULL, NULL);
        return;
    }
    if (!cJSON_IsObject(node)) return;
    int limit = original_count(c, node);
    pendings q = {0};
    char text[DATE_BUF * 2];
    int i = 0;
    for (cJSON *m = node->child; m && (limit < 0 || i < limit);
         m = m->next, i++) {
        const char *key = m->string ? m->string : "";
        size_t mark = push_key(c, key);
        if (cJSON_IsObject(m)) {
            generic(c, m);
        } else if (cJSON_IsArray(m)) {
            generic_array(c, m, key, &q);
            /* has_K: whether the array has any element, as a boolean. A
             * template that tests `{{#K.0}}` instead pushes the first
             * element as context, and a field missing from a later
             * element is then found on the first one. */
            queue(&q, "has_", key, cJSON_CreateBool(m->child != NULL));
        } else if (cJSON_IsString(m) && date_shaped(m->valuestring)) {
            if (qr_format_date_long(m->valuestring, text, sizeof text))
                queue(&q, key, "_long", cJSON_CreateString(text));
            else
                bad_date(c, m->valuestring);
        } else if (cJSON_IsNumber(m)) {
            qr_format_number(m->valuedouble, text, sizeof text);
            queue(&q, key, "_text", cJSON_CreateString(text));
        }
        pop(c, mark);
    }
    if (q.n) {
        /* every name now in the object, sorted, so that checking each new
         * key is logarithmic however large the object is */
        size_t n = (size_t)child_count(node), k = 0;
        const char **names = qr_xmalloc((n ? n : 1) * sizeof *names);
        for (cJSON *m = node->child; m; m = m->next)
            names[k++] = m->string ? m->string : "";
        qsort(names, n, sizeof *names, str_cmp);
        for (size_t j = 0; j < q.n; j++) {
            const char *key = q.v[j].key;
            if (bsearch(&key, names, n, sizeof *names, str_cmp))
                cJSON_Delete(q.v[j].item);
            else
                cJSON_AddItemToObject(node, key, q.v[j].item);
            free(q.v[j].key);
        }
        free(names);
        free(q.v);
    }
}

/* ---- entry ------------------------------------------------------------- */

bool qr_derive_run(qr_data *data, qr_diags *d)
{
    cJSON *root = qr_data_root_mut(data);
    if (!cJSON_IsObject(root)) return true;
    dctx c = {.data = data, .d = d};
    qr_buf_init(&c.path);
    /* the earlier report's statuses, dates and figures go in first, so the
     * passes below derive from them as from typed data */
    qr_history *hist = NULL;
    if (!qr_history_load(data, d, &hist)) c.errors++;

    cJSON *insp = cJSON_GetObjectItemCaseSensitive(root, "inspection");
    if (cJSON_IsObject(insp)) derive_inspection(&c, insp);
    cJSON *plan = cJSON_GetObjectItemCaseSensitive(root, "action_plan");
    if (cJSON_IsObject(plan)) derive_action_plan(&c, plan, insp);
    cJSON *kpis = cJSON_GetObjectItemCaseSensitive(root, "kpis");
    if (cJSON_IsArray(kpis)) derive_kpis(&c, kpis);
    cJSON *paper = cJSON_GetObjectItemCaseSensitive(root, "paper");
    cJSON *review = cJSON_IsObject(paper)
                        ? cJSON_GetObjectItemCaseSensitive(paper, "review")
                        : NULL;
    if (cJSON_IsArray(review)) derive_review(&c, review, insp);
    cJSON *figs = cJSON_IsObject(paper)
                      ? cJSON_GetObjectItemCaseSensitive(paper, "figures")
                      : NULL;
    if (cJSON_IsArray(figs)) derive_figures(&c, figs);
    if (cJSON_IsObject(paper)) {
        int touched_paper = 0;
        derive_lists(&c, paper, &touched_paper);
        derive_paragraphs(&c, paper, &touched_paper);
    }

    if (c.nt) qsort(c.t, c.nt, sizeof *c.t, touched_cmp);
    generic(&c, root);
    /* after the generic pass, so the copies carry every derived field */
    qr_history_apply(hist, root);
    qr_history_free(hist);
    if (cJSON_IsObject(plan))
        add_views(plan, cJSON_GetObjectItemCaseSensitive(plan, "actions"),
                  insp);

    free(c.t);
    qr_buf_free(&c.path);
    return c.errors == 0;
}
