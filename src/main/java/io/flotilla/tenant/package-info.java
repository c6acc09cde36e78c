/** Tenants: {@code public.companies}, the rules their names and settings follow, onboarding, seeding and resets. */
package io.flotilla.tenant;
