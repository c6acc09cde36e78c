package io.flotilla.api;

import io.flotilla.ledger.LedgerEntry;

import java.util.List;

/** Ledger rows newest first; pass {@code nextBefore} as {@code before} for the next page (null at the end). */
public record LedgerPage(List<LedgerEntry> items, Long nextBefore) {
}
