/* style.c — the house style.
 *
 * In:  a style JSON file (templates/styles/NAME.json) and the style already
 *      in place (normally qr_style_default's).
 * Out: the qr_style with every key the file sets replaced, plus diagnostics:
 *      bad values are errors at the value's file:line:col with its JSON
 *      pointer ("/page/margins/top"), saying what would be valid; unknown
 *      keys are warnings (naming a near miss). Nothing is changed unless the
 *      whole file is good.
 * Governing spec: RFC 8259 (JSON), RFC 6901 (JSON pointer); the keys are
 *      documented in templates/styles/README.md, and council.json beside it
 *      is the default style written out.
 *
 * The file is read here (its own input role, size limit and messages) and
 * parsed by the load stage (qr_data_adopt), so that a style's syntax
 * errors, repeated keys and located messages are those of a data file.
 */
#include "quire/style.h"
#include "quire/image.h"
#include "quire/input.h"
#include "quire/load.h"
#include "quire/util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define STYLE_MAX_BYTES (1024u * 1024u)  /* a style is a few hundred bytes */

/* Points per unit. */
#define PT_PER_IN 72.0
#define PT_PER_MM (72.0 / 25.4)
#define PT_PER_CM (72.0 / 2.54)

/* Bounds that catch typos without second-guessing a designer, in points. */
#define PAGE_MIN 72.0f      /* 1 inch */
#define PAGE_MAX 14400.0f   /* PDF's largest page, 200 inches */
#define FONT_SIZE_MIN 4.0f       /* smallest legible type */
#define FONT_SIZE_MAX 200.0f
#define SPACE_MAX 288.0f    /* 4 inches of indent or spacing */
#define LEADING_MIN 0.8f
#define LEADING_MAX 3.0f
#define LINES_MAX 10.0f     /* heading space, in body lines */
#define KEEP_LINES_MAX 10   /* widows and orphans */

/* ---- named page sizes ---- */

typedef struct page_size {
    const char *name;
    float w, h;
} page_size;

static const page_size PAGE_SIZES[] = {
    { "A3", 841.89f, 1190.55f },
    { "A4", 595.28f, 841.89f },
    { "A5", 419.53f, 595.28f },
    { "Letter", 612.0f, 792.0f },
    { "Legal", 612.0f, 1008.0f },
};

/* ---- values shared by the defaults and the loader ---- */

/* Both the defaults and the loader convert through these, so that
 * council.json loads to exactly the default bits. */
