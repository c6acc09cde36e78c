package io.flotilla.catalog;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DirectivesTest {

    @Test
    void readsTheLeadingCommentBlockOnly() {
        Directives.Header header = Directives.leading("""
                -- Refreshes the totals
                --  Flotilla : CRON  0 0 2 * * ?\s\s

                -- flotilla:no-transaction
                SELECT 1;
                -- flotilla:default late=1
                """);
        assertEquals(List.of(new Directives.Directive("CRON", "0 0 2 * * ?"),
                new Directives.Directive("no-transaction", "")), header.directives());
        assertEquals(List.of("Refreshes the totals"), header.comments());
    }

    @Test
    void noCommentBlockNoDirectives() {
        Directives.Header header = Directives.leading("SELECT 1; -- flotilla:no-transaction\n");
        assertEquals(List.of(), header.directives());
        assertEquals(List.of(), header.comments());
    }
}
