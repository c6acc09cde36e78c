package io.flotilla.notify;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/** The {@code X-Flotilla-Signature} value: {@code sha256=} and the hex HMAC-SHA256 of the body's bytes under the secret. */
public final class Signature {

    public static final String HEADER = "X-Flotilla-Signature";
    public static final String DELIVERY_HEADER = "X-Flotilla-Delivery";
    public static final String EVENT_HEADER = "X-Flotilla-Event";

    private Signature() {
    }

    public static String of(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
