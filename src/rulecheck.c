#include "config.h"

#include "rules.h"

#include <string.h>
#include <time.h>

#include "buf.h"
#include "dialect.h"
#include "rules_impl.h"

/* --check-rules: every example must be matched first by its own rule with
 * the listed fields; no counter example may be matched by its rule. Lines
 * are parsed like real log lines, by the syslog dialect; a line without a
 * syslog header is matched as a whole. */

struct checker {
    const struct mw_ruleset *rs;
    const struct mw_dialect *d;
    void *state;
    FILE *out;
    struct mw_buf msg;
    struct mw_line line;
};

/* append s quoted, control bytes escaped so that a line stays one line */
static void
put_quoted(struct mw_buf *b, const char *s, size_t len)
{
    buf_putc(b, '\'');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            buf_printf(b, "\\x%02x", c);
        else
            buf_putc(b, (char)c);
    }
    buf_putc(b, '\'');
}

static void
report(struct checker *c, const struct mw_rule *r, struct mw_pos pos)
{
    fprintf(c->out, "%s:%lu:%lu: %s\n", r->file, pos.line, pos.column,
            c->msg.data ? c->msg.data : "");
    buf_reset(&c->msg);
}

/* parse the example like a log line; false when it yields no record */
static bool
parse_example(struct checker *c, const struct mw_example *ex,
              struct mw_record *rec)
{
    memset(&c->line, 0, sizeof c->line);
    c->line.data = ex->text;
    c->line.len = ex->len;
    c->line.lineno = 1;
    memset(rec, 0, sizeof *rec);
    rec->line = &c->line;
    rec->pid = -1;
    if (c->d && c->d->parse(c->state, &c->line, rec) != 0)
        return false;
    if (!c->d || !rec->parsed || !rec->msg) {
        rec->msg = ex->text;
        rec->msg_len = ex->len;
    }
    return true;
}

/* why the rule's own filters or regex turn the record down */
static const char *
miss_reason(const struct checker *c, const struct mw_rule *r,
            const struct mw_record *rec)
{
    struct mw_event ev;
    const struct mw_rule_impl *ri = rule_impl(r);
    if (!rule_program_ok(c->rs, ri, rec))
        return ri->apps_only ? " (apps_only, and other rules name the line's "
                               "program)"
                             : " (its program filter does not accept the "
                               "line's program)";
    if (!rule_literal_ok(ri, rec))
        return " (no prefilter literal occurs in the message)";
    if (!rule_regex_match(c->rs, r, rec, &ev))
        return " (the regex does not match the message)";
    return "";
}

static bool
has_group(const struct mw_rule_impl *ri, const char *name)
{
    for (size_t i = 0; i < ri->ngroups; i++)
        if (strcmp(ri->groups[i].name, name) == 0)
            return true;
    return false;
}

static size_t
check_fields(struct checker *c, const struct mw_rule *r,
             const struct mw_example *ex, const struct mw_event *ev)
{
    size_t fails = 0;
    for (size_t i = 0; i < ex->nfields; i++) {
        const struct mw_expect *f = &ex->fields[i];
        size_t len = 0;
        const char *got = event_field(ev, f->name, &len);
        if (got && len == f->len && memcmp(got, f->val, len) == 0)
            continue;
        buf_printf(&c->msg, "field %s: ", f->name);
        if (!got && !has_group(rule_impl(r), f->name)) {
            buf_puts(&c->msg, "no such named group in the pattern");
        } else {
            buf_puts(&c->msg, "expected ");
            put_quoted(&c->msg, f->val, f->len);
            if (got) {
                buf_puts(&c->msg, ", got ");
                put_quoted(&c->msg, got, len);
            } else {
                buf_puts(&c->msg, ", got nothing");
            }
        }
        report(c, r, ex->pos);
        fails++;
    }
    return fails;
}

static size_t
check_example(struct checker *c, const struct mw_rule *r,
              const struct mw_example *ex)
{
    struct mw_record rec;
    struct mw_event ev;
    if (!parse_example(c, ex, &rec)) {
        buf_puts(&c->msg, "example is not read as a log line");
        report(c, r, ex->pos);
        return 1;
    }
    if (!ruleset_match(c->rs, &rec, &ev)) {
        buf_printf(&c->msg, "example does not match rule %s%s", r->id,
                   miss_reason(c, r, &rec));
        report(c, r, ex->pos);
        return 1;
    }
    if (ev.rule != r) {
        buf_printf(&c->msg, "example is matched first by rule %s (%s:%lu)",
                   ev.rule->id, ev.rule->file, ev.rule->line);
        report(c, r, ex->pos);
        return 1;
    }
    return check_fields(c, r, ex, &ev);
}

static size_t
check_counter(struct checker *c, const struct mw_rule *r,
              const struct mw_example *ex)
{
    struct mw_record rec;
    struct mw_event ev;
    const struct mw_rule_impl *ri = rule_impl(r);
    if (!parse_example(c, ex, &rec))
        return 0; /* no record: nothing can match it */
    if (rule_program_ok(c->rs, ri, &rec) && rule_literal_ok(ri, &rec) &&
        rule_regex_match(c->rs, r, &rec, &ev)) {
        buf_printf(&c->msg, "counter example is matched by rule %s", r->id);
        report(c, r, ex->pos);
        return 1;
    }
    return 0;
}

size_t
ruleset_check(const struct mw_ruleset *rs, FILE *out, size_t *nexamples)
{
    struct checker c = {.rs = rs, .out = out};
    size_t fails = 0, n = 0;
    c.d = dialect_find("syslog");
    if (c.d && c.d->open)
        c.state = c.d->open(time(NULL));
    for (size_t i = 0; i < ruleset_count(rs); i++) {
        const struct mw_rule *r = ruleset_rule(rs, i);
        const struct mw_rule_impl *ri = rule_impl(r);
        for (size_t k = 0; k < ri->nexamples; k++, n++)
            fails += check_example(&c, r, &ri->examples[k]);
        for (size_t k = 0; k < ri->ncounters; k++, n++)
            fails += check_counter(&c, r, &ri->counters[k]);
    }
    if (c.d && c.d->close)
        c.d->close(c.state);
    buf_free(&c.msg);
    if (nexamples)
        *nexamples = n;
    return fails;
}
