/* Unit tests for workdays.c: clear working days for call-in deadlines,
 * against the bank-holiday table Quire ships. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "quire/derive.h"
#include "quire/diag.h"
#include "quire/workdays.h"

#include <stdio.h>
#include <string.h>

static const char TABLE[] = "templates/bank-holidays-england-wales.json";

static long long day_of(const char *iso)
{
    long long d = 0;
    assert_true(qr_iso_days(iso, &d));
    return d;
}

static void load_table(qr_holidays *h)
{
    qr_diags *d = qr_diags_new();
    qr_holidays_init(h);
    assert_true(qr_holidays_load(h, TABLE, d));
    assert_int_equal(qr_diags_count(d, QR_ERROR), 0);
    qr_diags_free(d);
}

/* The deadline after `published` with n clear working days, as
 * "Wednesday 3 January 2024". */
static void check_deadline(const qr_holidays *h, const char *published,
                           int n, const char *want)
{
    char got[64];
    qr_days_long(qr_working_days_after(h, day_of(published), n), got,
                 sizeof got);
    assert_string_equal(got, want);
}

static void test_christmas(void **state)
{
    (void)state;
    qr_holidays h;
    load_table(&h);
    /* 25, 26 December and 1 January are bank holidays, and two weekends */
    check_deadline(&h, "2023-12-22", 5, "Wednesday 3 January 2024");
    qr_holidays_free(&h);
}

static void test_plain_weekend(void **state)
{
    (void)state;
    qr_holidays h;
    load_table(&h);
    check_deadline(&h, "2018-06-20", 5, "Wednesday 27 June 2018");
    check_deadline(&h, "2018-06-22", 5, "Friday 29 June 2018");
    /* published on a Saturday: the count starts on Monday */
    check_deadline(&h, "2018-06-23", 1, "Monday 25 June 2018");
    qr_holidays_free(&h);
}

static void test_easter(void **state)
{
    (void)state;
    qr_holidays h;
    load_table(&h);
    /* Good Friday 29 March, Easter Monday 1 April 2024 */
    check_deadline(&h, "2024-03-28", 5, "Monday 8 April 2024");
    check_deadline(&h, "2024-03-28", 1, "Tuesday 2 April 2024");
    qr_holidays_free(&h);
}

static void test_one_off_days(void **state)
{
    (void)state;
    qr_holidays h;
    load_table(&h);
    const char *days[] = {"2020-05-08", "2022-06-02", "2022-06-03",
                          "2022-09-19", "2023-05-08"};
    for (size_t i = 0; i < sizeof days / sizeof *days; i++)
        assert_true(qr_is_holiday(&h, day_of(days[i])));
    /* the days they replaced are working days */
    assert_true(qr_is_working_day(&h, day_of("2020-05-04")));
    assert_true(qr_is_working_day(&h, day_of("2022-05-30")));
    assert_int_equal(h.from_year, 2018);
    assert_true(h.to_year >= 2030);
    qr_holidays_free(&h);
}

static void test_extra_holiday(void **state)
{
    (void)state;
    qr_holidays h;
    load_table(&h);
    check_deadline(&h, "2018-06-22", 5, "Friday 29 June 2018");
    qr_holidays_add(&h, day_of("2018-06-26"));
    check_deadline(&h, "2018-06-22", 5, "Monday 2 July 2018");
    qr_holidays_free(&h);
}

static void test_bad_table(void **state)
{
    (void)state;
    const char *path = "build/tests/bad-holidays.json";
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"from\": 2018, \"to\": 2030,\n \"events\": [{\"date\": "
          "\"2023-02-30\"}]}\n", f);
    fclose(f);
    qr_diags *d = qr_diags_new();
    qr_holidays h;
    qr_holidays_init(&h);
    assert_false(qr_holidays_load(&h, path, d));
    assert_int_equal(qr_diags_count(d, QR_ERROR), 1);
    const qr_diag *g = qr_diags_get(d, 0);
    assert_int_equal(g->line, 2);
    assert_string_equal(g->path, "/events/0");
    qr_holidays_free(&h);
    qr_diags_free(d);
}

static void test_days_iso(void **state)
{
    (void)state;
    char iso[16];
    qr_days_iso(day_of("2024-02-29"), iso, sizeof iso);
    assert_string_equal(iso, "2024-02-29");
    qr_days_iso(day_of("1969-12-31"), iso, sizeof iso);
    assert_string_equal(iso, "1969-12-31");
    assert_int_equal(qr_days_year(day_of("2031-01-01")), 2031);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_christmas),
        cmocka_unit_test(test_plain_weekend),
        cmocka_unit_test(test_easter),
        cmocka_unit_test(test_one_off_days),
        cmocka_unit_test(test_extra_holiday),
        cmocka_unit_test(test_bad_table),
        cmocka_unit_test(test_days_iso),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
