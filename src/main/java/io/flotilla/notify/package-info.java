/**
 * Notifications: webhook subscriptions and their deliveries (Hibernate Reactive entities, as companies are), the
 * closed list of events, {@link io.flotilla.notify.Events} (the one place the rest of the service reports an event),
 * and the sender that signs, sends, retries and records each delivery from the database.
 */
package io.flotilla.notify;
