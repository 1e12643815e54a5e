/* test_derive.c — the derive stage: every derived field on the sample paper,
 * the data-wins and derive-once rules, errors on unvalidated data, and the
 * date and number formatters (GOV.UK ranges, leap years, separators). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quire/derive.h"
#include "quire/load.h"
#include "quire/util.h"

static char *fixture(const char *name)
{
    const char *here = __FILE__;
    const char *slash = strrchr(here, '/');
    int dir = slash ? (int)(slash - here) : 0;
    return qr_xasprintf("%.*s%sdata/%s", dir, here, slash ? "/" : "", name);
}

/* Follow a JSON pointer without escapes through the tree. */
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

static void expect_str(const cJSON *root, const char *path, const char *want)
{
    const cJSON *v = at(root, path);
    if (!cJSON_IsString(v)) fail_msg("%s: not a string", path);
    if (strcmp(v->valuestring, want) != 0)
        fail_msg("%s: got '%s', want '%s'", path, v->valuestring, want);
}

static void expect_num(const cJSON *root, const char *path, double want)
{
    const cJSON *v = at(root, path);
    if (!cJSON_IsNumber(v)) fail_msg("%s: not a number", path);
    if (v->valuedouble != want)
        fail_msg("%s: got %g, want %g", path, v->valuedouble, want);
}

static void expect_bool(const cJSON *root, const char *path, int want)
{
    const cJSON *v = at(root, path);
    if (!cJSON_IsBool(v)) fail_msg("%s: not a boolean", path);
    assert_int_equal(cJSON_IsTrue(v) ? 1 : 0, want);
}

static void expect_absent(const cJSON *root, const char *path)
{
    if (at(root, path)) fail_msg("%s: should not exist", path);
}

typedef struct fixture_state {
    qr_diags *d;
    qr_data *data;
    const cJSON *root;
} fixture_state;

static int setup_sample(void **state)
{
    fixture_state *s = qr_xcalloc(1, sizeof *s);
    s->d = qr_diags_new();
    char *path = fixture("paper_valid.json");
    s->data = qr_data_load(path, s->d);
    free(path);
    if (!s->data) return -1;
    if (!qr_data_validate(s->data, s->d)) return -1;
    if (!qr_derive_run(s->data, s->d)) return -1;
    if (qr_diags_len(s->d) != 0) return -1;
    s->root = qr_data_root(s->data);
    *state = s;
    return 0;
}

static int teardown_sample(void **state)
{
    fixture_state *s = *state;
    qr_data_free(s->data);
    qr_diags_free(s->d);
    free(s);
    return 0;
}

/* ---- the sample paper -------------------------------------------------- */

static void test_generic_dates_and_numbers(void **state)
{
    const cJSON *r = ((fixture_state *)*state)->root;
    expect_str(r, "paper/meeting/date_long", "24 November 2026");
    expect_str(r, "paper/meeting/item_text", "7");
    expect_str(r, "inspection/published_long", "10 May 2022");
    expect_str(r, "inspection/dates_long", "21 March to 1 April 2022");
    expect_str(r, "inspection/dates_first_long", "21 March 2022");
    expect_str(r, "inspection/dates_last_long", "1 April 2022");
    expect_str(r, "action_plan/as_at_long", "1 November 2026");
    expect_str(r, "action_plan/actions/1/due_long", "30 September 2026");
    expect_str(r, "action_plan/actions/0/recommendation_text", "1");
    expect_str(r, "inspection/recommendations/2/id_text", "3");
    expect_str(r, "kpis/0/target_text", "20");
    expect_str(r, "kpis/0/series/2/value_text", "21.5");
    /* strings that are not dates, and booleans, get nothing */
    expect_absent(r, "paper/title_long");
    expect_absent(r, "paper/meeting/time_long");
    expect_absent(r, "paper/key_decision_text");
    expect_absent(r, "paper/related_portfolios_long");
}

static void test_inspection_labels(void **state)
{
    const cJSON *r = ((fixture_state *)*state)->root;
    expect_str(r, "inspection/type_label",
               "Inspection of local authority children\xE2\x80\x99s services "
               "(ILACS)");
    expect_str(r, "inspection/overall_grade_label",
               "Requires improvement to be good");
    expect_str(r, "inspection/overall_grade", "requires_improvement");
    expect_str(r, "inspection/judgements/0/area_label",
               "Overall effectiveness");
    expect_str(r, "inspection/judgements/1/area_label",
               "The experiences and progress of children who need help and "
               "protection");
    expect_str(r, "inspection/judgements/1/grade_label",
               "Requires improvement to be good");
    expect_str(r, "inspection/judgements/2/area_label",
               "The experiences and progress of children in care");
    expect_str(r, "inspection/judgements/2/grade_label", "Good");
    expect_str(r, "inspection/judgements/3/area_label",
               "The experiences and progress of care leavers");
    expect_str(r, "inspection/judgements/4/area_label",
               "The impact of leaders on social work practice with children "
               "and families");
}

