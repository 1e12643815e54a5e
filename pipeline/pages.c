/* pages.c — the display list container shared by layout (which fills it),
 * pdf (which draws it) and pack (which joins lists): pages of positioned
 * items and the structure tree for tagging. Plain data in one arena.
 */
#include "quire/layout.h"
#include "quire/image.h"
#include "quire/util.h"

#include <stdlib.h>
#include <string.h>

typedef struct page_rec {
    qr_page pub;
    qr_item *items;
    size_t cap;
} page_rec;

struct qr_pages {
    qr_arena *arena;
    page_rec *pages;
    size_t npages, cap;
    qr_elem *elems;
    size_t nelems, ecap;
    qr_image **images;          /* a reference for each image item */
    size_t nimages, cimages;
};

qr_pages *qr_pages_new(void)
{
    qr_pages *p = qr_xcalloc(1, sizeof *p);
    p->arena = qr_arena_new();
    return p;
}

void qr_pages_free(qr_pages *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->npages; i++) free(p->pages[i].items);
    free(p->pages);
    free(p->elems);
    for (size_t i = 0; i < p->nimages; i++) qr_image_unref(p->images[i]);
    free(p->images);
    qr_arena_free(p->arena);
    free(p);
}

size_t qr_pages_add_page(qr_pages *p, float width, float height)
{
    QR_GROW(p->pages, p->npages, p->cap, 16);
    page_rec *r = &p->pages[p->npages];
    memset(r, 0, sizeof *r);
    r->pub.width = width;
    r->pub.height = height;
    return p->npages++;
}

static const char *copy_str(qr_pages *p, const char *s, size_t n)
{
    return s ? qr_arena_strndup(p->arena, s, n) : NULL;
}

qr_item *qr_pages_add_item(qr_pages *p, size_t page, const qr_item *item)
{
    page_rec *r = &p->pages[page];
    QR_GROW(r->items, r->pub.nitems, r->cap, 64);
    r->pub.items = r->items;
    qr_item *it = &r->items[r->pub.nitems++];
    *it = *item;
    if (item->text) {
        it->text = copy_str(p, item->text, item->len);
    } else {
        it->len = 0;
    }
    if (item->uri) it->uri = copy_str(p, item->uri, strlen(item->uri));
    if (item->name) it->name = copy_str(p, item->name, strlen(item->name));
    if (item->alt) it->alt = copy_str(p, item->alt, strlen(item->alt));
    if (item->image) {
        /* the list keeps the image alive as long as it may be drawn (a
         * pack joins lists and frees the papers' own) */
        QR_GROW(p->images, p->nimages, p->cimages, 8);
        p->images[p->nimages++] = qr_image_ref(item->image);
    }
    if (item->pts && item->npts) {
        float *pts = qr_arena_alloc(p->arena, item->npts * 2 * sizeof(float));
        memcpy(pts, item->pts, item->npts * 2 * sizeof(float));
        it->pts = pts;
    } else {
        it->pts = NULL;
        it->npts = 0;
    }
    return it;
}

int qr_pages_add_elem(qr_pages *p, qr_role role, int parent, const char *alt,
                      const char *scope)
{
    QR_GROW(p->elems, p->nelems, p->ecap, 64);
    qr_elem *e = &p->elems[p->nelems];
    e->role = role;
    e->parent = parent;
    e->alt = alt ? qr_arena_strdup(p->arena, alt) : NULL;
    e->scope = scope ? qr_arena_strdup(p->arena, scope) : NULL;
    return (int)p->nelems++;
}

void qr_pages_set_alt(qr_pages *p, int elem, const char *alt)
{
    if (elem < 0 || (size_t)elem >= p->nelems) return;
    p->elems[elem].alt = alt ? qr_arena_strdup(p->arena, alt) : NULL;
}

size_t qr_pages_append(qr_pages *dst, const qr_pages *src, int root,
                       qr_item_edit edit, void *ctx)
{
    size_t first = dst->npages;
    /* map[i] = the dst index of src element i */
    int *map = qr_xmalloc((src->nelems ? src->nelems : 1) * sizeof *map);
    for (size_t i = 0; i < src->nelems; i++) {
        const qr_elem *e = &src->elems[i];
        if (e->parent < 0 && root >= 0) {
            map[i] = root;
            continue;
        }
        /* layout adds parents before children, so map[parent] is set; a
         * forward reference (never made by layout) hangs from root */
        int parent = -1;
        if (e->parent >= 0)
            parent = (size_t)e->parent < i ? map[e->parent] : root;
        map[i] = qr_pages_add_elem(dst, e->role, parent, e->alt, e->scope);
    }
    for (size_t pi = 0; pi < src->npages; pi++) {
        const qr_page *sp = &src->pages[pi].pub;
        size_t dp = qr_pages_add_page(dst, sp->width, sp->height);
        for (size_t k = 0; k < sp->nitems; k++) {
            qr_item it = sp->items[k];
            if (it.elem >= 0 && (size_t)it.elem < src->nelems)
                it.elem = map[it.elem];
            else if (it.elem >= 0)
                it.elem = root;
            if (edit && !edit(ctx, dst, dp, pi, &it)) continue;
            qr_pages_add_item(dst, dp, &it);
        }
    }
    free(map);
    return first;
}

