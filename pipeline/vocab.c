/* vocab.c — the domain vocabulary's tables (vocab.h). Labels are Ofsted's
 * and GOV.UK's own wording; the order of each table is part of its meaning
 * where vocab.h says so (RAG rank, direction). */
#include "quire/vocab.h"

#include "quire/util.h"

#include <stdlib.h>
#include <string.h>

#define RSQUO "\xE2\x80\x99" /* ’ U+2019, the typographic apostrophe */
#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const qr_term KIND[] = {
    {"cabinet", "Cabinet report"},
    {"panel", "Panel report"},
    {"scrutiny", "Scrutiny report"},
    {"progress", "Progress report"},
    {"committee", "Committee report"},
};

static const qr_term INSPECTION[] = {
    {"ILACS", "Inspection of local authority children" RSQUO
              "s services (ILACS)"},
    {"monitoring_visit", "Monitoring visit"},
    {"focused_visit", "Focused visit"},
    {"JTAI", "Joint targeted area inspection"},
    /* the single inspection framework, 2013-2017, before ILACS */
    {"SIF", "Inspection of services for children in need of help and "
            "protection, children looked after and care leavers (SIF)"},
};

static const qr_term AREA[QR_AREA_COUNT] = {
    [QR_AREA_OVERALL] = {"overall_effectiveness", "Overall effectiveness"},
    [QR_AREA_HELP_AND_PROTECTION] = {"help_and_protection",
        "The experiences and progress of children who need help and "
        "protection"},
    [QR_AREA_CHILDREN_IN_CARE] = {"children_in_care",
        "The experiences and progress of children in care"},
    [QR_AREA_CARE_LEAVERS] = {"care_leavers",
        "The experiences and progress of care leavers"},
    [QR_AREA_LEADERSHIP] = {"leadership",
        "The impact of leaders on social work practice with children and "
        "families"},
};

static const qr_term GRADE[] = {
    {"outstanding", "Outstanding"},
    {"good", "Good"},
    {"requires_improvement", "Requires improvement to be good"},
    {"inadequate", "Inadequate"},
};

#define TERM(id, code, label) [QR_RAG_##id] = {code, label},
static const qr_term STATUS[QR_RAG_COUNT] = {QR_RAG_LIST(TERM)};
#undef TERM

static const qr_term DIRECTION[QR_DIR_COUNT] = {
    [QR_DIR_IMPROVED] = {"improved", "Improved"},
    [QR_DIR_DETERIORATED] = {"deteriorated", "Deteriorated"},
    [QR_DIR_UNCHANGED] = {"unchanged", "No change"},
    [QR_DIR_NEW] = {"new", "New"},
    [QR_DIR_NOT_REPORTED] = {"not_reported", "Not reported before"},
};

static const qr_term POLARITY[] = {
    [QR_HIGHER_IS_BETTER] = {"higher_is_better", "Higher is better"},
    [QR_LOWER_IS_BETTER] = {"lower_is_better", "Lower is better"},
};

static const qr_term YEAR[] = {
    [QR_YEAR_FINANCIAL] = {"financial", "Financial year"},
    [QR_YEAR_ACADEMIC] = {"academic", "Academic year"},
};

static const qr_term RAG_COUNT[] = {
    [QR_COUNT_ACTIONS] = {"actions", "Actions"},
    [QR_COUNT_RECOMMENDATIONS] = {"recommendations", "Recommendations"},
};

static const qr_term TREND[] = {
    [QR_TREND_IMPROVING] = {"improving", "Improving"},
    [QR_TREND_WORSENING] = {"worsening", "Worsening"},
    [QR_TREND_STABLE] = {"stable", "Stable"},
};

const qr_vocab qr_vocab_kind = {"a paper kind", KIND, N(KIND)};
const qr_vocab qr_vocab_inspection = {"an inspection type", INSPECTION,
                                      N(INSPECTION)};
const qr_vocab qr_vocab_area = {"a judgement area", AREA, N(AREA)};
const qr_vocab qr_vocab_grade = {"a grade", GRADE, N(GRADE)};
const qr_vocab qr_vocab_status = {"a status", STATUS, N(STATUS)};
const qr_vocab qr_vocab_direction = {"a direction", DIRECTION, N(DIRECTION)};
const qr_vocab qr_vocab_polarity = {"a polarity", POLARITY, N(POLARITY)};
const qr_vocab qr_vocab_trend = {"a trend", TREND, N(TREND)};
const qr_vocab qr_vocab_year = {"a kind of year", YEAR, N(YEAR)};
const qr_vocab qr_vocab_rag_count = {"a thing to count", RAG_COUNT,
                                     N(RAG_COUNT)};

int qr_vocab_find_n(const qr_vocab *v, const char *s, size_t n)
{
    for (int i = 0; i < v->n; i++)
        if (strlen(v->terms[i].code) == n &&
            memcmp(v->terms[i].code, s, n) == 0)
            return i;
    return -1;
}

int qr_vocab_find(const qr_vocab *v, const char *code)
{
    return code ? qr_vocab_find_n(v, code, strlen(code)) : -1;
}

int qr_vocab_find_label(const qr_vocab *v, const char *label)
{
    for (int i = 0; label && i < v->n; i++)
        if (strcmp(v->terms[i].label, label) == 0) return i;
    return -1;
}

char *qr_vocab_unknown(const qr_vocab *v, const char *value)
{
    const char *best = NULL;
    int rank = 0;
    for (int i = 0; i < v->n; i++) {
        int r = qr_near_miss(value, v->terms[i].code);
        if (r && (!best || r < rank)) {
            best = v->terms[i].code;
            rank = r;
        }
    }
    char *codes = qr_vocab_codes(v);
    char *msg = best ? qr_xasprintf("'%s' is not %s: did you mean '%s'? "
                                    "(expected one of: %s)",
                                    value, v->what, best, codes)
                     : qr_xasprintf("'%s' is not %s (expected one of: %s)",
                                    value, v->what, codes);
    free(codes);
    return msg;
}

char *qr_vocab_codes(const qr_vocab *v)
{
    qr_buf b;
    qr_buf_init(&b);
    for (int i = 0; i < v->n; i++) {
        if (i) qr_buf_puts(&b, ", ");
        qr_buf_puts(&b, v->terms[i].code);
    }
    return qr_buf_detach(&b, NULL);
}