static void test_action_fields(void **state)
{
    const cJSON *r = ((fixture_state *)*state)->root;
    static const struct {
        const char *status_label, *direction, *direction_label, *progress;
        int overdue;
    } want[] = {
        {"Complete", "improved", "Improved", "100%", 0},  /* due passed */
        {"Amber", "improved", "Improved", "60%", 1},
        {"Green", "unchanged", "No change", "80%", 0},
        {"Red", "deteriorated", "Deteriorated", "35%", 1},
        {"Not started", "new", "New", "0%", 0},
    };
    char path[96];
    for (int i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "action_plan/actions/%d/status_label", i);
        expect_str(r, path, want[i].status_label);
        snprintf(path, sizeof path, "action_plan/actions/%d/direction", i);
        expect_str(r, path, want[i].direction);
        snprintf(path, sizeof path, "action_plan/actions/%d/direction_label",
                 i);
        expect_str(r, path, want[i].direction_label);
        snprintf(path, sizeof path, "action_plan/actions/%d/progress_text",
                 i);
        expect_str(r, path, want[i].progress);
        snprintf(path, sizeof path, "action_plan/actions/%d/overdue", i);
        expect_bool(r, path, want[i].overdue);
    }
    expect_num(r, "action_plan/overdue_count", 2);
}

static void test_rag(void **state)
{
    const cJSON *r = ((fixture_state *)*state)->root;
    static const char *const names[] = {"red", "amber", "green", "complete",
                                        "not_started"};
    char path[64];
    for (int i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "action_plan/rag/%s", names[i]);
        expect_num(r, path, 1);
        snprintf(path, sizeof path, "action_plan/rag/%s_pct", names[i]);
        expect_num(r, path, 20);
        snprintf(path, sizeof path, "action_plan/rag/%s_pct_text", names[i]);
        expect_str(r, path, "20%");
    }
    expect_num(r, "action_plan/rag/total", 5);
}

static void test_kpi_fields(void **state)
{
    const cJSON *r = ((fixture_state *)*state)->root;
    expect_num(r, "kpis/0/latest", 21.5);
    expect_num(r, "kpis/0/previous", 23);
    expect_str(r, "kpis/0/latest_text", "21.5");
    expect_str(r, "kpis/0/previous_text", "23");
    expect_str(r, "kpis/0/latest_period_long", "October 2026");
    expect_str(r, "kpis/0/previous_period_long", "September 2026");
    expect_str(r, "kpis/0/trend", "improving"); /* lower is better */
    expect_str(r, "kpis/0/trend_label", "Improving");
    expect_bool(r, "kpis/0/target_met", 0);
    expect_bool(r, "kpis/0/has_previous", 1);
    expect_str(r, "kpis/0/series/0/period_long", "August 2026");
    expect_str(r, "kpis/0/series/0/period_short", "Aug 26");
    expect_str(r, "kpis/0/series/2/period_short", "Oct 26");

    expect_num(r, "kpis/1/latest", 74);
    expect_str(r, "kpis/1/trend", "worsening"); /* higher is better */
    expect_str(r, "kpis/1/trend_label", "Worsening");
    expect_bool(r, "kpis/1/target_met", 0);
    expect_str(r, "kpis/1/series/0/period_long", "September 2026");
    expect_str(r, "kpis/1/series/0/period_short", "Sept 26");
}

/* Derived members are never derived from again. */
static void test_derive_once(void **state)
{
    const cJSON *r = ((fixture_state *)*state)->root;
    expect_absent(r, "action_plan/overdue_count_text");
    expect_absent(r, "action_plan/rag/red_pct_text_text");
    expect_absent(r, "kpis/0/latest_text_text");
    expect_absent(r, "inspection/dates_long_long");
    expect_absent(r, "paper/meeting/date_long_long");
}

/* ---- inline data ------------------------------------------------------- */

/* Derives text; *errors is the number of errors derive added, which its
 * result must agree with. */
static qr_data *derive_text(const char *text, qr_diags *d, int *errors)
{
    qr_data *data = qr_data_parse(text, strlen(text), "in.json", d);
    assert_non_null(data);
    size_t before = qr_diags_count(d, QR_ERROR);
    bool ok = qr_derive_run(data, d);
    *errors = (int)(qr_diags_count(d, QR_ERROR) - before);
    assert_int_equal(ok, *errors == 0);
    return data;
}

static void test_data_wins(void **state)
{
    (void)state;
    qr_diags *d = qr_diags_new();
    int errors;
    qr_data *data = derive_text(
        "{\"when\": \"2026-01-01\", \"when_long\": \"New Year\",\n"
        " \"n\": 5, \"n_text\": \"five\",\n"
        " \"action_plan\": {\"as_at\": \"2026-11-01\", \"rag\": \"mine\",\n"
        "   \"actions\": [{\"status\": \"red\", \"status_label\": \"Off track\","
        " \"progress\": 50, \"progress_text\": \"about half\","
        " \"due\": \"2026-01-01\", \"overdue\": \"yes\"}]}}",
        d, &errors);
    assert_int_equal(errors, 0);
    const cJSON *r = qr_data_root(data);
    expect_str(r, "when_long", "New Year");
    expect_str(r, "n_text", "five");
    expect_str(r, "action_plan/rag", "mine");
    expect_str(r, "action_plan/actions/0/status_label", "Off track");
    expect_str(r, "action_plan/actions/0/progress_text", "about half");
    expect_str(r, "action_plan/actions/0/overdue", "yes");
    expect_str(r, "action_plan/actions/0/direction", "not_reported");
    expect_num(r, "action_plan/overdue_count", 1);
    /* exactly one member of each name */
    int n = 0;
    for (const cJSON *m = r->child; m; m = m->next)
        if (strcmp(m->string, "when_long") == 0) n++;
    assert_int_equal(n, 1);
    qr_data_free(data);
    qr_diags_free(d);
}

