;;; builtin-first.el --- Run by test/run.sh: Emacs's own packages before Debian's older copies  -*- lexical-binding: t -*-

;; Debian's site files put its elpa packages (elpa-eglot 1.9, elpa-jsonrpc, ...) on `load-path'
;; ahead of the packages built into Emacs, even where the built-in one is newer (eglot 1.17 in
;; Emacs 30).  The tests are about the eglot an Emacs user gets: drop each Debian package that
;; Emacs has built in at the same version or newer.  Emacs 28 has no eglot built in and keeps 1.9.

;;; Code:

(require 'package)

(dolist (dir load-path)
  (when (string-match "/elpa\\(?:-src\\)?/\\([^/]+\\)-\\([0-9][0-9.]*\\)/?\\'" dir)
    (let ((name (intern (match-string 1 dir)))
          (version (version-to-list (match-string 2 dir))))
      (when (package-built-in-p name version)
        (setq load-path (delete dir load-path))))))

(message "Cromwell tests: Emacs %s, eglot %s" emacs-version (locate-library "eglot"))

;;; builtin-first.el ends here
