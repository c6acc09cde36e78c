package io.flotilla.security;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * A token names one role; the identity gets that role and every role below it, so each resource method can name the
 * least role it needs ({@code @RolesAllowed(Role.OPERATOR_NAME)}) instead of listing the ones above. Names in the
 * token that are not Flotilla roles are kept and imply nothing.
 */
@ApplicationScoped
public class RoleHierarchy implements SecurityIdentityAugmentor {

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous()) {
            return Uni.createFrom().item(identity);
        }
        Set<String> implied = identity.getRoles().stream()
                .flatMap(name -> Role.find(name).stream())
                .flatMap(role -> role.includes().stream()).map(Role::value)
                .filter(name -> !identity.getRoles().contains(name)).collect(Collectors.toSet());
        if (implied.isEmpty()) {
            return Uni.createFrom().item(identity);
        }
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder(identity).addRoles(implied).build());
    }
}
