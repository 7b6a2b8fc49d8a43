;;; driver.el --- TestEditorSnippets' driver for Emacs  -*- lexical-binding: t -*-
;; Run as: emacs --batch -l driver.el FILE
;; with $COROFY_TEST_INIT the README's set-up. Like Emacs's own start-up,
;; it activates the installed packages, then loads the set-up, then opens
;; FILE. It waits until each message in $COROFY_TEST_WANT (one a line) is
;; in a Flymake diagnostic of FILE, or a minute (or until no corofy process
;; is left), asks eglot for the hover at $COROFY_TEST_HOVER
;; ("line:character", from 0, UTF-16) and writes to $COROFY_TEST_OUT, one a
;; line:
;;   diag <TAB> line from 1 <TAB> the line's text from the diagnostic's start <TAB> message
;;   hover <TAB> the hover's text
;; A line "skip <TAB> reason" says what is missing to run the set-up.
(require 'package)
(require 'subr-x)
(package-activate-all)

(defvar corofy-test-lines nil)
(defun corofy-test-put (&rest fields)
  (push (mapconcat (lambda (f) (replace-regexp-in-string "[\t\n]" " " (format "%s" f)))
                   fields "\t")
        corofy-test-lines))
(defun corofy-test-finish ()
  (with-temp-file (getenv "COROFY_TEST_OUT")
    (dolist (l (reverse corofy-test-lines)) (insert l "\n")))
  (kill-emacs 0))

(unless (locate-library "eglot")
  (corofy-test-put "skip" "eglot is not installed (it comes with Emacs 29 and later; on Emacs 28, apt-get install elpa-eglot)")
  (corofy-test-finish))
(unless (fboundp 'go-mode)
  (corofy-test-put "skip" "go-mode is not installed (apt-get install elpa-go-mode, or go-mode from MELPA)")
  (corofy-test-finish))

(load (getenv "COROFY_TEST_INIT") nil t)
(find-file (car command-line-args-left))
(setq command-line-args-left nil)
;; What the command loop does after each command: eglot-ensure connects
;; from post-command-hook.
(run-hooks 'post-command-hook)
(corofy-test-put "mode" major-mode)

(defun corofy-test-server-p ()
  (seq-some (lambda (p) (and (process-live-p p)
                             (string-suffix-p "corofy" (car-safe (process-command p)))))
            (process-list)))

(let ((want (split-string (getenv "COROFY_TEST_WANT") "\n"))
      (deadline (+ (float-time) 60)))
  ;; No corofy process, or none left: nothing will come.
  (while (and (< (float-time) deadline)
              (corofy-test-server-p)
              (not (seq-every-p
                    (lambda (w)
                      (seq-some (lambda (d) (string-search w (flymake-diagnostic-text d)))
                                (flymake-diagnostics)))
                    want)))
    (accept-process-output nil 0.05)))

(unless (corofy-test-server-p)
  (corofy-test-put "noserver" "no corofy process is running"))
(dolist (d (flymake-diagnostics))
  (let ((beg (flymake-diagnostic-beg d)))
    (corofy-test-put "diag" (line-number-at-pos beg)
                     (buffer-substring-no-properties beg (save-excursion (goto-char beg) (line-end-position)))
                     (flymake-diagnostic-text d))))

(when-let ((server (and (fboundp 'eglot-current-server) (eglot-current-server))))
  (pcase-let* ((`(,line ,character) (mapcar #'string-to-number
                                            (split-string (getenv "COROFY_TEST_HOVER") ":")))
               ;; eglot-path-to-uri is eglot 1.16's name.
               (uri (if (fboundp 'eglot-path-to-uri)
                        (eglot-path-to-uri buffer-file-name)
                      (eglot--path-to-uri buffer-file-name)))
               (res (jsonrpc-request server :textDocument/hover
                                     (list :textDocument (list :uri uri)
                                           :position (list :line line :character character))))
               (contents (plist-get res :contents)))
    (corofy-test-put "hover" (if (stringp contents) contents (plist-get contents :value)))))
(corofy-test-finish)
