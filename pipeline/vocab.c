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

/* Ofsted's names of its inspections of local authority children's
 * services. Their judgements and grades are in FRAMEWORK below; the
 * sources of the wording are listed in docs/data.md, "Inspection
 * frameworks". */
static const qr_term INSPECTION[QR_INSP_COUNT] = {
    [QR_INSP_ILACS] = {"ILACS", "Inspection of local authority children"
                                RSQUO "s services (ILACS)"},
    [QR_INSP_MONITORING_VISIT] = {"monitoring_visit", "Monitoring visit"},
    [QR_INSP_FOCUSED_VISIT] = {"focused_visit", "Focused visit"},
    [QR_INSP_JTAI] = {"JTAI", "Joint targeted area inspection"},
    [QR_INSP_SIF] = {"SIF", "Inspection of services for children in need "
                            "of help and protection, children looked after "
                            "and care leavers (SIF)"},
    [QR_INSP_PROTECTION_OF_CHILDREN] = {"protection_of_children",
        "Inspection of local authority arrangements for the protection of "
        "children"},
    [QR_INSP_SAFEGUARDING_LAC] = {"safeguarding_lac",
        "Inspection of safeguarding and looked after children services"},
    /* named by the data's inspection.framework.name */
    [QR_INSP_OTHER] = {"other", "Another inspection framework"},
};

/* Area and grade codes: what each means across frameworks. The words a
 * paper prints are each framework's own, in FRAMEWORK. */
static const qr_term AREA[QR_AREA_COUNT] = {
    [QR_AREA_OVERALL] = {"overall_effectiveness", "overall effectiveness"},
    [QR_AREA_HELP_AND_PROTECTION] = {"help_and_protection",
                                     "children who need help and protection"},
    [QR_AREA_CHILDREN_IN_CARE] = {"children_in_care",
                                  "children in care (looked after)"},
    [QR_AREA_CARE_LEAVERS] = {"care_leavers", "care leavers"},
    [QR_AREA_LEADERSHIP] = {"leadership", "leadership"},
    [QR_AREA_ADOPTION] = {"adoption", "adoption performance"},
    [QR_AREA_QUALITY_OF_PRACTICE] = {"quality_of_practice",
                                     "quality of practice"},
};

static const qr_term GRADE[QR_GRADE_COUNT] = {
    [QR_GRADE_OUTSTANDING] = {"outstanding", "outstanding"},
    [QR_GRADE_GOOD] = {"good", "good"},
    [QR_GRADE_REQUIRES_IMPROVEMENT] = {"requires_improvement",
                                       "requires improvement"},
    [QR_GRADE_ADEQUATE] = {"adequate", "adequate"},
    [QR_GRADE_INADEQUATE] = {"inadequate", "inadequate"},
};

/* Each framework's judgement areas and grades in Ofsted's words, as its
 * reports print them. Visits and joint targeted area inspections are not
 * graded. The 2009 framework graded many items under safeguarding and
 * looked after children; their list is not recorded here, so a paper
 * names them as its report does (open_areas). */
#define FOUR_POINT_2009 /* the 2009 and 2012 frameworks' scale */ \
    {[QR_GRADE_OUTSTANDING] = "Outstanding", [QR_GRADE_GOOD] = "Good", \
     [QR_GRADE_ADEQUATE] = "Adequate", [QR_GRADE_INADEQUATE] = "Inadequate"}
