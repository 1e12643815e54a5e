/* chart.c — the layout stage, charts: layout hands this file each fenced
 * ```chart block it meets.
 *
 * In:  the text of the block (numbers already written in by the template),
 *      the house style and the metrics interface.
 * Out: a parsed chart, or NULL after located errors (layout then sets the
 *      block as code); its height; vector items (LINE, RECT, PATH, TEXT) in
 *      a display list; a text alternative made from the numbers.
 * Spec: docs/charts.md (the block language).
 *
 * Measuring and drawing share one walk (`render`): with pages == NULL it
 * only advances y, so the height layout reserves is exactly what is drawn.
 * A bar coloured by a RAG status name (red, amber, green, complete,
 * not_started) takes the house style's status colour, the same as the
 * swatches beside status words in tables; other names are the GOV.UK
 * palette below.
 */
#include "quire/chart.h"
#include "quire/derive.h"
#include "quire/util.h"
#include "quire/vocab.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- limits and geometry (points unless named otherwise) --------------- */

#define MAX_BARS 200          /* bars in one chart */
#define MAX_POINTS 1000       /* points in one series */
#define MAX_SERIES 12
#define TITLE_SCALE 1.15f     /* title size / small_size */
#define LEAD 1.35f            /* text line height / size */
#define PAD 4.0f              /* space above and below the chart */
#define BAR_ROW_SCALE 2.1f    /* bar row height / small_size */
#define BAR_FILL 0.62f        /* bar thickness / row height */
#define LABEL_GAP 6.0f        /* category labels to the plot */
#define VALUE_GAP 4.0f        /* bar end to its value label */
#define MAX_LABEL_FRAC 0.4f   /* widest the label column may be / width */
#define TICK_LEN 3.0f
#define TICK_GAP 2.0f         /* tick to its label */
#define TARGET_TICKS 5        /* about this many value-axis intervals */
#define LINE_ASPECT 0.34f     /* line plot height / width */
#define LINE_PLOT_MIN 110.0f
#define LINE_PLOT_MAX 180.0f
#define X_LABEL_GAP 4.0f      /* least space between period labels */
#define MARKER 3.6f           /* side of a point marker */
#define SERIES_WIDTH 1.6f
#define TARGET_WIDTH 1.2f
#define AXIS_WIDTH 0.75f
#define GRID_WIDTH 0.35f
#define DASH_ON 4.0f
#define DASH_OFF 3.0f
#define SWATCH 10.0f          /* legend colour swatch */
#define SWATCH_GAP 4.0f       /* swatch to its label */
#define LEGEND_GAP 14.0f      /* between legend entries */
#define ASCENT_FRAC 0.8f      /* fallback when a face reports no ascent */
#define GRID_LIGHTEN 0.55f    /* grid lines: rule colour mixed toward white */

/* ---- colours ----------------------------------------------------------- */

typedef struct named_colour {
    const char *name;
    unsigned rgb;
} named_colour;

/* GOV.UK Design System colours. RAG status codes (vocab.h) are colours
 * too: the house style's colour for that status. */
static const named_colour COLOURS[] = {
    {"red", 0xd4351c},         {"green", 0x00703c},
    {"blue", 0x1d70b8},        {"grey", 0x505a5f},
    {"black", 0x0b0c0c},       {"purple", 0x4c2c92},
    {"turquoise", 0x28a197},   {"pink", 0xd53880},
    {"light-blue", 0x5694ca},  {"orange", 0xf47738},
    {"yellow", 0xffdd00},
};
#define NCOLOURS (sizeof COLOURS / sizeof COLOURS[0])
/* Used in turn when a bar or series names no colour. */
static const unsigned PALETTE[] = {0x1d70b8, 0xf47738, 0x00703c, 0x4c2c92,
                                   0xd53880, 0x28a197, 0x505a5f, 0xd4351c};
#define NPALETTE (sizeof PALETTE / sizeof PALETTE[0])
static const unsigned TARGET_COLOUR = 0x0b0c0c;
static const unsigned WHITE = 0xffffff;

static qr_rgb rgb_of(unsigned v)
{
    qr_rgb c = {(float)((v >> 16) & 0xff) / 255.0f,
                (float)((v >> 8) & 0xff) / 255.0f,
                (float)(v & 0xff) / 255.0f};
    return c;
}

/* ---- the product ------------------------------------------------------- */

typedef struct chart_bar {
    const char *label;
    const char *text;   /* the value as written */
    double value;
    qr_rgb colour;
    int status;         /* qr_rag when coloured by a RAG code, else -1 */
} chart_bar;

typedef struct point {
    const char *label;
    const char *text;
    double value;
    double pos;         /* time position (third field), or its index */
} point;

typedef struct series {
    const char *label;
    qr_rgb colour;
    point *pts;
    size_t n, cap;
    int line;           /* chart line that opened it, for messages */
    const char *src;    /* and its text */
    size_t src_len;
} series;

struct qr_chart {
    qr_arena *arena;
    qr_chart_type type;
    const char *title, *xlabel, *ylabel, *unit, *total;
    const char *target_text, *target_label;
    double target;
    int has_target;
    double vmin, vmax;
    int has_min, has_max;
    int has_pos;        /* points give time positions: -1 none, 1 all */
    int legend;         /* -1 = default for the type */
    chart_bar *bars;
    size_t nbars, bcap;
    series *series;
    size_t nseries;
    char *alt;
};

/* ---- parsing ----------------------------------------------------------- */

typedef struct pctx {
    qr_chart *c;
    qr_diags *d;
    const char *file;
    int line;           /* line of the current chart line in file */
    const char *src;    /* the current line and its length */
    size_t len;
    int errors;
    int seen_type;
    unsigned seen;      /* bit per single-valued key already given */
} pctx;

static void perr(pctx *p, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* An error at the character `at` points to in the current line. */
static void perr(pctx *p, const char *at, const char *fmt, ...)
{
    int col = 1;
    for (const char *s = p->src; s < at && s < p->src + p->len; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) col++;
    va_list ap;
    va_start(ap, fmt);
    char *msg = qr_xvasprintf(fmt, ap);
    va_end(ap);
    char *source = qr_xstrndup(p->src, p->len);
    qr_diag_add(p->d, QR_ERROR, p->file, p->line, col, NULL, source, "%s",
                msg);
    free(source);
    free(msg);
    p->errors++;
}

/* A piece of a chart line, not NUL-terminated. */
typedef struct slice {
    const char *s;
    size_t n;
} slice;

static slice trim(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s)) s++, n--;
    while (n && isspace((unsigned char)s[n - 1])) n--;
    slice r = {s, n};
    return r;
}

