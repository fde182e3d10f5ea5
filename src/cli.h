/* Command line: one option table feeds getopt_long and --help. */
#ifndef MW_CLI_H
#define MW_CLI_H

#include "diag.h"
#include "rules.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum mw_color { MW_COLOR_AUTO, MW_COLOR_ALWAYS, MW_COLOR_NEVER };

struct mw_opts {
    const char *output;        /* renderer name; default "text" */
    const char *output_file;   /* NULL = stdout */
    const char *syslog_server; /* --syslog-server HOST:PORT[/tcp|/udp] */
    const char *input_format;  /* "auto" or a dialect name */
    const char **rules;        /* --rules paths (repeatable); NULL = default */
    size_t nrules;
    bool check_rules;
    const char *explain; /* --explain TERM, or NULL */
    bool help, version;
    bool verbose, quiet;
    enum mw_color color;
    int64_t window; /* 0 = auto */
    size_t top;     /* 0 = default */
    bool has_since, has_until;
    int64_t since, until; /* epoch seconds, half-open [since, until) */
    const char *since_arg, *until_arg, *now_arg;
    bool has_now;
    int64_t now;
    const char *timezone;   /* NULL = TZ */
    int fail_level;         /* -1 = none */
    size_t max_line;        /* 0 = default */
    const char *state_file; /* --state FILE: resume where a run stopped */
    bool follow;            /* --follow: wait for more at the end */
    const char **files;     /* operands (borrowed from argv) */
    size_t nfiles;
};

/* Parse argv. Returns 0 ok, -1 usage error (err->text holds the reason).
 * Time expressions (--since/--until) are resolved after --now and
 * --timezone are known. opts->rules/files are allocated: cli_free. */
int cli_parse(struct mw_opts *o, int argc, char **argv, struct mw_err *err);
void cli_free(struct mw_opts *o);
/* print --help text */
void cli_usage(FILE *out);

#endif
