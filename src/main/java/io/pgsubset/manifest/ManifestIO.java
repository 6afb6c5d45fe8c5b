package io.pgsubset.manifest;

import io.pgsubset.error.Messages;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import io.pgsubset.error.UsageException;
import io.pgsubset.files.OwnerOnly;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;

/** Reads and writes manifest.json (snake_case keys, pretty-printed). */
public final class ManifestIO {
    public static final String FILE_NAME = "manifest.json";

    private ManifestIO() {
    }

    /** Made on first use: a dump writes its manifest without it, and setting it up costs tens of milliseconds. */
    private static final class Mapper {
        static final ObjectMapper MAPPER = new ObjectMapper()
                .registerModule(new Jdk8Module())
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(SerializationFeature.INDENT_OUTPUT)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    public static ObjectMapper mapper() {
        return Mapper.MAPPER;
    }

    /**
     * Plain maps, lists, strings, numbers, booleans and nulls (the plan as {@code PlanJson} gives it)
     * as a JSON tree, built directly: {@code valueToTree} goes through Jackson's parser, whose static
     * set-up alone (BigDecimal's) cost a dump 20 ms of CPU. Anything else goes through valueToTree.
     */
    public static JsonNode tree(Object value) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (value == null) {
            return f.nullNode();
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode o = f.objectNode();
            map.forEach((k, v) -> o.set(String.valueOf(k), tree(v)));
            return o;
        }
        if (value instanceof Collection<?> list) {
            ArrayNode a = f.arrayNode();
            list.forEach(v -> a.add(tree(v)));
            return a;
        }
        if (value instanceof String text) {
            return f.textNode(text);
        }
        if (value instanceof Boolean b) {
            return f.booleanNode(b);
        }
        if (value instanceof Integer i) {
            return f.numberNode(i);
        }
        if (value instanceof Long l) {
            return f.numberNode(l);
        }
        if (value instanceof Double d) {
            return f.numberNode(d);
        }
        return mapper().valueToTree(value);
    }

    /** A JSON tree as pretty-printed in the manifest (as Jackson prints it). */
    public static String text(JsonNode node) {
        return ManifestJson.text(node);
    }

    /** Writes a manifest's {@link #bytes} into {@code dir} through a temporary file and an atomic rename. */
    public static void write(Path dir, byte[] manifestBytes) throws IOException {
        Path tmp = dir.resolve(FILE_NAME + ".tmp");
        try (OutputStream out = OwnerOnly.newOutputStream(tmp)) {
            out.write(manifestBytes);
        }
        Files.move(tmp, dir.resolve(FILE_NAME), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The exact bytes {@link #write} writes: restore.sh carries their sha256 to check the manifest.
     * Jackson's pretty-printed JSON, written without Jackson ({@link ManifestJson}).
     */
    public static byte[] bytes(Manifest manifest) {
        return ManifestJson.bytes(manifest);
    }

    /** Reads the manifest of a dump directory; a missing or unreadable one is a usage error naming it. */
    public static Manifest read(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isDirectory(dir)) {
            throw new UsageException(dir + " is not a dump directory (no such directory)");
        }
        try {
            Manifest m = mapper().readValue(file.toFile(), Manifest.class);
            if (m.formatVersion() != Manifest.FORMAT_VERSION) {
                throw new UsageException(file + ": manifest format " + m.formatVersion() + " is not supported by this "
                        + "pgsubset (it reads format " + Manifest.FORMAT_VERSION + "): dump again with this version");
            }
            return m;
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new UsageException(dir + " has no " + FILE_NAME + ": it is not a complete pgsubset dump "
                    + "(an interrupted dump never writes one)", e);
        } catch (IOException e) {
            throw new UsageException(file + " is corrupted: " + Messages.firstLine(e), e);
        }
    }
}
