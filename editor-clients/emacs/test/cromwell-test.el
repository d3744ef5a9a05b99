;;; cromwell-test.el --- ERT tests of cromwell.el in a real Emacs against the real server  -*- lexical-binding: t; -*-

;; Run by test/run.sh: batch Emacs, eglot and lsp-mode from the system, the real `cromwell lsp'
;; and the real SmolLM2 (CROMWELL_TEST_MODEL).  Per client, one test shows ghost text from the
;; model, accepts it with TAB, and applies an edit with `cromwell-edit-region'; another picks
;; "Cromwell: edit selection…" from the client's code action menu.

(require 'ert)
(require 'cl-lib)

(defvar jsonrpc-default-request-timeout)
(defvar lsp-response-timeout)
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

(defun cromwell-test--with-server (start-client text body)
  "Open a Python file holding TEXT and start its client with START-CLIENT.
Wait for the model, call BODY in the buffer, then stop the server."
  (let* ((file (cromwell-test--file))
         (cromwell-settings (cromwell-test--settings)))
    (with-temp-file file (insert text))
    (with-current-buffer (find-file-noselect file)
      (unwind-protect
          (progn
            (funcall start-client)
            (should (cromwell-test--wait
                     (lambda () (equal "ready" (cromwell--get (cromwell-test--status) :modelState)))
                     120))
            (funcall body))
        (set-buffer-modified-p nil)
        (cromwell-test--stop)))))

(defun cromwell-test--ghost-and-edit ()
  "Ghost text, TAB, C-g, and an edit with `cromwell-edit-region'."
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

(defun cromwell-test--sent (regexp thunk)
  "Call THUNK; return what it wrote to the server that matches REGEXP.
Each is one JSON-RPC message, header and JSON text."
  (let* ((sent nil)
         (spy (lambda (_proc string)
                (when (string-match-p regexp string) (push string sent)))))
    (advice-add 'process-send-string :before spy)
    (unwind-protect (funcall thunk)
      (advice-remove 'process-send-string spy))
    (nreverse sent)))

(defun cromwell-test--sent-edits (thunk)
  "Call THUNK; return the cromwell.edit requests it wrote to the server."
  (cromwell-test--sent "\"cromwell\\.edit\"" thunk))

(defun cromwell-test--messaged (text)
  "Whether TEXT was shown in the echo area.
Since the last `cromwell-test--forget-messages', that is."
  (with-current-buffer (messages-buffer)
    (save-excursion (goto-char (point-min)) (search-forward text nil t))))

(defun cromwell-test--forget-messages ()
  (with-current-buffer (messages-buffer)
    (let ((inhibit-read-only t)) (erase-buffer))))

(defvar cromwell-test--answered-at nil "When the stubbed `read-string' answered.")

(defvar cromwell-test--picked-timeout nil
  "The clients' request timeout once an action is picked, if not their own.")

(defmacro cromwell-test--with-short-timeout (&rest body)
  "Run BODY with the clients' request timeout 0.1 s for the picked action.
They wait 10 s for a command's answer (and lsp-mode for codeAction/resolve);
an edit takes SmolLM2 longer than 0.1 s.  The list of actions is asked
for with their own timeout."
  `(let ((jsonrpc-default-request-timeout 10)
         (lsp-response-timeout 10)
         (cromwell-test--picked-timeout 0.1))
     ,@body))

(defun cromwell-test--edit-selection (answer &optional then)
  "Pick \"Cromwell: edit selection…\" from the client's code action menu.
The selection is the whole buffer; the answer to the instruction's prompt
ANSWER, after which THEN, if given, is called.  Returns the prompts asked."
  (cromwell-test--pick "Cromwell: edit selection…" answer then))

(defun cromwell-test--pick (title &optional answer then)
  "Pick TITLE from the client's code action menu for the whole buffer.
A prompt is answered ANSWER, after which THEN, if given, is called.
Returns the prompts asked."
  (let ((prompts nil))
    (cl-letf (((symbol-function 'completing-read)
               (lambda (_prompt collection &rest _)
                 (should (assoc title collection))
                 (when cromwell-test--picked-timeout
                   (setq jsonrpc-default-request-timeout cromwell-test--picked-timeout
                         lsp-response-timeout cromwell-test--picked-timeout))
                 title))
              ((symbol-function 'read-string)
               (lambda (prompt &rest _)
                 (push prompt prompts)
                 (setq cromwell-test--answered-at (float-time))
                 (when then (funcall then))
                 answer)))
      (transient-mark-mode 1)
      (goto-char (point-min))
      (push-mark (point-max) t t)
      ;; A key, not a mouse click: eglot asks with `completing-read', not a popup menu.
      (let ((last-nonmenu-event ?x))
        (call-interactively (if (cromwell--eglot-p) #'eglot-code-actions
                              #'lsp-execute-code-action)))
      (deactivate-mark))
    prompts))

(defun cromwell-test--code-action-edits ()
  "\"Cromwell: edit selection…\" from the code action menu.
It asks for the instruction; an empty one sends nothing; an edit slower
than the client's request timeout waits for the server; C-g cancels it."
  (let ((before (buffer-string)) prompts sent)
    ;; An empty answer sends nothing.
    (setq sent (cromwell-test--sent-edits
                (lambda () (setq prompts (cromwell-test--edit-selection "")))))
    (should (equal prompts '("Cromwell edit: ")))
    (should-not sent)
    (should (equal before (buffer-string)))
    ;; The answer goes with the selection as the instruction.  The clients' request timeout,
    ;; made shorter than SmolLM2's edit, does not end the wait.
    (cromwell-test--forget-messages)
    (cromwell-test--with-short-timeout
     (setq sent (cromwell-test--sent-edits
                 (lambda () (cromwell-test--edit-selection "multiply instead of adding")))))
    (let ((seconds (- (float-time) cromwell-test--answered-at)))
      (message "%s edit selection… took %.1f s:\n%s" (cromwell-test--client) seconds
               (buffer-string))
      (should (> seconds 0.1)))
    (should (= 1 (length sent)))
    (should (string-match-p "\"instruction\":\"multiply instead of adding\"" (car sent)))
    (should (string-match-p "a \\* b" (buffer-string)))
    (should (cromwell-test--messaged "Cromwell: editing… (C-g to cancel)"))
    (should (cromwell-test--messaged "Cromwell: edit applied"))
    (should-not (cromwell-test--messaged "Timed out"))
    ;; A built-in action asks nothing and waits for the model as long (lsp-mode and eglot 1.16+
    ;; resolve it with codeAction/resolve, eglot 1.9 runs its cromwell.edit).  SmolLM2's
    ;; docstring may be refused (lsp-mode signals the refusal, eglot shows it): either way the
    ;; answer came.
    (erase-buffer)
    (insert before)
    (cromwell-test--forget-messages)
    (cromwell-test--with-short-timeout
     (let ((t0 (float-time))
           (outcome nil))
       (setq outcome (condition-case err
                         (progn (should-not (cromwell-test--pick "Cromwell: add a docstring"))
                                "no error")
                       (error (error-message-string err))))
       (message "%s add a docstring took %.1f s (%s):\n%s" (cromwell-test--client)
                (- (float-time) t0) outcome (buffer-string))
       (should (> (- (float-time) t0) 0.1))
       (should (or (string-match-p "\"\"\"" (buffer-string))
                   (string-match-p "refused" outcome)
                   (cromwell-test--messaged "refused")))
       (should (cromwell-test--messaged "Cromwell: editing… (C-g to cancel)"))))
    ;; C-g while the model writes the edit ends the wait at once and asks the server to cancel
    ;; the request ($/cancelRequest with its id).
    (erase-buffer)
    (insert before)
    (cromwell-test--forget-messages)
    (let ((seconds nil)
          ;; Batch Emacs reads no keys: C-g is a timer that sets `quit-flag' 0.05 s after the
          ;; answer, once the request is sent, and a ticker that wakes the wait to notice it
          ;; (a key would).
          (ticker (run-at-time 0.05 0.05 #'ignore)))
      (unwind-protect
          (setq sent (cromwell-test--sent
                      "\"cromwell\\.edit\"\\|\\$/cancelRequest"
                      (lambda ()
                        (cromwell-test--edit-selection
                         "multiply instead of adding"
                         (lambda () (run-at-time 0.05 nil (lambda () (setq quit-flag t))))))))
        (cancel-timer ticker))
      (setq seconds (- (float-time) cromwell-test--answered-at))
      (message "%s C-g: the wait ended after %.1f s; sent:\n%s" (cromwell-test--client) seconds
               (mapconcat #'identity sent "\n"))
      ;; The wait ended before the model was done (an edit takes SmolLM2 over a second, above).
      (should (equal before (buffer-string)))
      (should (< seconds 1))
      (should (= 2 (length sent)))
      (should (string-match "\"id\":\\([0-9]+\\)" (car sent)))
      (should (string-match-p (format "\\$/cancelRequest.*\"id\":%s\\b" (match-string 1 (car sent)))
                              (cadr sent)))
      (should (cromwell-test--messaged "Cromwell: edit cancelled"))
      (should-not (cromwell-test--messaged "Cromwell: edit applied"))
      ;; The server does not stop an edit on $/cancelRequest yet: it still sends its
      ;; workspace/applyEdit when the model is done.  Let that land before the server stops.
      (cromwell-test--wait (lambda () (not (equal before (buffer-string)))) 10))))

(defun cromwell-test--stop ()
  (cond ((cromwell--eglot-p) (ignore-errors (eglot-shutdown (eglot-current-server))))
        ((cromwell--lsp-p) (ignore-errors (lsp-workspace-shutdown (car (lsp-workspaces)))))))

(defun cromwell-test--eglot ()
  "Start eglot in the buffer with Cromwell's server class."
  (require 'eglot)
  ;; eglot asks before applying a server's edit; a user answers y, batch Emacs cannot.
  (setq eglot-confirm-server-initiated-edits nil)
  (python-mode)
  (apply #'eglot (eglot--guess-contact))
  (should (cromwell-test--wait #'cromwell--eglot-p 30))
  (should (eq (eieio-object-class (eglot-current-server)) 'cromwell-eglot-server)))

(defun cromwell-test--lsp-mode ()
  "Start lsp-mode in the buffer with Cromwell's client only."
  (require 'lsp-mode)
  (setq lsp-auto-guess-root t lsp-enable-snippet nil lsp-headerline-breadcrumb-enable nil
        lsp-modeline-code-actions-enable nil lsp-enable-file-watchers nil
        lsp-restart 'ignore lsp-session-file (make-temp-file "lsp-session"))
  (let ((lsp-enabled-clients '(cromwell)))
    (python-mode)
    (lsp)
    (should (cromwell-test--wait
             (lambda () (and (cromwell--lsp-p) (lsp-workspaces)
                             (eq 'initialized (lsp--workspace-status (car (lsp-workspaces))))))
             60))))

(defconst cromwell-test--add "def add(a, b):\n    return a + b\n")

(ert-deftest cromwell-eglot ()
  (cromwell-test--with-server #'cromwell-test--eglot "def add(a, b):\n    return \n"
                              #'cromwell-test--ghost-and-edit))

(ert-deftest cromwell-eglot-edit-selection ()
  (cromwell-test--with-server #'cromwell-test--eglot cromwell-test--add
                              #'cromwell-test--code-action-edits))

(ert-deftest cromwell-lsp-mode ()
  (cromwell-test--with-server #'cromwell-test--lsp-mode "def add(a, b):\n    return \n"
                              #'cromwell-test--ghost-and-edit))

(ert-deftest cromwell-lsp-mode-edit-selection ()
  (cromwell-test--with-server #'cromwell-test--lsp-mode cromwell-test--add
                              #'cromwell-test--code-action-edits))

;;; cromwell-test.el ends here
