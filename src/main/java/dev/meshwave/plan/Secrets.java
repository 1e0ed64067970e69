package dev.meshwave.plan;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Recognises private key material so that it never reaches the output (DESIGN: nothing secret is written). */
public final class Secrets {

    private static final Pattern PRIVATE_KEY = Pattern.compile("-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----");

    private Secrets() {}

    /** The 1-based line of the first PEM private key block, or 0 when there is none. */
    public static int privateKeyLine(byte[] bytes) {
        return privateKeyLine(new String(bytes, StandardCharsets.UTF_8));
    }

    public static int privateKeyLine(String text) {
        Matcher m = PRIVATE_KEY.matcher(text);
        if (!m.find()) {
            return 0;
        }
        int line = 1;
        for (int i = 0; i < m.start(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