/* Split `v` at '|' into at most `max` trimmed fields; returns the count, or
 * max + 1 when there are more. */
static int split(slice v, slice *out, int max)
{
    int k = 0;
    const char *s = v.s, *end = v.s + v.n;
    for (;;) {
        const char *pipe = memchr(s, '|', (size_t)(end - s));
        const char *stop = pipe ? pipe : end;
        if (k == max) return max + 1;
        out[k++] = trim(s, (size_t)(stop - s));
        if (!pipe) return k;
        s = pipe + 1;
    }
}

static const char *dup(pctx *p, slice v)
{
    return qr_arena_strndup(p->c->arena, v.s, v.n);
}

/* A number as written: digits with an optional sign, decimals, exponent and
 * thousands commas ("1,234.5"). */
static bool number(pctx *p, slice v, const char *what, double *out)
{
    char buf[64];
    size_t k = 0;
    bool ok = v.n > 0 && v.n < sizeof buf;
    for (size_t i = 0; ok && i < v.n; i++)
        if (v.s[i] != ',') buf[k++] = v.s[i];
    if (ok) {
        buf[k] = '\0';
        char *end;
        *out = strtod(buf, &end);
        ok = k > 0 && *end == '\0' && isfinite(*out) &&
             !isspace((unsigned char)buf[0]);
    }
    if (!ok)
        perr(p, v.s, "%s '%.*s' is not a number", what, (int)v.n, v.s);
    return ok;
}

static bool colour(pctx *p, slice v, qr_rgb *out)
{
    if (v.n == 7 && v.s[0] == '#') {
        unsigned x = 0;
        int ok = 1;
        for (size_t i = 1; i < 7; i++) {
            int h = isdigit((unsigned char)v.s[i]) ? v.s[i] - '0'
                    : (v.s[i] >= 'a' && v.s[i] <= 'f') ? v.s[i] - 'a' + 10
                    : (v.s[i] >= 'A' && v.s[i] <= 'F') ? v.s[i] - 'A' + 10
                                                       : -1;
            if (h < 0) ok = 0;
            x = x * 16 + (unsigned)(h < 0 ? 0 : h);
        }
        if (ok) {
            *out = rgb_of(x);
            return true;
        }
    }
    int rag = qr_vocab_find_n(&qr_vocab_status, v.s, v.n);
    if (rag >= 0) {
        /* the default style's colour; a bar keeps its status and is drawn
         * in the paper's own style (bar_colour) */
        qr_style def;
        qr_style_default(&def);
        *out = def.status_colour[rag];
        return true;
    }
    for (size_t i = 0; i < NCOLOURS; i++) {
        if (strlen(COLOURS[i].name) == v.n &&
            strncmp(COLOURS[i].name, v.s, v.n) == 0) {
            *out = rgb_of(COLOURS[i].rgb);
            return true;
        }
    }
    char *codes = qr_vocab_codes(&qr_vocab_status);
    qr_buf names;
    qr_buf_init(&names);
    for (size_t i = 0; i < NCOLOURS; i++)
        qr_buf_printf(&names, ", %s", COLOURS[i].name);
    perr(p, v.s, "'%.*s' is not a colour (expected #rrggbb, a status (%s) "
                 "or one of: %s)", (int)v.n, v.s, codes, names.data + 2);
    qr_buf_free(&names);
    free(codes);
    return false;
}

/* A bar coloured by a RAG status code is drawn in the style's colour for
 * that status (vocab.h), so charts and table swatches always agree. */
static int status_of(slice v)
{
    return qr_vocab_find_n(&qr_vocab_status, v.s, v.n);
}

static qr_rgb bar_colour(const chart_bar *b, const qr_style *st)
{
    return b->status >= 0 ? st->status_colour[b->status] : b->colour;
}

/* Keys. Single-valued ones may be given once. */
enum {
    KEY_TYPE, KEY_TITLE, KEY_XLABEL, KEY_YLABEL, KEY_UNIT, KEY_TOTAL,
    KEY_LEGEND, KEY_MIN, KEY_MAX, KEY_TARGET, KEY_BAR, KEY_LINE, KEY_POINT,
    KEY_COUNT
};
static const char *const KEYS[KEY_COUNT] = {
    "type", "title", "x-label", "y-label", "unit", "total", "legend", "min",
    "max", "target", "bar", "line", "point"};
#define KEY_LIST "type, title, x-label, y-label, unit, total, legend, min, " \
                 "max, target, bar, line, point"

static int find_key(slice k)
{
    for (int i = 0; i < KEY_COUNT; i++) {
        size_t n = strlen(KEYS[i]);
        if (n != k.n) continue;
        int same = 1;
        for (size_t j = 0; j < n && same; j++) {
            char a = k.s[j] == '_' ? '-' : k.s[j]; /* x_label = x-label */
            same = a == KEYS[i][j];
        }
        if (same) return i;
    }
    return -1;
}

/* Keys that belong to one type only; checked once the type is known. */
static int key_type(int key)
{
    switch (key) {
    case KEY_BAR: case KEY_TOTAL: return QR_CHART_BAR;
    case KEY_LINE: case KEY_POINT: case KEY_TARGET: return QR_CHART_LINE;
    default: return -1;
    }
}

static series *new_series(pctx *p, const char *label, const qr_rgb *col)
{
    qr_chart *c = p->c;
    c->series = qr_xrealloc(c->series, (c->nseries + 1) * sizeof *c->series);
    series *s = &c->series[c->nseries];
    memset(s, 0, sizeof *s);
    s->label = label;
    s->colour = col ? *col : rgb_of(PALETTE[c->nseries % NPALETTE]);
    s->line = p->line;
    s->src = p->src;
    s->src_len = p->len;
    c->nseries++;
    return s;
}

