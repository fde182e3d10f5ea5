#include "config.h"

#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dialect.h"
#include "render.h"
#include "sink.h"
#include "timeparse.h"
#include "xalloc.h"

enum {
    OPT_OUTPUT_FILE = 256,
    OPT_CHECK_RULES,
    OPT_NOW,
    OPT_TIMEZONE,
    OPT_FAIL_LEVEL,
    OPT_COLOR,
    OPT_MAX_LINE,
    OPT_INPUT_FORMAT,
    OPT_EXPLAIN,
    OPT_SYSLOG_SERVER,
    OPT_STATE
};

/* the default of --output, told apart from an explicit "-o text" */
static const char default_output[] = "text";

/* One table for getopt_long and --help. */
struct cli_option {
    const char *name;
    int has_arg;
    int val;
    const char *arg; /* argument name for --help */
    const char *help;
};

static const struct cli_option cli_options[] = {
    {"output", required_argument, 'o', "FORMAT",
     "report format (default text): "},
    {"output-file", required_argument, OPT_OUTPUT_FILE, "FILE",
     "write the report to FILE instead of standard output"},
    {"syslog-server", required_argument, OPT_SYSLOG_SERVER,
     "HOST:PORT[/tcp|/udp]",
     "send the records to a syslog collector (TCP by default) instead of "
     "writing them; with -o cef or ndjson the messages hold CEF or JSON"},
    {"input-format", required_argument, OPT_INPUT_FORMAT, "FORMAT",
     "log dialect (default auto, per file): "},
    {"rules", required_argument, 'r', "PATH",
     "load rules from this file or directory instead of the defaults "
     "(repeatable)"},
    {"check-rules", no_argument, OPT_CHECK_RULES, NULL,
     "compile every rule, run its examples, and exit"},
    {"explain", required_argument, OPT_EXPLAIN, "CODE",
     "explain an SMTP reply code, enhanced status code, rule or cause, and "
     "exit"},
    {"window", required_argument, 'w', "DURATION",
     "time window for series and peaks (e.g. 5m, 1h; default from the span)"},
    {"top", required_argument, 'n', "N",
     "rows in each summary table (default 10)"},
    {"since", required_argument, 'S', "TIME",
     "only lines at or after TIME (ISO 8601, today, yesterday, -2h, ...)"},
    {"until", required_argument, 'U', "TIME", "only lines before TIME"},
    {"now", required_argument, OPT_NOW, "TIME",
     "take TIME as the current time (reproducible runs)"},
    {"timezone", required_argument, OPT_TIMEZONE, "TZ",
     "zone of time stamps without one (default: TZ)"},
    {"fail-level", required_argument, OPT_FAIL_LEVEL, "LEVEL",
     "exit 1 when a finding has at least LEVEL (informational, low, medium, "
     "high, critical)"},
    {"color", optional_argument, OPT_COLOR, "WHEN",
     "colour the text report: auto (default), always, never"},
    {"max-line-length", required_argument, OPT_MAX_LINE, "BYTES",
     "cut longer lines (default 65536)"},
    {"verbose", no_argument, 'v', NULL,
     "say which dialect each file has, and why"},
    {"quiet", no_argument, 'q', NULL, "print nothing when nothing was found"},
    {"state", required_argument, OPT_STATE, "FILE",
     "resume where the run that saved FILE stopped, through log rotation, "
     "and save it again (with --output-file, a killed run repeats no "
     "record there)"},
    {"follow", no_argument, 'f', NULL,
     "after the end of the files, wait for more lines (and rotations) "
     "until interrupted"},
    {"help", no_argument, 'h', NULL, "show this help and exit"},
    {"version", no_argument, 'V', NULL, "show version information and exit"},
};

#define NOPTS (sizeof cli_options / sizeof cli_options[0])

/* print text from column indent, folding at spaces before column width
 * (and at '|' in lists of names) */
static void
print_wrapped(FILE *out, const char *text, int indent, int width)
{
    int col = indent;
    bool space = false; /* a space is owed before the next word */
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, " |");
        size_t take = n + (p[n] == '|' ? 1 : 0);
        if (col > indent && col + (int)space + (int)n > width) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
            space = false;
        }
        if (space)
            fputc(' ', out);
        fwrite(p, 1, take, out);
        col += (int)take + (int)space;
        p += take;
        space = *p == ' ';
        if (space)
            p++;
    }
    fputc('\n', out);
}

