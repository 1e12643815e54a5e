/* pack_templates.c — the templates/pack/ files, compiled in.
 *
 * The assembler's .incbin copies each file's bytes into the object as
 * they are, with a NUL after them, so the file in templates/pack/ stays
 * the one definition of the text (the one a council copies to override
 * it) and nothing has to be generated or escaped. Paths are relative to
 * the directory the build runs in, the repository root; the Makefile
 * rebuilds this object when one of the files changes.
 */
#include "pack_templates.h"

#include <string.h>

#define EMBED(sym, file)                                                    \
    __asm__(".pushsection .rodata\n"                                       \
            ".global " #sym "\n"                                           \
            ".type " #sym ", %object\n" #sym ":\n"                         \
            ".incbin \"" file "\"\n"                                       \
            ".byte 0\n"                                                    \
            ".size " #sym ", . - " #sym "\n"                               \
            ".popsection\n")

EMBED(qr_pack_tpl_front_sheet, "templates/pack/front-sheet.md");
EMBED(qr_pack_tpl_agenda, "templates/pack/agenda.md");
EMBED(qr_pack_tpl_exempt_notice, "templates/pack/exempt-notice.md");
EMBED(qr_pack_tpl_supplement, "templates/pack/supplement.md");

extern const char qr_pack_tpl_front_sheet[];
extern const char qr_pack_tpl_agenda[];
extern const char qr_pack_tpl_exempt_notice[];
extern const char qr_pack_tpl_supplement[];

const char *qr_pack_builtin(const char *name)
{
    static const struct { const char *name; const char *text; } builtin[] = {
        {"front-sheet.md", qr_pack_tpl_front_sheet},
        {"agenda.md", qr_pack_tpl_agenda},
        {"exempt-notice.md", qr_pack_tpl_exempt_notice},
        {"supplement.md", qr_pack_tpl_supplement},
    };
    for (size_t i = 0; i < sizeof builtin / sizeof *builtin; i++)
        if (strcmp(builtin[i].name, name) == 0) return builtin[i].text;
    return NULL;
}