static void parse_line(pctx *p, slice key, slice val, const char *key_at)
{
    qr_chart *c = p->c;
    int k = find_key(key);
    if (k < 0) {
        perr(p, key_at, "unknown chart key '%.*s' (expected one of: "
                        KEY_LIST ")", (int)key.n, key.s);
        return;
    }
    if (k != KEY_BAR && k != KEY_LINE && k != KEY_POINT) {
        if (p->seen & (1u << k)) {
            perr(p, key_at, "'%s' is given twice", KEYS[k]);
            return;
        }
        p->seen |= 1u << k;
    }
    if (k != KEY_TYPE && !p->seen_type) {
        perr(p, key_at, "'type' must come first (type: bar or type: line)");
        p->seen_type = -1; /* say it once */
        return;
    }
    if (p->seen_type < 0 && k != KEY_TYPE) return;
    int kt = key_type(k);
    if (kt >= 0 && p->seen_type > 0 && kt != (int)c->type) {
        perr(p, key_at, "'%s' belongs in a %s chart, not a %s chart",
             KEYS[k], kt == QR_CHART_BAR ? "bar" : "line",
             c->type == QR_CHART_BAR ? "bar" : "line");
        return;
    }
    slice f[4];
    double num;
    qr_rgb col;
    switch (k) {
    case KEY_TYPE:
        if (val.n == 3 && memcmp(val.s, "bar", 3) == 0) {
            c->type = QR_CHART_BAR;
        } else if (val.n == 4 && memcmp(val.s, "line", 4) == 0) {
            c->type = QR_CHART_LINE;
        } else {
            perr(p, val.s, "'%.*s' is not a chart type (expected bar or "
                           "line)", (int)val.n, val.s);
            p->seen_type = -1;
            return;
        }
        p->seen_type = 1;
        return;
    case KEY_TITLE: c->title = dup(p, val); return;
    case KEY_XLABEL: c->xlabel = dup(p, val); return;
    case KEY_YLABEL: c->ylabel = dup(p, val); return;
    case KEY_UNIT: c->unit = dup(p, val); return;
    case KEY_TOTAL: c->total = dup(p, val); return;
    case KEY_LEGEND:
        if ((val.n == 3 && memcmp(val.s, "yes", 3) == 0) ||
            (val.n == 2 && memcmp(val.s, "on", 2) == 0))
            c->legend = 1;
        else if ((val.n == 2 && memcmp(val.s, "no", 2) == 0) ||
                 (val.n == 3 && memcmp(val.s, "off", 3) == 0))
            c->legend = 0;
        else
            perr(p, val.s, "legend '%.*s' is not yes or no", (int)val.n,
                 val.s);
        return;
    case KEY_MIN:
        if (number(p, val, "min", &num)) c->vmin = num, c->has_min = 1;
        return;
    case KEY_MAX:
        if (number(p, val, "max", &num)) c->vmax = num, c->has_max = 1;
        return;
    case KEY_TARGET: {
        int n = split(val, f, 2);
        if (n > 2) {
            perr(p, val.s, "expected 'target: VALUE | LABEL'");
            return;
        }
        if (!number(p, f[0], "target", &num)) return;
        c->target = num;
        c->target_text = dup(p, f[0]);
        c->target_label = n == 2 && f[1].n ? dup(p, f[1]) : "Target";
        c->has_target = 1;
        return;
    }
    case KEY_BAR: {
        int n = split(val, f, 3);
        if (n < 2 || n > 3 || f[0].n == 0) {
            perr(p, val.s, "expected 'bar: LABEL | VALUE | COLOUR' (colour "
                           "optional)");
            return;
        }
        int ok = number(p, f[1], "bar value", &num);
        if (ok && num < 0) {
            perr(p, f[1].s, "bar value %.*s is negative (bars start at 0)",
                 (int)f[1].n, f[1].s);
            ok = 0;
        }
        col = rgb_of(PALETTE[c->nbars % NPALETTE]);
        if (n == 3 && f[2].n && !colour(p, f[2], &col)) ok = 0;
        if (!ok) return;
        if (c->nbars == MAX_BARS) {
            perr(p, key_at, "more than %d bars", MAX_BARS);
            return;
        }
        QR_GROW(c->bars, c->nbars, c->bcap, 8);
        chart_bar *b = &c->bars[c->nbars++];
        b->label = dup(p, f[0]);
        b->text = dup(p, f[1]);
        b->value = num;
        b->colour = col;
        b->status = n == 3 && f[2].n ? status_of(f[2]) : -1;
        return;
    }
    case KEY_LINE: {
        int n = split(val, f, 2);
        if (n > 2 || f[0].n == 0) {
            perr(p, val.s, "expected 'line: LABEL | COLOUR' (colour "
                           "optional)");
            return;
        }
        if (n == 2 && f[1].n && !colour(p, f[1], &col)) return;
        if (c->nseries == MAX_SERIES) {
            perr(p, key_at, "more than %d lines", MAX_SERIES);
            return;
        }
        new_series(p, dup(p, f[0]), n == 2 && f[1].n ? &col : NULL);
        return;
    }
    case KEY_POINT: {
        int n = split(val, f, 3);
        if (n < 2 || f[0].n == 0) {
            perr(p, val.s, "expected 'point: PERIOD | VALUE' or "
                           "'point: PERIOD | VALUE | POSITION'");
            return;
        }
        if (!number(p, f[1], "point value", &num)) return;
        /* POSITION spaces points by real time (e.g. months): all points
         * give one or none, and they increase along a line */
        double pos = 0;
        int has_pos = n == 3 && f[2].n;
        if (has_pos && !number(p, f[2], "point position", &pos)) return;
        if (c->has_pos && (c->has_pos > 0) != has_pos) {
            perr(p, val.s, "every point needs a position, or none does");
            return;
        }
        c->has_pos = has_pos ? 1 : -1;
        series *s = c->nseries ? &c->series[c->nseries - 1]
                               : new_series(p, c->title ? c->title : "Value",
                                            NULL);
        if (s->n == MAX_POINTS) {
            perr(p, key_at, "more than %d points in one line", MAX_POINTS);
            return;
        }
        if (has_pos && s->n && pos <= s->pts[s->n - 1].pos) {
            perr(p, f[2].s, "point position %.*s does not come after the "
                            "previous point's", (int)f[2].n, f[2].s);
            return;
        }
        QR_GROW(s->pts, s->n, s->cap, 16);
        point *pt = &s->pts[s->n++];
        pt->label = dup(p, f[0]);
        pt->text = dup(p, f[1]);
        pt->value = num;
        pt->pos = has_pos ? pos : (double)(s->n - 1);
        return;
    }
    }
}

/* A value with the chart's unit, as derived fields write it. */
static void put_value(qr_buf *b, const char *text, const char *unit)
{
    qr_format_with_unit(b, text, unit);
}