static float to_points(double v, double per_unit)
{
    return (float)(v * per_unit);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* "#rrggbb" or "#rgb"; false when s is neither. */
static bool parse_colour(const char *s, qr_rgb *out)
{
    size_t n = strlen(s);
    int v[6];
    if (s[0] != '#' || (n != 7 && n != 4)) return false;
    for (size_t i = 1; i < n; i++)
        if ((v[i - 1] = hex_digit(s[i])) < 0) return false;
    int r, g, b;
    if (n == 7) {
        r = v[0] * 16 + v[1];
        g = v[2] * 16 + v[3];
        b = v[4] * 16 + v[5];
    } else {
        r = v[0] * 17;
        g = v[1] * 17;
        b = v[2] * 17;
    }
    out->r = (float)r / 255.0f;
    out->g = (float)g / 255.0f;
    out->b = (float)b / 255.0f;
    return true;
}

static qr_rgb colour(const char *hex)
{
    qr_rgb c = { 0, 0, 0 };
    parse_colour(hex, &c);
    return c;
}

static void set_string(char *dst, size_t cap, const char *src)
{
    /* strncpy zero-fills: two equal styles compare equal byte for byte */
    strncpy(dst, src, cap - 1);
    dst[cap - 1] = '\0';
}

void qr_style_default(qr_style *s)
{
    memset(s, 0, sizeof *s);
    s->page_width = PAGE_SIZES[1].w;
    s->page_height = PAGE_SIZES[1].h;
    /* UK council reports: 2.5 cm top and bottom, 2 cm at the sides */
    s->margin_top = to_points(25, PT_PER_MM);
    s->margin_bottom = to_points(25, PT_PER_MM);
    s->margin_left = to_points(20, PT_PER_MM);
    s->margin_right = to_points(20, PT_PER_MM);

    set_string(s->body_family, sizeof s->body_family, "Arial");
    set_string(s->heading_family, sizeof s->heading_family, "");
    set_string(s->mono_family, sizeof s->mono_family, "Liberation Mono");
    set_string(s->fallback_family, sizeof s->fallback_family, "DejaVu Sans");

    s->body_size = 12.0f;
    s->leading = 1.25f;
    s->heading_size[0] = 18.0f;
    s->heading_size[1] = 14.0f;
    s->heading_size[2] = 12.5f;
    s->heading_size[3] = 12.0f;
    s->heading_size[4] = 12.0f;
    s->heading_size[5] = 12.0f;
    s->heading_space_before = 1.0f;
    s->heading_space_after = 0.4f;
    s->paragraph_space = 6.0f;
    s->code_size = 10.0f;
    s->small_size = 9.0f;
    s->table_size = 10.5f;
    s->list_indent = 18.0f;
    s->quote_indent = 18.0f;
    s->table_padding = 4.0f;
    s->rule_width = 0.5f;

    s->text_color = colour("#1a1a1a");
    s->heading_color = colour("#0b0c0c");
    s->link_color = colour("#1d70b8");
    s->rule_color = colour("#b1b4b6");
    s->table_header_fill = colour("#dee0e2");
    s->table_header_text = colour("#0b0c0c");
    s->quote_bar_color = colour("#b1b4b6");
    s->code_fill = colour("#f3f2f1");
    /* GOV.UK Design System colours, as the chart stage uses */
    s->status_marks = 1;
    /* GOV.UK Design System colours */
    s->status_colour[QR_RAG_RED] = colour("#d4351c");
    s->status_colour[QR_RAG_AMBER] = colour("#f47738");
    s->status_colour[QR_RAG_GREEN] = colour("#00703c");
    s->status_colour[QR_RAG_COMPLETE] = colour("#1d70b8");
    s->status_colour[QR_RAG_NOT_STARTED] = colour("#505a5f");

    s->align = QR_ALIGN_LEFT;
    s->breaking = QR_BREAK_TOTAL_FIT;
    s->hyphenate = 1;
    s->widows = 2;
    s->orphans = 2;
    /* council papers number their sections; paragraph numbers are the
     * council's own ("3.2" in the data), hung in the same gutter */
    s->number_sections = 1;
    s->number_paragraphs = 0;

    set_string(s->footer_center, sizeof s->footer_center,
               "Page {page} of {pages}");
    s->logo_width = 120.0f;
    set_string(s->lang, sizeof s->lang, "en-GB");
}

/* ---- the loader ---- */

/* The file is parsed by the load stage's reader (load.h), as data is: the
 * same syntax messages, duplicate-key errors and JSON-pointer locations. */
typedef struct loader {
    const qr_data *data;
    char *dir;           /* the style file's directory, for the logo */
    qr_buf ptr;          /* JSON pointer of the value being read */
    qr_diags *d;
    qr_style *s;
    int errors;
} loader;

static const char *cur_ptr(const loader *ld)
{
    return ld->ptr.data ? ld->ptr.data : "";
}

/* A diagnostic about the value at the current pointer, located there. */
static void report(loader *ld, qr_severity sev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void report(loader *ld, qr_severity sev, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    qr_data_vdiag(ld->data, ld->d, sev, cur_ptr(ld), fmt, ap);
    va_end(ap);
    if (sev == QR_ERROR) ld->errors++;
}

/* A short rendering of a JSON value for messages. */
static char *show(const cJSON *v)
{
    if (cJSON_IsString(v)) {
        const char *s = v->valuestring;
        if (strlen(s) > 40) return qr_xasprintf("'%.40s...'", s);
        return qr_xasprintf("'%s'", s);
    }
    char *p = cJSON_PrintUnformatted(v);
    if (!p) return qr_xstrdup("the value");
    char *r = strlen(p) > 40 ? qr_xasprintf("%.40s...", p) : qr_xstrdup(p);
    cJSON_free(p);
    return r;
}

/* An error about the value at the current pointer that shows the value
 * first: "'grey' is not a colour (...)". */
static void bad_value(loader *ld, const cJSON *v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void bad_value(loader *ld, const cJSON *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *what = qr_xvasprintf(fmt, ap);
    va_end(ap);
    char *sv = show(v);
    report(ld, QR_ERROR, "%s %s", sv, what);
    free(sv);
    free(what);
}

typedef enum key_kind {
    K_SECTION,   /* an object of further keys */
    K_LENGTH,    /* number of points or "25mm" */
    K_FONTSIZE,  /* a length within FONT_SIZE_MIN..FONT_SIZE_MAX */
    K_NUMBER,    /* a plain number within min..max */
    K_COLOUR,
    K_FAMILY,    /* char[QR_FAMILY_MAX] */
    K_FAMILY_OPT,/* may be "" */
    K_FIELD,     /* header/footer text with {fields} */
    K_BOOL,
    K_INT,
    K_ALIGN,
    K_BREAKING,
    K_PAGE_SIZE,
    K_ORIENTATION,
    K_LOGO,      /* a section, or a string as its file */
    K_LOGO_FILE,
    K_LANG
} key_kind;

typedef struct key {
    const char *name;
    key_kind kind;
    size_t off;          /* offset in qr_style */
    float min, max;
    const struct key *sub;
} key;

#define F(field) offsetof(qr_style, field)
#define END { NULL, 0, 0, 0, 0, NULL }

static const key MARGIN_KEYS[] = {
    { "top", K_LENGTH, F(margin_top), 0, PAGE_MAX, NULL },
    { "right", K_LENGTH, F(margin_right), 0, PAGE_MAX, NULL },
    { "bottom", K_LENGTH, F(margin_bottom), 0, PAGE_MAX, NULL },
    { "left", K_LENGTH, F(margin_left), 0, PAGE_MAX, NULL },
    END
};

static const key PAGE_KEYS[] = {
    { "size", K_PAGE_SIZE, 0, PAGE_MIN, PAGE_MAX, NULL },
    { "orientation", K_ORIENTATION, 0, 0, 0, NULL },
    { "margins", K_SECTION, 0, 0, 0, MARGIN_KEYS },
    END
};

static const key FONT_KEYS[] = {
    { "body", K_FAMILY, F(body_family), 0, 0, NULL },
    { "heading", K_FAMILY_OPT, F(heading_family), 0, 0, NULL },
    { "mono", K_FAMILY, F(mono_family), 0, 0, NULL },
    { "fallback", K_FAMILY, F(fallback_family), 0, 0, NULL },
    END
};

static const key SIZE_KEYS[] = {
    { "body", K_FONTSIZE, F(body_size), FONT_SIZE_MIN, FONT_SIZE_MAX, NULL },
    { "h1", K_FONTSIZE, F(heading_size[0]), FONT_SIZE_MIN, FONT_SIZE_MAX, NULL },
    { "h2", K_FONTSIZE, F(heading_size[1]), FONT_SIZE_MIN, FONT_SIZE_MAX, NULL },
    { "h3", K_FONTSIZE, F(heading_size[2]), FONT_SIZE_MIN, FONT_SIZE_MAX, NULL },
    { "h4", K_FONTSIZE, F(heading_size[3]), FONT_SIZE_MIN, FONT_SIZE_MAX, NULL },
    { "h5", K_FONTSIZE, F(heading_size[4]), FONT_SIZE_MIN, FONT_SIZE_MAX, NULL },
    { "h6", K_FONTSIZE, F(heading_size[5]), FONT_SIZE_MIN, FONT_SIZE_MAX, NULL },
    { "code", K_FONTSIZE, F(code_size), FONT_SIZE_MIN, FONT_SIZE_MAX, NULL },
    { "small", K_FONTSIZE, F(small_size), FONT_SIZE_MIN, FONT_SIZE_MAX, NULL },
    { "table", K_FONTSIZE, F(table_size), FONT_SIZE_MIN, FONT_SIZE_MAX, NULL },
    END
};

static const key SPACING_KEYS[] = {
    { "heading_before", K_NUMBER, F(heading_space_before), 0, LINES_MAX, NULL },
    { "heading_after", K_NUMBER, F(heading_space_after), 0, LINES_MAX, NULL },
    { "paragraph", K_LENGTH, F(paragraph_space), 0, SPACE_MAX, NULL },
    { "list_indent", K_LENGTH, F(list_indent), 0, SPACE_MAX, NULL },
    { "quote_indent", K_LENGTH, F(quote_indent), 0, SPACE_MAX, NULL },
    { "table_padding", K_LENGTH, F(table_padding), 0, SPACE_MAX, NULL },
    { "rule_width", K_LENGTH, F(rule_width), 0, SPACE_MAX, NULL },
    END
};

static const key COLOUR_KEYS[] = {
    { "text", K_COLOUR, F(text_color), 0, 0, NULL },
    { "heading", K_COLOUR, F(heading_color), 0, 0, NULL },
    { "link", K_COLOUR, F(link_color), 0, 0, NULL },
    { "rule", K_COLOUR, F(rule_color), 0, 0, NULL },
    { "table_header_fill", K_COLOUR, F(table_header_fill), 0, 0, NULL },
    { "table_header_text", K_COLOUR, F(table_header_text), 0, 0, NULL },
    { "quote_bar", K_COLOUR, F(quote_bar_color), 0, 0, NULL },
    { "code_fill", K_COLOUR, F(code_fill), 0, 0, NULL },
    END
};

static const key STATUS_KEYS[] = {
    { "marks", K_BOOL, F(status_marks), 0, 0, NULL },
#define STATUS_KEY(id, code, label) \
    { code, K_COLOUR, F(status_colour[QR_RAG_##id]), 0, 0, NULL },
    QR_RAG_LIST(STATUS_KEY)
#undef STATUS_KEY
    END
};

static const key PARAGRAPH_KEYS[] = {
    { "align", K_ALIGN, F(align), 0, 0, NULL },
    { "breaking", K_BREAKING, F(breaking), 0, 0, NULL },
    { "hyphenate", K_BOOL, F(hyphenate), 0, 0, NULL },
    { "widows", K_INT, F(widows), 1, KEEP_LINES_MAX, NULL },
    { "orphans", K_INT, F(orphans), 1, KEEP_LINES_MAX, NULL },
    END
};

static const key NUMBERING_KEYS[] = {
    { "sections", K_BOOL, F(number_sections), 0, 0, NULL },
    { "paragraphs", K_BOOL, F(number_paragraphs), 0, 0, NULL },
    END
};

static const key HEADER_KEYS[] = {
    { "left", K_FIELD, F(header_left), 0, 0, NULL },
    { "right", K_FIELD, F(header_right), 0, 0, NULL },
    END
};

static const key FOOTER_KEYS[] = {
    { "left", K_FIELD, F(footer_left), 0, 0, NULL },
    { "centre", K_FIELD, F(footer_center), 0, 0, NULL },
    { "center", K_FIELD, F(footer_center), 0, 0, NULL },
    { "right", K_FIELD, F(footer_right), 0, 0, NULL },
    END
};

static const key LOGO_KEYS[] = {
    { "file", K_LOGO_FILE, F(logo), 0, 0, NULL },
    { "width", K_LENGTH, F(logo_width), 1, PAGE_MAX, NULL },
    END
};

static const key TOP_KEYS[] = {
    { "page", K_SECTION, 0, 0, 0, PAGE_KEYS },
    { "fonts", K_SECTION, 0, 0, 0, FONT_KEYS },
    { "sizes", K_SECTION, 0, 0, 0, SIZE_KEYS },
    { "leading", K_NUMBER, F(leading), LEADING_MIN, LEADING_MAX, NULL },
    { "spacing", K_SECTION, 0, 0, 0, SPACING_KEYS },
    { "colours", K_SECTION, 0, 0, 0, COLOUR_KEYS },
    { "colors", K_SECTION, 0, 0, 0, COLOUR_KEYS },
    { "paragraph", K_SECTION, 0, 0, 0, PARAGRAPH_KEYS },
    { "status", K_SECTION, 0, 0, 0, STATUS_KEYS },
    { "numbering", K_SECTION, 0, 0, 0, NUMBERING_KEYS },
    { "header", K_SECTION, 0, 0, 0, HEADER_KEYS },
    { "footer", K_SECTION, 0, 0, 0, FOOTER_KEYS },
    { "logo", K_LOGO, 0, 0, 0, LOGO_KEYS },
    { "lang", K_LANG, F(lang), 0, 0, NULL },
    END
};

#define LENGTH_HINT "expected e.g. \"25mm\", \"2.5cm\", \"1in\" or a number " \
                    "of points"

/* Parses "25mm", "2.5cm", "1in", "12pt" or "12" (points); false when s
 * is none of them. */
static bool parse_length_string(const char *s, float *out)
{
    const char *p = s;
    int digits = 0;
    while (*p >= '0' && *p <= '9') p++, digits++;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') p++, digits++;
    }
    if (!digits) return false;
    double v = strtod(s, NULL);   /* C locale: '.' is the decimal point */
    double per;
    if (*p == '\0' || strcmp(p, "pt") == 0) per = 1.0;
    else if (strcmp(p, "mm") == 0) per = PT_PER_MM;
    else if (strcmp(p, "cm") == 0) per = PT_PER_CM;
    else if (strcmp(p, "in") == 0) per = PT_PER_IN;
    else return false;
    *out = to_points(v, per);
    return true;
}

/* A length value into *out; false after reporting an error. */
static bool get_length(loader *ld, const cJSON *v, float min, float max,
                      float *out)
{
    float pt;
    if (cJSON_IsNumber(v)) {
        pt = (float)v->valuedouble;
    } else if (!cJSON_IsString(v) || !parse_length_string(v->valuestring, &pt)) {
        bad_value(ld, v, "is not a length (%s)", LENGTH_HINT);
        return false;
    }
    if (!(pt >= min && pt <= max)) {
        bad_value(ld, v, "is out of range (expected %g to %g points)",
                  (double)min, (double)max);
        return false;
    }
    *out = pt;
    return true;
}

static bool get_string(loader *ld, const cJSON *v, const char *what,
                      size_t cap, int allow_empty, const char **out)
{
    if (!cJSON_IsString(v)) {
        bad_value(ld, v, "is not a string (expected %s)", what);
        return false;
    }
    size_t n = strlen(v->valuestring);
    if (!allow_empty && n == 0) {
        report(ld, QR_ERROR, "the value must not be empty (expected %s)",
               what);
        return false;
    }
    if (n >= cap) {
        report(ld, QR_ERROR, "the value is too long: %zu bytes, at most %zu",
               n, cap - 1);
        return false;
    }
    *out = v->valuestring;
    return true;
}

static const char *const FIELDS[] = { "page", "pages", "title", "meeting",
                                      "item" };

/* Header/footer text: every {name} must be a known field. */
static bool check_fields(loader *ld, const char *s)
{
    for (const char *p = strchr(s, '{'); p; p = strchr(p + 1, '{')) {
        const char *e = strchr(p, '}');
        size_t n = e ? (size_t)(e - p - 1) : strlen(p + 1);
        bool ok = false;
        for (size_t i = 0; e && i < sizeof FIELDS / sizeof FIELDS[0]; i++)
            if (strlen(FIELDS[i]) == n && strncmp(p + 1, FIELDS[i], n) == 0)
                ok = true;
        if (!ok) {
            report(ld, QR_ERROR,
                   "unknown field '%.*s' (expected {page}, {pages}, "
                   "{title}, {meeting} or {item})",
                   (int)(e ? (size_t)(e - p) + 1 : strlen(p)), p);
            return false;
        }
    }
    return true;
}

static bool check_lang(const char *s)
{
    /* a BCP 47 tag in its simple shape: letters, digits and hyphens */
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '-'))
            return false;
    return true;
}

static void load_section(loader *ld, const cJSON *obj, const key *keys);

static void set_logo_file(loader *ld, const cJSON *v)
{
    const char *f;
    if (!get_string(ld, v, "the path of a PNG or JPEG file", QR_FIELD_MAX, 1,
                    &f))
        return;
    if (f[0] == '\0') {
        set_string(ld->s->logo, sizeof ld->s->logo, "");
        return;
    }
    /* The logo must be a file in the style's directory tree, like a
     * paper's images in the template's: its real path (symlinks followed)
     * is compared with the directory's (image.h). The path kept is the
     * one the style names, under the style's directory, so that the PDF
     * does not depend on where the folder is. */
    char *err = NULL;
    char *real = qr_image_resolve(f, ld->dir, &err);
    char *full = !ld->dir ? qr_xstrdup(f) : qr_xasprintf("%s/%s", ld->dir, f);
    if (!real) {
        report(ld, QR_ERROR, "logo: %s (a relative path is relative to the "
               "style file)", err);
    } else if (strlen(full) >= QR_FIELD_MAX) {
        report(ld, QR_ERROR, "the path '%s' is too long (at most %d bytes)",
               full, QR_FIELD_MAX - 1);
    } else {
        set_string(ld->s->logo, sizeof ld->s->logo, full);
    }
    free(full);
    free(err);
    free(real);
}

/* One side of a [width, height] page size, at its own pointer. */
static bool get_side(loader *ld, const cJSON *v, int index, const key *k,
                    float *out)
{
    size_t mark = qr_jptr_push_index(&ld->ptr, index);
    bool ok = get_length(ld, cJSON_GetArrayItem(v, index), k->min, k->max,
                         out);
    qr_jptr_pop(&ld->ptr, mark);
    return ok;
}

static void set_page_size(loader *ld, const cJSON *v, const key *k)
{
    qr_style *s = ld->s;
    if (cJSON_IsString(v)) {
        for (size_t i = 0; i < sizeof PAGE_SIZES / sizeof PAGE_SIZES[0]; i++)
            if (strcasecmp(v->valuestring, PAGE_SIZES[i].name) == 0) {
                s->page_width = PAGE_SIZES[i].w;
                s->page_height = PAGE_SIZES[i].h;
                return;
            }
    } else if (cJSON_IsArray(v) && cJSON_GetArraySize(v) == 2) {
        float w, h;
        /* both sides are checked, so both errors are reported */
        bool w_ok = get_side(ld, v, 0, k, &w);
        bool h_ok = get_side(ld, v, 1, k, &h);
        if (w_ok && h_ok) {
            s->page_width = w;
            s->page_height = h;
        }
        return;
    }
    bad_value(ld, v, "is not a page size (expected \"A4\", \"A3\", \"A5\", "
              "\"Letter\", \"Legal\" or [width, height], e.g. [\"210mm\", "
              "\"297mm\"])");
}

static void load_value(loader *ld, const cJSON *v, const key *k)
{
    char *base = (char *)ld->s;
    const char *str;
    switch (k->kind) {
    case K_SECTION:
        load_section(ld, v, k->sub);
        break;
    case K_LOGO:
        if (cJSON_IsString(v)) set_logo_file(ld, v);
        else load_section(ld, v, k->sub);
        break;
    case K_LOGO_FILE:
        set_logo_file(ld, v);
        break;
    case K_LENGTH:
    case K_FONTSIZE:
        get_length(ld, v, k->min, k->max, (float *)(base + k->off));
        break;
    case K_NUMBER:
        if (!cJSON_IsNumber(v) ||
            !(v->valuedouble >= k->min && v->valuedouble <= k->max))
            bad_value(ld, v, "is not a number from %g to %g",
                      (double)k->min, (double)k->max);
        else
            *(float *)(base + k->off) = (float)v->valuedouble;
        break;
    case K_INT:
        /* the range first: casting an out-of-range double to int is UB */
        if (!cJSON_IsNumber(v) ||
            !(v->valuedouble >= k->min && v->valuedouble <= k->max) ||
            v->valuedouble != (double)(int)v->valuedouble)
            bad_value(ld, v, "is not a whole number from %g to %g",
                      (double)k->min, (double)k->max);
        else
            *(int *)(base + k->off) = (int)v->valuedouble;
        break;
    case K_BOOL:
        if (!cJSON_IsBool(v))
            bad_value(ld, v, "is not true or false");
        else
            *(int *)(base + k->off) = cJSON_IsTrue(v) ? 1 : 0;
        break;
    case K_COLOUR: {
        qr_rgb c;
        if (!cJSON_IsString(v) || !parse_colour(v->valuestring, &c))
            bad_value(ld, v, "is not a colour (expected \"#rrggbb\", e.g. "
                      "\"#1d70b8\")");
        else
            *(qr_rgb *)(base + k->off) = c;
        break;
    }
    case K_FAMILY:
    case K_FAMILY_OPT:
        if (get_string(ld, v, "a font family name such as \"Arial\"",
                       QR_FAMILY_MAX, k->kind == K_FAMILY_OPT, &str))
            set_string(base + k->off, QR_FAMILY_MAX, str);
        break;
    case K_FIELD:
        if (get_string(ld, v, "text such as \"Page {page} of {pages}\"",
                       QR_FIELD_MAX, 1, &str) &&
            check_fields(ld, str))
            set_string(base + k->off, QR_FIELD_MAX, str);
        break;
    case K_ALIGN:
        if (cJSON_IsString(v) && strcmp(v->valuestring, "left") == 0)
            ld->s->align = QR_ALIGN_LEFT;
        else if (cJSON_IsString(v) && strcmp(v->valuestring, "justify") == 0)
            ld->s->align = QR_ALIGN_JUSTIFY;
        else
            bad_value(ld, v, "is not an alignment (expected \"left\" or "
                      "\"justify\")");
        break;
    case K_BREAKING:
        if (cJSON_IsString(v) && strcmp(v->valuestring, "total-fit") == 0)
            ld->s->breaking = QR_BREAK_TOTAL_FIT;
        else if (cJSON_IsString(v) && strcmp(v->valuestring, "greedy") == 0)
            ld->s->breaking = QR_BREAK_GREEDY;
        else
            bad_value(ld, v, "is not a line-breaking method (expected "
                      "\"total-fit\" or \"greedy\")");
        break;
    case K_PAGE_SIZE:
        set_page_size(ld, v, k);
        break;
    case K_ORIENTATION:
        /* applied after the whole page section, see load_section */
        if (!cJSON_IsString(v) || (strcmp(v->valuestring, "portrait") != 0 &&
                                   strcmp(v->valuestring, "landscape") != 0))
            bad_value(ld, v, "is not an orientation (expected \"portrait\" "
                      "or \"landscape\")");
        break;
    case K_LANG:
        if (get_string(ld, v, "a language tag such as \"en-GB\"",
                       sizeof ld->s->lang, 0, &str)) {
            if (!check_lang(str))
                bad_value(ld, v, "is not a language tag (expected e.g. "
                          "\"en-GB\" or \"cy\")");
            else
                set_string(ld->s->lang, sizeof ld->s->lang, str);
        }
        break;
    }
}

/* An unknown key is a warning at its value, naming a near miss. */
static void unknown_key(loader *ld, const char *name, const key *keys)
{
    qr_buf known;
    qr_buf_init(&known);
    const char *hint = NULL;
    int hint_rank = 0;
    for (const key *q = keys; q->name; q++) {
        qr_buf_printf(&known, "%s%s", q == keys ? "" : ", ", q->name);
        /* ranked as qr_did_you_mean ranks: case-only first */
        int r = qr_near_miss(name, q->name);
        if (r && (!hint || r < hint_rank)) {
            hint = q->name;
            hint_rank = r;
        }
    }
    if (hint)
        report(ld, QR_WARNING, "unknown key '%s' is ignored: did you mean "
               "'%s'? (known here: %s)", name, hint, known.data);
    else
        report(ld, QR_WARNING, "unknown key '%s' is ignored (known here: %s)",
               name, known.data);
    qr_buf_free(&known);
}

static void load_section(loader *ld, const cJSON *obj, const key *keys)
{
    if (!cJSON_IsObject(obj)) {
        bad_value(ld, obj, "is not an object of keys");
        return;
    }
    const cJSON *orientation = NULL;
    size_t unknown = 0;
    for (const cJSON *m = obj->child; m; m = m->next) {
        const key *k = keys;
        while (k->name && strcmp(k->name, m->string) != 0) k++;
        if (!k->name && ++unknown > QR_UNKNOWN_KEYS_SHOWN) continue;
        size_t mark = qr_jptr_push_key(&ld->ptr, m->string);
        if (!k->name) {
            unknown_key(ld, m->string, keys);
        } else {
            load_value(ld, m, k);
            if (k->kind == K_ORIENTATION) orientation = m;
        }
        qr_jptr_pop(&ld->ptr, mark);
    }
    if (unknown > QR_UNKNOWN_KEYS_SHOWN)
        report(ld, QR_WARNING, "%zu more unknown keys are ignored (not shown)",
               unknown - QR_UNKNOWN_KEYS_SHOWN);
    if (orientation && cJSON_IsString(orientation)) {
        /* after "size", whatever order the keys came in */
        qr_style *s = ld->s;
        int landscape = strcmp(orientation->valuestring, "landscape") == 0;
        if (landscape != (s->page_width > s->page_height)) {
            float w = s->page_width;
            s->page_width = s->page_height;
            s->page_height = w;
        }
    }
}

/* Checks that need the whole style: the text area must exist. The error
 * is at the margins when the file sets them, else at the page. */
static void check_page(loader *ld)
{
    const qr_style *s = ld->s;
    int line, col;
    const char *at = qr_data_locate(ld->data, "/page/margins", &line, &col)
                         ? "/page/margins" : "/page";
    qr_buf_puts(&ld->ptr, at);
    if (s->margin_left + s->margin_right + PAGE_MIN > s->page_width)
        report(ld, QR_ERROR, "left and right margins leave less than 1 inch "
               "of a %g-point-wide page", (double)s->page_width);
    if (s->margin_top + s->margin_bottom + PAGE_MIN > s->page_height)
        report(ld, QR_ERROR, "top and bottom margins leave less than 1 inch "
               "of a %g-point-high page", (double)s->page_height);
    qr_jptr_pop(&ld->ptr, 0);
}

bool qr_style_load(const char *path, qr_style *s, qr_diags *d)
{
    size_t len = 0;
    char *text = qr_input_read(path, QR_IN_STYLE, &len, STYLE_MAX_BYTES);
    if (!text) {
        if (errno == EFBIG)
            qr_diag_add(d, QR_ERROR, path, 0, 0, NULL, NULL,
                        "style file is larger than %u MiB",
                        STYLE_MAX_BYTES / (1024u * 1024u));
        else
            qr_diag_add(d, QR_ERROR, path, 0, 0, NULL, NULL,
                        "cannot read style file: %s", qr_input_strerror(errno));
        return false;
    }
    /* UTF-8, syntax, a top-level object, repeated keys: as for data */
    qr_data *data = qr_data_adopt(text, len, path, d);
    if (!data) return false;

    qr_style work = *s;    /* committed only if the whole file is good */
    loader ld;
    memset(&ld, 0, sizeof ld);
    ld.data = data;
    ld.d = d;
    ld.s = &work;
    qr_buf_init(&ld.ptr);
    const char *slash = strrchr(path, '/');
    if (slash) ld.dir = qr_xstrndup(path, slash == path ? 1 : (size_t)(slash - path));

    load_section(&ld, qr_data_root(data), TOP_KEYS);
    if (!ld.errors) check_page(&ld);
    if (!ld.errors) *s = work;

    bool ok = !ld.errors;
    qr_buf_free(&ld.ptr);
    free(ld.dir);
    qr_data_free(data);
    return ok;
}
