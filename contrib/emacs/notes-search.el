;;; notes-search.el --- Search Markdown notes with notes-search  -*- lexical-binding: t -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "25.1"))
;; Keywords: tools, matching

;;; Commentary:

;; M-x notes-search asks for a query and lists the notes that match in a
;; grep-mode buffer, one line per note at its best passage
;; (notes-search --vimgrep): RET or `next-error' (M-g n) visits each.
;; The query is notes-search's own language ("exact phrase", word*, a OR b,
;; -word, tag:x, date:2015, ...) and reaches it as one argument, untouched
;; by the shell.  The index is $NOTES_DB or the default one; set
;; `notes-search-arguments' for another (("--db" "~/work.db")).
;;
;; Install: put this file on `load-path' and (require 'notes-search), or
;; (autoload 'notes-search "notes-search" nil t).  No key is bound.

;;; Code:

(require 'grep)

(defgroup notes-search nil
  "Search Markdown notes with notes-search."
  :group 'tools
  :prefix "notes-search-")

(defcustom notes-search-program "notes-search"
  "The notes-search command."
  :type 'string)

(defcustom notes-search-arguments nil
  "Extra arguments for notes-search, such as (\"--db\" \"/path/index.db\")."
  :type '(repeat string))

(defvar notes-search-history nil
  "Queries given to `notes-search'.")

(defun notes-search-command (query)
  "The shell command that searches the notes for QUERY."
  (mapconcat #'shell-quote-argument
             (append (list notes-search-program) notes-search-arguments
                     (list "--vimgrep" "--color" "never" "--" query))
             " "))

(defun notes-search-file-name (name)
  "The file NAME of a notes-search --vimgrep line names.
Its `%', `:' and control characters come as %XX, each the byte XX."
  (if (string-match-p "%[0-9A-Fa-f][0-9A-Fa-f]" name)
      (decode-coding-string
       (apply #'unibyte-string
              (let ((i 0) (n (length name)) (bytes nil))
                (while (< i n)
                  (if (and (eq (aref name i) ?%) (< (+ i 2) n)
                           (string-match-p "\\`[0-9A-Fa-f][0-9A-Fa-f]"
                                           (substring name (1+ i) (+ i 3))))
                      (progn (push (string-to-number (substring name (1+ i) (+ i 3)) 16)
                                   bytes)
                             (setq i (+ i 3)))
                    (dolist (b (string-to-list (encode-coding-string
                                                (string (aref name i)) 'utf-8)))
                      (push b bytes))
                    (setq i (1+ i))))
                (nreverse bytes)))
       (or file-name-coding-system 'utf-8))
    name))

;;;###autoload
(defun notes-search (query)
  "Search the notes for QUERY; list the matches in a grep-mode buffer."
  (interactive (list (read-string "Search notes: " nil 'notes-search-history)))
  (let ((buf (compilation-start (notes-search-command query) #'grep-mode
                                (lambda (_mode) "*notes-search*"))))
    ;; Set before any output is parsed (that happens on display).
    (with-current-buffer buf
      (setq-local compilation-parse-errors-filename-function
                  #'notes-search-file-name))
    buf))

(provide 'notes-search)

;;; notes-search.el ends here
