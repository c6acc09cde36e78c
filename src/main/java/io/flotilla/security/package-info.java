/**
 * Authentication and roles: signed JWT bearer tokens checked by SmallRye JWT, roles viewer / operator / admin (each
 * resource method names the least one it needs with {@code @RolesAllowed}; {@link io.flotilla.security.RoleHierarchy}
 * makes the higher ones include it), the token command, and the zero-setup key pair.
 */
package io.flotilla.security;
