package dev.meshwave.render;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import com.github.mustachejava.reflect.MissingWrapper;
import com.github.mustachejava.reflect.ReflectionObjectHandler;
import com.github.mustachejava.util.Wrapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The Mustache templates every generated file comes from: the built-in set under {@code templates/}
 * (shipped in the jar), optionally overridden one file at a time by name.
 *
 * <p>Templates produce YAML and shell, not HTML, so escaping is off; a variable that the context does
 * not define is an error instead of an empty string, because a silently empty field in a manifest is
 * exactly the kind of bug a reviewer misses.
 */
public final class Templates {

    private static final String ROOT = "templates";
    /** How deep sections may nest in a user's template; the built-in ones nest three deep. */
    static final int MAX_NESTING = 64;

    /** Template path (relative to {@code templates/}, e.g. {@code stages/namespaces.yaml.mustache}) → text. */
    private final Map<String, String> sources;
    /** Template path → where its text came from, for {@code # Source:} headers and errors. */
    private final Map<String, String> origins;
    private final Map<String, Mustache> compiled = new ConcurrentHashMap<>();
    private final DefaultMustacheFactory factory;

    private Templates(Map<String, String> sources, Map<String, String> origins) {
        this.sources = Map.copyOf(sources);
        this.origins = Map.copyOf(origins);
        this.factory = new DefaultMustacheFactory() {
            @Override
            public void encode(String value, Writer writer) {
                try {
                    writer.write(value);
                } catch (IOException e) {
                    throw new MustacheException("cannot write", e);
                }
            }

            /** Partials ({@code {{> f}}}) and parents ({@code {{< f}}}) would read files: templates are data, not code. */
            @Override
            public java.io.Reader getReader(String resourceName) {
                throw new MustacheException("'" + resourceName + "': templates cannot include other templates or files"
                        + " ({{> …}} and {{< …}} are not allowed)");
            }
        };
        factory.setObjectHandler(new StrictObjectHandler());
    }

