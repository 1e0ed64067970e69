package dev.meshwave.bench;

import dev.meshwave.plan.Plan;
import dev.meshwave.plan.PlanLoader;
import dev.meshwave.plan.PlanSchema;
import dev.meshwave.render.InjectionCheck;
import dev.meshwave.render.RenderedTree;
import dev.meshwave.render.Renderer;
import dev.meshwave.render.Templates;
import dev.meshwave.testing.SyntheticPlans;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The core without the JVM's start or the disk: loading a plan (YAML, schema, checks), the admission
 * check, rendering one cluster, and emitting one YAML manifest from its template. Run by
 * {@code bench/run.sh}; results go into {@code bench/RESULTS.md}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CoreBenchmark {

    /** Namespaces of the one-cluster plan, spread over ten waves. */
    @Param({"50", "200"})
    public int namespaces;

    private Path planFile;
    private PlanLoader loader;
    private Plan plan;
    private Templates templates;
    private Renderer renderer;
    private InjectionCheck injectionCheck;
    private Map<String, Object> namespacesContext;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path dir = Files.createTempDirectory("meshwave-bench-");
        planFile = SyntheticPlans.write(dir, 1, namespaces, 10, "1.23.3-asm.2");
        loader = new PlanLoader(PlanSchema.load());
        plan = loader.load(planFile).plan();
        templates = Templates.builtIn();
        renderer = new Renderer(templates);
        injectionCheck = new InjectionCheck(templates);
        List<Map<String, Object>> entries = new ArrayList<>();
        for (int n = 0; n < namespaces; n++) {
            entries.add(Map.of("name", "ns-" + n, "labels", List.of(Map.of("key", "istio.io/rev", "value", "asm-1130-0"))));
        }
        namespacesContext = Map.of("namespaces", entries, "planName", "synthetic", "cluster", "c1", "clusterPath", "clusters/c1",
                "fromRevision", "asm-1130-0", "fromNonRevisioned", false, "revision", "asm-1233-2", "version", "1.23.3-asm.2",
                "istioNamespace", "istio-system");
    }

    @Benchmark
    public Plan planLoad() throws Exception {
        return loader.load(planFile).plan();
    }

    @Benchmark
    public Object admissionCheck() throws Exception {
        return injectionCheck.check(plan);
    }

    @Benchmark
    public RenderedTree renderOneCluster() throws Exception {
        return renderer.render(plan, Renderer.LiveStages.first());
    }

    @Benchmark
    public String yamlEmit() throws Exception {
        return templates.render("stages/namespaces.yaml.mustache", namespacesContext);
    }
}