size_t qr_pages_count(const qr_pages *p)
{
    return p ? p->npages : 0;
}

const qr_page *qr_pages_get(const qr_pages *p, size_t i)
{
    return i < p->npages ? &p->pages[i].pub : NULL;
}

size_t qr_pages_nelems(const qr_pages *p)
{
    return p->nelems;
}

const qr_elem *qr_pages_elem(const qr_pages *p, size_t i)
{
    return i < p->nelems ? &p->elems[i] : NULL;
}

static const char *kind_name(qr_item_kind k)
{
    static const char *names[] = {"text", "line", "rect", "image",
                                  "link", "anchor", "path"};
    return (unsigned)k < sizeof names / sizeof *names ? names[k] : "?";
}

static const char *role_name(qr_role r)
{
    static const char *names[] = {
        "-", "Document", "H1", "H2", "H3", "H4", "H5", "H6", "P",
        "L", "LI", "Lbl", "LBody", "Table", "TR", "TH", "TD",
        "BlockQuote", "Code", "Figure", "Link", "Sect", "TOC", "TOCI", "Artifact"};
    return (unsigned)r < sizeof names / sizeof *names ? names[r] : "?";
}

static void dump_str(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\x%02x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

void qr_pages_dump(const qr_pages *p, FILE *f)
{
    for (size_t i = 0; i < p->npages; i++) {
        const qr_page *pg = &p->pages[i].pub;
        fprintf(f, "page %zu %.2f x %.2f%s\n", i + 1, pg->width, pg->height,
                pg->width > pg->height ? " landscape" : "");
        for (size_t j = 0; j < pg->nitems; j++) {
            const qr_item *it = &pg->items[j];
            fprintf(f, "  %s %s e%d %.2f %.2f", kind_name(it->kind),
                    role_name(it->role), it->elem, it->x, it->y);
            switch (it->kind) {
            case QR_ITEM_TEXT:
                fprintf(f, " w%.2f f%d s%.2f ", it->w, (int)it->font,
                        it->size);
                if (it->angle != 0) fprintf(f, "a%.2f ", it->angle);
                dump_str(f, it->text, it->len);
                break;
            case QR_ITEM_LINE:
                fprintf(f, " -> %.2f %.2f lw%.2f", it->x2, it->y2,
                        it->line_width);
                break;
            case QR_ITEM_RECT:
                fprintf(f, " %.2f x %.2f%s%s", it->w, it->h,
                        it->has_fill ? " fill" : "",
                        it->has_stroke ? " stroke" : "");
                break;
            case QR_ITEM_IMAGE:
                fprintf(f, " %.2f x %.2f %s alt=", it->w, it->h,
                        it->uri ? it->uri : "");
                dump_str(f, it->alt ? it->alt : "",
                         it->alt ? strlen(it->alt) : 0);
                break;
            case QR_ITEM_LINK:
                fprintf(f, " %.2f x %.2f %s", it->w, it->h,
                        it->uri ? it->uri : "");
                break;
            case QR_ITEM_ANCHOR:
                fprintf(f, " %s level%d ", it->name ? it->name : "",
                        it->level);
                dump_str(f, it->text ? it->text : "", it->len);
                break;
            case QR_ITEM_PATH:
                fprintf(f, " n%zu%s%s%s", it->npts, it->closed ? " closed" : "",
                        it->has_fill ? " fill" : "",
                        it->has_stroke ? " stroke" : "");
                break;
            }
            fputc('\n', f);
        }
    }
    for (size_t i = 0; i < p->nelems; i++) {
        fprintf(f, "elem %zu %s parent %d", i, role_name(p->elems[i].role),
                p->elems[i].parent);
        if (p->elems[i].alt) {
            fputs(" alt=", f);
            dump_str(f, p->elems[i].alt, strlen(p->elems[i].alt));
        }
        fputc('\n', f);
    }
}
