/* pack_templates.h — private to the pack stage: the built-in templates of
 * a pack's own parts (front sheet, agenda, exempt notice), the files under
 * templates/pack/ compiled into the program so that a pack needs no file
 * beyond its meeting file and papers.
 *
 * Failure: none; NULL from qr_pack_builtin means no such template.
 */
#ifndef QUIRE_PACK_TEMPLATES_H
#define QUIRE_PACK_TEMPLATES_H

#include <stddef.h>

/* The built-in template `name` ("front-sheet.md", "agenda.md",
 * "exempt-notice.md"): NUL-terminated text, or NULL for another name. */
const char *qr_pack_builtin(const char *name);

#endif
