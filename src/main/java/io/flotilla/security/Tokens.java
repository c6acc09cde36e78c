package io.flotilla.security;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;
import java.util.UUID;

/**
 * Signed JWTs (RS256, SmallRye JWT) and the PEM key files they are made with. Nothing here is home-made crypto:
 * keys come from the JDK's generator, signing from SmallRye JWT.
 */
public final class Tokens {

    public static final String DEFAULT_ISSUER = "flotilla";
    public static final String PRIVATE_KEY_FILE = "jwt-private.pem";
    public static final String PUBLIC_KEY_FILE = "jwt-public.pem";

    private Tokens() {
    }

    /** A token for {@code role}, valid for {@code ttl}. */
    public static String sign(PrivateKey key, String issuer, String subject, Role role, Duration ttl) {
        return Jwt.issuer(issuer).subject(subject).upn(subject).groups(Set.of(role.value()))
                .claim("jti", UUID.randomUUID().toString())
                .expiresIn(ttl).sign(key);
    }

    public static PrivateKey readPrivateKey(Path pem) {
        try {
            return KeyUtils.decodePrivateKey(Files.readString(pem, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the signing key " + pem, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(pem + " is not a PEM-encoded PKCS#8 RSA private key: " + e.getMessage(), e);
        }
    }

    /** Writes a new RSA-2048 key pair as PEM files into {@code dir} unless both are already there. */
    public static void ensureKeyPair(Path dir) {
        Path privateKey = dir.resolve(PRIVATE_KEY_FILE);
        Path publicKey = dir.resolve(PUBLIC_KEY_FILE);
        if (Files.exists(privateKey) && Files.exists(publicKey)) {
            return;
        }
        try {
            Files.createDirectories(dir);
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            Files.writeString(privateKey, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            Files.writeString(publicKey, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
            try {
                Files.setPosixFilePermissions(privateKey, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: nothing more to do
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a key pair to " + dir, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no RSA key generator", e);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
