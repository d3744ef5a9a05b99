package dev.cromwell.engine.store;

/** A catalogue model was asked for by name but is not in the store; says how to get it. */
public final class ModelNotInstalledException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final transient CatalogEntry entry;

  public ModelNotInstalledException(CatalogEntry entry, String message) {
    super(message);
    this.entry = entry;
  }

  /** The model that is missing. */
  public CatalogEntry entry() {
    return entry;
  }
}
