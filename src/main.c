#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>
#include <zlib.h>

#include "cli.h"
#include "decomp.h"
#include "diag.h"
#include "explain.h"
#include "follow.h"
#include "pcre.h"
#include "pipeline.h"
#include "rules.h"
#include "xalloc.h"

#ifndef MW_RULES_DIR
#define MW_RULES_DIR "/usr/local/share/maillog-why/rules"
#endif
#ifndef MW_SYSCONF_RULES_DIR
#define MW_SYSCONF_RULES_DIR "/usr/local/etc/maillog-why/rules.d"
#endif
#ifndef MW_DATA_DIR
#define MW_DATA_DIR "/usr/local/share/maillog-why/data"
#endif

static void
print_version(void)
{
    char pcre[64] = "";
    pcre2_config(PCRE2_CONFIG_VERSION, pcre);
    printf("maillog-why %s\n"
           "Copyright (C) 2026 the maillog-why authors.\n"
           "License: MIT. This is free software: you are free to change and "
           "redistribute it.\nThere is NO WARRANTY, to the extent permitted "
           "by law.\n"
           "PCRE2 %s\nzlib %s\nlibyaml %s\ncompressed input: %s\n",
           PACKAGE_VERSION, pcre, zlibVersion(), yaml_get_version_string(),
           decomp_formats());
}

static bool
is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool
is_rule_file(const char *name)
{
    size_t n = strlen(name);
    if (name[0] == '.')
        return false;
    return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

/* the directory holding the packaged rules: the installed one, else the
 * source tree's (running from a build tree) */
static const char *
packaged_rules_dir(void)
{
    if (is_dir(MW_RULES_DIR))
        return MW_RULES_DIR;
#ifdef MW_SRCDIR_RULES
    if (is_dir(MW_SRCDIR_RULES))
        return MW_SRCDIR_RULES;
#endif
    return MW_RULES_DIR;
}

/* the explanation catalog (smtp-codes.yaml, causes.yaml): installed, else
 * the source tree's */
static const char *
packaged_data_dir(void)
{
    if (is_dir(MW_DATA_DIR))
        return MW_DATA_DIR;
#ifdef MW_SRCDIR_DATA
    if (is_dir(MW_SRCDIR_DATA))
        return MW_SRCDIR_DATA;
#endif
    return MW_DATA_DIR;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Packaged rules, where a file of the same name in the local rules.d
 * replaces the packaged one and other local files are added. */
static int
load_default_rules(struct mw_ruleset *rs, struct mw_err *err)
{
    const char *pkg = packaged_rules_dir();
    const char *local = MW_SYSCONF_RULES_DIR;
    char **names = NULL;
    size_t n = 0;
    const char *dirs[2] = {pkg, local};
    int rc = 0;

    if (!is_dir(pkg) && !is_dir(local)) {
        err_set(err, pkg, "rules directory not found (use --rules)");
        return -1;
    }
    for (int k = 0; k < 2; k++) {
        DIR *d = opendir(dirs[k]);
        struct dirent *de;
        if (!d)
            continue;
        while ((de = readdir(d)) != NULL) {
            if (!is_rule_file(de->d_name))
                continue;
            names = xreallocarray(names, n + 1, sizeof *names);
            names[n++] = xstrdup(de->d_name);
        }
        closedir(d);
    }
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", local, names[i]);
        if (access(path, F_OK) != 0)
            snprintf(path, sizeof path, "%s/%s", pkg, names[i]);
        rc = ruleset_load(rs, path, err);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

static struct mw_ruleset *
load_rules(const struct mw_opts *o)
{
    struct mw_err err;
    struct mw_ruleset *rs = ruleset_new();
    int rc = 0;
    if (o->nrules) {
        for (size_t i = 0; i < o->nrules && rc == 0; i++)
            rc = ruleset_load(rs, o->rules[i], &err);
    } else {
        rc = load_default_rules(rs, &err);
    }
    if (rc == 0)
        rc = ruleset_finish(rs, &err);
    if (rc < 0) {
        err_print(&err);
        ruleset_free(rs);
        return NULL;
    }
    return rs;
}

/* flush and close the report; 0, or 2 after a write error other than a
 * closed pipe (which ends the run quietly) */
static int
close_output(FILE *out, const char *name)
{
    int bad = ferror(out);
    int e = errno;
    if (fclose(out) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (!bad || e == EPIPE)
        return 0;
    diag_warn("%s: write error: %s", name, strerror(e));
    return 2;
}

static int
run_check(const struct mw_ruleset *rs)
{
    size_t nex = 0;
    size_t bad = ruleset_check(rs, stdout, &nex);
    printf("%zu rules, %zu examples checked: %zu failed\n", ruleset_count(rs),
           nex, bad);
    return bad ? 1 : 0;
}

/* --explain: 0 explained, 1 nothing known about the term, 2 catalog error */
static int
run_explain(const char *term, const struct mw_ruleset *rs)
{
    struct mw_err err;
    struct mw_buf text = {0};
    struct mw_explain *x = explain_new();
    int status = 0;
    if (explain_load_dir(x, packaged_data_dir(), &err) < 0) {
        status = 2;
    } else if (explain_term(x, rs, term, &text)) {
        fwrite(text.data, 1, text.len, stdout);
    } else {
        err_set(&err, NULL, "no explanation for '%s'", term);
        status = 1;
    }
    if (status)
        err_print(&err);
    buf_free(&text);
    explain_free(x);
    return status;
}

int
main(int argc, char **argv)
{
    struct mw_opts o;
    struct mw_err err;
    int status;

    signal(SIGPIPE, SIG_IGN);
    if (cli_parse(&o, argc, argv, &err) < 0) {
        err_print(&err);
        fprintf(stderr, "Try '%s --help' for more information.\n", mw_progname);
        cli_free(&o);
        return 2;
    }
    if (o.follow)
        follow_catch_signals(true);
    if (o.help || o.version) {
        if (o.help)
            cli_usage(stdout);
        else
            print_version();
        cli_free(&o);
        return close_output(stdout, "standard output");
    }
    struct mw_ruleset *rs = load_rules(&o);
    if (!rs) {
        cli_free(&o);
        return 2;
    }
    if (o.explain) {
        status = run_explain(o.explain, rs);
        ruleset_free(rs);
        cli_free(&o);
        int c = close_output(stdout, "standard output");
        return c ? c : status;
    }
    if (o.check_rules) {
        status = run_check(rs);
        ruleset_free(rs);
        cli_free(&o);
        int c = close_output(stdout, "standard output");
        return c ? c : status;
    }
    FILE *out = stdout;
    const char *out_name = "standard output";
    if (o.output_file) {
        /* with --state the file grows from run to run; the run cuts it
         * back to what the state counts, and reads its end (follow.c) */
        out = fopen(o.output_file, o.state_file ? "a+" : "w");
        out_name = o.output_file;
        if (!out) {
            diag_warn("%s: %s", o.output_file, strerror(errno));
            ruleset_free(rs);
            cli_free(&o);
            return 2;
        }
    }
    enum mw_run_status rst = pipeline_run(&o, rs, out);
    status = rst == MW_RUN_OUTPUT_CLOSED ? 0 : (int)rst;
    int c = close_output(out, out_name);
    if (c && status != 2)
        status = c;
    ruleset_free(rs);
    cli_free(&o);
    return status;
}