static void test_overdue_and_direction(void **state)
{
    (void)state;
    qr_diags *d = qr_diags_new();
    int errors;
    qr_data *data = derive_text(
        "{\"action_plan\": {\"as_at\": \"2026-11-01\", \"actions\": [\n"
        " {\"due\": \"2026-11-01\", \"status\": \"red\"},\n"
        " {\"due\": \"2026-10-31\", \"status\": \"green\", "
        "\"previous_status\": \"complete\"},\n"
        " {\"due\": \"2026-10-31\", \"status\": \"complete\"},\n"
        " {\"due\": \"2026-10-31\", \"status\": \"not_started\", "
        "\"previous_status\": \"not_started\"},\n"
        " {\"status\": \"amber\", \"previous_status\": \"not_started\"}]}}",
        d, &errors);
    assert_int_equal(errors, 0);
    const cJSON *r = qr_data_root(data);
    expect_bool(r, "action_plan/actions/0/overdue", 0); /* due on the day */
    expect_bool(r, "action_plan/actions/1/overdue", 1);
    expect_bool(r, "action_plan/actions/2/overdue", 0); /* complete */
    expect_bool(r, "action_plan/actions/3/overdue", 1);
    expect_bool(r, "action_plan/actions/4/overdue", 0); /* no due date */
    expect_str(r, "action_plan/actions/1/direction", "deteriorated");
    expect_str(r, "action_plan/actions/3/direction", "unchanged");
    expect_str(r, "action_plan/actions/3/direction_label", "No change");
    expect_str(r, "action_plan/actions/4/direction", "improved");
    expect_num(r, "action_plan/overdue_count", 2);
    qr_data_free(data);
    qr_diags_free(d);
}

/* What the data does not say shows as not set; "new" is what the data says,
 * "not reported before" is the absence of an earlier status. */
static void test_not_set_new_and_not_reported(void **state)
{
    (void)state;
    qr_diags *d = qr_diags_new();
    int errors;
    qr_data *data = derive_text(
        "{\"action_plan\": {\"as_at\": \"2026-11-01\", \"actions\": [\n"
        " {\"ref\": \"1\", \"status\": \"red\"},\n"
        " {\"ref\": \"2\", \"status\": \"amber\", \"new\": true, "
        "\"owner\": \"Head of Service\", \"due\": \"2027-01-31\"},\n"
        " {\"ref\": \"3\", \"status\": \"green\", "
        "\"previous_status\": \"amber\"}]}}",
        d, &errors);
    assert_int_equal(errors, 0);
    const cJSON *r = qr_data_root(data);
    expect_str(r, "action_plan/actions/0/owner_text", "Not set");
    expect_str(r, "action_plan/actions/0/due_text", "Not set");
    expect_absent(r, "action_plan/actions/0/due_short");
    expect_str(r, "action_plan/actions/1/owner_text", "Head of Service");
    expect_str(r, "action_plan/actions/1/due_text", "31 Jan 2027");
    expect_str(r, "action_plan/actions/0/direction", "not_reported");
    expect_str(r, "action_plan/actions/0/direction_label",
               "Not reported before");
    expect_bool(r, "action_plan/actions/0/changed", 0);
    expect_str(r, "action_plan/actions/1/direction", "new");
    expect_bool(r, "action_plan/actions/1/changed", 1);
    expect_num(r, "action_plan/directions/new", 1);
    expect_num(r, "action_plan/directions/not_reported", 1);
    expect_bool(r, "action_plan/directions/has_not_reported", 1);
    expect_bool(r, "action_plan/directions/has_deteriorated", 0);
    expect_num(r, "action_plan/changed_count", 2);
    qr_data_free(data);
    qr_diags_free(d);
}

/* A target measure prints apart from progress, with units as GOV.UK writes
 * them; a Green action that missed its target or its date is a warning. */