/* Integers print without decimals, others to the precision needed. */
static void put_number(qr_buf *b, double v)
{
    char tmp[64];
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(tmp, sizeof tmp, "%.0f", v);
    } else {
        snprintf(tmp, sizeof tmp, "%.6f", v);
        char *e = tmp + strlen(tmp) - 1;
        while (*e == '0') *e-- = '\0';
        if (*e == '.') *e = '\0';
    }
    qr_buf_puts(b, strcmp(tmp, "-0") == 0 ? "0" : tmp);
}

static void make_alt(qr_chart *c)
{
    qr_buf b;
    qr_buf_init(&b);
    qr_buf_puts(&b, c->type == QR_CHART_BAR ? "Bar chart" : "Line chart");
    if (c->title) qr_buf_printf(&b, ": %s", c->title);
    qr_buf_puts(&b, ". ");
    if (c->type == QR_CHART_BAR) {
        double sum = 0;
        for (size_t i = 0; i < c->nbars; i++) {
            if (i) qr_buf_puts(&b, ", ");
            qr_buf_printf(&b, "%s ", c->bars[i].label);
            put_value(&b, c->bars[i].text, c->unit);
            sum += c->bars[i].value;
        }
        if (c->total) {
            qr_buf_puts(&b, " (");
            put_number(&b, sum);
            qr_buf_printf(&b, " %s)", c->total);
        }
        qr_buf_putc(&b, '.');
    } else {
        for (size_t s = 0; s < c->nseries; s++) {
            const series *se = &c->series[s];
            if (s) qr_buf_putc(&b, ' ');
            qr_buf_printf(&b, "%s: ", se->label);
            for (size_t i = 0; i < se->n; i++) {
                if (i) qr_buf_puts(&b, ", ");
                qr_buf_printf(&b, "%s ", se->pts[i].label);
                put_value(&b, se->pts[i].text, c->unit);
            }
            qr_buf_putc(&b, '.');
        }
        if (c->has_target) {
            qr_buf_printf(&b, " %s: ", c->target_label);
            put_value(&b, c->target_text, c->unit);
            qr_buf_putc(&b, '.');
        }
    }
    c->alt = qr_buf_detach(&b, NULL);
}

qr_chart *qr_chart_parse(const char *src, size_t len, const char *file,
                         int line, qr_diags *d)
{
    qr_chart *c = qr_xcalloc(1, sizeof *c);
    c->arena = qr_arena_new();
    c->legend = -1;
    pctx p = {.c = c, .d = d, .file = file, .line = line};
    const char *s = src, *end = src + len;
    int first_line = line;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *stop = nl ? nl : end;
        p.src = s;
        p.len = (size_t)(stop - s);
        if (p.len && s[p.len - 1] == '\r') p.len--;
        slice t = trim(s, p.len);
        if (t.n && t.s[0] != '#') {
            const char *colon = memchr(t.s, ':', t.n);
            if (!colon) {
                perr(&p, t.s, "expected 'key: value' (for example "
                              "'title: Actions by RAG status')");
            } else {
                slice key = trim(t.s, (size_t)(colon - t.s));
                slice val = trim(colon + 1, (size_t)(t.s + t.n - colon - 1));
                parse_line(&p, key, val, t.s);
            }
        }
        p.line++;
        s = nl ? nl + 1 : end;
    }
    /* Whole-chart checks, reported at the chart's first line. */
    const char *nl1 = memchr(src, '\n', len);
    p.src = src;
    p.len = nl1 ? (size_t)(nl1 - src) : len;
    p.line = first_line;
    if (!p.seen_type) {
        perr(&p, src, "chart has no 'type' (expected 'type: bar' or "
                      "'type: line' on the first line)");
    } else if (p.seen_type > 0 && !p.errors) {
        if (c->type == QR_CHART_BAR && c->nbars == 0)
            perr(&p, src, "bar chart has no 'bar' lines");
        if (c->type == QR_CHART_LINE) {
            if (c->nseries == 0 || c->series[0].n == 0)
                perr(&p, src, "line chart has no 'point' lines");
            for (size_t i = 1; i < c->nseries; i++) {
                int same = c->series[i].n == c->series[0].n;
                for (size_t k = 0; same && k < c->series[0].n; k++)
                    same = c->series[i].pts[k].pos == c->series[0].pts[k].pos;
                if (!same) {
                    p.line = c->series[i].line;
                    p.src = c->series[i].src;
                    p.len = c->series[i].src_len;
                    perr(&p, p.src, "line '%s' has %zu of %zu points or "
                                  "other positions (every line needs one "
                                  "per period, like '%s')",
                         c->series[i].label, c->series[i].n,
                         c->series[0].n, c->series[0].label);
                }
            }
        }
        if (c->has_min && c->has_max && c->vmin >= c->vmax)
            perr(&p, src, "min must be less than max");
    }
    if (p.errors) {
        qr_chart_free(c);
        return NULL;
    }
    make_alt(c);
    return c;
}

void qr_chart_free(qr_chart *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->nseries; i++) free(c->series[i].pts);
    free(c->series);
    free(c->bars);
    free(c->alt);
    qr_arena_free(c->arena);
    free(c);
}

qr_chart_type qr_chart_kind(const qr_chart *c)
{
    return c->type;
}

const char *qr_chart_alt(const qr_chart *c)
{
    return c->alt;
}

/* ---- scales ------------------------------------------------------------ */

typedef struct scale {
    double lo, hi, step;
    int decimals;
} scale;

/* 1, 2, 2.5, 5 or 10 times a power of ten, at least x. */
static double nice_step(double x)
{
    double p = pow(10.0, floor(log10(x)));
    double f = x / p;
    double n = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
    return n * p;
}

static scale make_scale(double lo, double hi, int integers, int zero_based)
{
    scale s;
    if (hi < lo) {
        double t = lo;
        lo = hi;
        hi = t;
    }
    if (zero_based && lo > 0) lo = 0;
    if (hi == lo) hi = lo + (lo == 0 ? 1 : fabs(lo) / 2);
    s.step = nice_step((hi - lo) / TARGET_TICKS);
    if (integers && s.step < 1) s.step = 1;
    s.lo = floor(lo / s.step + 1e-9) * s.step;
    s.hi = ceil(hi / s.step - 1e-9) * s.step;
    if (s.hi <= s.lo) s.hi = s.lo + s.step;
    /* as many decimals as the step needs: 2.5 -> 1, 0.25 -> 2, 5 -> 0 */
    s.decimals = 0;
    while (s.decimals < 6) {
        double k = s.step * pow(10, s.decimals);
        if (fabs(k - round(k)) < 1e-6) break;
        s.decimals++;
    }
    return s;
}

