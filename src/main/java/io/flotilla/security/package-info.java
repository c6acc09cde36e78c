/**
 * Authentication and roles: signed JWT bearer tokens checked by SmallRye JWT, roles viewer / operator / admin
 * mapped onto methods and paths in application.properties, the token command, and the zero-setup key pair.
 */
package io.flotilla.security;
