#!/bin/sh
# Run each fuzz target built in this tree once on every file of its seed
# corpus (tests/fuzz/corpus/<target>/). A target not built is skipped.
srcdir=${MW_SRCDIR:-.}
builddir=${MW_BUILDDIR:-.}
passed=0
failed=0
skipped=0
for t in fuzz_linereader fuzz_syslog fuzz_rules_yaml fuzz_escape fuzz_csv_json; do
    bin=$builddir/tests/fuzz/$t
    corpus=$srcdir/tests/fuzz/corpus/$t
    if [ ! -x "$bin" ]; then
        echo "SKIP: $t (not built)"
        skipped=$((skipped + 1))
        continue
    fi
    if [ ! -d "$corpus" ]; then
        echo "FAIL: $t (no corpus directory $corpus)"
        failed=$((failed + 1))
        continue
    fi
    # the files, not the directory: a libFuzzer build (--enable-fuzzing)
    # given a directory starts fuzzing and never ends; given files, it runs
    # each once, as the replay main does
    if out=$("$bin" "$corpus"/* 2>&1); then
        echo "PASS: $t: $out"
        passed=$((passed + 1))
    else
        echo "FAIL: $t"
        printf '%s\n' "$out"
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
