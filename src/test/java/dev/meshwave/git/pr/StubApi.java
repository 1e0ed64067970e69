package dev.meshwave.git.pr;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the provider tests share: a stub of the hosting API on 127.0.0.1 (started once per class,
 * reset before every test), a sleeper that records waits instead of waiting, and a failure check
 * that the token never appears.
 */
final class StubApi {

    private StubApi() {}

    /** Register with {@code @RegisterExtension static}. */
    static WireMockExtension server() {
        return WireMockExtension.newInstance().options(options().dynamicPort().bindAddress("127.0.0.1")).build();
    }

    /** The HTTP methods the stub received, sorted. */
    static List<String> methods(WireMockExtension server) {
        return server.getAllServeEvents().stream().map(e -> e.getRequest().getMethod().getName()).sorted().toList();
    }

    /** Asserts that {@code publish} fails with a {@link ProviderException} that does not show {@code token}. */
    static ProviderException failure(String token, ThrowingPublish publish) {
        ProviderException e = assertThrows(ProviderException.class, publish::run);
        assertFalse(e.getMessage().contains(token), e.getMessage());
        assertFalse(e.toString().contains(token), e.toString());
        return e;
    }

    @FunctionalInterface
    interface ThrowingPublish {
        void run() throws Exception;
    }

    /** Remembers every wait the provider asks for, and waits for none of them. */
    static final class RecordingSleeper implements Sleeper {

        final List<Duration> waits = new ArrayList<>();

        @Override
        public void sleep(Duration duration) {
            waits.add(duration);
        }
    }
}
