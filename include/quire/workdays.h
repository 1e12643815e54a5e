/* workdays.h — working-day arithmetic for call-in periods: a date plus N
 * clear working days, skipping Saturdays, Sundays and bank holidays.
 *
 * Days are counted from 1970-01-01 (qr_iso_days). The holidays come from a
 * table Quire ships (templates/bank-holidays-england-wales.json) plus any
 * the meeting file adds, so a one-off bank holiday needs no new release.
 *
 * Failure: qr_holidays_load returns false after adding errors; the day
 * arithmetic cannot fail and qr_is_holiday, qr_is_working_day are
 * questions.
 */
#ifndef QUIRE_WORKDAYS_H
#define QUIRE_WORKDAYS_H

#include <stdbool.h>
#include <stddef.h>
#include "quire/diag.h"

typedef struct qr_holidays {
    long long *days;          /* sorted, unique */
    size_t n, cap;
    int from_year, to_year;   /* the years the table vouches for; 0: none */
} qr_holidays;

void qr_holidays_init(qr_holidays *h);
void qr_holidays_free(qr_holidays *h);
/* Add one day (kept sorted; a repeat is ignored). */
void qr_holidays_add(qr_holidays *h, long long day);
/* Load a table: {"division": "england-and-wales", "from": 2018, "to": 2030,
 * "events": [{"date": "2023-05-08", "title": "…"}]}. Errors are located
 * in the file. Returns false after adding errors. */
bool qr_holidays_load(qr_holidays *h, const char *path, qr_diags *d);

bool qr_is_holiday(const qr_holidays *h, long long day);
/* Monday to Friday and not a holiday. */
bool qr_is_working_day(const qr_holidays *h, long long day);
/* The day on which the n-th clear working day after `from` ends: `from`
 * itself never counts, whatever it is (n >= 1). Friday 22 December 2023
 * plus 5 is Wednesday 3 January 2024. */
long long qr_working_days_after(const qr_holidays *h, long long from, int n);

/* Days since 1970-01-01 to "YYYY-MM-DD" (out holds at least 11 bytes). */
void qr_days_iso(long long day, char *out, size_t n);
/* "Wednesday 3 January 2024" */
void qr_days_long(long long day, char *out, size_t n);
/* The calendar year of a day. */
int qr_days_year(long long day);

#endif
