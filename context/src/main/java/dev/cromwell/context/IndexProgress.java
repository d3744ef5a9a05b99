package dev.cromwell.context;

/** Receives progress of a full index walk. */
public interface IndexProgress {
  void update(int filesIndexed, int filesSkipped, String currentPath);

  void done(int filesIndexed, int filesSkipped, long millis);

  IndexProgress NONE =
      new IndexProgress() {
        @Override
        public void update(int filesIndexed, int filesSkipped, String currentPath) {}

        @Override
        public void done(int filesIndexed, int filesSkipped, long millis) {}
      };
}