void
cli_usage(FILE *out)
{
    fprintf(out,
            "Usage: %s [OPTION]... [FILE]...\n"
            "Explain why mail is failing, from mail server logs.\n\n"
            "Reads Postfix, Exim and other mail logs (plain or compressed), "
            "matches every\nline against the rules, and reports root causes "
            "by client and time window.\n\n",
            mw_progname);
    for (size_t i = 0; i < NOPTS; i++) {
        const struct cli_option *c = &cli_options[i];
        char left[64];
        char shortopt[8] = "    ";
        if (c->val < 256)
            snprintf(shortopt, sizeof shortopt, "-%c, ", c->val);
        if (c->has_arg == required_argument)
            snprintf(left, sizeof left, "  %s--%s %s", shortopt, c->name,
                     c->arg);
        else if (c->has_arg == optional_argument)
            snprintf(left, sizeof left, "  %s--%s[=%s]", shortopt, c->name,
                     c->arg);
        else
            snprintf(left, sizeof left, "  %s--%s", shortopt, c->name);
        /* the lists of formats come from their tables */
        const char *list = "";
        if (c->val == 'o')
            list = render_names();
        else if (c->val == OPT_INPUT_FORMAT)
            list = dialect_names();
        char text[512];
        snprintf(text, sizeof text, "%s%s", c->help, list);
        if (strlen(left) > 28)
            fprintf(out, "%s\n%30s", left, "");
        else
            fprintf(out, "%-30s", left);
        print_wrapped(out, text, 30, 79);
    }
    fprintf(out,
            "\nWith no FILE, or when FILE is -, read standard input. "
            "Rotated series\n(mail.log.2.gz mail.log.1 mail.log) are read "
            "oldest first.\n\n"
            "Exit status: 0 nothing at or above --fail-level, 1 findings at "
            "or above it,\n2 usage or input error.\n\n"
            "Report bugs to: %s\nHome page: <%s>\n",
            PACKAGE_BUGREPORT, PACKAGE_URL);
}

static int
parse_size(const char *s, size_t min, size_t max, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
        return -1;
    *out = (size_t)v;
    return 0;
}

static void
add_str(const char ***v, size_t *n, const char *s)
{
    *v = xreallocarray(*v, *n + 1, sizeof **v);
    (*v)[(*n)++] = s;
}

/* handle one option; -1 on usage error */
static int
cli_apply(struct mw_opts *o, int c, const char *arg, struct mw_err *err)
{
    switch (c) {
    case 'o':
        if (!render_find(arg)) {
            err_set(err, NULL, "unknown output format '%s' (use %s)", arg,
                    render_names());
            return -1;
        }
        o->output = arg;
        return 0;
    case OPT_OUTPUT_FILE:
        o->output_file = arg;
        return 0;
    case OPT_SYSLOG_SERVER: {
        char host[256], port[8];
        enum mw_sink_proto pr;
        if (sink_parse(arg, host, sizeof host, port, sizeof port, &pr, err))
            return -1;
        o->syslog_server = arg;
        return 0;
    }
    case OPT_INPUT_FORMAT:
        if (strcmp(arg, "auto") != 0 && !dialect_find(arg)) {
            err_set(err, NULL, "unknown input format '%s' (use %s)", arg,
                    dialect_names());
            return -1;
        }
        o->input_format = arg;
        return 0;
    case 'r':
        add_str(&o->rules, &o->nrules, arg);
        return 0;
    case OPT_CHECK_RULES:
        o->check_rules = true;
        return 0;
    case OPT_EXPLAIN:
        o->explain = arg;
        return 0;
    case 'w':
        if (time_parse_duration(arg, &o->window) < 0 || o->window <= 0) {
            err_set(err, NULL, "invalid window '%s' (e.g. 5m, 1h)", arg);
            return -1;
        }
        return 0;
    case 'n':
        if (parse_size(arg, 1, 100000, &o->top) < 0) {
            err_set(err, NULL, "invalid --top '%s' (1 to 100000)", arg);
            return -1;
        }
        return 0;
    case 'S':
        o->since_arg = arg;
        return 0;
    case 'U':
        o->until_arg = arg;
        return 0;
    case OPT_NOW:
        o->now_arg = arg;
        return 0;
    case OPT_TIMEZONE:
        o->timezone = arg;
        return 0;
    case OPT_FAIL_LEVEL:
        if (strcmp(arg, "none") == 0) {
            o->fail_level = -1;
            return 0;
        }
        o->fail_level = level_from_name(arg);
        if (o->fail_level < 0) {
            err_set(err, NULL,
                    "invalid level '%s' (informational, low, "
                    "medium, high, critical, none)",
                    arg);
            return -1;
        }
        return 0;
    case OPT_COLOR:
        if (!arg || strcmp(arg, "auto") == 0)
            o->color = MW_COLOR_AUTO;
        else if (strcmp(arg, "always") == 0)
            o->color = MW_COLOR_ALWAYS;
        else if (strcmp(arg, "never") == 0)
            o->color = MW_COLOR_NEVER;
        else {
            err_set(err, NULL, "invalid --color '%s' (auto, always, never)",
                    arg);
            return -1;
        }
        return 0;
    case OPT_MAX_LINE:
        if (parse_size(arg, 256, 64u * 1024u * 1024u, &o->max_line) < 0) {
            err_set(err, NULL,
                    "invalid --max-line-length '%s' (256 to "
                    "67108864)",
                    arg);
            return -1;
        }
        return 0;
    case 'v':
        o->verbose = true;
        return 0;
    case 'q':
        o->quiet = true;
        return 0;
    case OPT_STATE:
        o->state_file = arg;
        return 0;
    case 'f':
        o->follow = true;
        return 0;
    case 'h':
        o->help = true;
        return 0;
    case 'V':
        o->version = true;
        return 0;
    default:
        return -1;
    }
}

