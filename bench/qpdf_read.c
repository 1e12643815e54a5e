/* qpdf_read FILE: libqpdf reads every object of FILE, and nothing else.
 *
 * make bench times this beside the tagged appendix: keeping an appendix's
 * structure tree means reading each of its elements, and libqpdf (the
 * library the pack reads appendices with) parses an object stream whole
 * the first time one of its objects is wanted. So this program's time is a
 * floor under what a tagged appendix can add to a pack; what the pack adds
 * beyond it is Quire's own (walking, checking and writing the tree). */
#include <qpdf/qpdf-c.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: qpdf_read FILE\n");
        return 2;
    }
    qpdf_data q = qpdf_init();
    qpdf_silence_errors(q);
    int rc = 0;
    if (qpdf_read(q, argv[1], "") & QPDF_ERRORS) {
        fprintf(stderr, "qpdf_read: %s: cannot read\n", argv[1]);
        rc = 1;
    } else {
        int pages = qpdf_get_num_pages(q);
        qpdf_oh size = qpdf_oh_get_key(q, qpdf_get_trailer(q), "/Size");
        long long n = qpdf_oh_get_int_value(q, size), types = 0;
        for (long long i = 1; i < n && i <= 0x7fffffff; i++)
            types += qpdf_oh_get_type_code(q, qpdf_get_object_by_id(q, (int)i, 0));
        qpdf_oh_release_all(q);
        if (pages < 1 || types == 0) {
            fprintf(stderr, "qpdf_read: %s: no pages or objects\n", argv[1]);
            rc = 1;
        }
    }
    qpdf_cleanup(&q);
    return rc;
}
