/* vocab.h — the domain vocabulary, one table per concept.
 *
 * Every code a data file may use for a paper kind, an inspection type, a
 * judgement area, a grade, an action's RAG status, a direction of travel or
 * a KPI's polarity is spelled here once, beside the words a paper prints
 * for it. Validation (is the code known?), derivation (its label), charts
 * and tables (its colour) and styles (its colour key) all look codes up in
 * these tables, so a label reworded here changes every place at once and a
 * status colour can never fall out of step with the status it marks.
 *
 * Failure: Lookups return an index, or -1 when there is no such code;
 * nothing here fails.
 */
#ifndef QUIRE_VOCAB_H
#define QUIRE_VOCAB_H

#include <stdbool.h>
#include <stddef.h>

typedef struct qr_term {
    const char *code;    /* as written in data: "requires_improvement" */
    const char *label;   /* as printed: "Requires improvement to be good" */
} qr_term;

typedef struct qr_vocab {
    const char *what;        /* for messages: "a grade" */
    const qr_term *terms;
    int n;
} qr_vocab;

/* RAG statuses in rank order: direction of travel compares these indexes
 * (a move down the list is an improvement). X(ID, code, label): the one
 * list from which the status table, the qr_rag enum and the house style's
 * status colour keys are all made. */
#define QR_RAG_LIST(X)                        \
    X(NOT_STARTED, "not_started", "Not started") \
    X(RED, "red", "Red")                      \
    X(AMBER, "amber", "Amber")                \
    X(GREEN, "green", "Green")                \
    X(COMPLETE, "complete", "Complete")

#define QR_RAG_ENUM_(id, code, label) QR_RAG_##id,
typedef enum qr_rag { QR_RAG_LIST(QR_RAG_ENUM_) QR_RAG_COUNT } qr_rag;
#undef QR_RAG_ENUM_

/* Directions of travel of an action since the last report. Index into
 * qr_vocab_direction. "New" is an action added since the last report (the
 * data says so); "not reported before" is one with no status at the last
 * report, which is not the same thing: a plan's first report, or an older
 * action the last report left out. */
typedef enum qr_direction {
    QR_DIR_IMPROVED,
    QR_DIR_DETERIORATED,
    QR_DIR_UNCHANGED,
    QR_DIR_NEW,
    QR_DIR_NOT_REPORTED,
    QR_DIR_COUNT
} qr_direction;

/* KPI polarity, and a KPI's trend over its last two values. Indexes into
 * qr_vocab_polarity and qr_vocab_trend. */
typedef enum qr_polarity { QR_HIGHER_IS_BETTER, QR_LOWER_IS_BETTER } qr_polarity;
typedef enum qr_trend { QR_TREND_IMPROVING, QR_TREND_WORSENING, QR_TREND_STABLE } qr_trend;

/* What a KPI's "2024/25" periods mean: a financial year from April, or an
 * academic year from September. Index into qr_vocab_year. */
typedef enum qr_year { QR_YEAR_FINANCIAL, QR_YEAR_ACADEMIC } qr_year;

/* What a RAG policy counts (action_plan.rag_policy.count). Index into
 * qr_vocab_rag_count; the labels head the summary table's column. */
typedef enum qr_rag_count { QR_COUNT_ACTIONS, QR_COUNT_RECOMMENDATIONS } qr_rag_count;

/* Judgement areas; the first is the inspection's overall grade. Index
 * into qr_vocab_area. One code names one area in every framework that
 * judges it ("leadership" is ILACS's impact of leaders, SIF's leadership,
 * management and governance); each framework words it its own way. */
typedef enum qr_area {
    QR_AREA_OVERALL,
    QR_AREA_HELP_AND_PROTECTION,
    QR_AREA_CHILDREN_IN_CARE,
    QR_AREA_CARE_LEAVERS,
    QR_AREA_LEADERSHIP,
    QR_AREA_ADOPTION,
    QR_AREA_QUALITY_OF_PRACTICE,
    QR_AREA_COUNT
} qr_area;

