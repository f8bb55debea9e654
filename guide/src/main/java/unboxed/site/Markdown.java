package unboxed.site;

import org.commonmark.node.Node;
import org.commonmark.node.Paragraph;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * The labs' prose is Markdown (**bold**, `code`, lists); commonmark renders it. Raw HTML in a lab's text is escaped,
 * never passed through, and link targets are sanitised: whatever a lab says is shown as text.
 */
final class Markdown {
    private static final Parser PARSER = Parser.builder().build();
    /** No block syntax in one-liners: a choice "1." is the text 1., not a list. */
    private static final Parser INLINE = Parser.builder().enabledBlockTypes(java.util.Set.of()).build();
    private static final HtmlRenderer HTML = HtmlRenderer.builder().escapeHtml(true).sanitizeUrls(true).build();

    private Markdown() {}

    /** Block Markdown (paragraphs, lists) to HTML. */
    static String block(String markdown) {
        if (markdown == null || markdown.isBlank()) return "";
        return HTML.render(PARSER.parse(markdown)).strip();
    }

    /** One line of Markdown (a title, a choice, a hint) to HTML without the paragraph around it. */
    static String inline(String markdown) {
        if (markdown == null || markdown.isBlank()) return "";
        Node doc = INLINE.parse(markdown.strip());
        Node first = doc.getFirstChild();
        if (first instanceof Paragraph && first.getNext() == null) {
            StringBuilder b = new StringBuilder();
            for (Node n = first.getFirstChild(); n != null; n = n.getNext()) b.append(HTML.render(n));
            return b.toString().strip();
        }
        return HTML.render(doc).strip();
    }
}
