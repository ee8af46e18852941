" notes.vim — :Notes {query} puts notes-search results in the quickfix list.
"
"   :Notes graceful termination      search, fill the quickfix list, open it
"   :Notes! "rolling update" -draft  the same without opening the window
"
" Each result is one entry: the note at the line and column of its best
" passage, with that line as the text (notes-search --vimgrep).  No mapping
" is defined.  Settings:
"   g:notes_search_cmd   the command (default 'notes-search'); add --db or
"                        other options here, e.g. 'notes-search -n 50'
" The index is $NOTES_DB or the default one, as for the shell.
if exists('g:loaded_notes_search') || &compatible
  finish
endif
let g:loaded_notes_search = 1

" Paths in vimgrep lines have '%', ':' and control characters as %XX.
" Each %XX is the byte XX (not the character U+00XX: a name may hold bytes
" that are not UTF-8).
function! s:unescape(path) abort
  return substitute(a:path, '%\(\x\x\)', '\=eval(''"\x'' . submatch(1) . ''"'')', 'g')
endfunction

function! s:entries(lines) abort
  let l:items = []
  for l:line in a:lines
    let l:m = matchlist(l:line, '^\([^:]*\):\(\d\+\):\(\d\+\):\(.*\)$')
    if empty(l:m)
      continue
    endif
    call add(l:items, {'filename': s:unescape(l:m[1]), 'lnum': str2nr(l:m[2]),
          \ 'col': str2nr(l:m[3]), 'text': l:m[4]})
  endfor
  return l:items
endfunction

function! s:notes(bang, query) abort
  " The query goes as one argument: notes-search reads quotes, OR and -word
  " itself, and the shell sees nothing of it.
  let l:cmd = get(g:, 'notes_search_cmd', 'notes-search') . ' --vimgrep --color never -- '
        \ . shellescape(a:query)
  let l:out = systemlist(l:cmd)
  let l:status = v:shell_error
  if l:status >= 2
    echohl ErrorMsg
    echomsg join(l:out, ' ')
    echohl None
    return
  endif
  call setqflist([], ' ', {'title': ':Notes ' . a:query, 'items': s:entries(l:out)})
  if l:status == 1
    echomsg 'notes-search: no notes match ' . a:query
  elseif !a:bang
    copen
  endif
endfunction

command! -nargs=+ -bang Notes call s:notes(<bang>0, <q-args>)
