package dev.meshwave.git;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RemoteSession;
import org.eclipse.jgit.transport.SshSessionFactory;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.sshd.JGitKeyCache;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * ssh:// through JGit's Apache MINA sshd client, reading keys, {@code config} and
 * {@code known_hosts} from {@code $HOME/.ssh} of the run's environment (not the JVM's
 * {@code user.home}), so the user's own setup applies and tests can bring their own. One client per
 * run, closed with it.
 */
final class SshTransport implements TransportConfigCallback, AutoCloseable {

    private final String home;
    private final int connectMillis;
    private SshdSessionFactory factory;

    SshTransport(Map<String, String> environment, Duration connect) {
        this.home = environment.get("HOME");
        this.connectMillis = (int) Math.min(Integer.MAX_VALUE, connect.toMillis());
    }

    @Override
    public synchronized void configure(Transport transport) {
        if (transport instanceof org.eclipse.jgit.transport.SshTransport ssh && home != null && !home.isBlank()) {
            if (factory == null) {
                limitLogin();
                File homeDir = Path.of(home).toFile();
                factory = new SshdSessionFactoryBuilder()
                        .setHomeDirectory(homeDir)
                        .setSshDirectory(new File(homeDir, ".ssh"))
                        .build(new JGitKeyCache());
            }
            ssh.setSshSessionFactory(new ConnectWithin(factory, connectMillis));
        }
    }

    /** Apache sshd's own name for it; {@code -Dorg.apache.sshd.config.auth-timeout=…} set by the user wins. */
    private static final String AUTH_TIMEOUT = "org.apache.sshd.config.auth-timeout";

    /**
     * Key exchange and login wait on sshd's auth timeout (2 minutes by default), which it reads from the
     * client's properties or, failing those, system properties; JGit exposes no client, so a server that
     * accepts the connection and never answers held the run two minutes per connection. A meshwave
     * process publishes once, so the system property is the run's.
     */
    private void limitLogin() {
        if (System.getProperty(AUTH_TIMEOUT) == null || Boolean.getBoolean("meshwave.ssh.auth-timeout.set")) {
            System.setProperty(AUTH_TIMEOUT, String.valueOf(connectMillis));
            System.setProperty("meshwave.ssh.auth-timeout.set", "true");
        }
    }

    /**
     * Connecting and logging in get the connect timeout; JGit passes the transport's, which also bounds
     * every read and is longer, so an unreachable host would hold the run for the whole of it.
     */
    private static final class ConnectWithin extends SshSessionFactory {
        private final SshdSessionFactory delegate;
        private final int connectMillis;

        ConnectWithin(SshdSessionFactory delegate, int connectMillis) {
            this.delegate = delegate;
            this.connectMillis = connectMillis;
        }

        @Override
        public RemoteSession getSession(URIish uri, CredentialsProvider credentials, FS fs, int tms) throws TransportException {
            return delegate.getSession(uri, credentials, fs, tms > 0 ? Math.min(tms, connectMillis) : connectMillis);
        }

        @Override
        public String getType() {
            return delegate.getType();
        }

        @Override
        public void releaseSession(RemoteSession session) {
            delegate.releaseSession(session);
        }
    }

    @Override
    public synchronized void close() {
        if (factory != null) {
            factory.close();
        }
    }
}
