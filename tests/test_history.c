/* test_history.c — changes since the last report from the earlier report's
 * file: matching actions by ref (status, added, closed, re-dated,
 * re-worded, newly overdue), the data winning over the earlier file with a
 * warning, KPI series merged across a chain of reports, and every located
 * error for a history that does not fit (missing file, later date, another
 * plan, another unit, a repeated ref). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "quire/derive.h"
#include "quire/history.h"
#include "quire/input.h"
#include "quire/load.h"
#include "quire/util.h"

static char dir[64];

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/quire-history-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    char *cmd = qr_xasprintf("rm -rf '%s'", dir);
    int rc = system(cmd);
    free(cmd);
    return rc == 0 ? 0 : -1;
}

static char *file_path(const char *name)
{
    return qr_xasprintf("%s/%s", dir, name);
}

static void write_file(const char *name, const char *text)
{
    char *path = file_path(name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(path);
}

static void remove_file(const char *name)
{
    char *path = file_path(name);
    unlink(path);
    free(path);
}

/* Load, validate and derive a file of the test folder. */
typedef struct run {
    qr_diags *d;
    qr_data *data;
    int errors;
} run;

static run derive_file(const char *name)
{
    run r = {qr_diags_new(), NULL, 0};
    char *path = file_path(name);
    r.data = qr_data_load(path, r.d);
    free(path);
    assert_non_null(r.data);
    /* validate and derive report success; the tests count failures */
    r.errors = !qr_data_validate(r.data, r.d);
    if (!r.errors) r.errors = !qr_derive_run(r.data, r.d);
    return r;
}

static void run_free(run *r)
{
    qr_data_free(r->data);
    qr_diags_free(r->d);
}

static const cJSON *at(const cJSON *node, const char *path)
{
    char *copy = qr_xstrdup(path);
    char *save = NULL;
    for (char *seg = strtok_r(copy, "/", &save); seg && node;
         seg = strtok_r(NULL, "/", &save)) {
        if (cJSON_IsArray(node))
            node = cJSON_GetArrayItem(node, atoi(seg));
        else
            node = cJSON_GetObjectItemCaseSensitive(node, seg);
    }
    free(copy);
    return node;
}

static void expect_str(const run *r, const char *path, const char *want)
{
    const cJSON *v = at(qr_data_root(r->data), path);
    if (!cJSON_IsString(v)) fail_msg("%s: not a string", path);
    if (strcmp(v->valuestring, want) != 0)
        fail_msg("%s: got '%s', want '%s'", path, v->valuestring, want);
}

static void expect_num(const run *r, const char *path, double want)
{
    const cJSON *v = at(qr_data_root(r->data), path);
    if (!cJSON_IsNumber(v)) fail_msg("%s: not a number", path);
    if (v->valuedouble != want)
        fail_msg("%s: got %g, want %g", path, v->valuedouble, want);
}

static void expect_bool(const run *r, const char *path, int want)
{
    const cJSON *v = at(qr_data_root(r->data), path);
    if (!cJSON_IsBool(v)) fail_msg("%s: not a boolean", path);
    if ((cJSON_IsTrue(v) ? 1 : 0) != want)
        fail_msg("%s: got %d, want %d", path, !want, want);
}

static void expect_absent(const run *r, const char *path)
{
    if (at(qr_data_root(r->data), path)) fail_msg("%s: should not exist", path);
}

/* A diagnostic of severity sev whose message holds `needle`, with the
 * given JSON pointer (NULL: any) in a file whose name ends in `file`. */
static void expect_diag(const run *r, qr_severity sev, const char *file,
                        const char *path, const char *needle)
{
    for (size_t i = 0; i < qr_diags_len(r->d); i++) {
        const qr_diag *g = qr_diags_get(r->d, i);
        size_t fl = g->file ? strlen(g->file) : 0, wl = strlen(file);
        if (g->severity == sev && strstr(g->message, needle) &&
            (!path || (g->path && strcmp(g->path, path) == 0)) &&
            fl >= wl && strcmp(g->file + fl - wl, file) == 0 && g->line > 0)
            return;
    }
    for (size_t i = 0; i < qr_diags_len(r->d); i++) {
        char *s = qr_diag_format(qr_diags_get(r->d, i));
        print_message("  have: %s\n", s);
        free(s);
    }
    fail_msg("no located diagnostic '%s' at %s in %s", needle,
             path ? path : "(any)", file);
}

