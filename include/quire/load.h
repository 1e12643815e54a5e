/* load.h — the load stage: read a data file, parse it with cJSON, and keep
 * enough of the source to locate any value by its JSON pointer.
 *
 * Syntax errors are reported as file:line:col with the source line; schema
 * problems (qr_data_validate) carry the JSON pointer too, and every problem is
 * reported, not just the first.
 *
 * Failure: The loaders return NULL, and qr_data_validate,
 * qr_json_check_duplicates and qr_json_unknown_fields false, after adding
 * errors; qr_data_locate returns false when a value is not in the source.
 */
#ifndef QUIRE_LOAD_H
#define QUIRE_LOAD_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>
#include "quire/diag.h"
#include "quire/input.h"

/* Limits (documented in README). */
#define QR_MAX_DATA_BYTES (64u * 1024u * 1024u) /* largest data file read */
#define QR_MAX_JSON_DEPTH 64                    /* deepest nesting accepted */

typedef struct qr_data qr_data;

/* Load and parse the JSON file at `path`. Returns NULL after adding an error
 * (unreadable file, invalid UTF-8 with its byte offset, syntax error at
 * line:col, nesting deeper than QR_MAX_JSON_DEPTH, top level not an object)
 * or errors for repeated member names (qr_json_check_duplicates).
 * The caller frees the result with qr_data_free. */
qr_data *qr_data_load(const char *path, qr_diags *d);

/* As qr_data_load, recording the file in the active input record under
 * `role` (qr_data_load records QR_IN_DATA): an earlier report a paper
 * follows is QR_IN_EARLIER, so the record says what it was read as. */
qr_data *qr_data_load_as(const char *path, qr_input_role role, qr_diags *d);

/* As qr_data_load, but any JSON value may be the top level: a string,
 * number, array, boolean or null as well as an object. For `expand --spec`,
 * where the Mustache spec's context can be any value. */
qr_data *qr_data_load_value(const char *path, qr_diags *d);

/* As qr_data_load, from memory; `name` is used in messages. */
qr_data *qr_data_parse(const char *text, size_t len, const char *name,
                       qr_diags *d);

/* As qr_data_parse, but takes ownership of text[0..len) (from
 * qr_input_read; freed here on failure too) and sets no size limit: for a
 * reader of another kind of JSON file that reads it with its own input role,
 * limit and messages (style.c), and then gets the same syntax checking,
 * duplicate-key errors and JSON-pointer locations as data. */
qr_data *qr_data_adopt(char *text, size_t len, const char *name,
                       qr_diags *d);

/* Every JSON reader's check for repeated member names (RFC 8259 leaves them
 * undefined; cJSON keeps them all and its lookups find the first, so a
 * repeat could hide a value from a reader). `root` is cJSON's tree of
 * text[0..len). Each repeat is an error at the repeat's file:line:col:
 * `duplicate key "exempt" in /items/3 (first at 13:7)` (the JSON pointer of
 * the object; "the top-level object" for the root); after 20 the rest are
 * counted in one more error. Returns false when there was any repeat.
 * O(k log k) per object of k members. qr_data_load and qr_data_parse call it; a reader that
 * parses with cJSON itself must call it too. */
bool qr_json_check_duplicates(const char *name, const char *text, size_t len,
                              const cJSON *root, qr_diags *d);

/* An empty object, for rendering a template with no data. */
qr_data *qr_data_empty(void);

void qr_data_free(qr_data *data);              /* NULL is a no-op */

/* The parsed tree, borrowed. The mutable form is for the derive stage only. */
const cJSON *qr_data_root(const qr_data *data);
cJSON *qr_data_root_mut(qr_data *data);
const char *qr_data_name(const qr_data *data); /* file name given at load */

/* Locate the value at JSON pointer `path` ("/a/b/0") in the source text.
 * Returns true and sets *line, *col (1-based) when found, else false.
 * Values added after load (by derive) are not in the source: false. */
bool qr_data_locate(const qr_data *data, const char *path, int *line,
                    int *col);

/* Add a diagnostic about the value at `path`, located in the source when
 * possible (file:line:col plus the JSON pointer). */
void qr_data_diag(const qr_data *data, qr_diags *d, qr_severity sev,
                  const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* The same with a va_list, for wrappers that add their own context. */
void qr_data_vdiag(const qr_data *data, qr_diags *d, qr_severity sev,
                   const char *path, const char *fmt, va_list ap);

/* How a message names a JSON value's type: "an object", "an array",
 * "a string", "a number", "a boolean" or "null". */
const char *qr_json_type_name(const cJSON *v);

/* Add item to obj as member key unless obj already has one: what the data
 * says wins over what derive and history compute. item may be NULL (nothing
 * is added); an item not added is freed. */
void qr_json_add_new(cJSON *obj, const char *key, cJSON *item);

/* A closed object's check, for the meeting file's readers (pack.c,
 * proceedings.c): each member of `obj` (at JSON pointer `path`) not named in
 * `known` (NULL-terminated) is an error, not a warning — a misspelt key
 * would be silently ignored, and a misspelt "exempt" would publish an
 * exempt paper. A near miss is named: "unknown field 'x': did you mean 'y'?
 * (known: …)"; after QR_UNKNOWN_KEYS_SHOWN the rest are counted in one more
 * error. Returns false after adding errors. */
bool qr_json_unknown_fields(const qr_data *data, const cJSON *obj,
                            const char *path, const char *const *known,
                            qr_diags *d);

/* JSON pointers built a step at a time in a qr_buf, for walkers that report
 * where they are: push returns a mark that pop returns to. Keys are escaped
 * as RFC 6901 says ("~" as "~0", "/" as "~1"). */
struct qr_buf;
size_t qr_jptr_push_key(struct qr_buf *path, const char *key);
size_t qr_jptr_push_index(struct qr_buf *path, int index);
void qr_jptr_pop(struct qr_buf *path, size_t mark);

/* Validate a paper's data against the contract in docs/data.md:
 * required fields, types, enums, ISO dates, unique action refs,
 * actions pointing at existing recommendations, progress 0-100. Every problem
 * is added (errors, and warnings for unknown fields). Returns false when any
 * error was added (a caller that wants the number counts the errors in d).
 * A document with no "paper" object (a plain data file) is accepted as is. */
bool qr_data_validate(const qr_data *data, qr_diags *d);

#endif
