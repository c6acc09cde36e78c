package io.flotilla.api;

import java.util.List;

/** Ledger rows newest first; pass {@code nextBefore} as {@code before} for the next page (null at the end). */
public record LedgerPage(List<LedgerEntryView> items, Long nextBefore) {
}