/* Plain data files (no "paper"): what history needs and nothing else. */
static const char SEPT[] =
    "{\"action_plan\": {\"title\": \"Plan\", \"as_at\": \"2026-10-01\",\n"
    " \"actions\": [\n"
    "  {\"ref\": \"1.1\", \"action\": \"Launch\", \"due\": \"2026-12-31\", \"status\": \"red\"},\n"
    "  {\"ref\": \"1.2\", \"action\": \"Audit\", \"due\": \"2026-10-15\", \"status\": \"amber\"},\n"
    "  {\"ref\": \"1.3\", \"action\": \"Train\", \"due\": \"2026-09-01\", \"status\": \"amber\"},\n"
    "  {\"ref\": \"2.1\", \"action\": \"Close me\", \"status\": \"complete\"},\n"
    "  {\"ref\": \"2.2\", \"action\": \"Old words\", \"status\": \"green\"}]},\n"
    " \"kpis\": [{\"id\": \"k\", \"label\": \"K\", \"unit\": \"%\", \"polarity\": \"higher_is_better\",\n"
    "   \"series\": [{\"period\": \"2026-08\", \"value\": 50}, {\"period\": \"2026-09\", \"value\": 55}]}]}\n";

static const char OCT[] =
    "{\"follows\": \"sept.json\",\n"
    " \"action_plan\": {\"title\": \"Plan\", \"as_at\": \"2026-11-01\",\n"
    " \"actions\": [\n"
    "  {\"ref\": \"1.1\", \"action\": \"Launch\", \"due\": \"2027-03-31\", \"status\": \"amber\"},\n"
    "  {\"ref\": \"1.2\", \"action\": \"Audit\", \"due\": \"2026-10-15\", \"status\": \"amber\"},\n"
    "  {\"ref\": \"1.3\", \"action\": \"Train\", \"due\": \"2026-09-01\", \"status\": \"red\"},\n"
    "  {\"ref\": \"2.2\", \"action\": \"New words\", \"status\": \"green\"},\n"
    "  {\"ref\": \"3.1\", \"action\": \"Added\", \"status\": \"not_started\"}]},\n"
    " \"kpis\": [{\"id\": \"k\", \"label\": \"K\", \"unit\": \"%\", \"polarity\": \"higher_is_better\",\n"
    "   \"series\": [{\"period\": \"2026-10\", \"value\": 60}]}]}\n";

static void test_actions_matched_by_ref(void **state)
{
    (void)state;
    write_file("sept.json", SEPT);
    write_file("oct.json", OCT);
    run r = derive_file("oct.json");
    assert_int_equal(r.errors, 0);
    assert_int_equal(qr_diags_count(r.d, QR_WARNING), 0);
    expect_bool(&r, "has_history", 1);
    expect_str(&r, "history/since", "since 1 October 2026");
    expect_str(&r, "action_plan/previous_as_at", "2026-10-01");
    /* previous status and direction for every action */
    expect_str(&r, "action_plan/actions/0/previous_status", "red");
    expect_str(&r, "action_plan/actions/0/direction", "improved");
    expect_str(&r, "action_plan/actions/1/direction", "unchanged");
    expect_str(&r, "action_plan/actions/2/direction", "deteriorated");
    expect_str(&r, "action_plan/actions/2/previous_status_label", "Amber");
    expect_str(&r, "action_plan/actions/4/direction", "new");
    expect_absent(&r, "action_plan/actions/4/previous_status");
    /* the lists */
    expect_num(&r, "history/status_changes_count", 2);
    expect_str(&r, "history/status_changes/0/ref", "1.1");
    expect_str(&r, "history/status_changes/1/ref", "1.3");
    expect_str(&r, "history/added/0/ref", "3.1");
    expect_num(&r, "history/added_count", 1);
    expect_str(&r, "history/closed/0/ref", "2.1");
    expect_str(&r, "history/closed/0/status_label", "Complete");
    expect_num(&r, "history/closed_count", 1);
    expect_str(&r, "history/redated/0/ref", "1.1");
    expect_str(&r, "history/redated/0/redated_from", "31 December 2026");
    expect_str(&r, "history/redated/0/redated_to", "31 March 2027");
    expect_str(&r, "action_plan/actions/0/previous_due", "2026-12-31");
    expect_str(&r, "history/reworded/0/previous_action", "Old words");
    expect_str(&r, "history/reworded/0/action", "New words");
    /* 1.2 fell due after the last report; 1.3 was overdue already */
    expect_num(&r, "history/newly_overdue_count", 1);
    expect_str(&r, "history/newly_overdue/0/ref", "1.2");
    expect_bool(&r, "action_plan/actions/2/newly_overdue", 0);
    expect_bool(&r, "history/has_changes", 1);
    expect_num(&r, "history/change_count", 7);
    /* the views made after history carry its flags */
    expect_bool(&r, "action_plan/changed_actions/0/status_changed", 1);
    run_free(&r);
}

