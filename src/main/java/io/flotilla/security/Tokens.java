package io.flotilla.security;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
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

    private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

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

    /**
     * Makes sure {@code dir} holds a key pair only its owner can read: writes a new RSA-2048 pair as PEM files unless
     * both are already there, and (re)sets the directory to 0700 and both files to 0600, so a pair made by an older
     * version or loosened by hand is tightened at every start. True when a new pair was written.
     */
    public static boolean ensureKeyPair(Path dir) {
        Path privateKey = dir.resolve(PRIVATE_KEY_FILE);
        Path publicKey = dir.resolve(PUBLIC_KEY_FILE);
        boolean create = !(Files.isRegularFile(privateKey) && Files.isRegularFile(publicKey));
        try {
            Files.createDirectories(dir);
            restrict(dir, OWNER_ONLY_DIRECTORY);
            if (create) {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                KeyPair pair = generator.generateKeyPair();
                writeOwnerOnly(privateKey, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
                writeOwnerOnly(publicKey, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
            }
            restrict(privateKey, OWNER_ONLY_FILE);
            restrict(publicKey, OWNER_ONLY_FILE);
            return create;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a key pair to " + dir, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no RSA key generator", e);
        }
    }

    /** Written to a file that is 0600 from its creation (never readable by others, not even for a moment), then moved. */
    private static void writeOwnerOnly(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void restrict(Path path, Set<PosixFilePermission> permissions) throws IOException {
        try {
            if (!Files.getPosixFilePermissions(path).equals(permissions)) {
                Files.setPosixFilePermissions(path, permissions);
            }
        } catch (UnsupportedOperationException notPosix) {
            // not a POSIX file system: its own access rules apply
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
