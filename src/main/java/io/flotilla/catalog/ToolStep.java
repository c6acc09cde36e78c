package io.flotilla.catalog;

import io.flotilla.catalog.Sections.Section;

/**
 * One step a tool's own listing names (a sqitch plan's change, a Liquibase changeset), before the resolver numbers
 * it: where its scripts come from and their text, and the name the tool gives it.
 *
 * @param file     the up script's file as users know it ({@code deploy/users.sql}, {@code changelog.sql})
 * @param downFile the rollback's file, or null when there is no rollback
 * @param name     the step's name as the tool spells it (a change name, {@code id (author)})
 * @param up       the up script's text and whether the tool says no transaction
 * @param down     the rollback, or null
 * @param skipped  the tool would not run it here (a Liquibase changeset for another dbms): it keeps its number
 */
record ToolStep(String file, String downFile, String name, Section up, Section down, boolean skipped) {
}
