/**
 * How a step gets its table locks without stalling a tenant's live traffic: the policy ({@code LockPolicy}: short
 * {@code lock_timeout} attempts within a budget, from configuration, a rollout's strategy and a file's directives),
 * the attempts ({@code LockRetries}: the blocker named after each timeout ({@code Blocker}), jittered pauses, the
 * {@code flotilla.lock.timeouts} counter), what the attempts came to ({@code LockTally}), what the caller does with
 * its slot meanwhile ({@code LockPauses}: lend it, or step aside), and how a step ends when it cannot have its locks
 * ({@code LockTimedOut}, {@code SteppedAside}). The executor in {@code sql} runs each attempt; nothing here runs a
 * tenant's SQL. Imports nothing from the other packages.
 */
package io.flotilla.lock;