static void test_first_report(void **state)
{
    (void)state;
    write_file("sept.json", SEPT);
    run r = derive_file("sept.json");
    assert_int_equal(r.errors, 0);
    expect_bool(&r, "has_history", 0);
    expect_absent(&r, "history");
    /* never "new" everywhere: not reported before */
    expect_str(&r, "action_plan/actions/0/direction", "not_reported");
    run_free(&r);
}

static void test_data_wins_with_a_warning(void **state)
{
    (void)state;
    write_file("sept.json", SEPT);
    char *oct = qr_xstrdup(OCT);
    /* 1.1 was red in September; the officer says amber */
    char *p = strstr(oct, "\"status\": \"amber\"}");
    assert_non_null(p);
    const char *with = "\"status\": \"amber\", \"previous_status\": \"amber\"}";
    char *text = qr_xasprintf("%.*s%s%s", (int)(p - oct), oct, with,
                              p + strlen("\"status\": \"amber\"}"));
    write_file("oct.json", text);
    run r = derive_file("oct.json");
    assert_int_equal(r.errors, 0);
    expect_str(&r, "action_plan/actions/0/previous_status", "amber");
    expect_str(&r, "action_plan/actions/0/direction", "unchanged");
    expect_diag(&r, QR_WARNING, "oct.json",
                "/action_plan/actions/0/previous_status",
                "contradicts the earlier report");
    run_free(&r);
    free(text);
    free(oct);
}

static void test_kpi_series_chain(void **state)
{
    (void)state;
    write_file("aug.json",
               "{\"action_plan\": {\"title\": \"Plan\", \"as_at\": \"2026-09-01\", \"actions\": []},\n"
               " \"kpis\": [{\"id\": \"k\", \"label\": \"K\", \"unit\": \"%\", \"polarity\": \"higher_is_better\",\n"
               "   \"series\": [{\"period\": \"2026-07\", \"value\": 40}, {\"period\": \"2026-08\", \"value\": 51}]}]}\n");
    char *sept = qr_xasprintf("{\"follows\": \"aug.json\",%s", SEPT + 1);
    write_file("sept.json", sept);
    write_file("oct.json", OCT);
    run r = derive_file("oct.json");
    assert_int_equal(r.errors, 0);
    /* July from August's file, August and September from September's
     * (it wins August, with a warning when that one is derived), October
     * from this one */
    expect_str(&r, "kpis/0/series/0/period", "2026-07");
    expect_num(&r, "kpis/0/series/1/value", 50);
    expect_num(&r, "kpis/0/series/2/value", 55);
    expect_num(&r, "kpis/0/series/3/value", 60);
    expect_absent(&r, "kpis/0/series/4");
    expect_num(&r, "kpis/0/previous", 55);
    expect_str(&r, "kpis/0/trend", "improving");
    /* the earlier file's warning was its own paper's: not repeated */
    assert_int_equal(qr_diags_count(r.d, QR_WARNING), 0);
    run_free(&r);
    run s = derive_file("sept.json");
    expect_diag(&s, QR_WARNING, "sept.json", "/kpis/0/series/0/value",
                "is 50 here but 51 in the earlier report");
    run_free(&s);
    free(sept);
}