static void test_measures_and_contradictions(void **state)
{
    (void)state;
    qr_diags *d = qr_diags_new();
    int errors;
    qr_data *data = derive_text(
        "{\"action_plan\": {\"as_at\": \"2026-11-01\", \"actions\": [\n"
        " {\"ref\": \"1\", \"status\": \"green\", \"measure\": {"
        "\"baseline\": 51, \"latest\": 82, \"target\": 90, \"unit\": \"%\"}},\n"
        " {\"ref\": \"2\", \"status\": \"amber\", \"measure\": {"
        "\"latest\": 2.4, \"target\": 3, \"unit\": \"\xC2\xA3m\"}},\n"
        " {\"ref\": \"3\", \"status\": \"amber\", \"measure\": {"
        "\"baseline\": 30, \"latest\": 21, \"target\": 20, \"unit\": \"days\","
        " \"polarity\": \"lower_is_better\"}},\n"
        " {\"ref\": \"4\", \"status\": \"green\", \"due\": \"2026-10-01\"}]}}",
        d, &errors);
    assert_int_equal(errors, 0);
    const cJSON *r = qr_data_root(data);
    expect_str(r, "action_plan/actions/0/measure/text",
               "51% to 82% (target 90%)");
    expect_bool(r, "action_plan/actions/0/measure/target_met", 0);
    expect_str(r, "action_plan/actions/1/measure/text",
               "\xC2\xA3" "2.4m (target \xC2\xA3" "3m)");
    expect_str(r, "action_plan/actions/2/measure/text",
               "30 days to 21 days (target 20 days)");
    expect_bool(r, "action_plan/actions/2/measure/target_met", 0);
    /* progress is untouched by a measure */
    expect_absent(r, "action_plan/actions/0/progress_text");
    assert_int_equal(qr_diags_count(d, QR_WARNING), 2);
    int saw_target = 0, saw_date = 0;
    for (size_t i = 0; i < qr_diags_len(d); i++) {
        const qr_diag *g = qr_diags_get(d, i);
        if (strstr(g->message, "has not reached its target (90%)") &&
            strcmp(g->path, "/action_plan/actions/0/status") == 0)
            saw_target = 1;
        if (strstr(g->message, "action is Green but its due date") &&
            strcmp(g->path, "/action_plan/actions/3/status") == 0)
            saw_date = 1;
    }
    assert_true(saw_target);
    assert_true(saw_date);
    qr_data_free(data);
    qr_diags_free(d);
}

/* Grouped views: by status, overdue, changed and by recommendation, each a
 * copy that carries every derived field. */
static void test_grouped_views(void **state)
{
    (void)state;
    qr_diags *d = qr_diags_new();
    int errors;
    qr_data *data = derive_text(
        "{\"inspection\": {\"recommendations\": [{\"id\": 1, \"text\": \"A\"},"
        " {\"id\": 2, \"text\": \"B\"}]},\n"
        " \"action_plan\": {\"as_at\": \"2026-11-01\", \"actions\": [\n"
        " {\"ref\": \"1.1\", \"recommendation\": 1, \"status\": \"amber\", "
        "\"due\": \"2026-10-01\", \"previous_status\": \"green\"},\n"
        " {\"ref\": \"1.2\", \"recommendation\": 1, \"status\": \"red\"},\n"
        " {\"ref\": \"2.1\", \"recommendation\": 2, \"status\": \"amber\", "
        "\"previous_status\": \"amber\"}]}}",
        d, &errors);
    assert_int_equal(errors, 0);
    const cJSON *r = qr_data_root(data);
    const cJSON *amber = at(r, "action_plan/actions_by_status/amber");
    assert_int_equal(cJSON_GetArraySize(amber), 2);
    expect_str(r, "action_plan/actions_by_status/amber/0/ref", "1.1");
    expect_str(r, "action_plan/actions_by_status/amber/1/ref", "2.1");
    expect_str(r, "action_plan/actions_by_status/amber/0/due_long",
               "1 October 2026");
    assert_int_equal(
        cJSON_GetArraySize(at(r, "action_plan/actions_by_status/green")), 0);
    assert_int_equal(cJSON_GetArraySize(at(r, "action_plan/overdue_actions")),
                     1);
    expect_str(r, "action_plan/overdue_actions/0/ref", "1.1");
    assert_int_equal(cJSON_GetArraySize(at(r, "action_plan/changed_actions")),
                     1);
    expect_str(r, "action_plan/changed_actions/0/direction", "deteriorated");
    expect_num(r, "action_plan/by_recommendation/0/action_count", 2);
    expect_str(r, "action_plan/by_recommendation/0/text", "A");
    expect_str(r, "action_plan/by_recommendation/0/actions/1/ref", "1.2");
    expect_num(r, "action_plan/by_recommendation/1/action_count", 1);
    qr_data_free(data);
    qr_diags_free(d);
}

static int rag_sum(const cJSON *r)
{
    static const char *const names[] = {"red_pct", "amber_pct", "green_pct",
                                        "complete_pct", "not_started_pct"};
    int sum = 0;
    for (int i = 0; i < 5; i++)
        sum += at(at(r, "action_plan/rag"), names[i])->valueint;
    return sum;
}

