;;; cromwell.el --- Cromwell, the local coding assistant, in Emacs  -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1"))
;; Keywords: tools, convenience

;;; Commentary:

;; Registers the Cromwell language server (`cromwell lsp') with eglot and with lsp-mode, shows
;; its suggestions as ghost text (an overlay after point, asked for with
;; textDocument/inlineCompletion while you type: TAB accepts, C-g dismisses, M-f accepts a word,
;; C-e a line, M-n/M-p cycle), and adds `cromwell-edit-region' and `cromwell-status'.
;;
;;   (add-to-list 'load-path "/path/to/cromwell/editor-clients/emacs")
;;   (require 'cromwell)
;;   (setq cromwell-settings '(:model "qwen2.5-coder-0.5b-instruct"))
;;   (add-hook 'python-mode-hook #'eglot-ensure)   ; or #'lsp
;;   (add-hook 'eglot-managed-mode-hook #'cromwell-ghost-mode)  ; lsp-mode: lsp-mode-hook

;;; Code:

(require 'cl-lib)
(require 'eieio)
(require 'subr-x)

(defgroup cromwell nil "Cromwell, the local coding assistant." :group 'tools)

(defcustom cromwell-command '("cromwell" "lsp")
  "How to start the Cromwell language server."
  :type '(repeat string))

(defcustom cromwell-settings nil
  "Cromwell settings as a plist, sent as initializationOptions.
For example (:model \"qwen2.5-coder-0.5b-instruct\" :timeLimitMs 2000)."
  :type 'plist)

(defcustom cromwell-modes
  '(python-mode python-ts-mode js-mode js-ts-mode typescript-mode typescript-ts-mode java-mode
    java-ts-mode c-mode c-ts-mode c++-mode c++-ts-mode go-mode go-ts-mode rust-mode rust-ts-mode
    sh-mode ruby-mode lua-mode)
  "Major modes Cromwell serves."
  :type '(repeat symbol))

(defcustom cromwell-idle-delay 0.15
  "Seconds of quiet typing before a suggestion is asked for."
  :type 'number)

(defface cromwell-ghost-face '((t :inherit shadow)) "Face of ghost text.")

;;;; Talking to the server through eglot or lsp-mode

(declare-function eglot-current-server "eglot")
(declare-function eglot--TextDocumentPositionParams "eglot")
(declare-function eglot--TextDocumentIdentifier "eglot")
(declare-function eglot--signal-textDocument/didChange "eglot")
(declare-function eglot-execute "eglot")
(declare-function eglot-server-capable "eglot")
(declare-function jsonrpc-async-request "jsonrpc")
(declare-function jsonrpc--async-request-1 "jsonrpc")
(declare-function jsonrpc-notify "jsonrpc")
(declare-function lsp-request-async "lsp-mode")
(declare-function lsp-request "lsp-mode")
(declare-function lsp--text-document-position-params "lsp-mode")
(declare-function lsp--buffer-uri "lsp-mode")
(declare-function lsp-register-client "lsp-mode")
(declare-function make-lsp-client "lsp-mode")
(declare-function lsp-stdio-connection "lsp-mode")
(defvar eglot-server-programs)
(declare-function cromwell-eglot-server--eieio-childp "cromwell") ; made by defclass below
(defvar lsp-mode)
(defvar lsp-response-timeout)

(defun cromwell--eglot-p ()
  (and (fboundp 'eglot-current-server) (eglot-current-server)))

(defun cromwell--lsp-p ()
  (and (boundp 'lsp-mode) lsp-mode))

(defun cromwell--position-params ()
  (cond ((cromwell--eglot-p) (eglot--TextDocumentPositionParams))
        ((cromwell--lsp-p) (lsp--text-document-position-params))))

(defun cromwell--uri ()
  (cond ((cromwell--eglot-p) (plist-get (eglot--TextDocumentIdentifier) :uri))
        ((cromwell--lsp-p) (lsp--buffer-uri))))

(defun cromwell--request (method params callback &optional on-error)
  "Send METHOD with PARAMS through eglot or lsp-mode.
CALLBACK gets the result; ON-ERROR, if given, the error."
  (cond
   ((cromwell--eglot-p)
    ;; eglot sends didChange on a timer: flush it so the server sees what we ask about.
    (eglot--signal-textDocument/didChange)
    (jsonrpc-async-request (eglot-current-server) method params
                           :success-fn callback
                           :error-fn (lambda (e) (when on-error (funcall on-error e)))
                           :timeout-fn #'ignore
                           :timeout 600))
   ((cromwell--lsp-p)
    (lsp-request-async (substring (symbol-name method) 1) params callback
                       :error-handler (lambda (e) (when on-error (funcall on-error e)))))
   (t (user-error "Cromwell: no eglot or lsp-mode server in this buffer"))))

(defun cromwell--request-and-wait (method params timeout)
  "Send METHOD with PARAMS through eglot or lsp-mode; wait up to TIMEOUT s.
Return (ok RESULT), (error MESSAGE) or (quit): C-g while waiting cancels
the request on the server ($/cancelRequest)."
  (cond
   ((cromwell--eglot-p)
    (eglot--signal-textDocument/didChange)
    (let* ((server (eglot-current-server))
           reply
           ;; The request's id, for $/cancelRequest: `jsonrpc-request' cancels nothing on C-g,
           ;; and `jsonrpc-async-request' does not say the id.
           (id (car (jsonrpc--async-request-1
                     server method params
                     :success-fn (lambda (result) (setq reply (list 'ok result)))
                     :error-fn (lambda (e) (setq reply (list 'error (cromwell--get e :message))))
                     :timeout-fn (lambda () (setq reply (list 'error (format "no answer in %s s" timeout))))
                     :timeout timeout))))
      (condition-case nil
          (progn (while (not reply) (accept-process-output nil 0.1))
                 reply)
        (quit (jsonrpc-notify server :$/cancelRequest (list :id id))
              '(quit)))))
   ((cromwell--lsp-p)
    ;; `lsp-request' sends $/cancelRequest itself when C-g ends its wait.
    (let ((lsp-response-timeout timeout))
      (condition-case err
          (list 'ok (lsp-request (substring (symbol-name method) 1) params))
        (quit '(quit))
        (error (list 'error (error-message-string err))))))
   (t (user-error "Cromwell: no eglot or lsp-mode server in this buffer"))))

(defun cromwell--get (obj key)
  "KEY of OBJ, a plist (eglot) or a hash table (lsp-mode)."
  (if (hash-table-p obj) (gethash (substring (symbol-name key) 1) obj) (plist-get obj key)))

;;;; Registration

(defun cromwell--initialization-options (&rest _)
  (or cromwell-settings (make-hash-table)))

(with-eval-after-load 'eglot
  (defclass cromwell-eglot-server (eglot-lsp-server) ()
    :documentation "The Cromwell language server.")
  (cl-defmethod eglot-initialization-options ((_ cromwell-eglot-server))
    (cromwell--initialization-options))
  (add-to-list 'eglot-server-programs `(,cromwell-modes . cromwell--eglot-contact)))

(defun cromwell--eglot-contact (&rest _)
  "The eglot contact: Cromwell's server class and command.
It is read when a server starts, so later changes to `cromwell-command' count."
  (cons 'cromwell-eglot-server cromwell-command))

(with-eval-after-load 'lsp-mode
  (lsp-register-client
   (make-lsp-client
    :new-connection (lsp-stdio-connection (lambda () cromwell-command))
    :major-modes cromwell-modes
    :server-id 'cromwell
    :add-on? t
    :priority -2
    :initialization-options #'cromwell--initialization-options)))

;;;; Ghost text

(defvar-local cromwell--overlay nil)
(defvar-local cromwell--items nil "Items of the suggestion shown: (TEXT . START) per item.")
(defvar-local cromwell--index 0)
(defvar-local cromwell--timer nil)
(defvar-local cromwell--generation 0 "Bumped by every change; answers to older requests are dropped.")
(defvar-local cromwell--ghost-visible nil)

(defvar cromwell-ghost-map
  (let ((m (make-sparse-keymap)))
    (define-key m (kbd "TAB") #'cromwell-accept)
    (define-key m (kbd "<tab>") #'cromwell-accept)
    (define-key m (kbd "C-g") #'cromwell-dismiss)
    (define-key m (kbd "M-f") #'cromwell-accept-word)
    (define-key m (kbd "C-e") #'cromwell-accept-line)
    (define-key m (kbd "M-n") #'cromwell-next)
    (define-key m (kbd "M-p") #'cromwell-previous)
    m)
  "Keys while ghost text is shown.")

(defvar cromwell--emulation `((cromwell--ghost-visible . ,cromwell-ghost-map)))
(add-to-list 'emulation-mode-map-alists 'cromwell--emulation)

(defun cromwell-ghost-text ()
  "The suggestion shown now, or nil."
  (when cromwell--ghost-visible (car (nth cromwell--index cromwell--items))))

(defun cromwell-dismiss ()
  "Hide the ghost text."
  (interactive)
  (when cromwell--overlay (delete-overlay cromwell--overlay))
  (setq cromwell--overlay nil cromwell--items nil cromwell--index 0 cromwell--ghost-visible nil))

(defun cromwell--show ()
  (when cromwell--overlay (delete-overlay cromwell--overlay))
  (let* ((item (nth cromwell--index cromwell--items))
         (text (copy-sequence (car item)))
         (ov (make-overlay (cdr item) (cdr item) nil t nil)))
    (when (> (length text) 0)
      (add-text-properties 0 (length text) '(face cromwell-ghost-face) text)
      ;; The cursor stays before the ghost text, not after it.
      (put-text-property 0 1 'cursor t text))
    (overlay-put ov 'after-string text)
    (overlay-put ov 'cromwell t)
    (setq cromwell--overlay ov cromwell--ghost-visible t)))

(defun cromwell-complete ()
  "Ask for a suggestion at point and show it as ghost text."
  (interactive)
  (let ((buffer (current-buffer))
        (generation (cl-incf cromwell--generation))
        (start (point)))
    (cromwell--request
     :textDocument/inlineCompletion
     (append (cromwell--position-params) (list :context (list :triggerKind 2)))
     (lambda (result)
       (when (buffer-live-p buffer)
         (with-current-buffer buffer
           (when (and (= generation cromwell--generation) (= (point) start))
             (let* ((items (if (vectorp result) result (cromwell--get result :items)))
                    (texts (cl-loop for it across (or items [])
                                    for text = (cromwell--get it :insertText)
                                    when (and (stringp text) (> (length text) 0))
                                    collect (cons text start))))
               (cromwell-dismiss)
               (when texts
                 (setq cromwell--items texts cromwell--index 0)
                 (cromwell--show)))))))
     (lambda (e) (message "Cromwell: no suggestion: %s" (or (cromwell--get e :message) e))))))

(defun cromwell--accept (piece-fn)
  (let* ((text (cromwell-ghost-text))
         (piece (funcall piece-fn text))
         (rest (substring text (length piece))))
    (cromwell-dismiss)
    (insert piece)
    (cl-incf cromwell--generation)
    (if (string-empty-p rest)
        (ignore-errors
          (cromwell--request :workspace/executeCommand
                             (list :command "cromwell.accepted" :arguments []) #'ignore))
      (setq cromwell--items (list (cons rest (point))) cromwell--index 0)
      (cromwell--show))))

(defun cromwell-accept ()
  "Insert the ghost text."
  (interactive)
  (if (cromwell-ghost-text) (cromwell--accept #'identity) (indent-for-tab-command)))

(defun cromwell-accept-word ()
  "Insert the next word of the ghost text."
  (interactive)
  (cromwell--accept
   (lambda (text) (if (string-match "\\`\\s-*\\(\\sw\\|\\s_\\)+\\|\\`\\s-*[^[:space:]]" text)
                      (match-string 0 text)
                    text))))

(defun cromwell-accept-line ()
  "Insert the ghost text up to the end of its line."
  (interactive)
  (cromwell--accept
   (lambda (text) (if (string-match "\\`\n?[^\n]*" text) (match-string 0 text) text))))

(defun cromwell-next (&optional step)
  "Show the next suggestion (with STEP -1, the previous one)."
  (interactive)
  (when cromwell--items
    (setq cromwell--index (mod (+ cromwell--index (or step 1)) (length cromwell--items)))
    (cromwell--show)))

(defun cromwell-previous ()
  "Show the previous suggestion."
  (interactive)
  (cromwell-next -1))

(defun cromwell--after-change (&rest _)
  "Typing hides the ghost text and asks again once typing pauses."
  (cl-incf cromwell--generation)
  (when cromwell--ghost-visible (cromwell-dismiss))
  (when cromwell--timer (cancel-timer cromwell--timer))
  (let ((buffer (current-buffer)))
    (setq cromwell--timer
          (run-with-idle-timer cromwell-idle-delay nil
                               (lambda ()
                                 (when (and (buffer-live-p buffer) (eq buffer (current-buffer)))
                                   (with-current-buffer buffer
                                     (setq cromwell--timer nil)
                                     (ignore-errors (cromwell-complete)))))))))

(defun cromwell--post-command ()
  (when (and cromwell--ghost-visible cromwell--overlay
             (/= (point) (overlay-start cromwell--overlay)))
    (cromwell-dismiss)))

;;;###autoload
(define-minor-mode cromwell-ghost-mode
  "Show Cromwell's suggestions as ghost text while typing."
  :lighter " Cromwell"
  (if cromwell-ghost-mode
      (progn (add-hook 'after-change-functions #'cromwell--after-change nil t)
             (add-hook 'post-command-hook #'cromwell--post-command nil t))
    (remove-hook 'after-change-functions #'cromwell--after-change t)
    (remove-hook 'post-command-hook #'cromwell--post-command t)
    (cromwell-dismiss)))

;;;; Edits
;; An edit runs the model for seconds (8 s for a docstring on the 0.5B, 15 s on the 1.5B, more on a
;; slow machine); the server applies it with workspace/applyEdit and then answers cromwell.edit.
;; eglot and lsp-mode wait 10 s for a command's answer and then report "Timed out" although the
;; edit still lands, so Cromwell's edits wait longer (the server has its own limits per edit), say
;; so while they wait, and on C-g stop waiting and send $/cancelRequest.

(defcustom cromwell-edit-timeout 300
  "Seconds to wait for an edit before giving up on it."
  :type 'number)

(defvar cromwell-edit-history nil "Instructions given to Cromwell's edits.")

(defun cromwell--read-instruction ()
  (read-string "Cromwell edit: " nil 'cromwell-edit-history))

(defun cromwell--with-key (obj key value)
  "A copy of OBJ with KEY set to VALUE.
OBJ is a plist (eglot) or a hash table (lsp-mode), as `cromwell--get' reads."
  (if (hash-table-p obj)
      (let ((copy (copy-hash-table obj)))
        (puthash (substring (symbol-name key) 1) value copy)
        copy)
    (plist-put (copy-sequence obj) key value)))

(defun cromwell--edit-with-instruction (argument instruction)
  "Run cromwell.edit on ARGUMENT ({uri, range[, version]}) with INSTRUCTION.
A blank INSTRUCTION sends nothing."
  (if (string-blank-p instruction)
      (message "Cromwell: no instruction, nothing edited")
    (cromwell--run-edit (vector (cromwell--with-key argument :instruction instruction)))))

(defun cromwell--edit-command (arguments)
  "Run the cromwell.edit a code action carries, with ARGUMENTS.
\"Cromwell: edit selection…\" carries no instruction (LSP has no prompt
box): ask for one."
  (let ((argument (and (> (length arguments) 0) (elt arguments 0))))
    (if (and (or (hash-table-p argument) (consp argument))
             (string-blank-p (or (cromwell--get argument :instruction) "")))
        (cromwell--edit-with-instruction argument (cromwell--read-instruction))
      (cromwell--run-edit arguments))))

(defun cromwell--edit-request (method params)
  "Send METHOD with PARAMS, which runs the model, and wait as long as for an edit.
Say that it waits; say an error or C-g.  Return the reply of
`cromwell--request-and-wait'."
  (message "Cromwell: editing… (C-g to cancel)")
  (let ((reply (cromwell--request-and-wait method params cromwell-edit-timeout)))
    (pcase reply
      (`(error ,text) (message "Cromwell: %s" text))
      ('(quit) (message "Cromwell: edit cancelled")))
    reply))

(defun cromwell--run-edit (arguments)
  "Send cromwell.edit with ARGUMENTS and wait for the server to apply the edit."
  (when (eq 'ok (car (cromwell--edit-request
                      :workspace/executeCommand
                      (list :command "cromwell.edit" :arguments arguments))))
    (message "Cromwell: edit applied")))

(defun cromwell--eglot-execute (server action next)
  "Execute ACTION for SERVER (eglot 1.16+), with NEXT eglot's own `eglot-execute'.
ACTION is a CodeAction, a Command or an ExecuteCommandParams.  eglot
hands a CodeAction's command back to `eglot-execute', so a cromwell.edit
arrives here as a Command.  A CodeAction of Cromwell's with neither edit
nor command is resolved with codeAction/resolve, which runs the model."
  (cond
   ((equal (plist-get action :command) "cromwell.edit")
    (cromwell--edit-command (plist-get action :arguments)))
   ((and (string-prefix-p "Cromwell: " (or (plist-get action :title) ""))
         (plist-get action :data)
         (not (plist-get action :edit))
         (not (plist-get action :command))
         (eglot-server-capable :codeActionProvider :resolveProvider))
    (pcase (cromwell--edit-request :codeAction/resolve action)
      (`(ok ,resolved) (eglot-execute server resolved))))
   (t (funcall next))))

(with-eval-after-load 'eglot
  ;; eglot 1.16+ (Emacs 30) runs code actions and commands through `eglot-execute' and no
  ;; longer calls `eglot-execute-command' (obsolete there); eglot up to 1.15 (Emacs 28's 1.9)
  ;; has only `eglot-execute-command'.
  (if (fboundp 'eglot-execute)
      (cl-defmethod eglot-execute ((server cromwell-eglot-server) action)
        (cromwell--eglot-execute server action #'cl-call-next-method))
    (with-suppressed-warnings ((obsolete eglot-execute-command))
      (cl-defmethod eglot-execute-command
        ((_ cromwell-eglot-server) (_ (eql 'cromwell.edit)) arguments)
        (cromwell--edit-command arguments)))))

(defun cromwell--lsp-execute-code-action (execute action)
  "Call EXECUTE on ACTION, waiting as long as for an edit if it is Cromwell's.
lsp-mode resolves a code action with codeAction/resolve, which for
Cromwell's built-in actions (\"add a docstring\") runs the model."
  (if (and (string-prefix-p "Cromwell: " (or (cromwell--get action :title) ""))
           (not (cromwell--get action :command)))
      (let ((lsp-response-timeout cromwell-edit-timeout))
        (message "Cromwell: editing… (C-g to cancel)")
        (funcall execute action))
    (funcall execute action)))

(with-eval-after-load 'lsp-mode
  ;; By command only: with lsp-mode Cromwell is an add-on, and lsp-mode passes the id of the
  ;; buffer's first server, which may be the language's own.
  (cl-defmethod lsp-execute-command (_ (_ (eql 'cromwell.edit)) arguments)
    (cromwell--edit-command arguments))
  (advice-add 'lsp-execute-code-action :around #'cromwell--lsp-execute-code-action))

;;;; Commands

;;;###autoload
(defun cromwell-edit-region (beg end instruction)
  "Rewrite the lines from BEG to END by INSTRUCTION; the server applies the edit."
  (interactive (list (region-beginning) (region-end) (cromwell--read-instruction)))
  (let* ((l1 (1- (line-number-at-pos beg)))
         (l2 (save-excursion (goto-char end)
                             (if (and (bolp) (> end beg)) (1- (line-number-at-pos end))
                               (line-number-at-pos end)))))
    (cromwell--edit-with-instruction
     (list :uri (cromwell--uri)
           :range (list :start (list :line l1 :character 0) :end (list :line l2 :character 0)))
     instruction)))

;;;###autoload
(defun cromwell-status ()
  "Show the model, its state and the last latency."
  (interactive)
  (cromwell-status--fetch
   (lambda (s)
     (let* ((stats (cromwell--get s :stats))
            (lat (and stats (cromwell--get stats :lastLatenciesMillis))))
       (message "Cromwell: %s (%s), %s threads, last %s ms, %s tokens reused"
                (cromwell--get s :model) (cromwell--get s :modelState) (cromwell--get s :threads)
                (if (and lat (> (length lat) 0)) (elt lat (1- (length lat))) "-")
                (and stats (cromwell--get stats :lastReused)))))))

(defun cromwell-status--fetch (callback)
  "Call CALLBACK with the server's cromwell/status."
  (cromwell--request :cromwell/status nil callback))

;;;###autoload
(defun cromwell-download (name)
  "Download the model NAME with `cromwell pull NAME'."
  (interactive (list (read-string "Model: " "qwen2.5-coder-0.5b-instruct")))
  (let ((buf (get-buffer-create "*cromwell pull*")))
    (make-process :name "cromwell-pull" :buffer buf
                  :command (list (car cromwell-command) "pull" name)
                  :sentinel (lambda (_ event)
                              (message "Cromwell: pull %s: %s" name (string-trim event))))
    (display-buffer buf)))

(provide 'cromwell)
;;; cromwell.el ends here
