;;; cromwell-test.el --- ERT tests of cromwell.el in a real Emacs against the real server  -*- lexical-binding: t; -*-

;; Run by test/run.sh: batch Emacs, eglot and lsp-mode from the system, the real `cromwell lsp'
;; and the real SmolLM2 (CROMWELL_TEST_MODEL).  Each test shows ghost text from the model,
;; accepts it with TAB, and applies an edit with `cromwell-edit-region'.

(require 'ert)
(require 'cromwell)

(defun cromwell-test--client ()
  (cond ((cromwell--eglot-p) "eglot")
        ((cromwell--lsp-p) "lsp-mode")))

(defun cromwell-test--wait (pred seconds)
  "Spin the event loop until PRED is true or SECONDS pass; return PRED's value."
  (let ((deadline (+ (float-time) seconds)) v)
    (while (and (not (setq v (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    v))

(defun cromwell-test--idle ()
  "What a pause in typing does.
Batch Emacs is never idle, so this runs the pending idle timer."
  (when (and cromwell--timer (memq cromwell--timer timer-idle-list))
    (timer-event-handler cromwell--timer))
  (cromwell-ghost-text))

(defun cromwell-test--file ()
  (let ((dir (make-temp-file "cromwell-emacs" t)))
    (call-process "git" nil nil nil "init" "-q" dir)
    (expand-file-name "calc.py" dir)))

(defun cromwell-test--settings ()
  (list :model (getenv "CROMWELL_TEST_MODEL") :timeLimitMs 10000 :debounceMs 0 :maxTokens 24))

(defun cromwell-test--status ()
  (let (status)
    (cromwell-status--fetch (lambda (s) (setq status s)))
    (cromwell-test--wait (lambda () status) 10)
    status))

(defun cromwell-test--scenario (start-client)
  "Ghost text, TAB, and an edit, in a buffer whose client START-CLIENT starts."
  (let* ((file (cromwell-test--file))
         (cromwell-settings (cromwell-test--settings)))
    (with-temp-file file (insert "def add(a, b):\n    return \n"))
    (with-current-buffer (find-file-noselect file)
      (unwind-protect
          (progn
            (funcall start-client)
            (should (cromwell-test--wait
                     (lambda () (equal "ready" (cromwell--get (cromwell-test--status) :modelState)))
                     120))
            (cromwell-ghost-mode 1)
            (goto-char (point-min))
            (forward-line 1)
            (end-of-line)
            ;; Typing asks for a suggestion once typing pauses: type a space, then delete it.
            (insert " ")
            (delete-char -1)
            (should (cromwell-test--wait #'cromwell-test--idle 120))
            (let ((ghost (cromwell-ghost-text)))
              (message "%s ghost text: %S" (cromwell-test--client) ghost)
              (should (overlay-get cromwell--overlay 'after-string))
              ;; TAB runs what the ghost keymap binds.
              (should (eq (key-binding (kbd "TAB")) #'cromwell-accept))
              (call-interactively (key-binding (kbd "TAB")))
              (should (equal (buffer-substring (line-beginning-position) (line-end-position))
                             (concat "    return " (car (split-string ghost "\n")))))
              (should-not (cromwell-ghost-text)))
            ;; C-g dismisses a suggestion.
            (insert " ")
            (should (cromwell-test--wait #'cromwell-test--idle 120))
            (should (eq (key-binding (kbd "C-g")) #'cromwell-dismiss))
            (call-interactively (key-binding (kbd "C-g")))
            (should-not (cromwell-ghost-text))
            ;; An edit through the command.
            (cromwell-ghost-mode -1)
            (erase-buffer)
            (insert "def add(a, b):\n    return a + b\n")
            (let ((before (buffer-string)))
              (cromwell-edit-region (point-min) (point-max) "multiply instead of adding")
              (should (cromwell-test--wait (lambda () (not (equal before (buffer-string)))) 120))
              (message "%s after cromwell-edit-region:\n%s" (cromwell-test--client) (buffer-string))
              (should (string-match-p "a \\* b" (buffer-string)))))
        (set-buffer-modified-p nil)
        (cromwell-test--stop)))))

(defun cromwell-test--stop ()
  (cond ((cromwell--eglot-p) (ignore-errors (eglot-shutdown (eglot-current-server))))
        ((cromwell--lsp-p) (ignore-errors (lsp-workspace-shutdown (car (lsp-workspaces)))))))

(ert-deftest cromwell-eglot ()
  (require 'eglot)
  ;; eglot asks before applying a server's edit; a user answers y, batch Emacs cannot.
  (setq eglot-confirm-server-initiated-edits nil)
  (cromwell-test--scenario
   (lambda ()
     (python-mode)
     (apply #'eglot (eglot--guess-contact))
     (should (cromwell-test--wait #'cromwell--eglot-p 30))
     (should (eq (eieio-object-class (eglot-current-server)) 'cromwell-eglot-server)))))

(ert-deftest cromwell-lsp-mode ()
  (require 'lsp-mode)
  (setq lsp-auto-guess-root t lsp-enable-snippet nil lsp-headerline-breadcrumb-enable nil
        lsp-modeline-code-actions-enable nil lsp-enable-file-watchers nil
        lsp-restart 'ignore lsp-session-file (make-temp-file "lsp-session"))
  (cromwell-test--scenario
   (lambda ()
     (let ((lsp-enabled-clients '(cromwell)))
       (python-mode)
       (lsp)
       (should (cromwell-test--wait
                (lambda () (and (cromwell--lsp-p) (lsp-workspaces)
                                (eq 'initialized (lsp--workspace-status (car (lsp-workspaces))))))
                60))))))

;;; cromwell-test.el ends here