    /** The templates shipped with meshwave. */
    public static Templates builtIn() {
        Map<String, String> sources = new TreeMap<>();
        for (String path : listBuiltIn()) {
            try (InputStream in = Templates.class.getResourceAsStream("/" + ROOT + "/" + path)) {
                sources.put(path, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Map<String, String> origins = new HashMap<>();
        sources.keySet().forEach(p -> origins.put(p, ROOT + "/" + p));
        return new Templates(sources, origins);
    }

    /**
     * These templates with some replaced by file name ({@code namespaces.yaml.mustache}). A name that
     * matches no built-in template is an error, so a typo cannot silently do nothing.
     *
     * @param overrides file name → text
     * @param originDir how to name the override files in headers and messages
     */
    public Templates withOverrides(Map<String, String> overrides, String originDir) throws TemplateException {
        Map<String, String> byName = new HashMap<>();
        sources.keySet().forEach(p -> byName.put(fileName(p), p));
        Map<String, String> newSources = new TreeMap<>(sources);
        Map<String, String> newOrigins = new HashMap<>(origins);
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, String> override : new TreeMap<>(overrides).entrySet()) {
            String path = byName.get(override.getKey());
            if (path == null) {
                unknown.add(override.getKey());
                continue;
            }
            int privateKey = dev.meshwave.plan.Secrets.privateKeyLine(override.getValue());
            if (privateKey > 0) {
                throw new TemplateException(originDir + "/" + override.getKey() + ":" + privateKey
                        + ":1: the template holds a private key; meshwave never writes one into the output");
            }
            String text = override.getValue().replace("\r\n", "\n").replace('\r', '\n'); // as overlays: a lone CR is a line break
            checkNesting(originDir + "/" + override.getKey(), text);
            newSources.put(path, text);
            newOrigins.put(path, originDir + "/" + override.getKey());
        }
        if (!unknown.isEmpty()) {
            throw new TemplateException(originDir + "/" + unknown.get(0) + ":1:1: no built-in template is named " + String.join(", ", unknown)
                    + " (expected one of: " + String.join(", ", byName.keySet().stream().sorted().toList()) + ")");
        }
        return new Templates(newSources, newOrigins);
    }

    /**
     * Refuses sections nested deeper than {@link #MAX_NESTING}: Mustache compiles and runs a section by
     * recursion, so 20,000 nested sections overflow the stack. Tags are found as Mustache finds them,
     * delimiter changes ({@code {{=<% %>=}}}) included; what else is wrong with a template Mustache reports.
     */
    static void checkNesting(String origin, String text) throws TemplateException {
        String open = "{{";
        String close = "}}";
        int depth = 0;
        int at = text.indexOf(open);
        while (at >= 0) {
            int start = at + open.length();
            boolean triple = open.equals("{{") && text.startsWith("{", start);
            int end = text.indexOf(triple ? "}" + close : close, start);
            if (end < 0) {
                return;
            }
            String tag = text.substring(start, end).strip();
            if (tag.startsWith("=") && tag.endsWith("=") && tag.length() > 2) {
                String[] delimiters = tag.substring(1, tag.length() - 1).strip().split("\\s+");
                if (delimiters.length == 2) {
                    open = delimiters[0];
                    close = delimiters[1];
                }
            } else if (!tag.isEmpty() && "#^$<".indexOf(tag.charAt(0)) >= 0) {
                if (++depth > MAX_NESTING) {
                    int line = 1;
                    int lineStart = 0;
                    for (int i = 0; i < at; i++) {
                        if (text.charAt(i) == '\n') {
                            line++;
                            lineStart = i + 1;
                        }
                    }
                    throw new TemplateException(origin + ":" + line + ":" + (at - lineStart + 1) + ": sections nested deeper than "
                            + MAX_NESTING + " levels; a template that deep is not meant to be read");
                }
            } else if (tag.startsWith("/")) {
                depth = Math.max(0, depth - 1);
            }
            at = text.indexOf(open, end + (triple ? 1 : 0) + close.length());
        }
    }

    /** Built-in template paths, sorted. */
    public List<String> paths() {
        return sources.keySet().stream().sorted().toList();
    }

    /** Whether a template is meshwave's own, not one the user overrode. */
    boolean isBuiltIn(String path) {
        return (ROOT + "/" + path).equals(origins.get(path));
    }

    public String origin(String path) {
        return origins.get(path);
    }

    /** Renders one template; a missing variable or malformed template is a {@link TemplateException}. */
    public String render(String path, Map<String, ?> context) throws TemplateException {
        String source = sources.get(path);
        if (source == null) {
            throw new IllegalArgumentException("no template " + path);
        }
        try {
            Mustache mustache = compiled.computeIfAbsent(path, p -> factory.compile(new StringReader(source), origins.get(p)));
            StringWriter out = new StringWriter();
            mustache.execute(out, Collections.unmodifiableMap(context)).flush();
            String text = out.toString();
            if (!isBuiltIn(path) && path.endsWith(".yaml.mustache")) {
                // What a user's template renders is parsed back (and read by the injection check) by recursive composers.
                java.util.Optional<dev.meshwave.plan.SourcePosition> deep = dev.meshwave.plan.YamlDocument.tooDeep(path, text,
                        dev.meshwave.plan.YamlDocument.MAX_DEPTH);
                if (deep.isPresent()) {
                    throw new TemplateException(origins.get(path) + ":1:1: renders YAML nested deeper than "
                            + dev.meshwave.plan.YamlDocument.MAX_DEPTH + " levels (line " + deep.get().line() + ", column "
                            + deep.get().column() + " of what it renders)");
                }
            }
            return text;
        } catch (MustacheException | IOException e) {
            throw new TemplateException(origins.get(path) + ":" + line(e, source) + ":1: " + rootMessage(e));
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.toString() : t.getMessage();
        return message.replaceAll("\\s*@\\[[^\\]]*]$", ""); // the position goes in front, file:line:column
    }

    /** The template line an error is on: Mustache's own position, else (an include refused while compiling) the first include tag. */
    private static int line(Throwable e, String source) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof MustacheException m && m.getContext() != null && m.getContext().line() > 0) {
                return m.getContext().line();
            }
        }
        List<String> lines = source.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches(".*\\{\\{\\s*[<>].*")) {
                return i + 1;
            }
        }
        return 1;
    }

    static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static List<String> listBuiltIn() {
        URL url = Templates.class.getResource("/" + ROOT);
        if (url == null) {
            throw new IllegalStateException("built-in templates are missing from the classpath");
        }
        try {
            if (url.getProtocol().equals("jar")) {
                // Read the jar's entries directly: a jar FileSystem would make the JDK load every
                // FileSystemProvider on the classpath (Apache sshd's among them), a third of a second.
                java.net.JarURLConnection connection = (java.net.JarURLConnection) url.openConnection();
                connection.setUseCaches(false);
                try (JarFile jar = connection.getJarFile()) {
                    return jar.stream().map(JarEntry::getName)
                            .filter(name -> name.startsWith(ROOT + "/") && name.endsWith(".mustache"))
                            .map(name -> name.substring(ROOT.length() + 1))
                            .sorted()
                            .toList();
                }
            }
            return list(Path.of(url.toURI()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> list(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile)
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> p.endsWith(".mustache"))
                    .sorted()
                    .toList();
        }
    }

    /**
     * Lookups that fail loudly: a name no scope defines is an error, never an empty string. Names
     * resolve as keys of the context's maps only, so a template reads data and never calls a method
     * ({@code {{name.class}}}, {@code {{list.size}}}) of a Java object.
     */
    private static final class StrictObjectHandler extends ReflectionObjectHandler {
        @Override
        public Wrapper find(String name, List<Object> scopes) {
            if (!name.equals(".")) {
                if (name.contains(".")) {
                    throw new MustacheException("'" + name + "': templates name values, they do not reach into them"
                            + " (no dotted names, no method calls)");
                }
                if (scopes.stream().noneMatch(scope -> scope instanceof Map<?, ?> map && map.containsKey(name))) {
                    throw new MustacheException("undefined variable '" + name + "'");
                }
            }
            Wrapper wrapper = super.find(name, scopes);
            if (wrapper instanceof MissingWrapper) {
                throw new MustacheException("undefined variable '" + name + "'");
            }
            return wrapper;
        }
    }
}
