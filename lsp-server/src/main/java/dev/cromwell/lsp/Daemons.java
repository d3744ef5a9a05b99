package dev.cromwell.lsp;

import java.util.concurrent.ThreadFactory;

/** The server's own threads are daemons, so a client that vanishes never keeps the JVM alive. */
final class Daemons {
  private Daemons() {}

  /** Makes daemon threads called {@code name}. */
  static ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
