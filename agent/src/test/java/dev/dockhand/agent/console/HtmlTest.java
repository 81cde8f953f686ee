package dev.dockhand.agent.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HtmlTest {
    @Test
    void escapesTheFiveCharactersThatMatter() {
        assertEquals("&amp;&lt;&gt;&quot;&#39;x", Html.escape("&<>\"'x"));
        assertEquals("plain", Html.escape("plain"));
        assertEquals("null", Html.escape(null));
    }

    @Test
    void textAndAttributesAreEscapedByDefault() {
        String html = new Html().open("td", "data-topic", "\"><script>").text(Fixtures.EVIL).close("td").toString();
        assertEquals("<td data-topic=\"&quot;&gt;&lt;script&gt;\">&lt;script&gt;alert(1)&lt;/script&gt;</td>", html);
    }

    @Test
    void nullAttributeValuesAreLeftOut() {
        assertEquals("<tr></tr>", new Html().open("tr", "class", null).close("tr").toString());
    }

    @Test
    void tagAndAttributeNamesMustBePlainNames() {
        assertThrows(IllegalArgumentException.class, () -> new Html().open("td onclick=x"));
        assertThrows(IllegalArgumentException.class, () -> new Html().open("td", "on\"x", "1"));
        assertThrows(IllegalArgumentException.class, () -> new Html().open("td", "class"));
    }
}
