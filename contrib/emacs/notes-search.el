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

;;;###autoload
(defun notes-search (query)
  "Search the notes for QUERY; list the matches in a grep-mode buffer."
  (interactive (list (read-string "Search notes: " nil 'notes-search-history)))
  (compilation-start (notes-search-command query) #'grep-mode
                     (lambda (_mode) "*notes-search*")))

(provide 'notes-search)

;;; notes-search.el ends here