const qr_framework qr_frameworks[QR_INSP_COUNT] = {
    [QR_INSP_ILACS] = {
        "2018 to date",
        {[QR_AREA_OVERALL] = "Overall effectiveness",
         [QR_AREA_HELP_AND_PROTECTION] = "The experiences and progress of "
             "children who need help and protection",
         [QR_AREA_CHILDREN_IN_CARE] = "The experiences and progress of "
             "children in care",
         [QR_AREA_CARE_LEAVERS] = "The experiences and progress of care "
             "leavers",
         [QR_AREA_LEADERSHIP] = "The impact of leaders on social work "
             "practice with children and families"},
        {[QR_GRADE_OUTSTANDING] = "Outstanding", [QR_GRADE_GOOD] = "Good",
         [QR_GRADE_REQUIRES_IMPROVEMENT] = "Requires improvement to be good",
         [QR_GRADE_INADEQUATE] = "Inadequate"},
        0},
    [QR_INSP_SIF] = {
        "2013 to 2018",
        /* adoption and care leavers are graded within children looked
         * after, as 2.1 and 2.2 of Ofsted's table */
        {[QR_AREA_OVERALL] = "Overall effectiveness",
         [QR_AREA_HELP_AND_PROTECTION] = "Children who need help and "
             "protection",
         [QR_AREA_CHILDREN_IN_CARE] = "Children looked after and achieving "
             "permanence",
         [QR_AREA_ADOPTION] = "Adoption performance",
         [QR_AREA_CARE_LEAVERS] = "Experiences and progress of care leavers",
         [QR_AREA_LEADERSHIP] = "Leadership, management and governance"},
        {[QR_GRADE_OUTSTANDING] = "Outstanding", [QR_GRADE_GOOD] = "Good",
         [QR_GRADE_REQUIRES_IMPROVEMENT] = "Requires improvement",
         [QR_GRADE_INADEQUATE] = "Inadequate"},
        0},
    [QR_INSP_PROTECTION_OF_CHILDREN] = {
        "2012 to 2013",
        {[QR_AREA_OVERALL] = "Overall effectiveness",
         [QR_AREA_HELP_AND_PROTECTION] = "The effectiveness of help and "
             "protection to children, young people, families and carers",
         [QR_AREA_QUALITY_OF_PRACTICE] = "Quality of practice",
         [QR_AREA_LEADERSHIP] = "Leadership and governance"},
        FOUR_POINT_2009,
        0},
    [QR_INSP_SAFEGUARDING_LAC] = {"2009 to 2012", {0}, FOUR_POINT_2009, 1},
};
#undef FOUR_POINT_2009

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

char *qr_unknown_in(const char *value, const char *what, const char *where,
                    const char *const *codes, int n)
{
    const char **live = qr_xmalloc((size_t)(n ? n : 1) * sizeof *live);
    int k = 0;
    for (int i = 0; i < n; i++)
        if (codes[i]) live[k++] = codes[i];
    const char *best = qr_did_you_mean(value, live, (size_t)k);
    qr_buf list;
    qr_buf_init(&list);
    for (int i = 0; i < k; i++) {
        if (i) qr_buf_puts(&list, ", ");
        qr_buf_puts(&list, live[i]);
    }
    char *of = where ? qr_xasprintf(" of %s", where) : qr_xstrdup("");
    char *hint = best ? qr_xasprintf(": did you mean '%s'?", best)
                      : qr_xstrdup("");
    char *msg = qr_xasprintf("'%s' is not %s%s%s (expected one of: %s)",
                             value, what, of, hint,
                             list.data ? list.data : "none");
    free(hint);
    free(of);
    qr_buf_free(&list);
    free(live);
    return msg;
}

char *qr_vocab_unknown(const qr_vocab *v, const char *value)
{
    const char **codes = qr_xmalloc((size_t)(v->n ? v->n : 1) *
                                    sizeof *codes);
    for (int i = 0; i < v->n; i++) codes[i] = v->terms[i].code;
    char *msg = qr_unknown_in(value, v->what, NULL, codes, v->n);
    free(codes);
    return msg;
}

bool qr_framework_graded(const qr_framework *f)
{
    for (int g = 0; g < QR_GRADE_COUNT; g++)
        if (f->grade[g]) return true;
    return false;
}

char *qr_framework_unknown(int type, int areas, const char *value)
{
    const qr_framework *f = &qr_frameworks[type];
    const char *codes[(int)QR_AREA_COUNT + (int)QR_GRADE_COUNT];
    int n = areas ? QR_AREA_COUNT : QR_GRADE_COUNT;
    for (int i = 0; i < n; i++)
        codes[i] = (areas ? f->area[i] : f->grade[i])
                       ? (areas ? AREA[i].code : GRADE[i].code)
                       : NULL;
    char *where = qr_xasprintf("the %s framework", INSPECTION[type].code);
    char *msg = qr_unknown_in(value, areas ? "a judgement area" : "a grade",
                              where, codes, n);
    free(where);
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