/* The value axis of a chart: from 0 (bars; lines unless that squashes the
 * movement) to a round number above the largest value, in round steps.
 * One function, so the PDF's axis and any other drawing of the chart
 * (the HTML copy) agree. */
static scale value_scale(const qr_chart *c)
{
    if (c->type == QR_CHART_BAR) {
        double hi = 0;
        int integers = 1;
        for (size_t i = 0; i < c->nbars; i++) {
            hi = fmax(hi, c->bars[i].value);
            if (c->bars[i].value != floor(c->bars[i].value)) integers = 0;
        }
        if (c->has_max) hi = fmax(hi, c->vmax);
        return make_scale(c->has_min ? fmin(c->vmin, 0) : 0, hi, integers, 1);
    }
    const series *first = &c->series[0];
    double lo = first->pts[0].value, hi = lo;
    int integers = 1;
    for (size_t s = 0; s < c->nseries; s++) {
        for (size_t i = 0; i < c->series[s].n; i++) {
            double v = c->series[s].pts[i].value;
            lo = fmin(lo, v);
            hi = fmax(hi, v);
            if (v != floor(v)) integers = 0;
        }
    }
    if (c->has_target) {
        lo = fmin(lo, c->target);
        hi = fmax(hi, c->target);
    }
    if (c->has_min) lo = c->vmin;
    if (c->has_max) hi = c->vmax;
    /* start at zero unless that squashes the movement into a sliver */
    int zero = !c->has_min && lo >= 0 && lo <= hi / 2;
    scale s = make_scale(lo, hi, integers, zero);
    if (c->has_min) s.lo = c->vmin;
    if (c->has_max) s.hi = c->vmax;
    /* a target on the axis itself would hide under it: leave a step */
    if (c->has_target && !c->has_min && s.lo != 0 &&
        fabs(c->target - s.lo) < s.step / 100)
        s.lo -= s.step;
    if (c->has_target && !c->has_max && fabs(c->target - s.hi) < s.step / 100)
        s.hi += s.step;

    return s;
}

static void tick_text(const scale *s, double v, char *out, size_t n)
{
    if (fabs(v) < s->step * 1e-9) v = 0;
    snprintf(out, n, "%.*f", s->decimals, v);
}

/* ---- drawing ----------------------------------------------------------- */

typedef struct draw_ctx {
    const qr_chart *c;
    qr_pages *pages;    /* NULL: measure only */
    size_t page;
    const qr_style *st;
    const qr_metrics *m;
    int elem;
    float x, width;     /* the box */
    float size, title_size, line_h;
    qr_rgb text, axis, grid;
} draw_ctx;

/* The slot that draws cp: the label's own face, or the fallback face for
 * a symbol it lacks (✓ ☎), as paragraphs do. */
static qr_font_slot slot_for(const draw_ctx *g, qr_font_slot slot, uint32_t cp)
{
    if (!g->m->has_glyph || cp == ' ' || g->m->has_glyph(g->m->ctx, slot, cp))
        return slot;
    qr_font_slot fb = slot == QR_FONT_BOLD ? QR_FONT_FALLBACK_BOLD
                                           : QR_FONT_FALLBACK;
    return g->m->has_glyph(g->m->ctx, fb, cp) ? fb : slot;
}

/* The width of s[0..n) drawn in one slot, kerned as the PDF draws it. */
static float run_width(const draw_ctx *g, qr_font_slot slot, const char *s,
                       size_t n)
{
    float w = 0;
    uint32_t prev = ' ';
    while (n) {
        uint32_t cp;
        int k = qr_utf8_decode(s, n, &cp);
        if (k <= 0) k = 1;
        w += g->m->advance(g->m->ctx, slot, cp);
        if (g->m->kern && prev != ' ' && cp != ' ')
            w += g->m->kern(g->m->ctx, slot, prev, cp);
        prev = cp;
        s += k;
        n -= (size_t)k;
    }
    return w;
}

/* Split s into runs of one slot each: calls run(…) for every run in order
 * with its slot, bytes and width (1/1000 em); returns the total width. */
typedef void (*run_fn)(const draw_ctx *g, qr_font_slot slot, const char *s,
                       size_t n, float w, void *arg);

static float runs(const draw_ctx *g, qr_font_slot slot, const char *s,
                  run_fn fn, void *arg)
{
    float total = 0;
    size_t n = strlen(s);
    while (n) {
        uint32_t cp;
        int k = qr_utf8_decode(s, n, &cp);
        if (k <= 0) k = 1;
        qr_font_slot rs = slot_for(g, slot, cp);
        size_t len = (size_t)k;
        while (len < n) {
            int k2 = qr_utf8_decode(s + len, n - len, &cp);
            if (k2 <= 0) k2 = 1;
            if (slot_for(g, slot, cp) != rs) break;
            len += (size_t)k2;
        }
        float w = run_width(g, rs, s, len);
        if (fn) fn(g, rs, s, len, w, arg);
        total += w;
        s += len;
        n -= len;
    }
    return total;
}

static float text_width(const draw_ctx *g, qr_font_slot slot, float size,
                        const char *s)
{
    return runs(g, slot, s, NULL, NULL) * size / 1000.0f;
}

static float ascent(const draw_ctx *g, qr_font_slot slot, float size)
{
    float a = 0, dsc = 0;
    if (g->m->vmetrics) g->m->vmetrics(g->m->ctx, slot, &a, &dsc);
    return a > 0 ? a * size / 1000.0f : ASCENT_FRAC * size;
}

static qr_item base_item(const draw_ctx *g, qr_item_kind kind)
{
    qr_item it;
    memset(&it, 0, sizeof it);
    it.kind = kind;
    it.role = QR_ROLE_FIGURE;
    it.elem = g->elem;
    return it;
}

/* Text with its left edge at x and its top at y (baseline below). */
typedef struct text_at {
    float x, y, size;
    qr_rgb colour;
} text_at;

static void put_run(const draw_ctx *g, qr_font_slot slot, const char *s,
                    size_t n, float w, void *arg)
{
    text_at *t = arg;
    qr_item it = base_item(g, QR_ITEM_TEXT);
    it.x = t->x;
    it.y = t->y;
    it.w = w * t->size / 1000.0f;
    it.font = slot;
    it.size = t->size;
    it.text = s;
    it.len = n;
    it.color = t->colour;
    qr_pages_add_item(g->pages, g->page, &it);
    t->x += it.w;
}

