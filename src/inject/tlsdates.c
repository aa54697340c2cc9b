/* inject/tlsdates.c - the clock against the TLS identity outside
 * cert-manager. tls.mode generate: the server certificate's window
 * (tls.notBefore + tls.duration) and the CA's (tls.caCertFile); tls.mode
 * secret: the CA's, when tls.caCertFile is given (the server certificate is
 * in a Secret of the cluster, never read here).
 *
 * A window that has ended is refused: clients would refuse the certificate.
 * One that ends within tls.renewBefore, or has not begun, is a warning on
 * stderr only (diag_note(): not counted, not in KRM results), so the output
 * stays the same bytes on every render and only these words depend on the
 * day the render runs. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../config.h"
#include "../diag.h"
#include "../inject.h"
#include "../timefmt.h"
#include "../x509.h"

static const struct where W_NB = { .field = "spec.tls.notBefore" };
static const struct where W_DUR = { .field = "spec.tls.duration" };
static const struct where W_CA = { .field = "spec.tls.caCertFile" };

/* "3 days", "5 hours", "12 minutes" (rounded down; at least "0 minutes"). */
static void
span(time_t secs, char out[32])
{
	long long s = secs < 0 ? 0 : (long long)secs;

	if (s >= 2 * 86400)
		snprintf(out, 32, "%lld days", s / 86400);
	else if (s >= 2 * 3600)
		snprintf(out, 32, "%lld hours", s / 3600);
	else
		snprintf(out, 32, "%lld minute%s", s / 60, s / 60 == 1 ? "" : "s");
}

/* The server certificate tls.mode generate makes. */
static int
server_window(const struct config *c, time_t now, time_t renew)
{
	time_t nb, dur;
	char from[32], to[32], at[32], left[32];

	if (time_parse_rfc3339(c->tls.not_before, &nb) != 0 || time_parse_duration(c->tls.duration, &dur) != 0)
		return 0;	/* x509_issue() says what is wrong with them */
	time_format(nb, from);
	time_format(nb + dur, to);
	time_format(now, at);
	if (nb + dur <= now) {
		diag_error(&W_NB, "the server certificate would be valid from %s to %s (tls.notBefore + tls.duration "
			   "%s), which has ended (now: %s): clients refuse an expired certificate; move tls.notBefore "
			   "to a recent time (such as %.10sT00:00:00Z) or raise tls.duration, render again and apply: "
			   "Secret %s changes and the registry restarts on it (rotation)", from, to, c->tls.duration,
			   at, at, c->tls.secret_name);
		return -1;
	}
	if (nb > now) {
		span(nb - now, left);
		diag_note(&W_NB, "the server certificate is not valid before %s, %s from now (%s): clients refuse it "
			  "until then; move tls.notBefore to a time already past", from, left, at);
	}
	if (nb + dur - now <= renew) {
		span(nb + dur - now, left);
		diag_note(&W_DUR, "the server certificate expires on %s (tls.notBefore %s + tls.duration %s), in %s: "
			  "within tls.renewBefore (%s) of now (%s); every render until then makes the same certificate, "
			  "so raise tls.duration or move tls.notBefore to a recent time, render again and apply: Secret "
			  "%s changes and the registry restarts on it (rotation)", to, from, c->tls.duration, left,
			  c->tls.renew_before, at, c->tls.secret_name);
	}
	return 0;
}

/* The CA of tls.caCertFile (generate: it signs; secret: the nodes and
 * pushing pods trust it). */
static int
ca_window(const struct config *c, time_t now, time_t renew)
{
	const char *file = c->tls.ca_cert_file;
	time_t nb, na;
	char from[32], to[32], at[32], left[32];

	if (x509_cert_dates(file, &nb, &na) != 0)
		return -1;
	time_format(nb, from);
	time_format(na, to);
	time_format(now, at);
	if (na <= now) {
		diag_error(&W_CA, "%s is valid from %s to %s, which has ended (now: %s): no client trusts what it "
			   "signs; make a new CA (registry-addon --generate-ca DIR, or your own), point tls.caCertFile%s "
			   "at it, render again and apply (CA rotation)", file, from, to, at,
			   !strcmp(c->tls.mode, "generate") ? " and tls.caKeyFile" : "");
		return -1;
	}
	if (na - now <= renew) {
		span(na - now, left);
		diag_note(&W_CA, "%s expires on %s, in %s: within tls.renewBefore (%s) of now (%s); make a new CA "
			  "(registry-addon --generate-ca DIR, or your own), point tls.caCertFile%s at it, render again "
			  "and apply (CA rotation)", file, to, left, c->tls.renew_before, at,
			  !strcmp(c->tls.mode, "generate") ? " and tls.caKeyFile" : "");
	}
	return 0;
}

int
inject_tls_dates(struct inject *in)
{
	const struct config *c = in->cfg;
	bool generate = !strcmp(c->tls.mode, "generate");
	time_t now = time(NULL), renew;
	int rc = 0;

	if (!generate && strcmp(c->tls.mode, "secret") != 0)
		return 0;
	if (time_parse_duration(c->tls.renew_before, &renew) != 0)
		renew = 0;	/* checked when set */
	if (generate && config_has(c, C_CERTIFICATES))
		rc = server_window(c, now, renew);
	if (*c->tls.ca_cert_file)	/* an ended CA too, when the server's window has ended */
		rc |= ca_window(c, now, renew);
	return rc;
}
