# notes-search — build, test and demo.
#
#   make          build build/notes-index, build/notes-search, build/libnotes.a
#   make demo     install missing packages, build, index examples/notes, search it
#   make check    every test (unit + end-to-end), built with ASan+UBSan
#   make install  PREFIX=/usr/local DESTDIR=... (make uninstall)
#   make stress   the long reliability runs;  make fuzz  libFuzzer targets
#   make valgrind the end-to-end suites under memcheck
#   make bench    speed next to sqlite3 and ripgrep;  make relevance
#
# Sources are found by wildcard: lib/*.c form libnotes.a (shared by both
# binaries), indexer/*.c and query/*.c form one archive each, and each
# program's main.c links against them.  Unit tests link all three archives.

CC      ?= cc
BUILD   ?= build
PKGS    := sqlite3 yaml-0.1 libcmark libutf8proc libxxhash libzstd
# Debian packages that provide the above (plus libstemmer, which has no .pc).
DEBS    := libsqlite3-dev libyaml-dev libcmark-dev libutf8proc-dev libxxhash-dev libzstd-dev \
           libstemmer-dev libcmocka-dev pkg-config bats sqlite3 jq vim time \
           mandoc fzf emacs-nox zsh
VERSION := 0.1.0

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lstemmer
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(EXTRA_CFLAGS) -Iinclude -Ilib -Iindexer -Iquery \
             -DNOTES_VERSION='"$(VERSION)"' $(PKG_CFLAGS) -MMD -MP
LDLIBS   := $(PKG_LIBS) -lm

# notes-search starts once per query: as one static executable it skips
# the dynamic loader and its relocations, 0.4-0.8 ms of a 3 ms query
# (hyperfine, 2k notes).  The archives come with Debian's -dev packages and
# libc6-dev.  glibc warns at link time that SQLite's dlopen() (run-time
# extensions, which notes-search never loads) would need the shared
# libraries: that one warning is filtered, any other is shown.
# STATIC_QUERY=0 links it dynamically like notes-index (make check does:
# the sanitizers need the dynamic loader).
STATIC_QUERY ?= 1
ifeq ($(STATIC_QUERY),1)
QUERY_LDLIBS := -static -lsqlite3 -lutf8proc -lstemmer -lzstd -lxxhash -lm -lpthread
QUERY_LINK_FILTER = 2>$@.err; st=$$?; grep -v -e "in function .unixDlOpen.:" \
                     -e "Using 'dlopen' in statically linked" $@.err >&2; \
                     rm -f $@.err; exit $$st
else
QUERY_LDLIBS := $(LDLIBS)
QUERY_LINK_FILTER :=
endif