/* A label, one text item per run of one face, all on the label's
 * baseline. */
static void text(const draw_ctx *g, qr_font_slot slot, float size, float x,
                 float top, const char *s, qr_rgb colour)
{
    if (!g->pages || !*s) return;
    text_at t = {x, top + ascent(g, slot, size), size, colour};
    runs(g, slot, s, put_run, &t);
}

static void line(const draw_ctx *g, float x1, float y1, float x2, float y2,
                 float w, qr_rgb colour)
{
    if (!g->pages) return;
    qr_item it = base_item(g, QR_ITEM_LINE);
    it.x = x1;
    it.y = y1;
    it.x2 = x2;
    it.y2 = y2;
    it.line_width = w;
    it.color = colour;
    it.has_stroke = 1;
    qr_pages_add_item(g->pages, g->page, &it);
}

static void dashed(const draw_ctx *g, float x1, float x2, float y, float w,
                   qr_rgb colour)
{
    for (float a = x1; a < x2; a += DASH_ON + DASH_OFF)
        line(g, a, y, fminf(a + DASH_ON, x2), y, w, colour);
}

static void rect(const draw_ctx *g, float x, float y, float w, float h,
                 qr_rgb fill)
{
    if (!g->pages) return;
    qr_item it = base_item(g, QR_ITEM_RECT);
    it.x = x;
    it.y = y;
    it.w = w;
    it.h = h;
    it.has_fill = 1;
    it.fill = fill;
    it.color = fill;
    qr_pages_add_item(g->pages, g->page, &it);
}

static void path(const draw_ctx *g, const float *pts, size_t npts, float w,
                 qr_rgb colour)
{
    if (!g->pages || npts < 2) return;
    qr_item it = base_item(g, QR_ITEM_PATH);
    it.pts = pts;
    it.npts = npts;
    it.line_width = w;
    it.color = colour;
    it.has_stroke = 1;
    float lo = pts[0], hi = pts[0], top = pts[1], bot = pts[1];
    for (size_t i = 0; i < npts; i++) {
        lo = fminf(lo, pts[2 * i]);
        hi = fmaxf(hi, pts[2 * i]);
        top = fminf(top, pts[2 * i + 1]);
        bot = fmaxf(bot, pts[2 * i + 1]);
    }
    it.x = lo;
    it.y = top;
    it.w = hi - lo;
    it.h = bot - top;
    qr_pages_add_item(g->pages, g->page, &it);
}

/* A line of text centred in [x0, x0 + w), kept inside the box. */
static void centred(const draw_ctx *g, float x0, float w, float top,
                    const char *s)
{
    float tw = text_width(g, QR_FONT_REGULAR, g->size, s);
    float x = x0 + (w - tw) / 2;
    if (x + tw > g->x + g->width) x = g->x + g->width - tw;
    if (x < g->x) x = g->x;
    text(g, QR_FONT_REGULAR, g->size, x, top, s, g->text);
}

/* The legend: wrapped rows of [swatch] label. kinds: 0 = box, 1 = line with
 * marker, 2 = dashed line. Returns the height used. */
typedef struct legend_entry {
    const char *label;
    qr_rgb colour;
    int kind;
} legend_entry;

static float legend(const draw_ctx *g, const legend_entry *entries, size_t n,
                    float top)
{
    float x = g->x, y = top;
    for (size_t i = 0; i < n; i++) {
        float w = SWATCH + SWATCH_GAP +
                  text_width(g, QR_FONT_REGULAR, g->size, entries[i].label);
        if (x > g->x && x + w > g->x + g->width) {
            x = g->x;
            y += g->line_h;
        }
        float mid = y + g->line_h / 2;
        if (entries[i].kind == 0) {
            rect(g, x, mid - SWATCH / 2, SWATCH, SWATCH, entries[i].colour);
        } else if (entries[i].kind == 1) {
            line(g, x, mid, x + SWATCH, mid, SERIES_WIDTH, entries[i].colour);
            rect(g, x + (SWATCH - MARKER) / 2, mid - MARKER / 2, MARKER,
                 MARKER, entries[i].colour);
        } else {
            line(g, x, mid, x + DASH_ON, mid, TARGET_WIDTH, entries[i].colour);
            line(g, x + SWATCH - DASH_ON, mid, x + SWATCH, mid, TARGET_WIDTH,
                 entries[i].colour);
        }
        float ty = y + (g->line_h - g->size) / 2;
        text(g, QR_FONT_REGULAR, g->size, x + SWATCH + SWATCH_GAP, ty,
             entries[i].label, g->text);
        x += w + LEGEND_GAP;
    }
    return y + g->line_h - top;
}

static void value_label(const qr_chart *c, const char *t, qr_buf *b)
{
    b->len = 0;
    put_value(b, t, c->unit);
}

