package dev.cromwell.engine.store;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A package index on 127.0.0.1 for tests: the JSON simple API (PEP 691) over wheels built in
 * memory, downloads with range requests, a Hugging Face style {@code /hf/REPO/resolve/main/FILE},
 * and switches that break it the ways the network and indexes break.
 */
public final class PackageIndexFixture implements AutoCloseable {
  /** A wheel as served: its bytes and the sha256 the index publishes for it. */
  record Served(String project, String filename, Path file, String publishedSha256) {}

  private final Path dir;
  private final HttpServer server;
  private final Map<String, List<Served>> projects = new ConcurrentHashMap<>();
  private final Map<String, byte[]> hfFiles = new ConcurrentHashMap<>();

  /** Every request as "METHOD path [Range]". */
  public final List<String> requests = new CopyOnWriteArrayList<>();

  /** Files whose next download stops after this many bytes (then the connection drops). */
  public final Map<String, Long> breakAfter = new ConcurrentHashMap<>();

  /** Answer project pages as HTML instead of JSON (an index without PEP 691). */
  public volatile boolean htmlOnly;

  /** Serves from 127.0.0.1; wheels are written to {@code dir}. */
  public PackageIndexFixture(Path dir) throws IOException {
    this.dir = Files.createDirectories(dir);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  public String indexUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/simple/";
  }

  public String hfEndpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hf";
  }

  /** Builds a wheel of {@code project==version} holding {@code member} and serves it. */
  public Served addWheel(String project, String version, String member, byte[] content)
      throws IOException {
    return addWheel(project, version, member, content, null);
  }

  /** Like {@link #addWheel}, but the index publishes {@code publishedSha256} (if not null). */
  public Served addWheel(
      String project, String version, String member, byte[] content, String publishedSha256)
      throws IOException {
    return addWheel(project, version, member, new ByteArrayInputStream(content), publishedSha256);
  }

  /** A wheel whose member is the file {@code content} (stored without compression: fast). */
  public Served addWheel(String project, String version, String member, Path content)
      throws IOException {
    try (InputStream in = Files.newInputStream(content)) {
      return addWheel(project, version, member, in, null);
    }
  }

  private Served addWheel(
      String project, String version, String member, InputStream content, String publishedSha256)
      throws IOException {
    String dist = PackageIndex.wheelName(project);
    String filename = dist + "-" + version + "-py3-none-any.whl";
    Path file = dir.resolve(filename);
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(file))) {
      out.setLevel(java.util.zip.Deflater.BEST_SPEED);
      out.putNextEntry(new ZipEntry(dist + "/__init__.py"));
      out.closeEntry();
      if (member != null) {
        out.putNextEntry(new ZipEntry(member));
        content.transferTo(out);
        out.closeEntry();
      }
      out.putNextEntry(new ZipEntry(dist + "-" + version + ".dist-info/METADATA"));
      out.write(
          ("Name: " + project + "\nVersion: " + version + "\n").getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    String sha = publishedSha256 != null ? publishedSha256 : Sha256.of(file);
    Served served = new Served(project, filename, file, sha);
    projects.computeIfAbsent(PackageIndex.normalize(project), k -> new ArrayList<>()).add(served);
    return served;
  }

  public void addHfFile(String repo, String file, byte[] content) {
    hfFiles.put("/hf/" + repo + "/resolve/main/" + file, content);
  }

  public static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(Sha256.digest().digest(bytes));
  }

  private void handle(HttpExchange x) throws IOException {
    String path = x.getRequestURI().getPath();
    String range = x.getRequestHeaders().getFirst("Range");
    requests.add(x.getRequestMethod() + " " + path + (range == null ? "" : " " + range));
    try (x) {
      if (path.startsWith("/simple/")) {
        project(x, path.substring("/simple/".length()).replace("/", ""));
      } else if (path.startsWith("/files/")) {
        String name = path.substring("/files/".length());
        Path file =
            projects.values().stream()
                .flatMap(List::stream)
                .filter(s -> s.filename().equals(name))
                .map(Served::file)
                .findFirst()
                .orElse(null);
        send(x, name, file == null ? null : Files.readAllBytes(file), range);
      } else if (hfFiles.containsKey(path)) {
        send(x, path, hfFiles.get(path), range);
      } else {
        x.sendResponseHeaders(404, -1);
      }
    }
  }

  private void project(HttpExchange x, String name) throws IOException {
    List<Served> files = projects.get(name);
    if (files == null) {
      x.sendResponseHeaders(404, -1);
      return;
    }
    JsonObject page = new JsonObject();
    page.add("meta", new JsonObject());
    page.addProperty("name", name);
    JsonArray list = new JsonArray();
    for (Served s : files) {
      JsonObject f = new JsonObject();
      f.addProperty("filename", s.filename());
      f.addProperty("url", "../../files/" + s.filename()); // relative, as PEP 691 allows
      JsonObject hashes = new JsonObject();
      hashes.addProperty("sha256", s.publishedSha256());
      f.add("hashes", hashes);
      f.addProperty("size", Files.size(s.file()));
      list.add(f);
    }
    page.add("files", list);
    byte[] body = page.toString().getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", htmlOnly ? "text/html" : PackageIndex.JSON_API);
    x.sendResponseHeaders(200, body.length);
    x.getResponseBody().write(body);
  }

  private void send(HttpExchange x, String name, byte[] body, String range) throws IOException {
    if (body == null) {
      x.sendResponseHeaders(404, -1);
      return;
    }
    int from = 0;
    if (range != null && range.startsWith("bytes=")) {
      from = Integer.parseInt(range.substring(6, range.indexOf('-')));
      if (from >= body.length) {
        x.sendResponseHeaders(416, -1);
        return;
      }
      x.getResponseHeaders()
          .set("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
      x.sendResponseHeaders(206, body.length - from);
    } else {
      x.sendResponseHeaders(200, body.length);
    }
    OutputStream out = x.getResponseBody();
    Long stop = breakAfter.remove(name);
    int end = stop == null ? body.length : (int) Math.min(body.length, from + stop);
    out.write(body, from, end - from);
    out.flush();
    if (stop != null) {
      // Drop the connection mid-body, as a lost network does.
      throw new IOException("fixture: connection dropped after " + end + " bytes");
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
