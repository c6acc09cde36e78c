/**
 * Companies (the package is named for what they are: tenants): the {@code public.companies} entity and its Panache repository (Hibernate Reactive, on the
 * one reactive datasource; Flyway owns the table), the rules their names and settings follow, onboarding, seeding
 * and resets. Set-based reads that join companies to other tables stay on the Vert.x client ({@link
 * io.flotilla.tenant.CompanyRows}).
 */
package io.flotilla.tenant;
