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
    /* a grade is worded by its framework: ILACS adds "to be good" */
    int ri = qr_vocab_find(&qr_vocab_grade, "requires_improvement");
    assert_string_equal(qr_frameworks[QR_INSP_ILACS].grade[ri],
                        "Requires improvement to be good");
    assert_string_equal(qr_frameworks[QR_INSP_SIF].grade[ri],
                        "Requires improvement");
    assert_null(qr_frameworks[QR_INSP_PROTECTION_OF_CHILDREN].grade[ri]);
    assert_string_equal(
        qr_frameworks[QR_INSP_PROTECTION_OF_CHILDREN]
            .grade[qr_vocab_find(&qr_vocab_grade, "adequate")],
        "Adequate");
    assert_int_equal(qr_vocab_find(&qr_vocab_inspection,
                                   "protection_of_children"),
                     QR_INSP_PROTECTION_OF_CHILDREN);
    assert_false(qr_framework_graded(&qr_frameworks[QR_INSP_FOCUSED_VISIT]));
    assert_true(qr_framework_graded(&qr_frameworks[QR_INSP_SAFEGUARDING_LAC]));
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

/* A value a framework does not use: its own codes listed, a near miss
 * hinted, and an empty hint when nothing is near. */
static void test_framework_messages(void **state)
{
    (void)state;
    char *m = qr_framework_unknown(QR_INSP_ILACS, 0, "adequate");
    assert_string_equal(m, "'adequate' is not a grade of the ILACS framework "
                           "(expected one of: outstanding, good, "
                           "requires_improvement, inadequate)");
    free(m);
    m = qr_framework_unknown(QR_INSP_SIF, 1, "Adoption");
    assert_string_equal(m, "'Adoption' is not a judgement area of the SIF "
                           "framework: did you mean 'adoption'? (expected "
                           "one of: overall_effectiveness, "
                           "help_and_protection, children_in_care, "
                           "care_leavers, leadership, adoption)");
    free(m);
    m = qr_vocab_unknown(&qr_vocab_status, "Green");
    assert_string_equal(m, "'Green' is not a status: did you mean 'green'? "
                           "(expected one of: not_started, red, amber, "
                           "green, complete)");
    free(m);
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
        cmocka_unit_test(test_framework_messages),
        cmocka_unit_test(test_codes_and_colours),
    };
    return cmocka_run_group_tests_name("vocab", tests, NULL, NULL);
}
