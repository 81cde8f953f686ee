package dev.dockhand.users;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The credentials of an HTTP Basic {@code Authorization} header (RFC 7617, UTF-8). */
public final class BasicAuth {
    /** Longer than any password the agent accepts: refused before it costs a hash. */
    public static final int MAX_PASSWORD = 1024;

    private BasicAuth() {}

    /**
     * {@code {name, password}} of a {@code Basic} header, split at the first colon, or null when it is
     * not one, or the name or the password is empty, or the password longer than {@link #MAX_PASSWORD}.
     */
    public static String[] credentials(String authorization) {
        String h = authorization.strip();
        if (h.length() < 6 || !h.substring(0, 6).equalsIgnoreCase("basic ")) {
            return null;
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(h.substring(6).strip());
        } catch (IllegalArgumentException e) {
            return null;
        }
        String pair;
        try {
            pair = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        int colon = pair.indexOf(':');
        if (colon <= 0 || colon == pair.length() - 1 || pair.length() - colon - 1 > MAX_PASSWORD) {
            return null;
        }
        return new String[] {pair.substring(0, colon), pair.substring(colon + 1)};
    }
}