/* The earlier report each paper was compared with is one of its inputs. */
static void test_earlier_file_is_recorded(void **state)
{
    (void)state;
    write_file("sept.json", SEPT);
    write_file("oct.json", OCT);
    qr_inputs *rec = qr_inputs_new();
    qr_inputs *outer = qr_inputs_activate(rec);
    run r = derive_file("oct.json");
    qr_inputs_activate(outer);
    assert_int_equal(r.errors, 0);
    char *sept = file_path("sept.json");
    const qr_input *in = qr_inputs_find_file(rec, sept);
    assert_non_null(in);
    assert_int_equal(in->role, QR_IN_EARLIER);
    assert_string_equal(qr_input_role_name(in->role), "earlier report");
    free(sept);
    run_free(&r);
    qr_inputs_free(rec);
}

static void test_missing_earlier_file(void **state)
{
    (void)state;
    remove_file("sept.json");
    write_file("oct.json", OCT);
    run r = derive_file("oct.json");
    assert_true(r.errors > 0);
    expect_diag(&r, QR_ERROR, "oct.json", "/follows", "cannot be read");
    expect_absent(&r, "history");
    run_free(&r);
}

static void test_earlier_dated_later(void **state)
{
    (void)state;
    char *sept = qr_xstrdup(SEPT);
    memcpy(strstr(sept, "2026-10-01"), "2026-12-01", 10);
    write_file("sept.json", sept);
    write_file("oct.json", OCT);
    run r = derive_file("oct.json");
    expect_diag(&r, QR_ERROR, "oct.json", "/action_plan/as_at",
                "must come before it");
    run_free(&r);
    free(sept);
}

static void test_another_plan(void **state)
{
    (void)state;
    char *sept = qr_xstrdup(SEPT);
    memcpy(strstr(sept, "\"Plan\""), "\"Plot\"", 6);
    write_file("sept.json", sept);
    write_file("oct.json", OCT);
    run r = derive_file("oct.json");
    expect_diag(&r, QR_ERROR, "oct.json", "/action_plan/title",
                "not about the plan of the earlier report");
    run_free(&r);
    free(sept);
}

static void test_another_unit(void **state)
{
    (void)state;
    char *sept = qr_xstrdup(SEPT);
    char *u = strstr(sept, "\"unit\": \"%\"");
    assert_non_null(u);
    char *text = qr_xasprintf("%.*s\"unit\": \"days\"%s", (int)(u - sept),
                              sept, u + strlen("\"unit\": \"%\""));
    write_file("sept.json", text);
    write_file("oct.json", OCT);
    run r = derive_file("oct.json");
    expect_diag(&r, QR_ERROR, "oct.json", "/kpis/0/unit",
                "one series cannot mix units");
    run_free(&r);
    free(text);
    free(sept);
}

static void test_repeated_ref(void **state)
{
    (void)state;
    char *sept = qr_xstrdup(SEPT);
    memcpy(strstr(sept, "\"1.2\""), "\"1.1\"", 5);
    write_file("sept.json", sept);
    write_file("oct.json", OCT);
    run r = derive_file("oct.json");
    /* a plain data file is not validated: history finds the repeat */
    expect_diag(&r, QR_ERROR, "sept.json", "/action_plan/actions/1/ref",
                "duplicate action ref '1.1'");
    run_free(&r);
    free(sept);
}

