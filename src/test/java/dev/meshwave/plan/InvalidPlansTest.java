package dev.meshwave.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Cli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.approvaltests.Approvals;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Walks the table of invalid plans in {@code src/test/resources/invalid-plans/}: each file breaks one
 * or two things and says, in its leading comment lines, what {@code meshwave validate} must report.
 *
 * <ul>
 *   <li>{@code # expect: LINE:COL: yaml.path: message fragment} — stderr has a line containing
 *       {@code <plan path>:LINE:COL: yaml.path: message fragment};</li>
 *   <li>{@code # expect-file: overlays/x.yaml:LINE:COL: ...} — the same for a file the plan names,
 *       relative to the plan's directory (problems inside an overlay are reported in the overlay).</li>
 * </ul>
 *
 * Every case exits 2, prints nothing on stdout, no stack trace, and exactly one problem line per expect line.
 */
class InvalidPlansTest {

    static final String INVALID_DIR = "src/test/resources/invalid-plans";
    static final String WARNING_DIR = "src/test/resources/warning-plans";

    private static final String EXPECT = "# expect: ";
    private static final String EXPECT_FILE = "# expect-file: ";
    /** A problem line: {@code file:line:col: ...}. */
    private static final Pattern PROBLEM_LINE = Pattern.compile("^.+:\\d+:\\d+: .*");

    record Expectation(String file, String fragment) {
        String expectedText() {
            return file + ":" + fragment;
        }
    }

    static List<String> cases(String dir) throws IOException {
        try (Stream<Path> files = Files.list(Path.of(dir))) {
            return files.filter(Files::isRegularFile)
                    .map(p -> p.getFileName().toString())
                    .filter(name -> name.endsWith(".yaml"))
                    .sorted()
                    .map(name -> dir + "/" + name)
                    .toList();
        }
    }

    static Cli.Result validate(String plan) {
        return Cli.run("validate", plan);
    }

    /** The expect lines at the top of a plan: every leading comment line is read, others ignored. */
    static List<Expectation> expectations(String plan) throws IOException {
        String planDir = plan.substring(0, plan.lastIndexOf('/'));
        List<Expectation> expectations = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(plan), StandardCharsets.UTF_8)) {
            if (!line.startsWith("#")) {
                break;
            }
            if (line.startsWith(EXPECT)) {
                expectations.add(new Expectation(plan, line.substring(EXPECT.length())));
            } else if (line.startsWith(EXPECT_FILE)) {
                String rest = line.substring(EXPECT_FILE.length());
                int colon = rest.indexOf(':');
                expectations.add(new Expectation(planDir + "/" + rest.substring(0, colon), rest.substring(colon + 1)));
            }
        }
        return expectations;
    }

    @TestFactory
    Stream<DynamicTest> everyInvalidPlanIsReportedWithItsPosition() throws IOException {
        return cases(INVALID_DIR).stream().map(plan -> DynamicTest.dynamicTest(
                plan.substring(plan.lastIndexOf('/') + 1), () -> checkInvalid(plan)));
    }

    private static void checkInvalid(String plan) throws IOException {
        List<Expectation> expectations = expectations(plan);
        assertFalse(expectations.isEmpty(), plan + " has no '# expect:' line");

        Cli.Result result = validate(plan);

        assertEquals(2, result.exitCode(), () -> "exit code of validate " + plan + "\nstderr:\n" + result.err());
        assertEquals("", result.out(), () -> "stdout of validate " + plan);
        assertNoStackTrace(result.err());
        List<String> lines = result.err().lines().toList();
        for (Expectation expectation : expectations) {
            assertTrue(lines.stream().anyMatch(l -> l.contains(expectation.expectedText())),
                    () -> "expected a line containing\n  " + expectation.expectedText() + "\nbut stderr was:\n" + result.err());
        }
        long problems = lines.stream().filter(l -> PROBLEM_LINE.matcher(l).matches()).count();
        assertEquals(expectations.size(), problems,
                () -> "one problem line per expect line in " + plan + "; stderr was:\n" + result.err());
        String summary = expectations.size() == 1 ? "1 error" : expectations.size() + " errors";
        assertEquals(summary, lines.get(lines.size() - 1), () -> "last line of stderr for " + plan);
    }

    @Test
    void corpusHasAtLeastThirtyCases() throws IOException {
        List<String> cases = cases(INVALID_DIR);
        assertTrue(cases.size() >= 30, "only " + cases.size() + " invalid plans in " + INVALID_DIR);
    }

    @Test
    void aPlanThatSkipsOneMinorVersionIsValidWithAWarning() throws IOException {
        String plan = WARNING_DIR + "/skew-two-minors.yaml";
        List<Expectation> expectations = expectations(plan);
        assertFalse(expectations.isEmpty(), plan + " has no '# expect:' line");

        Cli.Result result = validate(plan);

        assertEquals(0, result.exitCode(), () -> "exit code; stderr:\n" + result.err());
        assertTrue(result.out().startsWith(plan + ": valid: "), () -> "stdout was:\n" + result.out());
        assertNoStackTrace(result.err());
        for (Expectation expectation : expectations) {
            assertTrue(expectation.fragment().contains("warning: "), "a warning plan expects warnings");
            assertTrue(result.err().lines().anyMatch(l -> l.contains(expectation.expectedText())),
                    () -> "expected a line containing\n  " + expectation.expectedText() + "\nbut stderr was:\n" + result.err());
        }
    }

    /** Every case's exit code and full stderr as one approved text: wording changes show up in review. */
    @Test
    void allMessages() throws IOException {
        StringBuilder text = new StringBuilder();
        for (String plan : cases(INVALID_DIR)) {
            Cli.Result result = validate(plan);
            text.append("== ").append(plan.substring(plan.lastIndexOf('/') + 1)).append('\n')
                    .append(result.exitCode()).append('\n')
                    .append(result.err());
        }
        Approvals.verify(text.toString());
    }

    private static void assertNoStackTrace(String err) {
        assertFalse(err.contains("Exception"), () -> "stderr mentions an exception:\n" + err);
        assertFalse(err.contains("\tat "), () -> "stderr holds a stack trace:\n" + err);
        assertFalse(err.contains("internal error"), () -> "stderr reports an internal error:\n" + err);
    }
}
