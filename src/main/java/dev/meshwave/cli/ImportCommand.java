package dev.meshwave.cli;

import dev.meshwave.lint.RepositoryObjects;
import dev.meshwave.plan.InstalledMesh;
import dev.meshwave.plan.Inventory;
import dev.meshwave.plan.InvalidPlanException;
import dev.meshwave.plan.Manifest;
import dev.meshwave.plan.PlanImport;
import dev.meshwave.plan.PlanLoader;
import dev.meshwave.plan.PlanSchema;
import dev.meshwave.plan.Problem;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Write a first plan (to stdout) from what a cluster runs today.",
            "Reads the output of kubectl get ns -o yaml, or a GitOps repository (--repository) that installs istiod, and optionally of kubectl get deploy,sts,ds -A -o yaml and"
                    + " kubectl get mutatingwebhookconfigurations -o yaml. Namespaces it cannot plan are listed on stderr."
                    + " See docs/import.md in the meshwave repository."})
final class ImportCommand implements Callable<Integer> {

    /** The plan's fields that come straight from one flag. */
    private static final Map<String, String> FLAGS = Map.of("spec.to.version", "--to-version", "spec.to.revision", "--to-revision",
            "metadata.name", "--name", "spec.clusters[0].name", "--cluster", "spec.clusters[0].path", "--path");

    @Spec
    CommandSpec spec;

    @Option(names = "--namespaces", paramLabel = "FILE",
            description = "kubectl get ns -o yaml (required without --repository; with it, the Namespaces the repository applies are read)")
    Path namespaces;

    @Option(names = "--repository", paramLabel = "DIR",
            description = "A GitOps repository (or a directory of it) that installs istiod: today's revision, version, delivery and cluster facts")
    Path repository;

    @Option(names = "--deployments", paramLabel = "FILE", description = "kubectl get deploy,sts,ds -A -o yaml (workload counts, gateways)")
    Path deployments;

    @Option(names = "--webhooks", paramLabel = "FILE", description = "kubectl get mutatingwebhookconfigurations -o yaml (revisions and tags served)")
    Path webhooks;

    @Option(names = "--to-version", required = true, paramLabel = "VERSION", description = "The version to upgrade to, e.g. 1.23.3-asm.2")
    String toVersion;

    @Option(names = "--to-revision", paramLabel = "REVISION", description = "The new revision (default: derived from the version)")
    String toRevision;

    @Option(names = "--cluster", defaultValue = "cluster", paramLabel = "NAME", description = "Cluster name (default: ${DEFAULT-VALUE})")
    String cluster;

    @Option(names = "--path", paramLabel = "PATH", description = "Cluster path in the GitOps repository (default: clusters/<cluster>/mesh)")
    String path;

    @Option(names = "--waves", defaultValue = "2", paramLabel = "N",
            description = "Waves after the first (gateways and smallest namespaces), split by workload count (default: ${DEFAULT-VALUE})")
    int waves;

    @Option(names = "--name", defaultValue = "mesh-upgrade", paramLabel = "NAME", description = "metadata.name of the plan (default: ${DEFAULT-VALUE})")
    String name;

    @Override
    public Integer call() throws InvalidPlanException, IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (namespaces == null && repository == null) {
            err.println("meshwave: import needs --namespaces FILE (kubectl get ns -o yaml), --repository DIR, or both");
            return ExitCodes.USAGE;
        }
        List<Manifest> workloads = deployments == null ? List.of() : Inventory.read(deployments);
        Optional<List<Manifest>> injectors = webhooks == null ? Optional.empty() : Optional.of(Inventory.read(webhooks));
        PlanImport.Request request = new PlanImport.Request(name, toVersion, Optional.ofNullable(toRevision), cluster,
                path == null ? "clusters/" + cluster + "/mesh" : path, waves);
        List<Manifest> namespaceObjects = namespaces == null ? List.of() : Inventory.read(namespaces);
        PlanImport.Sources sources = new PlanImport.Sources(namespaces == null ? "" : namespaces.toString(), Optional.empty());
        if (repository != null) {
            RepositoryObjects read = RepositoryObjects.read(repository);
            read.notRead().forEach(p -> err.println(dev.meshwave.plan.TerminalText.escape(p.toString())));
            String shown = repository.toString().replace('\\', '/');
            sources = new PlanImport.Sources(namespaces == null ? shown : namespaces.toString(),
                    Optional.of(InstalledMesh.find(shown, read.objects(), toVersion, Optional.ofNullable(toRevision))));
            if (namespaces == null) {
                namespaceObjects = repositoryNamespaces(read.objects());
            }
        }
        PlanImport.Result result = PlanImport.build(request, sources, namespaceObjects, workloads, injectors);
        // The plan is checked like any other before it is printed: import never hands out a plan validate refuses.
        try {
            new PlanLoader(PlanSchema.load()).load("(imported plan)", result.planText().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (InvalidPlanException e) {
            List<Problem> errors = e.problems().stream().filter(Problem::isError).toList();
            // A field one flag set is that flag's error, in validate's words: "--to-version: '1.23' is not valid; expected …".
            if (!errors.isEmpty() && errors.stream().allMatch(p -> FLAGS.containsKey(p.yamlPath()))) {
                errors.forEach(p -> err.println("meshwave: " + FLAGS.get(p.yamlPath()) + ": " + dev.meshwave.plan.TerminalText.escape(p.message())));
                return ExitCodes.USAGE;
            }
            throw new InvalidPlanException(e.problems().stream().map(p -> Problem.error(p.position(), p.yamlPath(),
                    "the imported plan would be invalid (check the flags): " + p.message())).toList());
        }
        result.problems().forEach(p -> err.println(dev.meshwave.plan.TerminalText.escape(p.toString())));
        out.print(result.planText());
        return ExitCodes.OK;
    }

    /** The Namespaces a repository applies, once each: a base and its overlays both write them, and the first file in path order wins. */
    private static List<Manifest> repositoryNamespaces(List<Manifest> objects) {
        Map<String, Manifest> byName = new java.util.LinkedHashMap<>();
        objects.stream().filter(o -> o.kind().equals("Namespace") && !o.name().isEmpty()).forEach(o -> byName.putIfAbsent(o.name(), o));
        return List.copyOf(byName.values());
    }
}
