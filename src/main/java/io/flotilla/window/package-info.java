/**
 * Maintenance windows per company: the hours (weekly ranges in the company's time zone) in which rollouts and the
 * scheduled maintenance jobs may touch its schema. {@link io.flotilla.window.MaintenanceWindow} is the value and its
 * arithmetic (open at an instant, the next opening), tested without a database; {@link io.flotilla.window.WindowRules}
 * checks what clients send; {@link io.flotilla.window.CompanyWindow} is the {@code public.company_windows} entity.
 */
package io.flotilla.window;
