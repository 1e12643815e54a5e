/* history.h — what changed since the last report, from the last report's
 * own data file (docs/data.md, "History").
 *
 * A progress paper's data may name the earlier report it follows
 * (top-level "follows": a path relative to the data file). The earlier file
 * is loaded, validated and derived exactly as a paper's data is — through
 * qr_input_read, so it is one of the paper's inputs and a change to it
 * rebuilds the paper — and compared with this one:
 *   - actions are matched by ref: each gets the earlier status as
 *     previous_status (an explicit one in the data wins, with a warning when
 *     it contradicts the earlier file), an action the earlier report lacks
 *     is new, and a due date or wording that changed is kept as
 *     previous_due / previous_action;
 *   - KPI series are merged by id (this file wins a period both give, with a
 *     warning when they disagree);
 *   - recommendations are matched by id.
 * The earlier file is derived with its own history, so a chain of monthly
 * files gives each KPI its whole series.
 *
 * Derive calls the two halves: qr_history_load before its own pass (what it
 * adds is read by derive as if the officer had typed it), qr_history_apply
 * after, when every action carries its derived fields, to add the flags and
 * the lists templates print (the top-level "history" and "has_history").
 *
 * Failure: qr_history_load returns false after adding errors; applying
 * and freeing cannot fail.
 */
#ifndef QUIRE_HISTORY_H
#define QUIRE_HISTORY_H

#include <stdbool.h>
#include <cjson/cJSON.h>
#include "quire/load.h"

/* How many reports a chain of "follows" may go back: ten years of monthly
 * papers. Each earlier report must be dated before the one that names it,
 * so a chain cannot loop; the limit bounds the work and the stack. */
#define QR_MAX_HISTORY_DEPTH 120

typedef struct qr_history qr_history;

/* Load the report data's "follows" names, check that it is the same plan
 * and earlier, and add to data what comes from it (previous_status, new,
 * previous_due, previous_action, action_plan.previous_as_at, merged KPI
 * series). Returns true with *out the history, or *out NULL when the data
 * names no earlier report; false, *out NULL, after adding errors (each at
 * a JSON pointer of data, or in the earlier file). */
bool qr_history_load(qr_data *data, qr_diags *d, qr_history **out);

/* After derivation: flag each action (added, status_changed, redated,
 * reworded, newly_overdue) and add the top-level "history" object and
 * "has_history" (false when h is NULL and the data has an action plan:
 * a first report, or one whose changes are typed in the data). */
void qr_history_apply(const qr_history *h, cJSON *root);

void qr_history_free(qr_history *h); /* NULL is a no-op */

#endif