static float draw_bars(const draw_ctx *g, float y)
{
    const qr_chart *c = g->c;
    qr_buf b;
    qr_buf_init(&b);
    float labw = 0, valw = 0;
    for (size_t i = 0; i < c->nbars; i++) {
        labw = fmaxf(labw, text_width(g, QR_FONT_REGULAR, g->size,
                                      c->bars[i].label));
        value_label(c, c->bars[i].text, &b);
        valw = fmaxf(valw, text_width(g, QR_FONT_REGULAR, g->size, b.data));
    }
    labw = fminf(labw, g->width * MAX_LABEL_FRAC);
    scale s = value_scale(c);
    float px = g->x + labw + LABEL_GAP;
    float pw = g->width - labw - LABEL_GAP - VALUE_GAP - valw;
    if (pw < 1) pw = 1;
    float row = g->size * BAR_ROW_SCALE;
    float ph = row * (float)c->nbars;

    /* grid and ticks first, so bars sit on top */
    char tick[64];
    int nt = (int)lround((s.hi - s.lo) / s.step);
    for (int t = 0; t <= nt; t++) {
        double v = s.lo + t * s.step;
        float tx = px + (float)((v - s.lo) / (s.hi - s.lo)) * pw;
        if (t > 0) line(g, tx, y, tx, y + ph, GRID_WIDTH, g->grid);
        line(g, tx, y + ph, tx, y + ph + TICK_LEN, AXIS_WIDTH, g->axis);
        tick_text(&s, v, tick, sizeof tick);
        centred(g, tx - pw, 2 * pw, y + ph + TICK_LEN + TICK_GAP, tick);
    }
    for (size_t i = 0; i < c->nbars; i++) {
        const chart_bar *br = &c->bars[i];
        float top = y + row * (float)i;
        float bh = row * BAR_FILL;
        float by = top + (row - bh) / 2;
        float bw = (float)((br->value - s.lo) / (s.hi - s.lo)) * pw;
        if (bw > 0) rect(g, px, by, bw, bh, bar_colour(br, g->st));
        float ty = top + (row - g->size) / 2;
        float lw = text_width(g, QR_FONT_REGULAR, g->size, br->label);
        text(g, QR_FONT_REGULAR, g->size, fmaxf(g->x, px - LABEL_GAP - lw),
             ty, br->label, g->text);
        value_label(c, br->text, &b);
        text(g, QR_FONT_REGULAR, g->size, px + bw + VALUE_GAP, ty, b.data,
             g->text);
    }
    line(g, px, y, px, y + ph, AXIS_WIDTH, g->axis);
    line(g, px, y + ph, px + pw, y + ph, AXIS_WIDTH, g->axis);
    y += ph + TICK_LEN + TICK_GAP + g->line_h;
    if (c->xlabel) {
        centred(g, px, pw, y, c->xlabel);
        y += g->line_h;
    }
    if (c->legend == 1) {
        legend_entry *entries = qr_xcalloc(c->nbars, sizeof *entries);
        for (size_t i = 0; i < c->nbars; i++) {
            entries[i].label = c->bars[i].label;
            entries[i].colour = bar_colour(&c->bars[i], g->st);
        }
        y += legend(g, entries, c->nbars, y);
        free(entries);
    }
    qr_buf_free(&b);
    return y;
}

static float draw_lines(const draw_ctx *g, float y)
{
    const qr_chart *c = g->c;
    const series *first = &c->series[0];
    size_t n = first->n;
    scale s = value_scale(c);

    if (c->ylabel) {
        text(g, QR_FONT_REGULAR, g->size, g->x, y, c->ylabel, g->text);
        y += g->line_h;
    }
    /* tick labels decide the left column */
    char tick[64];
    int nt = (int)floor((s.hi - s.lo) / s.step + 1e-9);
    float tickw = 0;
    for (int t = 0; t <= nt; t++) {
        tick_text(&s, s.lo + t * s.step, tick, sizeof tick);
        tickw = fmaxf(tickw, text_width(g, QR_FONT_REGULAR, g->size, tick));
    }
    float px = g->x + tickw + TICK_GAP + TICK_LEN;
    float pw = g->width - (px - g->x);
    float ph = g->width * LINE_ASPECT;
    ph = fminf(fmaxf(ph, LINE_PLOT_MIN), LINE_PLOT_MAX);
    /* half a line of room above the plot for the top tick label */
    y += g->size / 2;
    float top = y;
#define YOF(v) (top + ph - (float)(((v) - s.lo) / (s.hi - s.lo)) * ph)
    for (int t = 0; t <= nt; t++) {
        double v = s.lo + t * s.step;
        float ty = YOF(v);
        if (t > 0) line(g, px, ty, px + pw, ty, GRID_WIDTH, g->grid);
        line(g, px - TICK_LEN, ty, px, ty, AXIS_WIDTH, g->axis);
        tick_text(&s, v, tick, sizeof tick);
        float w = text_width(g, QR_FONT_REGULAR, g->size, tick);
        text(g, QR_FONT_REGULAR, g->size, px - TICK_LEN - TICK_GAP - w,
             ty - g->size / 2, tick, g->text);
    }
    line(g, px, top, px, top + ph, AXIS_WIDTH, g->axis);
    line(g, px, top + ph, px + pw, top + ph, AXIS_WIDTH, g->axis);

    /* x by time: the smallest step between points is one slot, so evenly
     * spaced periods fill the width as before and a missing period leaves
     * its slot empty (and a gap in the line) */
    double p0 = first->pts[0].pos, step = 0;
    for (size_t i = 1; i < n; i++) {
        double d = first->pts[i].pos - first->pts[i - 1].pos;
        if (step == 0 || d < step) step = d;
    }
    if (step <= 0) step = 1;
    double slots = (first->pts[n - 1].pos - p0) / step + 1;
    if (slots > MAX_POINTS) slots = MAX_POINTS; /* a stray position */
    float slot = pw / (float)slots;
#define XOF(i) (px + slot * ((float)((first->pts[i].pos - p0) / step) + 0.5f))
    /* period labels: every k-th, so that none collide */
    float labw = 0;
    for (size_t i = 0; i < n; i++)
        labw = fmaxf(labw, text_width(g, QR_FONT_REGULAR, g->size,
                                      first->pts[i].label));
    size_t every = (size_t)ceilf((labw + X_LABEL_GAP) / slot);
    if (every < 1) every = 1;
    for (size_t i = 0; i < n; i++) {
        float cx = XOF(i);
        line(g, cx, top + ph, cx, top + ph + TICK_LEN, AXIS_WIDTH, g->axis);
    }
    /* right to left, so the latest period always keeps its label; a label
     * pushed inside the box that would touch its neighbour is dropped */
    float left_edge = g->x + g->width + X_LABEL_GAP;
    for (size_t j = 0; j < n; j += every) {
        size_t i = n - 1 - j;
        const char *lab = first->pts[i].label;
        float tw = text_width(g, QR_FONT_REGULAR, g->size, lab);
        float lx = XOF(i) - tw / 2;
        if (lx + tw > g->x + g->width) lx = g->x + g->width - tw;
        if (lx < g->x) lx = g->x;
        if (lx + tw + X_LABEL_GAP > left_edge) continue;
        text(g, QR_FONT_REGULAR, g->size, lx, top + ph + TICK_LEN + TICK_GAP,
             lab, g->text);
        left_edge = lx;
    }
    if (c->has_target && c->target >= s.lo && c->target <= s.hi) {
        float ty = YOF(c->target);
        dashed(g, px, px + pw, ty, TARGET_WIDTH, rgb_of(TARGET_COLOUR));
        qr_buf b;
        qr_buf_init(&b);
        qr_buf_printf(&b, "%s ", c->target_label);
        put_value(&b, c->target_text, c->unit);
        float w = text_width(g, QR_FONT_REGULAR, g->size, b.data);
        /* above the line, unless that leaves the plot */
        float ly = ty - g->size * LEAD;
        if (ly < top) ly = ty + TICK_GAP;
        text(g, QR_FONT_REGULAR, g->size, px + pw - w - TICK_GAP, ly, b.data,
             rgb_of(TARGET_COLOUR));
        qr_buf_free(&b);
    }
    float *pts = qr_xmalloc(2 * n * sizeof *pts);
    for (size_t sidx = 0; sidx < c->nseries; sidx++) {
        const series *se = &c->series[sidx];
        for (size_t i = 0; i < n; i++) {
            pts[2 * i] = XOF(i);
            pts[2 * i + 1] = YOF(se->pts[i].value);
        }
        /* one path per run of consecutive periods: a missing period is a
         * visible gap, never a line drawn across it */
        size_t run = 0;
        for (size_t i = 1; i <= n; i++) {
            if (i < n && first->pts[i].pos - first->pts[i - 1].pos <=
                             step * 1.5)
                continue;
            path(g, pts + 2 * run, i - run, SERIES_WIDTH, se->colour);
            run = i;
        }
        for (size_t i = 0; i < n; i++)
            rect(g, pts[2 * i] - MARKER / 2, pts[2 * i + 1] - MARKER / 2,
                 MARKER, MARKER, se->colour);
    }
    free(pts);
#undef XOF
#undef YOF
    y = top + ph + TICK_LEN + TICK_GAP + g->line_h;
    if (c->xlabel) {
        centred(g, px, pw, y, c->xlabel);
        y += g->line_h;
    }
    if (c->legend != 0) {
        legend_entry *entries = qr_xcalloc(c->nseries + 1, sizeof *entries);
        size_t k = 0;
        for (size_t i = 0; i < c->nseries; i++, k++) {
            entries[k].label = c->series[i].label;
            entries[k].colour = c->series[i].colour;
            entries[k].kind = 1;
        }
        if (c->has_target) {
            entries[k].label = c->target_label;
            entries[k].colour = rgb_of(TARGET_COLOUR);
            entries[k++].kind = 2;
        }
        y += legend(g, entries, k, y);
        free(entries);
    }
    return y;
}

