/* Unit tests for the domain vocabulary (vocab.c): lookups by code, by a
 * span and by label; the rank order direction of travel relies on; and the
 * list used in "expected one of" messages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "quire/style.h"
#include "quire/vocab.h"

#include <stdlib.h>
#include <string.h>

static void test_lookups(void **state)
{
    (void)state;
    assert_int_equal(qr_vocab_find(&qr_vocab_status, "amber"), QR_RAG_AMBER);
    assert_int_equal(qr_vocab_find(&qr_vocab_status, "Amber"), -1);
    assert_int_equal(qr_vocab_find(&qr_vocab_status, NULL), -1);
    assert_int_equal(qr_vocab_find_n(&qr_vocab_status, "greenish", 5),
                     QR_RAG_GREEN);
    assert_int_equal(qr_vocab_find_n(&qr_vocab_status, "gre", 3), -1);
    assert_int_equal(qr_vocab_find_label(&qr_vocab_status, "Not started"),
                     QR_RAG_NOT_STARTED);
    assert_int_equal(qr_vocab_find_label(&qr_vocab_status, "not started"), -1);
    assert_int_equal(qr_vocab_find(&qr_vocab_area, "overall_effectiveness"),
                     QR_AREA_OVERALL);
    assert_string_equal(
        qr_vocab_grade.terms[qr_vocab_find(&qr_vocab_grade,
                                           "requires_improvement")].label,
        "Requires improvement to be good");
    assert_string_equal(qr_vocab_direction.terms[QR_DIR_UNCHANGED].label,
                        "No change");
    assert_string_equal(qr_vocab_trend.terms[QR_TREND_WORSENING].code,
                        "worsening");
    assert_string_equal(qr_vocab_polarity.terms[QR_LOWER_IS_BETTER].code,
                        "lower_is_better");
}

/* Direction of travel compares indexes: each status must outrank the one
 * before it, from not started to complete. */
static void test_rank_order(void **state)
{
    (void)state;
    static const char *const worst_first[] = {"not_started", "red", "amber",
                                              "green", "complete"};
    assert_int_equal(qr_vocab_status.n, QR_RAG_COUNT);
    for (int i = 0; i < QR_RAG_COUNT; i++)
        assert_int_equal(qr_vocab_find(&qr_vocab_status, worst_first[i]), i);
}

static void test_codes_and_colours(void **state)
{
    (void)state;
    char *codes = qr_vocab_codes(&qr_vocab_polarity);
    assert_string_equal(codes, "higher_is_better, lower_is_better");
    free(codes);
    /* every status has a colour of its own in the default style */
    qr_style st;
    qr_style_default(&st);
    for (int i = 0; i < QR_RAG_COUNT; i++)
        for (int k = i + 1; k < QR_RAG_COUNT; k++)
            assert_true(memcmp(&st.status_colour[i], &st.status_colour[k],
                               sizeof st.status_colour[i]) != 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookups),
        cmocka_unit_test(test_rank_order),
        cmocka_unit_test(test_codes_and_colours),
    };
    return cmocka_run_group_tests_name("vocab", tests, NULL, NULL);
}
