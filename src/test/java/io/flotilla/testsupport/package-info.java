/** Shared test fixtures: the PostgreSQL the tests run against and helpers to look into it. */
package io.flotilla.testsupport;
