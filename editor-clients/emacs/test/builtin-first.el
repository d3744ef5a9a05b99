;;; builtin-first.el --- Run by test/run.sh: the packages this Emacs would really use  -*- lexical-binding: t -*-

;; Debian's site files put its elpa packages on `load-path', byte-compiled in
;; /usr/share/emacs/site-lisp/elpa/ and as source in .../elpa-src/, ahead of the packages built
;; into Emacs.  Two fixes for an Emacs other than the one Debian compiled them for (Emacs 30.1
;; from bookworm-backports beside Debian's Emacs 28):
;; - a package Emacs has built in at the same version or newer is dropped (elpa-eglot 1.9 would
;;   shadow Emacs 30's eglot 1.17: the tests are about the eglot an Emacs 30 user gets);
;; - a package compiled by another Emacs is read from its source: Emacs 28's .elc of lsp-mode
;;   holds (closure ...) lists, which Emacs 30 cannot call.
;; On the Emacs Debian compiled for (28) nothing changes.

;;; Code:

(require 'package)

(defun cromwell-test--compiled-by-other-emacs-p (dir)
  "Non-nil if DIR's byte code was compiled by another Emacs version."
  (let ((elc (car (directory-files dir t "\\.elc\\'"))))
    (and elc
         (with-temp-buffer
           (insert-file-contents elc nil 0 200)
           (and (re-search-forward "in Emacs version \\([0-9.]+\\)" nil t)
                (not (equal (match-string 1) emacs-version)))))))

(dolist (dir load-path)
  (when (string-match "/elpa\\(-src\\)?/\\([^/]+\\)-\\([0-9][0-9.]*\\)/?\\'" dir)
    (let ((source (match-beginning 1))
          (name (intern (match-string 2 dir)))
          (version (version-to-list (match-string 3 dir))))
      (when (or (package-built-in-p name version)
                (and (not source) (cromwell-test--compiled-by-other-emacs-p dir)))
        (setq load-path (delete dir load-path))))))

(message "Cromwell tests: Emacs %s, eglot %s, lsp-mode %s" emacs-version
         (locate-library "eglot") (locate-library "lsp-mode"))

;;; builtin-first.el ends here