static qr_rgb mix_white(qr_rgb c, float t)
{
    qr_rgb w = rgb_of(WHITE);
    qr_rgb r = {c.r + (w.r - c.r) * t, c.g + (w.g - c.g) * t,
                c.b + (w.b - c.b) * t};
    return r;
}

static float render(const qr_chart *c, qr_pages *pages, size_t page, float x,
                    float y, float width, const qr_style *st,
                    const qr_metrics *m, int elem)
{
    draw_ctx g = {.c = c, .pages = pages, .page = page, .st = st, .m = m,
              .elem = elem, .x = x, .width = width};
    g.size = st->small_size;
    g.title_size = st->small_size * TITLE_SCALE;
    g.line_h = g.size * LEAD;
    g.text = st->text_color;
    g.axis = st->text_color;
    g.grid = mix_white(st->rule_color, GRID_LIGHTEN);
    float top = y;
    y += PAD;
    if (c->title) {
        text(&g, QR_FONT_BOLD, g.title_size, x, y, c->title, g.text);
        y += g.title_size * LEAD;
    }
    y = c->type == QR_CHART_BAR ? draw_bars(&g, y) : draw_lines(&g, y);
    y += PAD;
    return y - top;
}

float qr_chart_height(const qr_chart *c, float width, const qr_style *style,
                      const qr_metrics *m)
{
    return render(c, NULL, 0, 0, 0, width, style, m, -1);
}

float qr_chart_draw(const qr_chart *c, qr_pages *pages, size_t page, float x,
                    float y, float width, const qr_style *style,
                    const qr_metrics *m, int elem)
{
    if (elem >= 0) qr_pages_set_alt(pages, elem, c->alt);
    return render(c, pages, page, x, y, width, style, m, elem);
}

/* ---- the model, read-only (for back ends that draw the chart) ---------- */

const char *qr_chart_title(const qr_chart *c) { return c->title; }
const char *qr_chart_xlabel(const qr_chart *c) { return c->xlabel; }
const char *qr_chart_ylabel(const qr_chart *c) { return c->ylabel; }
const char *qr_chart_unit(const qr_chart *c) { return c->unit; }

bool qr_chart_legend(const qr_chart *c)
{
    return c->legend >= 0 ? c->legend != 0 : c->type == QR_CHART_LINE;
}

size_t qr_chart_nseries(const qr_chart *c)
{
    return c->type == QR_CHART_BAR ? 1 : c->nseries;
}

const char *qr_chart_series_label(const qr_chart *c, size_t s)
{
    return c->type == QR_CHART_BAR ? NULL : c->series[s].label;
}

qr_rgb qr_chart_series_colour(const qr_chart *c, size_t s)
{
    return c->series[s].colour;
}

size_t qr_chart_nvalues(const qr_chart *c, size_t s)
{
    return c->type == QR_CHART_BAR ? c->nbars : c->series[s].n;
}

qr_chart_value qr_chart_get(const qr_chart *c, size_t s, size_t i,
                            const qr_style *style)
{
    qr_chart_value v;
    if (c->type == QR_CHART_BAR) {
        const chart_bar *b = &c->bars[i];
        v.label = b->label;
        v.text = b->text;
        v.value = b->value;
        v.pos = (double)i;
        v.colour = bar_colour(b, style);
    } else {
        const point *p = &c->series[s].pts[i];
        v.label = p->label;
        v.text = p->text;
        v.value = p->value;
        v.pos = p->pos;
        v.colour = c->series[s].colour;
    }
    return v;
}

bool qr_chart_target(const qr_chart *c, double *value, const char **text,
                     const char **label)
{
    if (!c->has_target) return false;
    *value = c->target;
    *text = c->target_text;
    *label = c->target_label;
    return true;
}

void qr_chart_format_value(const qr_chart *c, const char *text, qr_buf *out)
{
    put_value(out, text, c->unit);
}

void qr_chart_value_axis(const qr_chart *c, qr_chart_axis *axis)
{
    scale s = value_scale(c);
    axis->lo = s.lo;
    axis->hi = s.hi;
    axis->step = s.step;
    axis->decimals = s.decimals;
}

void qr_chart_tick_text(const qr_chart_axis *axis, double v, char *out,
                        size_t n)
{
    scale s = {axis->lo, axis->hi, axis->step, axis->decimals};
    tick_text(&s, v, out, n);
}
