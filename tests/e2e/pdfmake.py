"""Small PDFs the end-to-end scripts make with pikepdf, to stand for the
appendices a council attaches: pages of one line of Helvetica each, and a
file carrying everything active a PDF can (JavaScript, an /OpenAction, a
Launch action, a link annotation, an embedded file), which no pack or copy
may pass on. The canary words (qzx...) let a check find each part.

    sys.path.insert(0, "tests/e2e")
    from pdfmake import maker, active
    make = maker(folder)
    make("letter.pdf", [(595, 842, "Ofsted letter qzxLetterOne")])
    make("plan.pdf", [(595, 842, "Improvement plan qzxPlan")], active)
"""
import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, String


def maker(folder):
    """make(path, pages, extra=None): a PDF in folder, a page for each
    (width, height, text); extra(pdf), when given, adds to it."""
    def make(path, pages, extra=None):
        pdf = Pdf.new()
        font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1,
                                            BaseFont=Name.Helvetica))
        for w, h, text in pages:
            content = pdf.make_stream(f"BT /F1 20 Tf 72 {h - 120} Td ({text}) Tj ET".encode())
            pdf.pages.append(pikepdf.Page(Dictionary(
                Type=Name.Page, MediaBox=[0, 0, w, h], Contents=content,
                Resources=Dictionary(Font=Dictionary(F1=font)))))
        if extra:
            extra(pdf)
        pdf.save(f"{folder}/{path}")
    return make


def active(pdf):
    """Everything active: JavaScript on opening and by name, an embedded
    file, a Launch action on the first page and a JavaScript link on it."""
    pdf.Root.OpenAction = Dictionary(S=Name.JavaScript, JS=String("app.alert('qzxOpenJS')"))
    body = pdf.make_stream(b"qzxEmbeddedBody")
    body.Type = Name.EmbeddedFile
    pdf.Root.Names = Dictionary(
        JavaScript=Dictionary(Names=Array([String("init"), Dictionary(S=Name.JavaScript, JS=String("qzxNamedJS"))])),
        EmbeddedFiles=Dictionary(Names=Array([String("tool.exe"), Dictionary(
            Type=Name.Filespec, F=String("qzxTool.exe"), EF=Dictionary(F=body))])))
    pdf.pages[0].obj.AA = Dictionary(O=Dictionary(S=Name.Launch, F=String("qzxLaunch.exe")))
    pdf.pages[0].obj.Annots = Array([pdf.make_indirect(Dictionary(
        Type=Name.Annot, Subtype=Name.Link, Rect=[0, 0, 100, 100],
        A=Dictionary(S=Name.JavaScript, JS=String("qzxAnnotJS"))))])
