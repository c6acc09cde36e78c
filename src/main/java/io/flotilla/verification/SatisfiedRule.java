package io.flotilla.verification;

/**
 * A lint rule the catalog need not meet because Flotilla meets it: never a violation.
 *
 * @param rule   the rule, by Squawk's name
 * @param by     what meets it ({@code runner}, or {@code catalog}: the reader refuses the file before it runs)
 * @param reason how
 */
public record SatisfiedRule(String rule, String by, String reason) {
}
