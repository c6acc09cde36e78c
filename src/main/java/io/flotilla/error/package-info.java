/** The error root ({@link io.flotilla.error.FlotillaException}) and the codes every concept reports with. */
package io.flotilla.error;
