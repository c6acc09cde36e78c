package io.flotilla.adoption;

import java.util.List;

/** What another tool's history table says of one schema: the tool, the table read, and its entries by version. */
public record ToolHistory(HistoryTool tool, String table, List<ToolEntry> entries) {

    public ToolHistory {
        entries = List.copyOf(entries);
    }
}
