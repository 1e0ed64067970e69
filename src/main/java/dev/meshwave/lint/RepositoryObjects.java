package dev.meshwave.lint;

import dev.meshwave.plan.Manifest;
import dev.meshwave.plan.ManifestFile;
import dev.meshwave.plan.Problem;
import dev.meshwave.plan.SourcePosition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every object of a repository's YAML files as written, read the way lint reads its plain YAML
 * ({@link RepositoryScan}: hidden directories and Helm charts left out, bounded regular files), for
 * {@code meshwave import --repository}. Nothing is built: what installs istiod is read where it is written, so
 * that what import reports points at the file to change. Files that cannot be read are warnings.
 *
 * @param objects every object, in path order, positions naming files under the path the user gave
 * @param notRead a warning per file that was not read
 */
public record RepositoryObjects(List<Manifest> objects, List<Problem> notRead) {

    public static RepositoryObjects read(Path given) throws IOException {
        if (given.toString().isEmpty() || !Files.exists(given)) {
            throw new java.nio.file.NoSuchFileException(given.toString());
        }
        Path root = given.toRealPath();
        RepositoryScan scan = RepositoryScan.of(root);
        Path base = Files.isDirectory(root) ? root : root.getParent();
        List<Manifest> objects = new ArrayList<>();
        List<Problem> notRead = new ArrayList<>();
        scan.notRead().forEach((file, why) -> notRead.add(Problem.warning(new SourcePosition(Linter.display(given, file, root), 1, 1), "",
                why + "; not read")));
        for (Path file : scan.yamlFiles()) {
            String shown = Linter.display(given, file, root);
            try {
                objects.addAll(ManifestFile.read(shown, RepositoryScan.read(base.resolve(file)), RepositoryScan.MAX_FILE_BYTES));
            } catch (ManifestFile.UnreadableException e) {
                notRead.add(Problem.warning(e.position(), "", e.getMessage() + "; not read"));
            } catch (RepositoryScan.NotReadException e) {
                notRead.add(Problem.warning(new SourcePosition(shown, 1, 1), "", e.getMessage() + "; not read"));
            } catch (IOException e) {
                notRead.add(Problem.warning(new SourcePosition(shown, 1, 1), "", "cannot be read (" + e.getClass().getSimpleName()
                        + "); not read"));
            }
        }
        return new RepositoryObjects(List.copyOf(objects), List.copyOf(notRead));
    }
}