/* Ofsted's grades across its frameworks, best first. Index into
 * qr_vocab_grade; which a framework uses, and its wording, is in
 * qr_frameworks. */
typedef enum qr_grade {
    QR_GRADE_OUTSTANDING,
    QR_GRADE_GOOD,
    QR_GRADE_REQUIRES_IMPROVEMENT,
    QR_GRADE_ADEQUATE,
    QR_GRADE_INADEQUATE,
    QR_GRADE_COUNT
} qr_grade;

/* Inspection types: Ofsted's frameworks for local authority children's
 * services, and "other" for one Quire does not know, which the data
 * describes itself (inspection.framework). Index into qr_vocab_inspection
 * and qr_frameworks. */
typedef enum qr_inspection {
    QR_INSP_ILACS,
    QR_INSP_MONITORING_VISIT,
    QR_INSP_FOCUSED_VISIT,
    QR_INSP_JTAI,
    QR_INSP_SIF,
    QR_INSP_PROTECTION_OF_CHILDREN,
    QR_INSP_SAFEGUARDING_LAC,
    QR_INSP_OTHER,
    QR_INSP_COUNT
} qr_inspection;

/* What an inspection framework judges and how Ofsted words it. The
 * framework's name is its qr_vocab_inspection label. */
typedef struct qr_framework {
    const char *years;                      /* in force, "2018 to date"; NULL
                                               when not recorded */
    const char *area[QR_AREA_COUNT];        /* its wording of each area it
                                               judges; NULL: not judged */
    const char *grade[QR_GRADE_COUNT];      /* its wording of each grade it
                                               gives; NULL: not its grade */
    int open_areas; /* areas are named by the data, as the report words
                       them: the framework's own list is not recorded */
} qr_framework;

extern const qr_framework qr_frameworks[QR_INSP_COUNT];

/* Whether a framework gives grades at all (visits do not). */
bool qr_framework_graded(const qr_framework *f);
/* The message for a value that is not one of `codes` (n of them, NULL
 * entries skipped): "'Adequate' is not a grade of <where>: did you mean
 * 'adequate'? (expected one of: …)", the hint as for qr_vocab_unknown.
 * `what` is "a grade"; `where` may be NULL. Caller frees. */
char *qr_unknown_in(const char *value, const char *what, const char *where,
                    const char *const *codes, int n);
/* The same for a framework's grades (areas = 0) or areas (areas = 1),
 * naming the framework by its type code. Caller frees. */
char *qr_framework_unknown(int type, int areas, const char *value);

extern const qr_vocab qr_vocab_kind;        /* paper kinds */
extern const qr_vocab qr_vocab_inspection;  /* qr_inspection order */
extern const qr_vocab qr_vocab_area;        /* qr_area order */
extern const qr_vocab qr_vocab_grade;       /* qr_grade order */
extern const qr_vocab qr_vocab_status;      /* RAG statuses, qr_rag order */
extern const qr_vocab qr_vocab_direction;   /* qr_direction order */
extern const qr_vocab qr_vocab_polarity;    /* qr_polarity order */
extern const qr_vocab qr_vocab_trend;       /* qr_trend order */
extern const qr_vocab qr_vocab_year;        /* qr_year order */
extern const qr_vocab qr_vocab_rag_count;   /* qr_rag_count order */

/* The index of a code (s[0..n) when n is given, else NUL-terminated), or
 * -1 when the vocabulary has no such code. */
int qr_vocab_find(const qr_vocab *v, const char *code);
int qr_vocab_find_n(const qr_vocab *v, const char *s, size_t n);
/* The index of the term printed as `label`, or -1. */
int qr_vocab_find_label(const qr_vocab *v, const char *label);
/* "a, b, c": every code, for "expected one of" messages. Caller frees. */
char *qr_vocab_codes(const qr_vocab *v);
/* The message for a value that is no code: "'Green' is not a status: did
 * you mean 'green'? (expected one of: …)", the hint when a code is the
 * same word in another case or one edit away (qr_near_miss). Caller
 * frees. */
char *qr_vocab_unknown(const qr_vocab *v, const char *value);

#endif