static void test_rag_largest_remainder(void **state)
{
    (void)state;
    qr_diags *d = qr_diags_new();
    int errors;
    /* 3 red, 2 amber, 2 green: 42.86, 28.57, 28.57 -> 43, 29, 28 */
    qr_data *data = derive_text(
        "{\"action_plan\": {\"as_at\": \"2026-11-01\", \"actions\": ["
        "{\"status\": \"red\"}, {\"status\": \"red\"}, {\"status\": \"red\"},"
        "{\"status\": \"amber\"}, {\"status\": \"amber\"},"
        "{\"status\": \"green\"}, {\"status\": \"green\"}]}}",
        d, &errors);
    const cJSON *r = qr_data_root(data);
    expect_num(r, "action_plan/rag/red_pct", 43);
    expect_num(r, "action_plan/rag/amber_pct", 29);
    expect_num(r, "action_plan/rag/green_pct", 28);
    expect_num(r, "action_plan/rag/complete_pct", 0);
    expect_str(r, "action_plan/rag/red_pct_text", "43%");
    expect_str(r, "action_plan/rag/complete_pct_text", "0%");
    expect_num(r, "action_plan/rag/total", 7);
    assert_int_equal(rag_sum(r), 100);
    qr_data_free(data);

    /* thirds: 34, 33, 33 */
    data = derive_text(
        "{\"action_plan\": {\"actions\": [{\"status\": \"red\"}, "
        "{\"status\": \"amber\"}, {\"status\": \"complete\"}]}}",
        d, &errors);
    r = qr_data_root(data);
    expect_num(r, "action_plan/rag/red_pct", 34);
    expect_num(r, "action_plan/rag/amber_pct", 33);
    expect_num(r, "action_plan/rag/complete_pct", 33);
    assert_int_equal(rag_sum(r), 100);
    qr_data_free(data);

    /* no actions: all zero */
    data = derive_text("{\"action_plan\": {\"actions\": []}}", d, &errors);
    r = qr_data_root(data);
    expect_num(r, "action_plan/rag/total", 0);
    assert_int_equal(rag_sum(r), 0);
    expect_num(r, "action_plan/overdue_count", 0);
    qr_data_free(data);
    assert_int_equal(qr_diags_len(d), 0);
    qr_diags_free(d);
}

static void test_kpi_edge_cases(void **state)
{
    (void)state;
    qr_diags *d = qr_diags_new();
    int errors;
    qr_data *data = derive_text(
        "{\"kpis\": [\n"
        " {\"polarity\": \"higher_is_better\", \"target\": 90, \"series\": "
        "[{\"period\": \"2025-12\", \"value\": 90}, {\"period\": \"2026-01\","
        " \"value\": 90}]},\n"
        " {\"polarity\": \"lower_is_better\", \"target\": 20, \"series\": "
        "[{\"period\": \"2026-05\", \"value\": 1234.5}]},\n"
        " {\"polarity\": \"higher_is_better\", \"series\": []}]}",
        d, &errors);
    assert_int_equal(errors, 0);
    const cJSON *r = qr_data_root(data);
    expect_str(r, "kpis/0/trend", "stable");
    expect_str(r, "kpis/0/trend_label", "Stable");
    expect_bool(r, "kpis/0/target_met", 1);
    expect_str(r, "kpis/0/series/0/period_long", "December 2025");
    expect_str(r, "kpis/0/series/0/period_short", "Dec 25");
    expect_str(r, "kpis/1/latest_text", "1,234.5");
    expect_str(r, "kpis/1/latest_period_long", "May 2026");
    expect_bool(r, "kpis/1/has_previous", 0);
    expect_absent(r, "kpis/1/previous");
    expect_absent(r, "kpis/1/trend");
    expect_bool(r, "kpis/1/target_met", 0);
    expect_absent(r, "kpis/2/latest");
    expect_absent(r, "kpis/2/target_met");
    qr_data_free(data);
    qr_diags_free(d);
}

/* Unvalidated data: bad values are errors at their path and line; wrong
 * types are skipped without a crash. */
/* Judgements are worded by their inspection's framework: the 2012
 * framework's "Adequate" and "Leadership and governance", SIF's
 * "Requires improvement" (not ILACS's "to be good"), and a framework the
 * data describes printed as written. */
static void test_framework_wording(void **state)
{
    (void)state;
    qr_diags *d = qr_diags_new();
    int errors;
    qr_data *data = derive_text(
        "{\"inspection\": {\"type\": \"protection_of_children\", "
        "\"judgements\": [{\"area\": \"overall_effectiveness\", "
        "\"grade\": \"adequate\"}, {\"area\": \"leadership\", "
        "\"grade\": \"good\"}]}}",
        d, &errors);
    assert_int_equal(errors, 0);
    const cJSON *r = qr_data_root(data);
    expect_str(r, "inspection/type_label", "Inspection of local authority "
               "arrangements for the protection of children");
    expect_str(r, "inspection/framework_years", "2012 to 2013");
    expect_str(r, "inspection/overall_grade", "adequate");
    expect_str(r, "inspection/overall_grade_label", "Adequate");
    expect_str(r, "inspection/judgements/1/area_label",
               "Leadership and governance");
    qr_data_free(data);

    data = derive_text(
        "{\"inspection\": {\"type\": \"SIF\", \"judgements\": "
        "[{\"area\": \"adoption\", \"grade\": \"requires_improvement\"}]}}",
        d, &errors);
    r = qr_data_root(data);
    expect_str(r, "inspection/judgements/0/area_label", "Adoption performance");
    expect_str(r, "inspection/judgements/0/grade_label", "Requires improvement");
    qr_data_free(data);

    data = derive_text(
        "{\"inspection\": {\"type\": \"other\", \"framework\": "
        "{\"name\": \"Joint area review\", \"grades\": [\"1\", \"2\"]}, "
        "\"judgements\": [{\"area\": \"Safeguarding\", \"grade\": \"2\"}]}}",
        d, &errors);
    assert_int_equal(errors, 0);
    r = qr_data_root(data);
    expect_str(r, "inspection/type_label", "Joint area review");
    expect_absent(r, "inspection/framework_years");
    expect_str(r, "inspection/judgements/0/area_label", "Safeguarding");
    expect_str(r, "inspection/judgements/0/grade_label", "2");
    qr_data_free(data);
    assert_int_equal(qr_diags_len(d), 0);
    qr_diags_free(d);
}

