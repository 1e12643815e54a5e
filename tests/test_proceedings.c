/* Unit tests for proceedings.c: the checks on a meeting file's
 * proceedings, each a located error with its JSON pointer, and nothing
 * written on any of them. (tests/e2e/minutes.sh reads the PDFs back.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "quire/diag.h"
#include "quire/proceedings.h"
#include "quire/util.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char MEETING[] = "build/tests/proceedings-meeting.json";
static const char OUT[] = "build/tests/proceedings-out.pdf";

/* A small committee: chair, vice-chair, two members; items 1 and 2. The
 * proceedings (JSON members without braces) follow on line 7. */
static void write_meeting(const char *proceedings)
{
    FILE *f = fopen(MEETING, "w");
    assert_non_null(f);
    fprintf(f,
            "{\"council\": \"Walsall Council\", \"committee\": \"Cabinet\",\n"
            " \"date\": \"2018-06-21\", \"time\": \"18:00\", \"venue\": \"Council House\",\n"
            " \"membership\": {\"chair\": \"Councillor Bird\", \"vice_chair\": \"Councillor Andrew\",\n"
            "   \"members\": [\"Councillor Wilson\", {\"name\": \"Councillor Perry\", \"role\": \"Culture\"}]},\n"
            " \"contact\": {\"name\": \"Helen Owen\"},\n"
            " \"items\": [{\"number\": 1, \"title\": \"Apologies\", \"standing\": {\"text\": \"x\"}}, {\"number\": 2, \"title\": \"Report\", \"standing\": {\"text\": \"y\"}}],\n"
            " \"proceedings\": {\"start\": \"18:00\", \"end\": \"19:00\", \"minutes_template\": \"../../templates/minutes.md\",\n"
            "   \"present\": [\"Councillor Bird\", \"Councillor Andrew\", \"Councillor Wilson\"],\n"
            "%s}}\n", proceedings);
    fclose(f);
}

/* Build the minutes; expect exactly one error, at `pointer` on `line`,
 * whose message holds `words`, and no PDF. */
static void expect_error(const char *proceedings, const char *pointer,
                         int line, const char *words)
{
    write_meeting(proceedings);
    unlink(OUT);
    qr_diags *d = qr_diags_new();
    qr_record_req req = {.kind = QR_RECORD_MINUTES, .meeting_path = MEETING,
                         .out_path = OUT};
    assert_int_equal(qr_record_build(&req, d, NULL), QR_EINPUT);
    assert_int_equal(qr_diags_count(d, QR_ERROR), 1);
    const qr_diag *g = qr_diags_get(d, 0);
    assert_string_equal(g->file, MEETING);
    assert_non_null(g->path);
    assert_string_equal(g->path, pointer);
    assert_int_equal(g->line, line);
    assert_true(g->col > 0);
    if (!strstr(g->message, words)) fail_msg("message: %s", g->message);
    assert_int_equal(access(OUT, F_OK), -1);
    qr_diags_free(d);
}

static void test_declaration_by_non_member(void **state)
{
    (void)state;
    expect_error("   \"declarations\": [{\"member\": \"Councillor Nobody\", \"item\": 2,\n"
                 "     \"kind\": \"other_registrable\", \"interest\": \"a governor\"}],\n"
                 "   \"minutes\": [{\"item\": 2, \"resolved\": \"That the report be noted.\"}]\n",
                 "/proceedings/declarations/0/member", 9, "is not a member");
}

static void test_more_votes_than_present(void **state)
{
    (void)state;
    expect_error("   \"minutes\": [{\"item\": 2, \"resolved\": \"That it be approved.\",\n"
                 "     \"vote\": {\"for\": 3, \"against\": 1}}]\n",
                 "/proceedings/minutes/0/vote", 10,
                 "4 votes (for, against and abstentions) but only 3 members");
}

static void test_minute_not_on_agenda(void **state)
{
    (void)state;
    expect_error("   \"minutes\": [{\"item\": 1}, \n     {\"item\": \"7a\"}]\n",
                 "/proceedings/minutes/1/item", 10, "no agenda item '7a'");
}

static void test_duplicate_minute_numbers(void **state)
{
    (void)state;
    expect_error("   \"numbering\": {\"first\": 77, \"format\": \"{n}/18\"},\n"
                 "   \"minutes\": [{\"item\": 1}, {\"item\": 2, \"number\": \"77/18\"}]\n",
                 "/proceedings/minutes/1", 10, "minute number 77/18 is used twice");
}

static void test_misspelt_private(void **state)
{
    (void)state;
    expect_error("   \"minutes\": [{\"item\": 2, \"privat\": {\"paragraph\": 3}}]\n",
                 "/proceedings/minutes/0/privat", 9, "did you mean 'private'?");
}

static void test_valid_builds(void **state)
{
    (void)state;
    write_meeting("   \"substitutes\": [{\"name\": \"Councillor Craddock\", \"for\": \"Councillor Perry\"}],\n"
                  "   \"minutes\": [{\"item\": 2, \"resolved\": \"That the report be noted.\",\n"
                  "     \"vote\": {\"for\": [\"Councillor Bird\", \"Councillor Craddock\"], \"against\": 2}}]\n");
    unlink(OUT);
    qr_diags *d = qr_diags_new();
    qr_record_req req = {.kind = QR_RECORD_MINUTES, .meeting_path = MEETING,
                         .out_path = OUT};
    char **files = NULL;
    int rc = qr_record_build(&req, d, &files);
    if (rc != QR_OK) qr_diags_print(d, stderr);
    assert_int_equal(rc, QR_OK);
    assert_int_equal(access(OUT, F_OK), 0);
    /* the meeting file and the template are among the inputs */
    int meeting = 0, tpl = 0;
    for (char **f = files; f && *f; f++) {
        meeting |= strcmp(*f, MEETING) == 0;
        tpl |= strstr(*f, "minutes.md") != NULL;
    }
    assert_true(meeting && tpl);
    qr_strv_free(files);
    qr_diags_free(d);
    unlink(OUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_declaration_by_non_member),
        cmocka_unit_test(test_more_votes_than_present),
        cmocka_unit_test(test_minute_not_on_agenda),
        cmocka_unit_test(test_duplicate_minute_numbers),
        cmocka_unit_test(test_misspelt_private),
        cmocka_unit_test(test_valid_builds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
