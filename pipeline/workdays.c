/* workdays.c — clear working days for call-in deadlines: the bank-holiday
 * table and the day arithmetic (workdays.h).
 *
 * A call-in period is counted in clear working days: the day the decision
 * is published does not count, nor do Saturdays, Sundays and bank
 * holidays. The holiday table is data (a JSON file Quire ships, extendable
 * from the meeting file) because bank holidays are proclaimed year by year
 * and one-off days (a coronation, a state funeral) are announced at short
 * notice: a rule in code would be wrong exactly when it matters.
 */
#include "quire/workdays.h"

#include "quire/derive.h"
#include "quire/load.h"
#include "quire/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void qr_holidays_init(qr_holidays *h) { memset(h, 0, sizeof *h); }

void qr_holidays_free(qr_holidays *h)
{
    free(h->days);
    memset(h, 0, sizeof *h);
}

void qr_holidays_add(qr_holidays *h, long long day)
{
    size_t i = h->n;
    while (i > 0 && h->days[i - 1] > day) i--;
    if (i > 0 && h->days[i - 1] == day) return;
    QR_GROW(h->days, h->n + 1, h->cap, 64);
    memmove(h->days + i + 1, h->days + i, (h->n - i) * sizeof *h->days);
    h->days[i] = day;
    h->n++;
}

bool qr_is_holiday(const qr_holidays *h, long long day)
{
    size_t lo = 0, hi = h->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h->days[mid] < day) lo = mid + 1;
        else hi = mid;
    }
    return lo < h->n && h->days[lo] == day;
}

/* 0 Monday … 6 Sunday; 1970-01-01 was a Thursday. */
static int weekday_index(long long day)
{
    long long k = (day + 3) % 7;
    return (int)(k < 0 ? k + 7 : k);
}

bool qr_is_working_day(const qr_holidays *h, long long day)
{
    return weekday_index(day) < 5 && !qr_is_holiday(h, day);
}

long long qr_working_days_after(const qr_holidays *h, long long from, int n)
{
    long long day = from;
    for (int counted = 0; counted < n;)
        if (qr_is_working_day(h, ++day)) counted++;
    return day;
}

/* The civil date of a day number (Howard Hinnant's days_from_civil,
 * inverted), exact for the proleptic Gregorian calendar. */
static void civil(long long z, int *y, int *m, int *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

void qr_days_iso(long long day, char *out, size_t n)
{
    int y, m, d;
    civil(day, &y, &m, &d);
    snprintf(out, n, "%04d-%02d-%02d", y, m, d);
}

int qr_days_year(long long day)
{
    int y, m, d;
    civil(day, &y, &m, &d);
    return y;
}

void qr_days_long(long long day, char *out, size_t n)
{
    static const char *const names[] = {"Monday", "Tuesday", "Wednesday",
                                        "Thursday", "Friday", "Saturday",
                                        "Sunday"};
    char iso[16], lng[48];
    qr_days_iso(day, iso, sizeof iso);
    qr_format_date_long(iso, lng, sizeof lng);
    snprintf(out, n, "%s %s", names[weekday_index(day)], lng);
}

static bool year_field(const qr_data *data, const cJSON *root, const char *key,
                       qr_diags *d, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    char ptr[32];
    snprintf(ptr, sizeof ptr, "/%s", key);
    if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int)v->valuedouble ||
        v->valueint < 1900 || v->valueint > 9999) {
        qr_data_diag(data, d, QR_ERROR, v ? ptr : "",
                     "'%s' must be the year the table %s (e.g. %s)", key,
                     strcmp(key, "from") == 0 ? "starts" : "ends",
                     strcmp(key, "from") == 0 ? "2018" : "2030");
        return false;
    }
    *out = v->valueint;
    return true;
}

bool qr_holidays_load(qr_holidays *h, const char *path, qr_diags *d)
{
    qr_data *data = qr_data_load(path, d);
    if (!data) return false;
    const cJSON *root = qr_data_root(data);
    int errors = 0;
    errors += !year_field(data, root, "from", d, &h->from_year);
    errors += !year_field(data, root, "to", d, &h->to_year);
    const cJSON *ev = cJSON_GetObjectItemCaseSensitive(root, "events");
    if (!cJSON_IsArray(ev)) {
        qr_data_diag(data, d, QR_ERROR, ev ? "/events" : "",
                     "'events' must be an array of {\"date\", \"title\"}");
        errors++;
    }
    int i = 0;
    const cJSON *e;
    const cJSON *list = cJSON_IsArray(ev) ? ev : NULL;
    cJSON_ArrayForEach(e, list) {
        const cJSON *date = cJSON_GetObjectItemCaseSensitive(e, "date");
        long long day;
        if (!cJSON_IsString(date) || !qr_iso_days(date->valuestring, &day)) {
            char ptr[48];
            snprintf(ptr, sizeof ptr, "/events/%d", i);
            qr_data_diag(data, d, QR_ERROR, ptr,
                         "a holiday needs a 'date' YYYY-MM-DD, e.g. "
                         "2023-05-08");
            errors++;
        } else {
            qr_holidays_add(h, day);
        }
        i++;
    }
    qr_data_free(data);
    return errors == 0;
}
