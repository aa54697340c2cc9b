/* quantity.h - Kubernetes resource quantities as the API server reads them
 * (k8s.io/apimachinery pkg/api/resource/quantity.go, ParseQuantity): the
 * grammar, the value (rounded away from zero to a whole nano unit, as
 * ParseQuantity rounds) and comparison, exactly, without floating point.
 *
 *   <quantity> ::= <sign>? <digits>? ("." <digits>?)? <suffix>
 *   <suffix>   ::= "" | n | u | m | k | M | G | T | P | E
 *                | Ki | Mi | Gi | Ti | Pi | Ei | (e|E) <sign>? <digits>
 *
 * One departure: a number without a digit ("m", ".", "+"), which
 * ParseQuantity reads as 0, is refused as the typo it is.
 * Pure functions; nothing is owned.
 */
#ifndef QUANTITY_H
#define QUANTITY_H

#include <stdbool.h>

typedef unsigned __int128 quantity_t;

struct quantity {
	bool neg;		/* below zero */
	quantity_t nano;	/* magnitude in units of 10^-9 */
};

/* What a quantity looks like, for "must be ..." messages. */
#define QUANTITY_RULE                                                                                          \
	"a Kubernetes quantity: a decimal number with an optional suffix, binary Ki, Mi, Gi, Ti, Pi, Ei, "     \
	"decimal n, u, m, k, M, G, T, P, E, or an exponent such as e3 (100m, 512Mi, 1.5Gi, 2e9)"

/* Text s (whole) as a quantity: 0, or -1 with *why saying what is wrong
 * (not a quantity; larger than 2^63-1, where Kubernetes caps or overflows;
 * an exponent beyond 32 bits). */
int quantity_parse(const char *s, struct quantity *q, const char **why);
/* <0, 0, >0 as a is below, equal to or above b. */
int quantity_cmp(const struct quantity *a, const struct quantity *b);
bool quantity_is_zero(const struct quantity *q);
/* Kubernetes' integer check for extended resources: MilliValue() % 1000 == 0. */
bool quantity_is_integer(const struct quantity *q);
/* Value(): the magnitude rounded up to a whole unit. */
quantity_t quantity_units(const struct quantity *q);

#endif