/* --syslog-server carries syslog records unless -o asks for cef or ndjson
 * in the message; the report formats and --output-file do not apply */
static int
cli_check_syslog_server(struct mw_opts *o, struct mw_err *err)
{
    if (!o->syslog_server)
        return 0;
    if (o->output_file) {
        err_set(err, NULL, "--syslog-server excludes --output-file");
        return -1;
    }
    if (o->output == default_output)
        o->output = "syslog";
    if (strcmp(o->output, "syslog") != 0 && strcmp(o->output, "cef") != 0 &&
        strcmp(o->output, "ndjson") != 0) {
        err_set(err, NULL, "no --output %s with --syslog-server", o->output);
        return -1;
    }
    return 0;
}

/* time expressions need --now and --timezone, so they are read last */
static int
cli_resolve_times(struct mw_opts *o, struct mw_err *err)
{
    if (o->now_arg) {
        if (time_parse_user(o->now_arg, time(NULL), &o->now) < 0) {
            err_set(err, NULL, "invalid time for --now: '%s'", o->now_arg);
            return -1;
        }
        o->has_now = true;
    }
    time_t now = o->has_now ? (time_t)o->now : time(NULL);
    if (o->since_arg) {
        if (time_parse_user(o->since_arg, now, &o->since) < 0) {
            err_set(err, NULL, "invalid time for --since: '%s'", o->since_arg);
            return -1;
        }
        o->has_since = true;
    }
    if (o->until_arg) {
        if (time_parse_user(o->until_arg, now, &o->until) < 0) {
            err_set(err, NULL, "invalid time for --until: '%s'", o->until_arg);
            return -1;
        }
        o->has_until = true;
    }
    if (o->has_since && o->has_until && o->until <= o->since) {
        err_set(err, NULL, "--until must be later than --since");
        return -1;
    }
    return 0;
}

int
cli_parse(struct mw_opts *o, int argc, char **argv, struct mw_err *err)
{
    struct option longopts[NOPTS + 1];
    char shortopts[3 * NOPTS + 2];
    size_t ns = 0;

    memset(o, 0, sizeof *o);
    o->output = default_output;
    o->input_format = "auto";
    o->fail_level = -1;
    err_clear(err);

    shortopts[ns++] = ':';
    for (size_t i = 0; i < NOPTS; i++) {
        longopts[i] =
            (struct option){cli_options[i].name, cli_options[i].has_arg, NULL,
                            cli_options[i].val};
        if (cli_options[i].val < 256) {
            shortopts[ns++] = (char)cli_options[i].val;
            if (cli_options[i].has_arg == required_argument)
                shortopts[ns++] = ':';
        }
    }
    shortopts[ns] = '\0';
    longopts[NOPTS] = (struct option){NULL, 0, NULL, 0};

    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        const char *bad = argv[optind - 1];
        if (c == '?') {
            if (optopt && optopt < 256)
                err_set(err, NULL, "invalid option -- '%c'", optopt);
            else
                err_set(err, NULL, "unrecognized option '%s'", bad);
            return -1;
        }
        if (c == ':') {
            err_set(err, NULL, "option '%s' requires an argument", bad);
            return -1;
        }
        if (cli_apply(o, c, optarg, err) < 0)
            return -1;
    }
    for (int i = optind; i < argc; i++)
        add_str(&o->files, &o->nfiles, argv[i]);
    if (o->explain && o->nfiles) {
        err_set(err, NULL, "--explain reads no log files ('%s')", o->files[0]);
        return -1;
    }
    if (o->help || o->version)
        return 0;
    if (cli_check_syslog_server(o, err) < 0)
        return -1;
    if (o->timezone) {
        setenv("TZ", o->timezone, 1);
        tzset();
    }
    return cli_resolve_times(o, err);
}

void
cli_free(struct mw_opts *o)
{
    free(o->rules);
    free(o->files);
    o->rules = NULL;
    o->files = NULL;
    o->nrules = o->nfiles = 0;
}