static void test_errors_on_unvalidated_data(void **state)
{
    (void)state;
    qr_diags *d = qr_diags_new();
    int errors;
    qr_data *data = derive_text(
        "{\"inspection\": {\"type\": \"ofsted\", \"dates\": [\"2022-03-29\", "
        "\"2022-02-30\"],\n"
        "  \"judgements\": [{\"area\": \"care_leavers\", \"grade\": "
        "\"requires improvement\"}]},\n"
        " \"action_plan\": {\"as_at\": \"1 Nov 2026\", \"actions\": [\n"
        "  {\"status\": \"purple\", \"due\": \"2026-02-29\"}]},\n"
        " \"kpis\": [{\"polarity\": \"up\", \"series\": [{\"period\": "
        "\"2026-13\", \"value\": 1}]}]}",
        d, &errors);
    static const struct {
        const char *path;
        int line, col;
        const char *msg;
    } want[] = {
        {"/inspection/type", 1, 25,
         "'ofsted' is not an inspection type (expected one of: ILACS, "
         "monitoring_visit, focused_visit, JTAI, SIF, protection_of_children, "
         "safeguarding_lac, other)"},
        {"/inspection/judgements/0/grade", 2, 52,
         "'requires improvement' is not a grade: did you mean "
         "'requires_improvement'? (expected one of: "
         "outstanding, good, requires_improvement, adequate, inadequate)"},
        {"/action_plan/as_at", 3, 27,
         "'1 Nov 2026' is not a valid date (expected YYYY-MM-DD, e.g. "
         "2026-11-24)"},
        {"/action_plan/actions/0/status", 4, 14,
         "'purple' is not a status (expected one of: not_started, red, "
         "amber, green, complete)"},
        {"/kpis/0/polarity", 5, 24,
         "'up' is not a polarity (expected one of: higher_is_better, "
         "lower_is_better)"},
        {"/kpis/0/series/0/period", 5, 52,
         "'2026-13' is not a valid period (expected a month YYYY-MM, a quarter YYYY-Qn or a year YYYY/YY, e.g. 2026-10, 2026-Q3, 2025/26)"},
        {"/inspection/dates/1", 1, 59,
         "'2022-02-30' is not a valid date (expected YYYY-MM-DD, e.g. "
         "2026-11-24)"},
        {"/action_plan/actions/0/due", 4, 31,
         "'2026-02-29' is not a valid date (expected YYYY-MM-DD, e.g. "
         "2026-11-24)"},
    };
    size_t n = sizeof want / sizeof want[0];
    if (qr_diags_len(d) != n) qr_diags_print(d, stderr);
    assert_int_equal(qr_diags_len(d), n);
    assert_int_equal(errors, (int)n);
    for (size_t i = 0; i < n; i++) {
        const qr_diag *g = qr_diags_get(d, i);
        assert_int_equal(g->severity, QR_ERROR);
        assert_string_equal(g->file, "in.json");
        assert_string_equal(g->path, want[i].path);
        assert_string_equal(g->message, want[i].msg);
        if (g->line != want[i].line || g->col != want[i].col)
            fail_msg("%s at %d:%d, want %d:%d", g->path, g->line, g->col,
                     want[i].line, want[i].col);
    }
    const cJSON *r = qr_data_root(data);
    expect_absent(r, "inspection/type_label");
    expect_absent(r, "inspection/dates_long");
    /* an unknown type has no framework to word its judgements */
    expect_absent(r, "inspection/judgements/0/area_label");
    expect_absent(r, "inspection/judgements/0/grade_label");
    expect_bool(r, "action_plan/actions/0/overdue", 0);
    qr_data_free(data);
    qr_diags_free(d);

    /* every container the wrong type */
    d = qr_diags_new();
    data = derive_text(
        "{\"inspection\": [1], \"action_plan\": {\"as_at\": 5, \"actions\": "
        "[1, \"x\", null, [], {\"status\": 5, \"previous_status\": null, "
        "\"progress\": \"half\"}]}, \"kpis\": {\"a\": 1}, \"deep\": [[[\"2026-01-01\"]]]}",
        d, &errors);
    assert_int_equal(errors, 0);
    assert_int_equal(qr_diags_len(d), 0);
    r = qr_data_root(data);
    expect_num(r, "action_plan/rag/total", 0);
    expect_bool(r, "action_plan/actions/4/overdue", 0);
    expect_absent(r, "action_plan/actions/4/direction");
    expect_str(r, "kpis/a_text", "1");
    qr_data_free(data);
    qr_diags_free(d);

    /* an empty object and a free-form file */
    d = qr_diags_new();
    data = qr_data_empty();
    assert_true(qr_derive_run(data, d));
    assert_null(qr_data_root(data)->child);
    qr_data_free(data);
    qr_diags_free(d);
}