LIB_SRC  := $(sort $(wildcard lib/*.c))
IDX_SRC  := $(filter-out indexer/main.c,$(sort $(wildcard indexer/*.c)))
QRY_SRC  := $(filter-out query/main.c,$(sort $(wildcard query/*.c)))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
IDX_OBJ  := $(IDX_SRC:%.c=$(BUILD)/obj/%.o)
QRY_OBJ  := $(QRY_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all demo check unit e2e deps clean
all: $(BUILD)/notes-index $(BUILD)/notes-search $(BUILD)/notes_fts5.so

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -DNOTES_EXTENSION -c $< -o $@

$(BUILD)/libnotes.a: $(LIB_OBJ)
	@rm -f $@; ar rcs $@ $^
$(BUILD)/libindexer.a: $(IDX_OBJ)
	@rm -f $@; ar rcs $@ $^
$(BUILD)/libquery.a: $(QRY_OBJ)
	@rm -f $@; ar rcs $@ $^

$(BUILD)/notes-index: $(BUILD)/obj/indexer/main.o $(BUILD)/libindexer.a $(BUILD)/libnotes.a
	$(CC) $(ALL_CFLAGS) $(filter %.o %.a,$^) $(LDLIBS) -o $@
$(BUILD)/notes-search: $(BUILD)/obj/query/main.o $(BUILD)/libquery.a $(BUILD)/libnotes.a
	$(CC) $(ALL_CFLAGS) $(filter %.o %.a,$^) $(QUERY_LDLIBS) -o $@ $(QUERY_LINK_FILTER)
# The tokenizer as a loadable extension, so the sqlite3 CLI can open the
# database for maintenance:  sqlite3 index.db '.load build/notes_fts5'
$(BUILD)/notes_fts5.so: $(LIB_SRC:%.c=$(BUILD)/pic/%.o)
	$(CC) $(ALL_CFLAGS) -shared $(filter %.o,$^) $(LDLIBS) -o $@

# Each tests/unit/test_*.c is one cmocka binary; tests/unit/golden.c is
# linked into all of them.
$(BUILD)/tests/%: tests/unit/%.c tests/unit/golden.c $(BUILD)/libindexer.a $(BUILD)/libquery.a $(BUILD)/libnotes.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(filter %.c %.a,$^) $(LDLIBS) $(CMOCKA_LIBS) -o $@

# Fuzz targets replayed over their stored inputs (tests/fuzz/driver.c): the
# seeds and every input that once failed, in make check with the sanitizers.
FUZZ_NAMES := tokenize query frontmatter markdown
FUZZ_REGRESS := $(FUZZ_NAMES:%=$(BUILD)/tests/test_fuzz_%)
$(BUILD)/tests/test_fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/driver.c tests/fuzz/note_check.h \
		$(BUILD)/libindexer.a $(BUILD)/libquery.a $(BUILD)/libnotes.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DFUZZ_NAME='"fuzz_$*"' \
	    -DFUZZ_DIRS='"$(CURDIR)/tests/fuzz/corpus/$*:$(CURDIR)/tests/fuzz/regress/$*"' \
	    $(filter %.c %.a,$^) $(LDLIBS) -o $@

# ---- install ---------------------------------------------------------------
# make install PREFIX=/usr/local DESTDIR=/tmp/stage; make uninstall removes
# exactly what install puts there.
PREFIX  ?= /usr/local
BINDIR  := $(PREFIX)/bin
MAN1DIR := $(PREFIX)/share/man/man1
BASHDIR := $(PREFIX)/share/bash-completion/completions
ZSHDIR  := $(PREFIX)/share/zsh/site-functions
DOCDIR  := $(PREFIX)/share/doc/notes-search
VIMDIR  := $(PREFIX)/share/vim/vimfiles/plugin
ELDIR   := $(PREFIX)/share/emacs/site-lisp
INSTALLED := $(BINDIR)/notes-index $(BINDIR)/notes-search \
	$(MAN1DIR)/notes-index.1 $(MAN1DIR)/notes-search.1 \
	$(BASHDIR)/notes-search $(BASHDIR)/notes-index $(ZSHDIR)/_notes-search \
	$(VIMDIR)/notes.vim $(ELDIR)/notes-search.el \
	$(DOCDIR)/README.md $(DOCDIR)/contrib/vim/plugin/notes.vim \
	$(DOCDIR)/contrib/emacs/notes-search.el $(DOCDIR)/contrib/fzf/notes-fzf \
	$(DOCDIR)/contrib/systemd/notes-index.service $(DOCDIR)/contrib/systemd/notes-index.timer \
	$(DOCDIR)/contrib/cron/notes-index.crontab
.PHONY: install uninstall
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MAN1DIR) $(DESTDIR)$(BASHDIR) $(DESTDIR)$(ZSHDIR) \
	    $(DESTDIR)$(VIMDIR) $(DESTDIR)$(ELDIR) $(DESTDIR)$(DOCDIR)/contrib/vim/plugin \
	    $(DESTDIR)$(DOCDIR)/contrib/emacs $(DESTDIR)$(DOCDIR)/contrib/fzf \
	    $(DESTDIR)$(DOCDIR)/contrib/systemd $(DESTDIR)$(DOCDIR)/contrib/cron
	install -m 755 $(BUILD)/notes-index $(BUILD)/notes-search $(DESTDIR)$(BINDIR)/
	install -m 644 docs/man/notes-index.1 docs/man/notes-search.1 $(DESTDIR)$(MAN1DIR)/
	install -m 644 contrib/completions/notes-search.bash $(DESTDIR)$(BASHDIR)/notes-search
	install -m 644 contrib/completions/notes-search.bash $(DESTDIR)$(BASHDIR)/notes-index
	install -m 644 contrib/completions/_notes-search $(DESTDIR)$(ZSHDIR)/_notes-search
	install -m 644 contrib/vim/plugin/notes.vim $(DESTDIR)$(VIMDIR)/notes.vim
	install -m 644 contrib/vim/plugin/notes.vim $(DESTDIR)$(DOCDIR)/contrib/vim/plugin/notes.vim
	install -m 644 contrib/emacs/notes-search.el $(DESTDIR)$(ELDIR)/notes-search.el
	install -m 644 contrib/emacs/notes-search.el $(DESTDIR)$(DOCDIR)/contrib/emacs/notes-search.el
	install -m 755 contrib/fzf/notes-fzf $(DESTDIR)$(DOCDIR)/contrib/fzf/notes-fzf
	install -m 644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -m 644 contrib/systemd/notes-index.timer $(DESTDIR)$(DOCDIR)/contrib/systemd/
	sed 's|/usr/local/bin/|$(BINDIR)/|' contrib/cron/notes-index.crontab \
	    > $(DESTDIR)$(DOCDIR)/contrib/cron/notes-index.crontab
	sed 's|/usr/local/bin/|$(BINDIR)/|' contrib/systemd/notes-index.service \
	    > $(DESTDIR)$(DOCDIR)/contrib/systemd/notes-index.service
	chmod 644 $(DESTDIR)$(DOCDIR)/contrib/systemd/notes-index.service \
	    $(DESTDIR)$(DOCDIR)/contrib/cron/notes-index.crontab
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(DOCDIR)/contrib/vim/plugin $(DESTDIR)$(DOCDIR)/contrib/vim \
	    $(DESTDIR)$(DOCDIR)/contrib/emacs $(DESTDIR)$(DOCDIR)/contrib/fzf \
	    $(DESTDIR)$(DOCDIR)/contrib/systemd $(DESTDIR)$(DOCDIR)/contrib/cron \
	    $(DESTDIR)$(DOCDIR)/contrib $(DESTDIR)$(DOCDIR) 2>/dev/null

# ---- set-up --------------------------------------------------------------
# Installs the Debian packages that are missing (as root), or prints the
# exact command to run and stops.
deps:
	@./tests/deps.sh $(DEBS)

# ---- demo ------------------------------------------------------------------
demo: deps
	@$(MAKE) --no-print-directory all
	@rm -f $(BUILD)/demo.db $(BUILD)/demo.db-wal $(BUILD)/demo.db-shm
	$(BUILD)/notes-index --db $(BUILD)/demo.db examples/notes
	$(BUILD)/notes-search --db $(BUILD)/demo.db "graceful termination"

# ---- tests -----------------------------------------------------------------
# Everything is rebuilt with sanitizers into build/san so that ordinary
# builds stay fast; the runner prints the closing "N passed, N failed" line.
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory BUILD=build/san CFLAGS="$(SAN_FLAGS)" STATIC_QUERY=0 \
	    build/san/notes-index build/san/notes-search $(UNIT_BIN:$(BUILD)/%=build/san/%) \
	    $(FUZZ_REGRESS:$(BUILD)/%=build/san/%)
	@./tests/run.sh build/san

unit: $(UNIT_BIN) $(FUZZ_REGRESS)

# The long reliability runs (200 kills, 5,000 searches during re-indexes),
# with the release binaries: tests/stress.sh.
.PHONY: stress valgrind
stress: deps
	@$(MAKE) --no-print-directory all
	@./tests/stress.sh build

# The end-to-end suites under valgrind memcheck, with an unsanitized debug
# build in build/vg: tests/valgrind.sh (VALGRIND_SUITES picks .bats files,
# VALGRIND_FILTER tests by name).
valgrind: deps
	@./tests/deps.sh valgrind
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory BUILD=build/vg CFLAGS="-O1 -g" STATIC_QUERY=0 \
	    build/vg/notes-index build/vg/notes-search
	@./tests/valgrind.sh build/vg

# ---- fuzzing (libFuzzer, clang from Debian; never part of check) -----------
# Each target runs FUZZ_SECONDS from its seeds (tests/fuzz/corpus/NAME) and
# what earlier runs found (build/fuzz/corpus/NAME); a failing input is left
# in build/fuzz/artifacts/ and the run stops there: copy it to
# tests/fuzz/regress/NAME/ so that make check replays it for good.  (The
# query target runs SQLite, whose caches grow across inputs: libFuzzer's
# per-input leak check would stop the world for each; make check's replay
# still checks it for leaks at exit.)
FUZZ_SECONDS ?= 60
FUZZ_BIN := $(FUZZ_NAMES:%=build/fuzz/fuzz_%)
FUZZ_CFLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
.PHONY: fuzz fuzz-build
fuzz-build:
	@./tests/deps.sh clang
	@$(MAKE) --no-print-directory BUILD=build/fuzz CC=clang CFLAGS="$(FUZZ_CFLAGS)" \
	    STATIC_QUERY=0 $(FUZZ_BIN)
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/note_check.h \
		build/fuzz/libindexer.a build/fuzz/libquery.a build/fuzz/libnotes.a
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer $(filter %.c %.a,$^) $(LDLIBS) -o $@
fuzz: fuzz-build
	@for t in $(FUZZ_NAMES); do \
	    mkdir -p build/fuzz/corpus/$$t build/fuzz/artifacts; \
	    echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	    build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	        -print_final_stats=1 -artifact_prefix=build/fuzz/artifacts/$$t- \
	        $$(test $$t = query && echo -detect_leaks=0) \
	        build/fuzz/corpus/$$t tests/fuzz/corpus/$$t > build/fuzz/$$t.log 2>&1; \
	    rc=$$?; \
	    grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^Done' build/fuzz/$$t.log; \
	    if [ $$rc -ne 0 ]; then tail -n 40 build/fuzz/$$t.log; exit 1; fi; \
	done

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# ---- benchmarks (never part of check) ---------------------------------------
# Tools the benchmarks compare against and measure with.
BENCH_DEBS := hyperfine ripgrep time sqlite3 jq python3

# Speed at 2k (../shared/corpus), 20k and 200k generated notes, each next to
# a plain sqlite3 FTS5 load and ripgrep in the same run -> bench/RESULTS.md
# (about 20 minutes with 100 query runs; corpora are generated once under
# $BENCH_DIR).
.PHONY: bench
bench: deps
	@./tests/deps.sh $(BENCH_DEBS)
	@$(MAKE) --no-print-directory all
	bench/run.sh $(BENCH_ARGS)

.PHONY: relevance
relevance: all
	@command -v rg >/dev/null || ./tests/deps.sh ripgrep
	python3 bench/relevance/run.py --write-results
