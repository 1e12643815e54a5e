/* derive.h — the derive stage: computed fields added to the data before
 * expansion, so that templates stay logic-less (docs/data.md, "Derived
 * fields").
 *
 * Derived names are documented in README.md ("Derived fields"). In short:
 *   - every string member "K" holding an ISO date gets "K_long"
 *     ("2018-06-21" -> "21 June 2018");
 *   - an array of ISO dates "K" gets "K_long", a GOV.UK range
 *     ("29 to 30 March 2022", "31 July to 1 August 2018");
 *   - judgement objects get "grade_label" (Ofsted's exact wording) and
 *     "area_label";
 *   - action_plan gets "rag" counts/percentages, actions get "status_label",
 *     "overdue" (against as_at), "direction" from previous_status;
 *   - numbers get "K_text" with thousands separators.
 * Formatting is done by hand: only the C locale exists.
 *
 * Failure: qr_derive_run returns false after adding errors. The formatters
 * and parsers below return false, adding nothing, for a value that is no
 * date or period: the caller decides whether that is an error.
 */
#ifndef QUIRE_DERIVE_H
#define QUIRE_DERIVE_H

#include <stddef.h>
#include "quire/load.h"

/* Add derived fields to data in place. Invalid dates and unknown enum values
 * are errors naming the JSON path and file:line:col. Returns false when any
 * error was added. */
bool qr_derive_run(qr_data *data, qr_diags *d);

/* "2018-06-21" -> "21 June 2018". Returns false (and out = "") when iso is
 * not a valid calendar date YYYY-MM-DD. */
bool qr_format_date_long(const char *iso, char *out, size_t n);

/* A GOV.UK date range for sorted ISO dates: "29 to 30 March 2022",
 * "31 July to 1 August 2018", "30 December 2021 to 2 January 2022"; a single
 * date as qr_format_date_long. Returns false if any date is invalid. */
bool qr_format_date_range(const char *first, const char *last, char *out,
                          size_t n);

/* Parse "YYYY-MM-DD" as a real calendar date (leap years honoured).
 * Returns true and sets *y, *m, *d (any may be NULL), or false when
 * invalid. */
bool qr_iso_date(const char *iso, int *y, int *m, int *d);

/* Days from 1970-01-01 to a valid ISO date (negative before 1970). Returns
 * true and sets *days, or false when iso is not a valid date. */
bool qr_iso_days(const char *iso, long long *days);

/* A reporting period: a month "2025-06", a calendar quarter "2025-Q2", or
 * a year "2024/25" (a financial year from April, or an academic year from
 * September). y and m give its first month. */
typedef enum qr_period_kind {
    QR_PERIOD_MONTH,
    QR_PERIOD_QUARTER,
    QR_PERIOD_YEAR
} qr_period_kind;

typedef struct qr_period {
    qr_period_kind kind;
    int y, m;
    int months;        /* its length: 1, 3 or 12 */
} qr_period;

/* The forms, for messages. */
#define QR_PERIOD_FORMS "a month YYYY-MM, a quarter YYYY-Qn or a year " \
                        "YYYY/YY, e.g. 2026-10, 2026-Q3, 2025/26"

/* Parse a period; returns true and fills *p, or false when s is none of the
 * forms (a year's second half must follow its first: "2024/25"). */
bool qr_period_parse(const char *s, int academic, qr_period *p);
/* Months from the start of year 0 to the period's first month: periods
 * order and space by it. */
long qr_period_index(const qr_period *p);
/* GOV.UK labels: "June 2025" / "June 25"; "April to June 2025" /
 * "Q2 2025"; "financial year 2024 to 2025" / "2024/25". */
void qr_period_labels(const qr_period *p, int academic, char *lng, size_t nl,
                      char *shrt, size_t ns);

/* A number (as text) with its unit as GOV.UK writes it, appended to b:
 * "90%" (an ASCII symbol closes up), "£2.4m" (for unit "£m": the pound
 * sign goes before), "21 children" (a word follows a space). The one rule
 * for derived fields and chart labels alike. */
struct qr_buf;
void qr_format_with_unit(struct qr_buf *b, const char *number,
                         const char *unit);

/* What a paper prints for an owner or a date the data does not give:
 * never an invented value, never a blank cell. */
#define QR_NOT_SET "Not set"

/* 1234567.5 -> "1,234,567.5" (integers print without decimals). */
void qr_format_number(double v, char *out, size_t n);

#endif
