package dev.meshwave.git;

import java.io.File;
import java.nio.file.Path;
import java.util.Map;
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
    private SshdSessionFactory factory;

    SshTransport(Map<String, String> environment) {
        this.home = environment.get("HOME");
    }

    @Override
    public synchronized void configure(Transport transport) {
        if (transport instanceof org.eclipse.jgit.transport.SshTransport ssh && home != null && !home.isBlank()) {
            if (factory == null) {
                File homeDir = Path.of(home).toFile();
                factory = new SshdSessionFactoryBuilder()
                        .setHomeDirectory(homeDir)
                        .setSshDirectory(new File(homeDir, ".ssh"))
                        .build(new JGitKeyCache());
            }
            ssh.setSshSessionFactory(factory);
        }
    }

    @Override
    public synchronized void close() {
        if (factory != null) {
            factory.close();
        }
    }
}
