/** Tenants: {@code public.companies}, the rules their names and settings follow, and onboarding. */
package io.flotilla.tenant;