static void test_generic_arrays(void **state)
{
    (void)state;
    qr_diags *d = qr_diags_new();
    int errors;
    qr_data *data = derive_text(
        "{\"visits\": [{\"on\": \"2024-02-29\", \"count\": 1234567}],\n"
        " \"one\": [\"2018-06-21\"], \"mixed\": [\"2018-06-21\", \"soon\"],\n"
        " \"unsorted\": [\"2022-01-02\", \"2021-12-30\"], \"none\": [],\n"
        " \"neg\": -1234.25}",
        d, &errors);
    assert_int_equal(errors, 0);
    const cJSON *r = qr_data_root(data);
    expect_str(r, "visits/0/on_long", "29 February 2024");
    expect_str(r, "visits/0/count_text", "1,234,567");
    expect_str(r, "one_long", "21 June 2018");
    expect_str(r, "one_first_long", "21 June 2018");
    expect_str(r, "one_last_long", "21 June 2018");
    expect_absent(r, "mixed_long");
    expect_absent(r, "none_long");
    expect_str(r, "unsorted_long", "30 December 2021 to 2 January 2022");
    expect_str(r, "unsorted_first_long", "2 January 2022");
    expect_str(r, "neg_text", "-1,234.25");
    qr_data_free(data);
    qr_diags_free(d);
}

/* ---- formatters -------------------------------------------------------- */

static void date_long(const char *iso, const char *want)
{
    char out[64] = "junk";
    bool ok = qr_format_date_long(iso, out, sizeof out);
    if (want) {
        assert_true(ok);
        assert_string_equal(out, want);
    } else {
        assert_false(ok);
        assert_string_equal(out, "");
    }
}

static void test_date_long(void **state)
{
    (void)state;
    date_long("2018-06-21", "21 June 2018");
    date_long("2026-01-01", "1 January 2026");
    date_long("2026-12-31", "31 December 2026");
    date_long("2026-04-30", "30 April 2026");
    date_long("2026-04-31", NULL);
    date_long("2026-00-10", NULL);
    date_long("2026-13-10", NULL);
    date_long("2026-01-00", NULL);
    date_long("2026-1-01", NULL);
    date_long("2026-01-01T10:00", NULL);
    date_long("21/06/2018", NULL);
    date_long("", NULL);
    date_long(NULL, NULL);
}

static void test_leap_years(void **state)
{
    (void)state;
    date_long("2024-02-29", "29 February 2024"); /* divisible by 4 */
    date_long("2000-02-29", "29 February 2000"); /* by 400 */
    date_long("2026-02-29", NULL);
    date_long("1900-02-29", NULL);               /* by 100, not 400 */
    date_long("2100-02-29", NULL);
    date_long("2028-02-29", "29 February 2028");
    date_long("2024-02-30", NULL);
    date_long("2023-02-28", "28 February 2023");
}

static void range(const char *a, const char *b, const char *want)
{
    char out[96];
    bool ok = qr_format_date_range(a, b, out, sizeof out);
    if (want) {
        assert_true(ok);
        assert_string_equal(out, want);
    } else {
        assert_false(ok);
    }
}

static void test_date_range(void **state)
{
    (void)state;
    range("2022-03-29", "2022-03-30", "29 to 30 March 2022");
    range("2018-07-31", "2018-08-01", "31 July to 1 August 2018");
    range("2021-12-30", "2022-01-02", "30 December 2021 to 2 January 2022");
    range("2022-05-05", "2022-05-05", "5 May 2022");
    range("2022-03-30", "2022-03-29", "29 to 30 March 2022");
    range("2022-03-29", "2022-03-32", NULL);
    range("nonsense", "2022-03-29", NULL);
}

static void number(double v, const char *want)
{
    char out[64];
    qr_format_number(v, out, sizeof out);
    assert_string_equal(out, want);
}

static void test_number(void **state)
{
    (void)state;
    number(0, "0");
    number(7, "7");
    number(999, "999");
    number(1000, "1,000");
    number(1234, "1,234");
    number(12.5, "12.5");
    number(100000, "100,000");
    number(1234567.5, "1,234,567.5");
    number(-1234, "-1,234");
    number(-0.5, "-0.5");
    number(-0.0, "0");
    number(0.1, "0.1");
    number(0.1 + 0.2, "0.3");
    number(2.75, "2.75");
    number(1e15, "1,000,000,000,000,000");
    char small[6];
    qr_format_number(1234567, small, sizeof small);
    assert_string_equal(small, "1,234");
}

/* The fields the papers added: changes since the last report, direction
 * counts, booleans for sections (Mustache treats 0 as true), short due
 * dates, previous status labels, target labels, a review item's
 * recommendation wording and figures' texts. */
