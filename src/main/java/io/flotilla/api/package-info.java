/** The REST surface under {@code /api/v1}: resources map HTTP to services; {@link io.flotilla.api.ProblemMapper} maps errors. */
package io.flotilla.api;