static void test_bad_follows(void **state)
{
    (void)state;
    write_file("abs.json", "{\"follows\": \"/etc/passwd\", "
                           "\"action_plan\": {\"as_at\": \"2026-11-01\", \"actions\": []}}");
    run r = derive_file("abs.json");
    expect_diag(&r, QR_ERROR, "abs.json", "/follows", "relative to this file");
    run_free(&r);
    /* a file that follows itself is not earlier than itself */
    write_file("self.json", "{\"follows\": \"self.json\", "
                            "\"action_plan\": {\"as_at\": \"2026-11-01\", \"actions\": []}}");
    run s = derive_file("self.json");
    expect_diag(&s, QR_ERROR, "self.json", "/action_plan/as_at",
                "must come before it");
    run_free(&s);
}

static void test_another_kind_of_period(void **state)
{
    (void)state;
    write_file("sept.json", SEPT);
    char *oct = qr_xstrdup(OCT);
    memcpy(strstr(oct, "\"2026-10\""), "\"2026-Q4\"", 9);
    write_file("oct.json", oct);
    run r = derive_file("oct.json");
    expect_diag(&r, QR_ERROR, "oct.json", "/kpis/0/series",
                "reported in quarters here but in months");
    run_free(&r);
    free(oct);
}

/* An open paper must not print what an exempt one holds. */
static void test_exempt_earlier_report(void **state)
{
    (void)state;
    char *sept = qr_xasprintf("{\"paper\": {\"exempt\": {\"paragraph\": 3}},%s",
                              SEPT + 1);
    write_file("sept.json", sept);
    char *oct = qr_xasprintf("{\"paper\": {\"exempt\": null},%s", OCT + 1);
    write_file("oct.json", oct);
    qr_diags *d = qr_diags_new();
    char *path = file_path("oct.json");
    qr_data *data = qr_data_load(path, d);
    assert_non_null(data);
    /* derive alone: the fixture's paper is not a whole paper */
    assert_false(qr_derive_run(data, d));
    run r = {d, data, 1};
    expect_diag(&r, QR_ERROR, "oct.json", "/follows", "is exempt");
    run_free(&r);
    free(path);
    free(oct);
    free(sept);
}

/* A chain may go QR_MAX_HISTORY_DEPTH reports back; one more is an error
 * in the file at the limit, and once more at the paper being made. */
static void test_chain_depth(void **state)
{
    (void)state;
    for (int i = 0; i <= QR_MAX_HISTORY_DEPTH + 1; i++) {
        char name[32], follows[64] = "";
        snprintf(name, sizeof name, "c%d.json", i);
        if (i) snprintf(follows, sizeof follows, "\"follows\": \"c%d.json\", ", i - 1);
        char *text = qr_xasprintf(
            "{%s\"action_plan\": {\"as_at\": \"%04d-01-01\", \"actions\": []}}",
            follows, 1800 + i);
        write_file(name, text);
        free(text);
    }
    char name[32];
    snprintf(name, sizeof name, "c%d.json", QR_MAX_HISTORY_DEPTH);
    run r = derive_file(name);
    assert_int_equal(r.errors, 0);
    run_free(&r);
    snprintf(name, sizeof name, "c%d.json", QR_MAX_HISTORY_DEPTH + 1);
    run s = derive_file(name);
    expect_diag(&s, QR_ERROR, "/c1.json", "/follows", "more than 120 deep");
    expect_diag(&s, QR_ERROR, name, "/follows", "has errors");
    assert_int_equal(qr_diags_count(s.d, QR_ERROR), 2);
    run_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_actions_matched_by_ref),
        cmocka_unit_test(test_first_report),
        cmocka_unit_test(test_data_wins_with_a_warning),
        cmocka_unit_test(test_kpi_series_chain),
        cmocka_unit_test(test_earlier_file_is_recorded),
        cmocka_unit_test(test_missing_earlier_file),
        cmocka_unit_test(test_earlier_dated_later),
        cmocka_unit_test(test_another_plan),
        cmocka_unit_test(test_another_unit),
        cmocka_unit_test(test_another_kind_of_period),
        cmocka_unit_test(test_exempt_earlier_report),
        cmocka_unit_test(test_repeated_ref),
        cmocka_unit_test(test_bad_follows),
        cmocka_unit_test(test_chain_depth),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
