package dev.meshwave.git.pr;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code --pr none}: the pull request's text as a Markdown file under
 * {@code <workdir>/.meshwave/pull-requests/<branch>.md}, for teams that open requests by hand or
 * through another tool.
 */
public final class MarkdownFileProvider implements PullRequestProvider {

    private final Path directory;

    public MarkdownFileProvider(Path workdir) {
        this.directory = workdir.resolve(".meshwave").resolve("pull-requests");
    }

    @Override
    public PullRequestResult publish(PullRequest request) throws ProviderException {
        Path file = directory.resolve(request.head() + ".md").normalize();
        if (!file.startsWith(directory)) {
            throw new ProviderException("branch name " + request.head() + " leaves " + directory, 0);
        }
        String text = "# " + request.title() + "\n\n"
                + "Merge `" + request.head() + "` into `" + request.base() + "`.\n\n"
                + request.body().strip() + "\n";
        try {
            boolean exists = Files.isRegularFile(file);
            if (exists && Files.readString(file, StandardCharsets.UTF_8).equals(text)) {
                return new PullRequestResult(PullRequestResult.Outcome.UNCHANGED, file.toString());
            }
            dev.meshwave.output.AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
            return new PullRequestResult(exists ? PullRequestResult.Outcome.UPDATED : PullRequestResult.Outcome.CREATED,
                    file.toString());
        } catch (IOException e) {
            throw new ProviderException("cannot write " + file + ": " + e.getMessage(), 0);
        }
    }
}