static void test_paper_fields(void **state)
{
    (void)state;
    static const char text[] =
        "{\"paper\": {\"review\": [{\"recommendation\": 2, \"findings\": []},\n"
        "   {\"recommendation\": 9, \"findings\": []}],\n"
        "  \"figures\": [{\"label\": \"a\", \"value\": 1234, \"previous\": \"n/a\"},\n"
        "   {\"label\": \"b\", \"value\": \"35%\", \"previous\": 3}]},\n"
        " \"inspection\": {\"recommendations\": [{\"id\": 1, \"text\": \"One\"},\n"
        "   {\"id\": 2, \"text\": \"Two\"}]},\n"
        " \"action_plan\": {\"as_at\": \"2025-09-30\", \"actions\": [\n"
        "  {\"ref\": \"1\", \"due\": \"2025-12-31\", \"status\": \"green\", \"previous_status\": \"amber\"},\n"
        "  {\"ref\": \"2\", \"due\": \"2025-01-31\", \"status\": \"red\", \"previous_status\": \"red\"},\n"
        "  {\"ref\": \"3\", \"due\": \"2025-06-30\", \"status\": \"complete\", \"new\": true}]},\n"
        " \"kpis\": [{\"id\": \"k\", \"target\": 20, \"polarity\": \"lower_is_better\",\n"
        "   \"series\": [{\"period\": \"2025-08\", \"value\": 22}, {\"period\": \"2025-09\", \"value\": 19}]}]}\n";
    qr_diags *d = qr_diags_new();
    int errors;
    qr_data *data = derive_text(text, d, &errors);
    assert_int_equal(errors, 0);
    const cJSON *r = qr_data_root(data);
    expect_bool(r, "/action_plan/actions/0/changed", 1);
    expect_bool(r, "/action_plan/actions/1/changed", 0);
    expect_bool(r, "/action_plan/actions/2/changed", 1); /* new */
    expect_str(r, "/action_plan/actions/0/previous_status_label", "Amber");
    expect_absent(r, "/action_plan/actions/2/previous_status_label");
    expect_str(r, "/action_plan/actions/0/due_short", "31 Dec 2025");
    expect_str(r, "/action_plan/actions/2/due_short", "30 June 2025");
    expect_num(r, "/action_plan/changed_count", 2);
    expect_bool(r, "/action_plan/has_changes", 1);
    expect_bool(r, "/action_plan/has_overdue", 1);
    expect_num(r, "/action_plan/directions/improved", 1);
    expect_num(r, "/action_plan/directions/deteriorated", 0);
    expect_num(r, "/action_plan/directions/unchanged", 1);
    expect_num(r, "/action_plan/directions/new", 1);
    expect_str(r, "/kpis/0/target_met_label", "Met");
    expect_str(r, "/kpis/0/target_text", "20");
    expect_str(r, "/paper/review/0/recommendation_wording", "Two");
    expect_absent(r, "/paper/review/1/recommendation_wording");
    expect_str(r, "/paper/figures/0/value_text", "1,234");
    expect_str(r, "/paper/figures/0/previous_text", "n/a");
    expect_str(r, "/paper/figures/1/value_text", "35%");
    expect_str(r, "/paper/figures/1/previous_text", "3");
    qr_data_free(data);
    qr_diags_free(d);
    /* nothing overdue, nothing changed: the section flags are false */
    static const char quiet[] =
        "{\"action_plan\": {\"as_at\": \"2025-09-30\", \"actions\": [\n"
        "  {\"ref\": \"1\", \"due\": \"2025-12-31\", \"status\": \"amber\", \"previous_status\": \"amber\"}]}}\n";
    d = qr_diags_new();
    data = derive_text(quiet, d, &errors);
    r = qr_data_root(data);
    expect_bool(r, "/action_plan/has_changes", 0);
    expect_bool(r, "/action_plan/has_overdue", 0);
    expect_num(r, "/action_plan/changed_count", 0);
    qr_data_free(data);
    qr_diags_free(d);
}

int main(void)
{
    const struct CMUnitTest sample[] = {
        cmocka_unit_test(test_paper_fields),
        cmocka_unit_test(test_generic_dates_and_numbers),
        cmocka_unit_test(test_inspection_labels),
        cmocka_unit_test(test_action_fields),
        cmocka_unit_test(test_rag),
        cmocka_unit_test(test_kpi_fields),
        cmocka_unit_test(test_derive_once),
    };
    const struct CMUnitTest other[] = {
        cmocka_unit_test(test_data_wins),
        cmocka_unit_test(test_overdue_and_direction),
        cmocka_unit_test(test_not_set_new_and_not_reported),
        cmocka_unit_test(test_measures_and_contradictions),
        cmocka_unit_test(test_grouped_views),
        cmocka_unit_test(test_rag_largest_remainder),
        cmocka_unit_test(test_kpi_edge_cases),
        cmocka_unit_test(test_errors_on_unvalidated_data),
        cmocka_unit_test(test_framework_wording),
        cmocka_unit_test(test_generic_arrays),
        cmocka_unit_test(test_date_long),
        cmocka_unit_test(test_leap_years),
        cmocka_unit_test(test_date_range),
        cmocka_unit_test(test_number),
    };
    int failed = cmocka_run_group_tests(sample, setup_sample, teardown_sample);
    failed += cmocka_run_group_tests(other, NULL, NULL);
    return failed;
}
